"""The value_forecast pipeline: wired into the log runs only, and the default run never imports
pymc-marketing (its import costs seconds)."""

import subprocess
import sys

from customer_segmentation.pipelines import joined_segmentation, rfm_segmentation, value_forecast


def test_both_log_runs_forecast_and_the_analysis_reads_the_forecast():
    for run in (rfm_segmentation.create_pipeline(), joined_segmentation.create_pipeline()):
        assert {"customer_value_forecast", "value_forecast_fit"} <= run.all_outputs()
        value_node = next(node for node in run.nodes if node.name == "assess_segment_value")
        assert set(value_forecast.VALUE_INPUTS) <= set(value_node.inputs)
        summary = next(node for node in run.nodes if node.name == "summarise_segmentation")
        assert "value_forecast_fit" in summary.inputs


def test_the_default_run_has_no_forecast_and_does_not_import_pymc():
    code = (
        "import sys\n"
        "from kedro.framework.project import configure_project\n"
        "configure_project('customer_segmentation')\n"
        "from customer_segmentation.pipeline_registry import register_pipelines\n"
        "from customer_segmentation.pipelines.cluster_analysis import nodes\n"
        "default = register_pipelines()['__default__']\n"
        "assert 'value_forecast_fit' not in default.all_outputs() | default.inputs()\n"
        "assert not [m for m in sys.modules if m.split('.')[0] in {'pymc', 'pymc_marketing', "
        "'pytensor'}], 'pymc imported'\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
