"""Pipelines run in steps, each step reading the earlier steps' files, reproduce the full run's
outputs byte for byte (a long end-to-end test, in a module of its own so that it runs beside the
others)."""

import hashlib
import json
import re
import shutil
from pathlib import Path

from tests.catalog import published_outputs
from tests.project_copy import clear_outputs

from .conftest import kedro

# The report's provenance line and the summary's "run" block name the run and the input files of
# the run that wrote them (a partial run's inputs are the earlier layers), so they are left out
# of the comparison.
RUN_LINE = re.compile(rb'<p class="run">.*?</p>')
SUMMARY = "segmentation_summary.json"


def _without_provenance(path: Path) -> bytes:
    if path.name == SUMMARY:
        summary = json.loads(path.read_text())
        summary.pop("run")
        return json.dumps(summary, sort_keys=True).encode()
    return RUN_LINE.sub(b"", path.read_bytes())


def digest_outputs(project: Path) -> dict[str, str]:
    """SHA-256 of every output file, with the run's id (which the CRM export, the segment
    snapshot and the report carry by design) replaced by a placeholder."""
    run_id = json.loads((project / "data/current/runs/run.json").read_text())["run_id"].encode()
    return {
        name: hashlib.sha256(_without_provenance(path).replace(run_id, b"<run id>")).hexdigest()
        for name, path in published_outputs(project).items()
        # skops archives carry their write time and object ids; what the models produce
        # (model_input, customer_segments, the report) is compared byte for byte. The run's
        # record is its own (times, process).
        if path.suffix != ".skops" and not name.startswith("runs/")
    }


def test_pipelines_run_in_steps_reproduce_the_full_run(full_run, tmp_path):
    # In three steps, the tables between them are read back from their files (cleaning ->
    # features and segments -> analysis); in the full run, MemoryDatasets and the cached tables
    # pass between nodes in memory. Both must give the same bytes, which also shows that a run in
    # another process reproduces every output. (Three commands, not one per pipeline: each
    # `kedro run` costs about 7 s of start-up.)
    stepwise = tmp_path / "stepwise"
    shutil.copytree(full_run, stepwise, symlinks=True)
    clear_outputs(stepwise)

    for pipelines in [
        "data_processing",
        "feature_engineering,clustering,scoring_model",
        "eda,cluster_analysis",
    ]:
        kedro(stepwise, "run", "--pipelines", pipelines)

    assert digest_outputs(stepwise) == digest_outputs(full_run)
