"""The two runs that read a transaction log, end to end with `kedro run --config`.

- the log alone on the real UCI Online Retail log (committed in data/01_raw);
- the customer table joined to its synthetic log, on the committed default data.
"""

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from customer_segmentation.core.reporting import report
from tests.catalog import load_table
from tests.project_copy import REPO_ROOT, copy_project

from .conftest import kedro


def project_with_envs(root: Path) -> Path:
    """A fresh project copy with the mode environments, as a fresh clone has them."""
    project = copy_project(root / "project")
    for env in ("retail", "both"):
        shutil.copytree(REPO_ROOT / "conf" / env, project / "conf" / env)
    return project


def read_json(path: Path) -> dict:
    return json.loads(path.read_text())


@pytest.fixture(scope="module")
def retail_run(tmp_path_factory) -> Path:
    project = project_with_envs(tmp_path_factory.mktemp("retail"))
    kedro(project, "run", "--config", "conf/retail/run.yml")
    return project


@pytest.fixture(scope="module")
def both_run(tmp_path_factory) -> Path:
    project = project_with_envs(tmp_path_factory.mktemp("both"))
    kedro(project, "run", "--config", "conf/both/run.yml")
    return project


def test_online_retail_every_line_is_accounted_for(retail_run):
    quality = read_json(
        retail_run / "data/retail/current/02_intermediate/transaction_line_quality.json"
    )
    assert quality["rows_in"] == 541_909
    assert (
        quality["rows_valid"] + quality["rows_cancellation"] + quality["rows_rejected"]
        == quality["rows_in"]
    )
    assert quality["rejected_by_reason"]["missing_customer_id"] == 135_080
    assert sum(quality["rejected_by_reason"].values()) == quality["rows_rejected"]
    rejected = pd.read_csv(
        retail_run / "data/retail/current/02_intermediate/rejected_transaction_summary.csv"
    )
    assert rejected["lines"].sum() == quality["rows_rejected"]


def test_online_retail_every_customer_with_rfm_gets_one_segment(retail_run):
    rfm = pd.read_parquet(retail_run / "data/retail/current/03_primary/customer_rfm.parquet")
    segments = load_table(
        retail_run / "data/retail/current/07_model_output/customer_segments.parquet"
    )
    decision = read_json(retail_run / "data/retail/current/06_models/k_selection_decision.json")
    quality = read_json(
        retail_run / "data/retail/current/02_intermediate/transaction_line_quality.json"
    )
    assert len(rfm) == quality["customers_with_purchases"]
    assert sorted(segments["ID"]) == sorted(rfm["ID"])
    assert set(segments["segment"]) == set(range(1, decision["chosen_k"] + 1))


def test_online_retail_names_actions_and_report(retail_run):
    names = read_json(retail_run / "data/retail/current/08_reporting/segment_names.json")[
        "segments"
    ]
    actions = read_json(retail_run / "data/retail/current/08_reporting/segment_actions.json")[
        "segments"
    ]
    decision = read_json(retail_run / "data/retail/current/06_models/k_selection_decision.json")
    labels = [item["name"] for item in names]
    assert len(labels) == decision["chosen_k"] == len(set(labels))
    assert all(": " in label for label in labels)  # "Archetype: traits"
    assert all(item["actions"] for item in actions)
    html = (retail_run / "data/retail/current/08_reporting/segmentation_report.html").read_text()
    assert "541,909" in html and "135,080" in html
    assert all(label in html for label in labels)
    # No customer table in this mode: nothing of the default run's cleaning or exploration.
    assert not (retail_run / "data/retail/current/03_primary/customers.parquet").exists()
    assert 'href="#eda"' not in html


def test_online_retail_rfm_table_is_declared_like_any_customer_table(retail_run):
    """conf/retail's schema: the features are the RFM columns, a segment's revenue is monetary,
    and the run tracks its own segment history."""
    rfm = pd.read_parquet(retail_run / "data/retail/current/03_primary/customer_rfm.parquet")
    features = pd.read_parquet(
        retail_run / "data/retail/current/04_feature/customer_features.parquet"
    )
    pd.testing.assert_frame_equal(features, rfm.astype({c: "float64" for c in rfm.columns[1:]}))
    profiles = load_table(retail_run / "data/retail/current/08_reporting/segment_profiles.csv")
    overall = profiles.loc[profiles["segment"] == 0].iloc[0]
    assert overall["revenue"] == pytest.approx(rfm["monetary"].sum())
    assert (retail_run / "data/retail/current/08_reporting/segment_identities.json").exists()


