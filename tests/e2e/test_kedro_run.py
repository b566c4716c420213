"""`kedro run` on the committed default data, as a user runs it after cloning."""

import json
import re
from pathlib import Path

import duckdb
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from kedro.pipeline import Pipeline

from tests import rules as numpy_rules
from tests.catalog import load_table, output_file, project_catalog


def default_output_files(project: Path, default: Pipeline) -> dict[str, Path]:
    """Every file-backed dataset the default pipeline writes, by dataset name: its published
    file (``data/current/...``)."""
    catalog = project_catalog(project)
    files = {name: output_file(catalog, name, project) for name in sorted(default.all_outputs())}
    current = project / "data/current"
    return {name: current / Path(path).relative_to("data") for name, path in files.items() if path}


def test_default_run_writes_every_dataset(full_run, registered_pipelines):
    outputs = default_output_files(full_run, registered_pipelines["__default__"])
    missing = [name for name, path in outputs.items() if not path.exists()]
    assert not missing


def test_no_figure_is_cut_at_its_edges(full_run):
    # Figures lay themselves out (no bbox_inches: tight): a drawing that reaches past the
    # canvas would show as ink in the outermost pixels.
    figures = sorted((full_run / "data/current/08_reporting").rglob("*.png"))
    assert len(figures) >= 20
    touching = []
    for path in figures:
        pixels = plt.imread(path)[..., :3]
        border = np.concatenate([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]])
        if (border < 0.98).any():  # anything darker than the white background
            touching.append(path.name)
    assert not touching


def test_every_raw_row_is_accounted_for(full_run):
    quality = json.loads((full_run / "data/current/02_intermediate/data_quality.json").read_text())
    raw = pd.read_csv(full_run / "data/01_raw/customers_synthetic.csv", sep="\t", dtype=str)
    primary = pd.read_parquet(full_run / "data/current/03_primary/customers.parquet")
    rejected = pd.read_csv(
        full_run / "data/current/02_intermediate/rejected_customers.csv", dtype=str
    )

    assert quality["rows_in"] == len(raw)
    assert quality["rows_kept"] == len(primary)
    assert quality["rows_rejected"] == len(rejected)
    assert len(raw) == len(primary) + len(rejected)
    assert rejected["reject_reason"].notna().all()


def test_every_kept_customer_gets_one_segment(full_run):
    primary = pd.read_parquet(full_run / "data/current/03_primary/customers.parquet")
    segments = load_table(full_run / "data/current/07_model_output/customer_segments.parquet")
    decision = json.loads(
        (full_run / "data/current/06_models/k_selection_decision.json").read_text()
    )

    assert sorted(segments["ID"]) == sorted(primary["ID"])
    assert segments["ID"].is_unique
    assert set(segments["segment"]) == set(range(1, decision["chosen_k"] + 1))


def test_the_reports_links_open_the_exports_the_run_wrote(full_run, registered_pipelines):
    report = full_run / "data/current/08_reporting/segmentation_report.html"
    outputs = default_output_files(full_run, registered_pipelines["__default__"])
    links = [
        link
        for link in re.findall(r'href="([^"]*)"', report.read_text())
        if not link.startswith("#")
    ]

    linked = {(report.parent / link).resolve() for link in links}
    exports = {outputs[name].resolve() for name in ("segment_membership", "segment_rules_sql")}
    assert linked == exports
    assert all(path.is_file() for path in linked)


def test_the_crm_export_carries_each_segments_name_and_top_ranked_action(full_run):
    reporting = full_run / "data/current/08_reporting"
    membership = pd.read_csv(
        reporting / "segment_membership.csv",
        dtype={"ID": str, "segment_id": int},
        keep_default_na=False,
    )
    names = json.loads((reporting / "segment_names.json").read_text())["segments"]
    actions = json.loads((reporting / "segment_actions.json").read_text())["segments"]
    segments = load_table(full_run / "data/current/07_model_output/customer_segments.parquet")

    assert membership["ID"].tolist() == segments["ID"].tolist()
    assert membership["segment_id"].tolist() == segments["segment"].tolist()
    name = {item["segment"]: item["name"] for item in names}
    action = {item["segment"]: item["top_action"] for item in actions}
    assert any(action.values())
    assert membership["segment_name"].tolist() == membership["segment_id"].map(name).tolist()
    assert membership["segment_action"].tolist() == membership["segment_id"].map(action).tolist()


def test_the_sql_rules_run_on_the_raw_file_and_place_customers_as_the_pipeline(full_run):
    """The raw default file loaded into DuckDB as it is (its own column names, the types
    DuckDB's reader gives them) runs the exported SQL; every segmented customer gets the
    segment the pipeline's rules give it on the customer features."""
    reporting = full_run / "data/current/08_reporting"
    sql = (reporting / "segment_rules.sql").read_text()
    rules = json.loads((reporting / "segment_rules.json").read_text())
    features = pd.read_parquet(full_run / "data/current/04_feature/customer_features.parquet")
    segments = load_table(full_run / "data/current/07_model_output/customer_segments.parquet")
    body = "\n".join(line for line in sql.splitlines() if not line.startswith("--"))
    case = body.split(";")[0]
    assert "FROM customer_features" not in sql and '"MntWines"' in sql  # the file's names

    connection = duckdb.connect()
    raw = full_run / "data/01_raw/customers_synthetic.csv"
    connection.sql(f"CREATE TABLE customers AS SELECT * FROM read_csv('{raw}')")
    placed = connection.sql(case).df().drop_duplicates()
    # DuckDB's reader types these IDs as numbers; the project keeps IDs as the text written.
    placed = placed.set_index(placed["ID"].astype(str))["segment"]
    rule_segments = numpy_rules.case_segments(
        features[rules["features"]], rules["segments"], rules["case_order"]
    )
    got = placed.reindex(features["ID"]).fillna(0).astype(int).to_numpy()
    assert np.array_equal(got, rule_segments)
    truth = segments.set_index("ID")["segment"].reindex(features["ID"]).to_numpy()
    assert np.mean(got == truth) == pytest.approx(rules["case"]["agreement"])
