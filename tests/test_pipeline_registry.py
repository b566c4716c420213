"""The registered runs: one pipeline per step, fed the table of each source by input mapping."""

import pytest
from kedro.framework.project import configure_project

from customer_segmentation.pipeline_registry import register_pipelines
from tests.fixtures.environments import environment_parameters

# Each registered run with the environment its run config file names (conf/<env>/run.yml).
RUNS = {"__default__": "base", "rfm_segmentation": "retail", "joined_segmentation": "both"}


@pytest.fixture(scope="module")
def pipelines():
    configure_project("customer_segmentation")
    return register_pipelines()


def node(pipeline, name: str):
    return next(n for n in pipeline.nodes if n.name == name)


@pytest.mark.parametrize(("run", "env"), RUNS.items())
def test_every_parameter_a_run_reads_is_in_its_environment(pipelines, run, env):
    parameters = environment_parameters(env)
    for name in pipelines[run].inputs():
        if not name.startswith("params:"):
            continue
        value = parameters
        for key in name.removeprefix("params:").split("."):
            assert isinstance(value, dict) and key in value, f"{run} in {env}: {name} is not set"
            value = value[key]


@pytest.mark.parametrize(
    ("run", "table"),
    [
        ("__default__", "primary_customers"),
        ("rfm_segmentation", "customer_rfm"),
        ("joined_segmentation", "customers_with_transactions"),
    ],
)
def test_the_steps_read_the_run_s_table(pipelines, run, table):
    pipeline = pipelines[run]
    for name in ("engineer_features", "profile_segments"):
        assert table in node(pipeline, name).inputs
    if run == "rfm_segmentation":  # no customer table at all
        assert not any("primary_customers" in n.inputs for n in pipeline.nodes)


@pytest.mark.parametrize(
    ("run", "shown", "absent"),
    [
        ("__default__", {"data_quality", "eda_cleaning_summary"}, {"transaction_line_quality"}),
        (
            "rfm_segmentation",
            {"transaction_line_quality"},
            {"data_quality", "eda_cleaning_summary"},
        ),
        (
            "joined_segmentation",
            {"data_quality", "transaction_line_quality", "transaction_join_summary"},
            set(),
        ),
    ],
)
def test_the_report_shows_the_accounting_of_the_run_s_inputs(pipelines, run, shown, absent):
    # The report reads the summary and the figures: their nodes read what it shows.
    inputs = set(node(pipelines[run], "summarise_segmentation").inputs)
    inputs |= set(node(pipelines[run], "gather_report_figures").inputs)
    assert shown <= inputs and not absent & inputs
    # Every dataset the report reads is made in the same run (none left over from another run).
    assert not (inputs - {"run_manifest"} - {i for i in inputs if i.startswith("params:")}) & (
        pipelines[run].inputs()
    )
