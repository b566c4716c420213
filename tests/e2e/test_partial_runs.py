"""Partial `kedro run`s work on what an earlier run left; --params overrides apply."""

import json
import shutil

from customer_segmentation.hooks import STALE_BANNER_ID
from tests.catalog import load_table

from .conftest import kedro


def test_clustering_alone_with_k_fixed_from_the_command_line(full_run, tmp_path):
    project = tmp_path / "project"
    shutil.copytree(full_run, project, symlinks=True)

    kedro(
        project,
        "run",
        "--pipelines",
        "clustering",
        "--params",
        "clustering.selection.rule=fixed,clustering.selection.fixed_k=3",
    )

    decision = json.loads(
        (project / "data/current/06_models/k_selection_decision.json").read_text()
    )
    segments = load_table(project / "data/current/07_model_output/customer_segments.parquet")
    assert decision["rule"] == "fixed"
    assert decision["chosen_k"] == 3
    assert sorted(segments["segment"].unique()) == [1, 2, 3]
    # The published report describes the earlier segments: it is marked out of date.
    report = (project / "data/current/08_reporting/segmentation_report.html").read_text()
    banner = report.split(STALE_BANNER_ID)[1][:400]
    assert "replaced what this report describes (customer_segments" in banner


def test_a_conf_local_block_overrides_single_keys_not_the_whole_group(full_run, tmp_path):
    # The README's way: one key in conf/local/parameters.yml; every other data_processing key
    # must still come from conf/base (it used to end in KeyError: 'repeated_ids').
    project = tmp_path / "project"
    shutil.copytree(full_run, project, symlinks=True)
    before = json.loads((project / "data/current/02_intermediate/data_quality.json").read_text())
    (project / "conf/local/parameters.yml").write_text(
        "data_processing:\n  age:\n    max_years: 60\n"
    )

    kedro(project, "run", "--to-outputs", "primary_customers")

    after = json.loads((project / "data/current/02_intermediate/data_quality.json").read_text())
    assert after["rows_in"] == before["rows_in"]
    assert after["rows_rejected"] > before["rows_rejected"]
    assert after["rows_kept"] + after["rows_rejected"] == after["rows_in"]


def test_tagged_run_only_touches_its_step(full_run, tmp_path):
    project = tmp_path / "project"
    shutil.copytree(full_run, project, symlinks=True)
    before = _published_versions(project)

    kedro(project, "run", "--tags", "eda")

    after = _published_versions(project)
    changed = {name for name in after if after[name] != before.get(name)}
    assert changed and all(name.startswith("eda_") or name == "run_manifest" for name in changed)
    assert after["customer_segments"] == before["customer_segments"]


def _published_versions(project) -> dict[str, str]:
    publication = json.loads((project / "data/current/publication.json").read_text())
    return {name: entry["version"] for name, entry in publication["datasets"].items()}
