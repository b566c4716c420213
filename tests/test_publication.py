"""Publication: versions become current together, unfinished runs leave nothing current, old
runs are pruned, and a file replaced while a run reads it stops the run."""

import json
import os
from pathlib import Path

import pytest
from filelock import FileLock

from customer_segmentation import publication
from customer_segmentation.hooks import InputChangedError, RunGuard

V1, V2, V3 = "2026-01-01T00.00.00.000Z", "2026-02-01T00.00.00.000Z", "2026-03-01T00.00.00.000Z"


def _save(outputs: Path, relative: str, version: str, text: str) -> Path:
    """Write a file as a Kedro versioned dataset saves it; return the dataset's filepath."""
    filepath = outputs / relative
    target = publication.version_file(filepath, version)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)
    return filepath


def _current(outputs: Path, relative: str) -> str:
    return (outputs / publication.CURRENT / relative).read_text()


def test_a_publication_makes_the_runs_files_current_together_beside_earlier_ones(tmp_path):
    segments = _save(tmp_path, "07_model_output/segments.csv", V1, "v1 segments")
    report = _save(tmp_path, "08_reporting/report.html", V1, "<body>v1 report</body>")
    publication.publish(tmp_path, V1, "run 1", {"segments": segments, "report": report})
    _save(tmp_path, "07_model_output/segments.csv", V2, "v2 segments")  # a partial run

    assert _current(tmp_path, "07_model_output/segments.csv") == "v1 segments"  # not yet
    published = publication.publish(
        tmp_path, V2, "run 2", {"segments": segments}, stale={"report": "<b>OLD</b>"}
    )

    assert _current(tmp_path, "07_model_output/segments.csv") == "v2 segments"
    assert _current(tmp_path, "08_reporting/report.html") == "<body><b>OLD</b>v1 report</body>"
    assert published["datasets"]["report"]["version"] == V1
    assert published == publication.current_publication(tmp_path)
    assert os.readlink(tmp_path / publication.CURRENT) == f"{publication.PUBLISHED}/{V2}"
    digest = publication.sha256(publication.version_file(segments, V2))
    assert published["datasets"]["segments"]["sha256"] == digest
    # A later partial run keeps the report marked until a run writes it again.
    _save(tmp_path, "07_model_output/segments.csv", V3, "v3 segments")
    publication.publish(tmp_path, V3, "run 3", {"segments": segments})
    assert _current(tmp_path, "08_reporting/report.html").startswith("<body><b>OLD</b>")


def test_what_unfinished_runs_left_is_removed_and_the_published_run_kept(tmp_path):
    segments = _save(tmp_path, "07_model_output/segments.csv", V1, "v1")
    publication.publish(tmp_path, V1, "run 1", {"segments": segments})
    # A run killed while writing (a version and a half-written file) and one killed while
    # publishing (its publication folder exists, `current` was never switched to it).
    _save(tmp_path, "07_model_output/segments.csv", V2, "v2")
    _save(tmp_path, "08_reporting/report.html", V2, "half")
    (tmp_path / "08_reporting/.report.html.partial").write_text("half")
    (tmp_path / publication.PUBLISHED / V3).mkdir()
    (tmp_path / publication.PUBLISHED / V3 / publication.PUBLICATION).write_text("{}")
    record = _save(tmp_path, "runs/run.json", V2, json.dumps({"status": "running"}))

    removed = publication.remove_unpublished(tmp_path)

    assert removed.versions == (V2, V3)
    assert not (tmp_path / "08_reporting/report.html").exists()
    assert not (tmp_path / "08_reporting/.report.html.partial").exists()
    assert not (tmp_path / publication.PUBLISHED / V3).exists()
    assert publication.version_file(record, V2).is_file()
    assert _current(tmp_path, "07_model_output/segments.csv") == "v1"


def test_retention_keeps_the_last_runs_and_bounds_the_disk(tmp_path):
    megabyte = "x" * 1_000_000
    segments = tmp_path / "07_model_output/segments.csv"
    for month in range(1, 25):  # two years of monthly runs
        version = f"2026-01-01T00.00.00.{month:03d}Z"
        _save(tmp_path, "07_model_output/segments.csv", version, megabyte)
        publication.publish(tmp_path, version, f"run {month}", {"segments": segments})
        publication.remove_unpublished(tmp_path, keep_runs=6)

    kept = publication.retained(tmp_path)
    assert kept == [f"2026-01-01T00.00.00.{month:03d}Z" for month in range(19, 25)]
    assert sorted(path.name for path in segments.iterdir()) == kept
    size = sum(p.stat().st_size for p in tmp_path.rglob("*") if p.is_file() and not p.is_symlink())
    assert 6_000_000 <= size < 6_100_000


def _guard(tmp_path: Path, raw: Path) -> RunGuard:
    """A RunGuard in the middle of a run that reads ``raw`` (as before_pipeline_run sets it)."""
    guard = RunGuard()
    guard._project, guard._outputs = tmp_path, tmp_path / "data"
    guard._lock = FileLock(tmp_path / ".lock")
    guard._input_files = {"raw_customers": str(raw)}
    guard._record_file = tmp_path / "data/runs/run.json" / V1 / "run.json"
    guard._record = {"inputs": {}}
    return guard


def test_the_hash_recorded_is_of_the_bytes_read(tmp_path):
    raw = tmp_path / "customers.csv"
    raw.write_text("ID\n1\n")
    guard = _guard(tmp_path, raw)

    guard.before_dataset_loaded("raw_customers")
    guard.after_dataset_loaded("raw_customers")

    recorded = json.loads(guard._record_file.read_text())["inputs"]["raw_customers"]
    assert recorded == {"path": "customers.csv", "sha256": publication.sha256(raw)}


def test_a_file_replaced_while_it_is_read_stops_the_run(tmp_path):
    raw = tmp_path / "customers.csv"
    raw.write_text("ID\n1\n")
    guard = _guard(tmp_path, raw)

    guard.before_dataset_loaded("raw_customers")
    replacement = tmp_path / "new.csv"
    replacement.write_text("ID\n1\n2\n")
    os.replace(replacement, raw)  # another program swaps the file during the read

    with pytest.raises(InputChangedError, match="changed while this run read it"):
        guard.after_dataset_loaded("raw_customers")


def test_outputs_of_the_layout_before_publication_are_removed_before_the_first_save(tmp_path):
    older = tmp_path / "data/08_reporting/segmentation_report.html"
    older.parent.mkdir(parents=True)
    older.write_text("<html>a report written before publication</html>")
    versioned = publication.version_file(tmp_path / "data/08_reporting/profiles.csv", V1)
    versioned.parent.mkdir(parents=True)
    versioned.write_text("kept")
    guard = _guard(tmp_path, tmp_path / "customers.csv")
    guard._written = {"segmentation_report": older, "profiles": versioned.parent.parent}

    guard._remove_older_layout()

    assert not older.exists() and versioned.read_text() == "kept"