def test_both_mode_segments_every_kept_customer_with_their_log(both_run):
    primary = pd.read_parquet(both_run / "data/both/current/03_primary/customers.parquet")
    joined = pd.read_parquet(
        both_run / "data/both/current/03_primary/customers_with_transactions.parquet"
    )
    segments = load_table(both_run / "data/both/current/07_model_output/customer_segments.parquet")
    summary = read_json(both_run / "data/both/current/03_primary/transaction_join_summary.json")
    rfm = pd.read_parquet(both_run / "data/both/current/03_primary/customer_rfm.parquet")

    assert sorted(segments["ID"]) == sorted(primary["ID"]) == sorted(joined["ID"])
    assert summary["customers"] == len(primary)
    assert summary["matched"] + summary["without_transactions"] == len(primary)
    assert summary["matched"] + summary["log_customers_not_in_table"] == len(rfm)
    assert int(joined["has_transactions"].sum()) == summary["matched"]
    features = pd.read_parquet(both_run / "data/both/current/04_feature/customer_features.parquet")
    assert {"income", "txn_recency_days", "has_transactions"} <= set(features.columns)
    names = [
        s["name"]
        for s in read_json(both_run / "data/both/current/08_reporting/segment_names.json")[
            "segments"
        ]
    ]
    assert len(names) == len(set(names))
    html = (both_run / "data/both/current/08_reporting/segmentation_report.html").read_text()
    assert "rows read" in html and "lines read" in html and "found in the log" in html


def _forecast_outputs(out: Path) -> dict:
    return {
        "fit": read_json(out / "06_models/value_forecast_fit.json"),
        "forecast": pd.read_parquet(out / "07_model_output/customer_value_forecast.parquet"),
        "history": pd.read_parquet(out / "04_feature/customer_purchase_history.parquet"),
        "segments": load_table(out / "07_model_output/customer_segments.parquet"),
        "value": pd.read_csv(out / "08_reporting/segment_value.csv").set_index("segment"),
        "summary": read_json(out / "08_reporting/segmentation_summary.json"),
        "html": (out / "08_reporting/segmentation_report.html").read_text(),
    }


def _check_forecast_against_its_datasets(run: dict) -> None:
    """The holdout figures come from the purchase history and the per-customer forecast; the
    per-segment CLV and P(alive) from the forecast and the segments; the report's first screen
    and the summary show them and the holdout error in words."""
    fit, forecast, history = run["fit"], run["forecast"], run["history"]
    calibration = history.loc[history["in_calibration"]]
    assert fit["holdout"]["actual"] == calibration["purchases_holdout"].sum()
    assert fit["holdout"]["predicted"] == pytest.approx(
        forecast["predicted_holdout_purchases"].sum()
    )
    assert sorted(forecast["ID"]) == sorted(history["ID"])
    assert fit["verdict"]["usable"], fit["verdict"]
    assert abs(fit["holdout"]["error"]) <= fit["thresholds"]["max_total_error"]
    joined = run["segments"].merge(forecast, on="ID")
    value, summary, html = run["value"], run["summary"], run["html"]
    for segment, rows in [*joined.groupby("segment"), (0, joined)]:
        assert value.loc[segment, "clv_total"] == pytest.approx(rows["clv"].sum())
        assert value.loc[segment, "mean_p_alive"] == pytest.approx(rows["p_alive"].mean())
    first = html[html.index('id="first-segments"') : html.index('id="do-first"')]
    months = fit["settings"]["horizon_months"]
    assert f"Value per customer (forecast over {months} months)" in first
    assert "Still active (P(alive))" in first
    for segment, row in value.iterrows():
        assert f"<td>{report.fmt(row['clv_per_customer'], 'money')}</td>" in first, segment
        assert f"<td>{report.fmt(row['mean_p_alive'], 'pct')}</td>" in first, segment
    screen = summary["first_screen"]
    assert screen["value_basis"] == "forecast" and screen["horizon_months"] == months
    holdout = summary["value"]["forecast"]["holdout_statement"]
    assert f"the model predicted {report.fmt(fit['holdout']['predicted'], 'money')}" in holdout
    assert f"there were {report.fmt(fit['holdout']['actual'], 'int')}" in holdout
    assert f"error {fit['holdout']['error']:+.1%}" in holdout
    assert holdout in html
    predicted = report.fmt(fit["holdout"]["predicted"], "money")
    actual = report.fmt(fit["holdout"]["actual"], "int")
    assert (
        f"Checked on the last {fit['holdout']['days']} days of the log: the model predicted "
        f"{predicted} purchases; there were {actual} (error {fit['holdout']['error']:+.1%})."
    ) in screen["value_note"]
    assert screen["value_note"] in html
    # The actions are ranked by the forecast value of the segment they act on.
    for entry in screen["actions"]:
        if entry["effect_kind"] == "forecast":
            assert entry["effect"] == pytest.approx(value.loc[entry["segment"], "clv_total"])
    glossary = html[html.index('id="glossary"') :]
    for term in ("CLV", "P(alive)", "BG/NBD and Gamma-Gamma", "Holdout check"):
        assert f"<dt>{term}" in glossary


def test_online_retail_report_shows_clv_and_p_alive_per_segment_with_a_holdout_error(retail_run):
    run = _forecast_outputs(retail_run / "data/retail/current")
    _check_forecast_against_its_datasets(run)
    # Every customer with purchases has a forecast (the log alone: all customers).
    assert run["value"].loc[0, "forecast_customers"] == run["value"].loc[0, "customers"]


def test_both_mode_forecasts_the_customers_found_in_the_log(both_run):
    run = _forecast_outputs(both_run / "data/both/current")
    _check_forecast_against_its_datasets(run)
    join = read_json(both_run / "data/both/current/03_primary/transaction_join_summary.json")
    assert run["value"].loc[0, "forecast_customers"] == join["matched"]
