"""cluster_analysis on a log's RFM table (the retail environment): profiles, names, actions and
report from the environment's schema and parameters, in the one pipeline."""

import numpy as np
import pandas as pd
import pytest
from kedro.io import DataCatalog, MemoryDataset
from kedro.runner import SequentialRunner
from matplotlib.figure import Figure

from customer_segmentation.core.analysis import actions, claims, naming
from customer_segmentation.core.cleaning.contract import CustomerSchema
from customer_segmentation.core.reporting import report
from customer_segmentation.pipelines import rfm_segmentation
from customer_segmentation.pipelines.cluster_analysis import nodes
from customer_segmentation.pipelines.cluster_analysis.pipeline import K_FIGURES, SEGMENT_FIGURES
from tests.fixtures.cluster_analysis import make_figure
from tests.fixtures.environments import environment_parameters
from tests.fixtures.value_forecast import made_forecast

RETAIL = environment_parameters("retail")

# Planted groups: (segment, customers, recency, frequency, monetary, tenure, cancellation share)
GROUPS = [
    (1, 150, (150, 300), (2, 2), (300, 500), (300, 360), 0.05),  # lapsed
    (2, 90, (3, 15), (8, 12), (3000, 6000), (300, 360), 0.30),  # recent, frequent, high value
    (3, 60, (2, 6), (1, 1), (100, 200), (5, 30), 0.05),  # recent one-off newcomers
]


def planted_rfm() -> tuple[pd.DataFrame, pd.DataFrame]:
    """``customer_rfm``-shaped features of 300 customers and their planted segments."""
    rng = np.random.default_rng(5)
    parts, segments = [], []
    for segment, n, recency, frequency, monetary, tenure, cancelled in GROUPS:
        part = pd.DataFrame(
            {
                "recency_days": rng.integers(recency[0], recency[1] + 1, n).astype("float64"),
                "frequency": rng.integers(frequency[0], frequency[1] + 1, n).astype("float64"),
                "monetary": rng.uniform(*monetary, n),
                "tenure_days": rng.integers(tenure[0], tenure[1] + 1, n).astype("float64"),
                "cancellation_share": np.full(n, cancelled),
                "distinct_products": rng.integers(1, 50, n).astype("float64"),
            }
        )
        part["avg_basket"] = part["monetary"] / part["frequency"]
        part["mean_days_between_purchases"] = part["tenure_days"] / part["frequency"]
        parts.append(part)
        segments += [segment] * n
    features = pd.concat(parts, ignore_index=True)
    features.insert(0, "ID", np.arange(1000, 1000 + len(features), dtype="int64"))
    return features, pd.DataFrame({"ID": features["ID"], "segment": np.array(segments)})


@pytest.fixture(scope="module")
def rfm_params() -> dict:
    """The retail environment's cluster_analysis parameters (conf/base with conf/retail on top)."""
    return RETAIL["cluster_analysis"]


