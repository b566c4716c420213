"""Segment history end to end: two `kedro run`s in one project. The first starts the history;
the second is compared with it (report, migration), and both runs' versions can be loaded."""

import json
from pathlib import Path

import pandas as pd
from kedro.framework.session import KedroSession
from kedro.framework.startup import bootstrap_project
from kedro.io import DataCatalog

from tests.catalog import project_catalog
from tests.html_tables import cells

REPORTING = Path("data/current/08_reporting")


def versions(project: Path, relative: str) -> list[str]:
    """The versions of a versioned dataset, oldest first (Kedro's timestamps sort by time)."""
    return sorted(path.name for path in (project / relative).iterdir())


def test_the_first_run_says_there_is_no_earlier_run(full_run):
    html = (full_run / REPORTING / "segmentation_report.html").read_text()
    assert "There is no earlier run to compare with" in html
    identities = json.loads((full_run / REPORTING / "segment_identities.json").read_text())
    assert identities["reference"] is None
    migration = pd.read_csv(full_run / REPORTING / "segment_migration.csv")
    assert migration.empty


def test_the_second_run_is_compared_with_the_first(full_run, second_run):
    first_run = json.loads((full_run / "data/current/runs/run.json").read_text())["run_id"]
    identities = json.loads((second_run / REPORTING / "segment_identities.json").read_text())
    assert identities["reference"]["run_id"] == first_run
    statuses = [s["status"] for s in identities["segments"]]
    assert len(statuses) == 3 and set(statuses) <= {"kept", "new"} and "kept" in statuses

    migration = pd.read_csv(second_run / REPORTING / "segment_migration.csv")
    primary = pd.read_parquet(second_run / "data/current/03_primary/customers.parquet")
    assert migration["customers"].sum() == len(primary)  # the same customers both times

    html = (second_run / REPORTING / "segmentation_report.html").read_text()
    assert f"Compared with the run of <b>{first_run}</b>" in html
    _, *rows = cells(html, "migration")
    shown = [[int(row[0].split(":")[0]), int(row[1].split(":")[0]), row[2]] for row in rows]
    assert shown == [
        [r.from_segment, r.to_segment, f"{r.customers:,}"] for r in migration.itertuples()
    ]
    counts = {status: statuses.count(status) for status in ("kept", "new")}
    line = f"segment history: compared with run {first_run}: {counts['kept']} kept, "
    assert line in (second_run.parent / "console.txt").read_text()


def test_both_runs_versions_load_and_the_catalog_gives_the_latest(full_run, second_run):
    """customer_segments is a versioned CachedDataset, segment_profiles a versioned CSV: both
    runs' versions stay, a notebook's catalog.load gives the published one (the latest),
    --load-versions an older."""
    names = {
        "customer_segments": "data/07_model_output/customer_segments.parquet",
        "segment_profiles": "data/08_reporting/segment_profiles.csv",
    }
    found = {name: versions(second_run, path) for name, path in names.items()}
    assert all(len(v) == 2 for v in found.values())
    assert found["customer_segments"] == found["segment_profiles"]  # one version per run
    first, second = found["customer_segments"]

    latest = project_catalog(second_run)
    bootstrap_project(second_run)
    with KedroSession.create(project_path=second_run, env="base") as session:
        context = session.load_context()
        conf = context.config_loader["catalog"]
    # The catalog as `kedro run --load-versions customer_segments:<first>,...` builds it.
    for entry in conf.values():
        if isinstance(entry, dict):
            for inner in (entry, entry.get("dataset")):
                if isinstance(inner, dict) and "filepath" in inner:
                    inner["filepath"] = str(second_run / inner["filepath"])
    pinned = DataCatalog.from_config(
        {name: conf[name] for name in names}, load_versions=dict.fromkeys(names, first)
    )
    for name, relative in names.items():
        newest, oldest = latest.load(name), pinned.load(name)
        path = second_run / relative
        reader = pd.read_parquet if path.suffix == ".parquet" else pd.read_csv
        pd.testing.assert_frame_equal(newest, reader(path / second / path.name))
        pd.testing.assert_frame_equal(oldest, reader(path / first / path.name))
    first_k = json.loads(
        (full_run / "data/current/06_models/k_selection_decision.json").read_text()
    )
    assert pinned.load("customer_segments")["segment"].nunique() == first_k["chosen_k"]
    assert latest.load("customer_segments")["segment"].nunique() == 3
