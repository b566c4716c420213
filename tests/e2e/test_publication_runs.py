"""A run publishes all its outputs or none (docs/runs.md): the record of the bytes read, a
failed or stopped run leaves the published run current, the lock waits, an edited published
model is refused. (A partial run's out-of-date report: test_partial_runs.py.)"""

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest
from filelock import FileLock

from customer_segmentation.hooks import STALE_BANNER_ID
from customer_segmentation.publication import sha256
from tests.catalog import published_outputs

from .conftest import kedro


def _start_run(project) -> subprocess.Popen:
    """`kedro run` in the background, as a second terminal would start it."""
    return subprocess.Popen(
        [sys.executable, "-m", "kedro", "run"],
        cwd=project,
        env={**os.environ, "KEDRO_DISABLE_TELEMETRY": "true", "MPLBACKEND": "Agg"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _manifest(project) -> dict:
    """The record of the published run."""
    return json.loads((project / "data/current/runs/run.json").read_text())


def _publication(project) -> dict:
    return json.loads((project / "data/current/publication.json").read_text())


def test_a_run_records_the_hash_of_the_bytes_it_read_and_its_status(full_run):
    manifest = _manifest(full_run)
    raw = full_run / "data/01_raw/customers_synthetic.csv"

    assert manifest["status"] == "succeeded"
    assert manifest["inputs"]["raw_customers"] == {
        "path": "data/01_raw/customers_synthetic.csv",
        "sha256": sha256(raw),
    }
    assert manifest["started"] <= manifest["finished"]
    report = (full_run / "data/current/08_reporting/segmentation_report.html").read_text()
    assert manifest["run_id"] in report and sha256(raw)[:12] in report
    # Every published file is the one its hash names, and all come from this one run.
    publication = _publication(full_run)
    assert publication["run_id"] == manifest["run_id"]
    for entry in publication["datasets"].values():
        assert entry["version"] == manifest["run_id"]
        assert sha256(full_run / "data/current" / entry["path"]) == entry["sha256"]


def test_a_failed_run_publishes_nothing_and_an_edited_published_model_is_refused(
    full_run, tmp_path
):
    project = tmp_path / "project"
    shutil.copytree(full_run, project, symlinks=True)
    report = project / "data/current/08_reporting/segmentation_report.html"
    published = report.read_text()
    model = (project / "data/current/06_models/segmentation_model.skops").resolve()
    model.write_bytes(model.read_bytes() + b"\0")

    result = kedro(project, "run", "--pipelines", "scoring", check=False)

    assert result.returncode != 0
    assert "Traceback" not in result.stdout + result.stderr  # the cause alone, then the log
    assert "(segmentation_model) is not the file run" in result.stderr
    assert "Nothing was published: the current outputs are still run" in result.stdout
    assert "Traceback" in (project / "errors.log").read_text()
    assert report.read_text() == published and STALE_BANNER_ID not in published
    records = sorted((project / "data/runs/run.json").glob("*/run.json"))
    failed = json.loads(records[-1].read_text())
    assert failed["status"] == "failed" and "is not the file run" in failed["error"]
    assert _manifest(project) == _manifest(full_run)  # the published run's record is untouched
    # The failed run's versions are gone: every version on disk is the published run's.
    assert _versions_on_disk(project) == {_manifest(full_run)["run_id"]}
    assert not (project / "data/current/07_model_output/new_customer_segments.csv").exists()


def test_a_second_run_waits_for_the_first_or_says_whom_it_would_wait_for(full_run, tmp_path):
    project = tmp_path / "project"
    shutil.copytree(full_run, project, symlinks=True)
    owner = {"run_id": "2026-01-01T00.00.00.000Z", "process": 1, "started": "x", "pipelines": []}
    (project / "data/.run.owner").write_text(json.dumps(owner))
    with FileLock(project / "data" / ".run.lock"):
        waited = kedro(project, "run", "--params", "run_guard.lock_wait_seconds=1", check=False)

    assert waited.returncode != 0
    assert "run 2026-01-01T00.00.00.000Z, pipelines __default__" in waited.stderr
    assert "Waiting up to 1 s for another run to finish" in waited.stdout
    assert "after 1 s (run_guard.lock_wait_seconds)" in waited.stderr
    assert _manifest(project)["status"] == "succeeded"  # the first run's record is untouched


def _readable(path) -> bool:
    """Whether an output file is whole: it parses in its own format."""
    try:
        if path.suffix == ".parquet":
            pd.read_parquet(path)
        elif path.suffix == ".json":
            json.loads(path.read_text())
        elif path.suffix == ".csv":
            pd.read_csv(path)
        elif path.suffix == ".png":
            return path.read_bytes().endswith(b"IEND\xaeB`\x82")
        elif path.suffix == ".html":
            return path.read_text().rstrip().endswith("</html>")
    except Exception:  # noqa: BLE001 - any failure to parse means a broken file
        return False
    return True


@pytest.mark.parametrize(
    ("seconds", "stop"),
    # One moment here; benchmarks/kill_loop.py stops runs at many, with SIGTERM and SIGINT too.
    [(5.0, signal.SIGKILL)],
)
def test_a_run_stopped_at_any_moment_leaves_the_last_published_run_current(
    full_run, tmp_path, seconds, stop
):
    project = tmp_path / "project"
    shutil.copytree(full_run, project, symlinks=True)
    published = _publication(project)
    run = _start_run(project)
    time.sleep(seconds)
    run.send_signal(stop)
    run.wait()

    # Whatever the stopped run wrote, the current outputs are the earlier run's, all of them.
    assert _publication(project) == published
    outputs = published_outputs(project)
    assert outputs and [path for path in outputs.values() if not _readable(path)] == []
    # The next run says what the stopped run left (or that it left nothing), removes it and
    # scores with the published model.
    left = _versions_on_disk(project) - {published["run_id"]}
    scoring = kedro(project, "run", "--pipelines", "scoring")
    assert ("Removed what unfinished run(s)" in scoring.stdout) == bool(left)
    assert "0 file(s)" not in scoring.stdout
    # Scoring replaces nothing the report shows: the report is not marked out of date.
    report = project / "data/current/08_reporting/segmentation_report.html"
    assert STALE_BANNER_ID not in report.read_text()
    assert _versions_on_disk(project) == {published["run_id"], _manifest(project)["run_id"]}


def _versions_on_disk(project) -> set[str]:
    return {path.name for path in (project / "data").glob("0[2-8]_*/**/20*T*Z")}