@pytest.fixture(scope="module")
def rfm_profiles(rfm_params) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The profile node on the planted table, declared by the retail schema."""
    features, segments = planted_rfm()
    return nodes.profile_segments(
        segments,
        features,
        features,
        rfm_params["profile"],
        RETAIL["schema"],
        preprocessing=RETAIL["feature_engineering"]["preprocessing"],
    )


def test_the_rfm_table_declares_its_revenue_and_no_mix():
    declared = CustomerSchema.from_config(RETAIL["schema"])
    assert declared.role("monetary") == "monetary"
    assert declared.groups() == {
        "products": {},
        "channels": {},
        "deals": None,
        "campaigns": [],
        "response": None,
    }


def test_value_profiles_count_revenue_and_medians(rfm_profiles):
    profiles, effects = rfm_profiles
    features, segments = planted_rfm()
    # Only the attributes the table has are profiled (the base's customer ones are left out).
    assert set(effects["attribute"]) == set(features.columns) - {"ID"}
    assert profiles["segment"].tolist() == [1, 2, 3, 0]
    assert profiles["customers"].tolist() == [150, 90, 60, 300]
    champions = features.loc[segments["segment"] == 2, "monetary"]
    row = profiles.set_index("segment").loc[2]
    assert row["revenue"] == pytest.approx(champions.sum())
    assert row["revenue_share"] == pytest.approx(champions.sum() / features["monetary"].sum())
    recency = features.loc[segments["segment"] == 2, "recency_days"]
    assert row["median_recency_days"] == recency.median()
    assert profiles.set_index("segment").loc[0, "median_frequency"] == 2.0


def test_rfm_names_follow_the_archetypes(rfm_profiles, rfm_params):
    profiles, effects = rfm_profiles
    found = nodes.name_segments(effects, profiles, rfm_params, RETAIL["schema"])
    assert found["rule"].startswith("Archetype")
    named = {item["segment"]: item for item in found["segments"]}
    assert named[1]["name"] == "Hibernating: lapsed"
    assert named[2]["name"] == "Champions: recent, frequent, high value"
    assert named[3]["name"] == "New customers: recent, one-off, low value, short tenure"
    ratios = naming.median_ratios(profiles, ["frequency"])
    assert ratios.loc[2, "frequency"] == pytest.approx(profiles.loc[1, "median_frequency"] / 2.0)
    assert named[2]["descriptors"][1] == {
        "attribute": "frequency",
        "phrase": "frequent",
        "median_ratio": round(ratios.loc[2, "frequency"], 3),
    }


def test_equal_rfm_names_get_the_segment_number(rfm_profiles, rfm_params):
    profiles, _ = rfm_profiles
    twins = pd.concat([profiles.iloc[[1]].assign(segment=4), profiles], ignore_index=True)
    names = [item["name"] for item in naming.name_rfm_segments(twins, rfm_params["naming"])]
    assert "Champions: recent, frequent, high value (segment 2)" in names
    assert "Champions: recent, frequent, high value (segment 4)" in names
    assert len(set(names)) == len(names)


def test_rfm_actions_cite_the_numbers(rfm_profiles, rfm_params):
    profiles, _ = rfm_profiles
    archetypes = {1: "Hibernating", 2: "Champions", 3: "New customers"}
    profile = {**rfm_params["profile"], **CustomerSchema.from_config(RETAIL["schema"]).groups()}
    mix = claims.material_mix(profiles, profile, rfm_params["materiality"])
    settings = {**rfm_params["actions"], "materiality": rfm_params["materiality"]}
    found = actions.recommend_actions(profiles, mix, {**settings, "profile": profile}, archetypes)
    kinds = {segment: [a["kind"] for a in items] for segment, items in found.items()}
    # No win-back on top of the archetype (recency: null in conf/retail), no mix to act on.
    assert kinds[2] == ["archetype", "value", "cancellations"]  # 30% cancelled vs 12.5% overall
    assert kinds[1] == ["archetype", "value"]  # 13% of revenue from half the customers
    assert found[2][0]["action"] == rfm_params["actions"]["by_archetype"]["Champions"]
    assert "invoices 10 vs 2" in found[2][0]["evidence"]
    assert found[1][1]["action"].startswith("Keep contact costs low")
    assert found[2][2]["figures"] == {"share": {"segment": 0.3, "overall": 0.125}}
    assert (
        "30% of their invoices were cancelled on average vs 12% overall" in found[2][2]["evidence"]
    )


def test_transaction_summary_lists_every_rule_and_the_join():
    quality = {
        "source": "log.parquet",
        "reference_date": "2011-12-10",
        "rows_in": 100,
        "rows_valid": 80,
        "rows_cancellation": 5,
        "rows_rejected": 15,
        "customers_in_log": 9,
        "customers_with_purchases": 7,
        "customers_only_cancellations": 1,
        "customers_only_rejected_lines": 1,
    }
    rejected = pd.DataFrame(
        {
            "reject_reason": ["missing_customer_id", "non_positive_unit_price"],
            "detail": ["customer ID empty", "unit price zero"],
            "lines": [12, 3],
            "share_of_lines": [0.12, 0.03],
            "customers": [0, 2],
            "value": [50.0, 0.0],
        }
    )
    join = {
        "customers": 10,
        "matched": 7,
        "without_transactions": 3,
        "log_customers_not_in_table": 0,
    }
    summary = report.transaction_summary(quality, rejected, join)
    assert summary["counts"][0] == ("lines read", "100", "100.0%")
    assert summary["counts"][3] == ("lines rejected, each with a reason", "15", "15.0%")
    assert [r["rule"] for r in summary["rules"]] == list(rejected["reject_reason"])
    assert summary["join"][1] == ("found in the log", "7")


class KeptDataset(MemoryDataset):
    """A MemoryDataset the runner does not empty, so the test can read every output."""

    def _release(self) -> None:
        pass


def test_rfm_segmentation_names_every_segment_and_reports_the_log(
    clustering_params, k_selection, k_selection_decision
):
    features, segments = planted_rfm()
    columns = ["recency_days", "frequency", "monetary", "tenure_days"]
    logged = np.log1p(features[columns])
    model_input = pd.concat([features[["ID"]], (logged - logged.mean()) / logged.std()], axis=1)
    quality = {
        "source": "log.parquet",
        "reference_date": "2011-12-10",
        "rows_in": 1_234_567,
        "rows_valid": 1_000_000,
        "rows_cancellation": 34_567,
        "rows_rejected": 200_000,
        "customers_in_log": 310,
        "customers_with_purchases": 300,
        "customers_only_cancellations": 10,
        "customers_only_rejected_lines": 0,
    }
    rejected = pd.DataFrame(
        {
            "reject_reason": ["missing_customer_id"],
            "detail": ["customer ID empty"],
            "lines": [200_000],
            "share_of_lines": [0.162],
            "customers": [0],
            "value": [0.0],
        }
    )
    params = {
        **RETAIL["cluster_analysis"],
        "stability": {**RETAIL["cluster_analysis"]["stability"], "n_resamples": 2},
    }
    inputs = {
        "customer_rfm": features,  # the RFM table is its own features
        "customer_features": features,
        "customer_segments": segments,
        "model_input": model_input,
        "k_selection": k_selection,
        "k_selection_decision": k_selection_decision,
        "transaction_line_quality": quality,
        "segment_assignment_agreement": None,
        "rejected_transaction_summary": rejected,
        "params:clustering": clustering_params,
        "run_manifest": {"run_id": "rfm-run"},
        "feature_report": {"reference_date": None},  # RFM features: no dates to check
        "params:schema": RETAIL["schema"],
        "params:engine": "duckdb",
        "params:cluster_analysis": params,
        **{f"params:cluster_analysis.{key}": value for key, value in params.items()},
        "params:segment_history": RETAIL["segment_history"],
        "params:feature_engineering.preprocessing.features": columns,
        "params:feature_engineering.preprocessing": {"features": columns},
        "reference_segment_snapshot": None,  # the first run
        "reference_segment_snapshot_members": None,
        **{name: make_figure(name) for name in K_FIGURES},
    }
    forecast, fit = made_forecast(features["ID"])
    inputs |= {"customer_value_forecast": forecast, "value_forecast_fit": fit}
    pipeline = rfm_segmentation.create_pipeline().only_nodes_with_tags("analysis")
    catalog = DataCatalog({name: MemoryDataset(value) for name, value in inputs.items()})
    for name in pipeline.all_outputs():
        catalog[name] = KeptDataset()
    SequentialRunner().run(pipeline, catalog)

    assert pipeline.inputs() <= set(inputs)
    assert "primary_customers" not in pipeline.inputs() and "data_quality" not in pipeline.inputs()
    names = [item["name"] for item in catalog.load("segment_names")["segments"]]
    assert names[1] == "Champions: recent, frequent, high value"
    html = catalog.load("segmentation_report")
    # The schema has no response role: every figure but the campaign response is embedded.
    assert html.count("<img") == len(K_FIGURES) + len(SEGMENT_FIGURES) - 1 == 9
    assert "1,234,567" in html and "missing_customer_id" in html and "200,000" in html
    assert 'href="#eda"' not in html and "Median days since last purchase" in html
    for figure in SEGMENT_FIGURES:
        assert isinstance(catalog.load(figure), Figure)
    # The segment history tracks the log's segments too (revenue: the log's monetary).
    assert {s["status"] for s in catalog.load("segment_identities")["segments"]} == {"first"}
    # Rule cards in RFM terms: on the RFM attributes, shown on the cards.
    rules = catalog.load("segment_rules")
    assert set(rules["features"]) <= set(params["profile"]["attributes"])
    assert all(f"Fidelity <b>{100 * c['fidelity']:.1f}%</b>" in html for c in rules["segments"])
    assert set(catalog.load("segment_membership").to_pandas()["run_id"]) == {"rfm-run"}
    # The value per customer on the first screen is the forecast's, read back from segment_value.
    value = catalog.load("segment_value").set_index("segment")
    joined = segments.merge(forecast, on="ID")
    assert value.loc[0, "clv_total"] == pytest.approx(joined["clv"].sum())
    assert value.loc[1, "mean_p_alive"] == pytest.approx(
        joined.loc[joined["segment"] == 1, "p_alive"].mean()
    )
    summary = catalog.load("segmentation_summary")
    screen = summary["first_screen"]
    assert screen["value_basis"] == "forecast" and screen["horizon_months"] == 12
    assert "historical_value_per_customer" not in screen["columns"]
    first = html[html.index('id="first-segments"') : html.index('id="do-first"')]
    assert "Value per customer (forecast over 12 months)" in first
    for segment, row in value.iterrows():
        assert f"<td>{report.fmt(row['clv_per_customer'], 'money')}</td>" in first, segment
        assert f"<td>{report.fmt(row['mean_p_alive'], 'pct')}</td>" in first, segment
    holdout = summary["value"]["forecast"]["holdout_statement"]
    assert f"predicted {report.fmt(fit['holdout']['predicted'], 'money')} purchases" in holdout
    assert f"there were {report.fmt(fit['holdout']['actual'], 'int')}" in holdout
    assert f"error {fit['holdout']['error']:+.1%}" in holdout
    assert holdout in html
