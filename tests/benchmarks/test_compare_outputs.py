"""benchmarks/compare_outputs.py: the published (or latest) version of each dataset, run ids
ignored."""

import json
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from compare_outputs import differences  # noqa: E402

from customer_segmentation import publication  # noqa: E402


def _project(root: Path, latest_segment: int, run_id: str) -> Path:
    reporting = root / "data" / "08_reporting"
    # An older version that differs between the projects, then the latest one.
    for version, segment in [
        ("2026-01-01T00.00.00.000Z", root.name),
        ("2026-02-01T00.00.00.000Z", latest_segment),
    ]:
        folder = reporting / "segments.csv" / version
        folder.mkdir(parents=True)
        frame = pd.DataFrame({"ID": [1], "segment": [segment], "run_id": [run_id]})
        frame.to_csv(folder / "segments.csv", index=False)
    (reporting / "snapshot.json").write_text(json.dumps({"run": {"run_id": run_id}, "k": 3}))
    return root


def test_runs_that_differ_only_in_run_ids_and_old_versions_are_equal(tmp_path):
    before = _project(tmp_path / "before", latest_segment=1, run_id="a")
    after = _project(tmp_path / "after", latest_segment=1, run_id="b")

    assert differences(before, after) == (2, [])


def test_the_latest_versions_are_compared(tmp_path):
    before = _project(tmp_path / "before", latest_segment=1, run_id="a")
    after = _project(tmp_path / "after", latest_segment=2, run_id="a")

    compared, found = differences(before, after)

    assert compared == 2 and len(found) == 1
    assert found[0].startswith("differs: 08_reporting/segments.csv")


def test_a_change_of_storage_type_differs_unless_only_values_are_compared(tmp_path):
    for name, dtype in (("before", "int64"), ("after", "int16")):
        folder = tmp_path / name / "data" / "03_primary"
        folder.mkdir(parents=True)
        pd.DataFrame({"ID": [1, 2]}, dtype=dtype).to_parquet(folder / "customers.parquet")

    compared, found = differences(tmp_path / "before", tmp_path / "after")

    assert compared == 1 and "dtype" in found[0]
    assert differences(tmp_path / "before", tmp_path / "after", check_dtype=False) == (1, [])


def test_a_published_project_is_compared_by_its_current_files(tmp_path):
    old = _project(tmp_path / "old", latest_segment=1, run_id="a")  # before publication
    published = _project(tmp_path / "published", latest_segment=2, run_id="a")
    outputs = published / "data"
    files = {
        "segments": outputs / "08_reporting/segments.csv",
        "snapshot": outputs / "08_reporting/snapshot.json",
    }
    version = "2026-01-01T00.00.00.000Z"  # the older version is the published one
    (files["snapshot"].parent / "snapshot.json").rename(outputs / "snapshot.json")
    publication.version_file(files["snapshot"], version).parent.mkdir(parents=True)
    (outputs / "snapshot.json").rename(publication.version_file(files["snapshot"], version))
    frame = pd.DataFrame({"ID": [1], "segment": [1], "run_id": ["b"]})
    frame.to_csv(publication.version_file(files["segments"], version), index=False)
    publication.publish(outputs, version, "b", files)

    assert differences(old, published) == (2, [])
