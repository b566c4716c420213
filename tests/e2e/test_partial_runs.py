"""Partial `kedro run`s work on what an earlier run left; --params overrides apply."""

import json
import shutil

from tests.catalog import load_latest

from .conftest import kedro


def test_clustering_alone_with_k_fixed_from_the_command_line(full_run, tmp_path):
    project = tmp_path / "project"
    shutil.copytree(full_run, project)

    kedro(
        project,
        "run",
        "--pipelines",
        "clustering",
        "--params",
        "clustering.selection.rule=fixed,clustering.selection.fixed_k=3",
    )

    decision = json.loads((project / "data/06_models/k_selection_decision.json").read_text())
    segments = load_latest(project / "data/07_model_output/customer_segments.parquet")
    assert decision["rule"] == "fixed"
    assert decision["chosen_k"] == 3
    assert sorted(segments["segment"].unique()) == [1, 2, 3]


def test_a_conf_local_block_overrides_single_keys_not_the_whole_group(full_run, tmp_path):
    # The README's way: one key in conf/local/parameters.yml; every other data_processing key
    # must still come from conf/base (it used to end in KeyError: 'repeated_ids').
    project = tmp_path / "project"
    shutil.copytree(full_run, project)
    before = json.loads((project / "data/02_intermediate/data_quality.json").read_text())
    (project / "conf/local/parameters.yml").write_text(
        "data_processing:\n  age:\n    max_years: 60\n"
    )

    kedro(project, "run", "--to-outputs", "primary_customers")

    after = json.loads((project / "data/02_intermediate/data_quality.json").read_text())
    assert after["rows_in"] == before["rows_in"]
    assert after["rows_rejected"] > before["rows_rejected"]
    assert after["rows_kept"] + after["rows_rejected"] == after["rows_in"]


def test_tagged_run_only_touches_its_step(full_run, tmp_path):
    project = tmp_path / "project"
    shutil.copytree(full_run, project)
    segments = project / "data/07_model_output/customer_segments.parquet"
    shutil.rmtree(segments)  # versioned: a folder of versions

    kedro(project, "run", "--tags", "eda")

    assert not segments.exists()
    assert (project / "data/08_reporting/eda").is_dir()
