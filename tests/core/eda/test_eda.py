"""The eda tables: every number checked against a direct computation on the fixture."""

import numpy as np
import pandas as pd
import pytest

from customer_segmentation.core.eda import eda
from customer_segmentation.errors import InputDataError
from customer_segmentation.pipelines.eda import nodes
from tools.synthetic.schema import SPEND_COLUMNS

PRODUCTS = list(SPEND_COLUMNS)


@pytest.fixture
def customers(primary_customers, customer_features, eda_params) -> pd.DataFrame:
    """The joined frame every eda node reads."""
    return nodes.join_customer_attributes(primary_customers, customer_features, eda_params)


def test_join_matches_features_by_id_not_by_row(primary_customers, customer_features, eda_params):
    joined = nodes.join_customer_attributes(primary_customers, customer_features, eda_params)
    assert len(joined) == len(primary_customers)
    expected = primary_customers[PRODUCTS].sum(axis=1).to_numpy()
    np.testing.assert_array_equal(joined["total_spend"].to_numpy(), expected)
    np.testing.assert_array_equal(
        joined["age"].to_numpy(), (2014 - primary_customers["Year_Birth"]).to_numpy()
    )


def test_join_rejects_missing_and_duplicate_feature_rows(primary_customers, customer_features):
    with pytest.raises(InputDataError, match="customer_features.*1 customer ID"):
        eda.join_features(primary_customers, customer_features.iloc[1:], ["age"])
    doubled = pd.concat([customer_features, customer_features.iloc[:1]])
    with pytest.raises(InputDataError, match="duplicate"):
        eda.join_features(primary_customers, doubled, ["age"])
    with pytest.raises(InputDataError, match=r"missing column\(s\) \['nope'\]"):
        eda.join_features(primary_customers, customer_features, ["nope"])


def test_numeric_summary_matches_pandas(customers, eda_params):
    customers.loc[:9, "Income"] = np.nan
    table = eda.numeric_summary(customers, ["Income", "total_spend"], [0.25, 0.5], 4)
    income = table.set_index("attribute").loc["Income"]
    assert income["count"] == len(customers) - 10
    assert income["missing"] == 10
    assert income["missing_rate"] == pytest.approx(10 / len(customers), abs=1e-4)
    assert income["mean"] == pytest.approx(customers["Income"].mean(), abs=1e-4)
    assert income["median"] == pytest.approx(customers["Income"].median(), abs=1e-4)
    spend = table.set_index("attribute").loc["total_spend"]
    assert spend["p25"] == pytest.approx(customers["total_spend"].quantile(0.25), abs=1e-4)
    assert spend["sum"] == customers[PRODUCTS].to_numpy().sum()


def test_category_frequencies_follow_configured_order(customers):
    customers.loc[0, "Marital_Status"] = "YOLO"
    table = eda.category_frequencies(
        customers, {"Marital_Status": ["Single", "Widow", "Absurd"]}, 4
    )
    assert list(table["category"][:3]) == ["Single", "Widow", "Absurd"]
    counts = table.set_index("category")["count"]
    assert counts["Absurd"] == 0
    assert counts["YOLO"] == 1
    assert counts["Married"] == (customers["Marital_Status"] == "Married").sum()
    assert table["count"].sum() == len(customers)
    assert table["share"].sum() == pytest.approx(1.0, abs=1e-3)


def test_key_metrics_totals_match_the_data(customers, eda_params):
    table = eda.key_metrics(customers, eda_params)

    def value(section, metric, group):
        rows = table[(table.section == section) & (table.metric == metric) & (table.group == group)]
        assert len(rows) == 1, (section, metric, group)
        return rows["value"].iloc[0]

    assert value("customers", "count", "all") == len(customers)
    assert value("spend", "total", "all") == customers[PRODUCTS].to_numpy().sum()
    assert value("spend_by_category", "total", "Meat") == customers["MntMeatProducts"].sum()
    category_totals = table[(table.section == "spend_by_category") & (table.metric == "total")]
    assert category_totals["value"].sum() == value("spend", "total", "all")
    assert value("channels", "purchases", "Web") == customers["NumWebPurchases"].sum()
    shares = table[(table.section == "channels") & (table.metric == "share")]["value"]
    assert shares.sum() == pytest.approx(1.0, abs=1e-3)
    assert (
        value("channels", "deal_purchases", "all channels") == customers["NumDealsPurchases"].sum()
    )
    assert value("campaigns", "response_rate", "Response") == pytest.approx(
        customers["Response"].mean(), abs=1e-4
    )
    any_campaign = (customers[eda_params["campaigns"]].sum(axis=1) > 0).mean()
    assert value("campaigns", "acceptance_rate", "any") == pytest.approx(any_campaign, abs=1e-4)
    assert value("income", "median", "all") == pytest.approx(customers["Income"].median())


def test_histograms_count_every_customer(customers, eda_params):
    table = eda.histogram_table(customers, eda_params)
    per_variable = table.groupby("variable")["count"].sum()
    expected = eda_params["histograms"]["continuous"] + eda_params["histograms"]["counts"]
    assert sorted(per_variable.index) == sorted(expected)
    assert (per_variable == len(customers)).all()


def test_a_table_with_none_of_the_distributions_has_an_empty_histogram_table(customers, eda_params):
    settings = {**eda_params, "histograms": {**eda_params["histograms"], "continuous": []}}
    settings["histograms"]["counts"] = []
    table = eda.histogram_table(customers, settings)
    assert table.empty
    assert list(table.columns) == [
        "variable",
        "kind",
        "scale",
        "bin_left",
        "bin_right",
        "label",
        "count",
    ]


def test_skewed_amounts_get_log_bins_with_a_zero_bin():
    values = pd.Series(np.r_[np.zeros(50), np.random.default_rng(0).lognormal(4, 1.2, 950)].round())
    edges, counts, scale = eda.histogram(values, bins=30, log_scale_skew=1.0)
    assert scale == "log"
    assert edges[0] == 0 and edges[1] == 1
    assert counts[0] == 50
    assert counts.sum() == 1000
    # Whole-number data: whole-number edges, so no bin falls between two integers.
    assert np.all(np.mod(edges, 1) == 0)


def test_symmetric_whole_numbers_get_linear_integer_bins():
    values = pd.Series(np.arange(18, 81))
    edges, counts, scale = eda.histogram(values, bins=40, log_scale_skew=1.0)
    assert scale == "linear"
    assert np.all(np.mod(edges + 0.5, 1) == 0)
    assert set(np.diff(edges)) == {2.0}
    assert counts.sum() == len(values)


def test_count_histogram_groups_the_tail_into_cap_plus(customers, eda_params):
    customers.loc[:4, "NumWebVisitsMonth"] = [20, 21, 25, 30, 20]
    table = eda.histogram_table(customers, eda_params)
    visits = table[table["variable"] == "NumWebVisitsMonth"]
    assert visits["label"].iloc[-1] == "20+"
    assert visits["count"].iloc[-1] == (customers["NumWebVisitsMonth"] >= 20).sum()
    assert visits["count"].iloc[3] == (customers["NumWebVisitsMonth"] == 3).sum()


def test_count_histogram_takes_a_cap_beyond_the_columns_narrow_type():
    visits = pd.Series([0, 3, 3, 127], dtype="int8")  # a column declared 0..127 is int8

    counts = eda.count_histogram(visits, cap=200, column="visits")

    assert counts.tolist() == [1, 0, 0, 2] + [0] * 123 + [1]


def test_trends_by_attribute_match_groupby(customers, eda_params):
    trends = eda.group_trends(customers, eda_params)
    for dimension in [
        "enrolment_month",
        "enrolment_cohort",
        "income_band",
        "children",
        "Education",
        "Marital_Status",
    ]:
        assert trends.loc[trends.dimension == dimension, "customers"].sum() == len(customers)
    education = trends[trends.dimension == "Education"].set_index("group")
    assert list(education.index) == eda_params["categories"]["Education"]
    phd = customers[customers["Education"] == "PhD"]
    assert education.loc["PhD", "spend_total"] == phd["total_spend"].sum()
    assert education.loc["PhD", "spend_median"] == pytest.approx(phd["total_spend"].median())
    assert education.loc["PhD", "response_rate"] == pytest.approx(phd["Response"].mean(), abs=1e-4)
    children = trends[trends.dimension == "children"].set_index("group")
    assert children.loc["3+", "customers"] == (customers["children"] >= 3).sum()


def test_income_bands_are_closed_on_the_left(customers, eda_params):
    customers.loc[:2, "Income"] = [19_999.0, 20_000.0, 100_000.0]
    keys = eda.group_keys(customers, eda_params)["income_band"]
    assert list(keys[:3]) == ["< 20k", "20k–40k", "100k+"]


def test_enrolment_months_without_customers_show_as_zero(customers, eda_params):
    dates = pd.to_datetime(["2013-01-15", "2013-01-20", "2013-04-02"])
    frame = customers.iloc[:3].copy()
    frame["Dt_Customer"] = dates
    months = eda.group_trends(frame, eda_params).query("dimension == 'enrolment_month'")
    assert list(months["group"]) == ["2013-01", "2013-02", "2013-03", "2013-04"]
    assert list(months["customers"]) == [2, 0, 0, 1]
    cohorts = eda.group_trends(frame, eda_params).query("dimension == 'enrolment_cohort'")
    assert list(cohorts["group"]) == ["2013Q1", "2013Q2"]


@pytest.mark.parametrize("block_rows", [2**20, 7])  # one block; several, the last one partial
def test_correlations_match_pandas_with_and_without_missing_values(
    customers, block_rows, monkeypatch
):
    monkeypatch.setattr(eda, "COVARIANCE_BLOCK_ROWS", block_rows)
    assert len(customers) % 7 and len(customers) > 14
    columns = ["Income", "total_spend", "NumWebVisitsMonth"]
    expected = customers[columns].corr()
    table = eda.correlation_matrix(customers, columns, 6).set_index("attribute")
    np.testing.assert_allclose(table.to_numpy(), expected.to_numpy(), atol=1e-6)
    customers.loc[:5, "Income"] = np.nan
    table = eda.correlation_matrix(customers, columns, 6).set_index("attribute")
    np.testing.assert_allclose(table.to_numpy(), customers[columns].corr().to_numpy(), atol=1e-6)


def test_cleaning_rules_table_flags_the_rules_that_changed_data(data_quality):
    data_quality["rules"].append(
        {
            "rule": "kids_teens",
            "column": ["Kidhome", "Teenhome"],
            "action": "cap",
            "values_fixed": 2,
        }
    )
    table = eda.cleaning_rules(data_quality)
    assert list(table["touched"]) == [True, True, True, True, False, True]
    assert table.loc[5, "column"] == "Kidhome, Teenhome"
    assert table.loc[5, "rows_rejected"] == 0
    columns = eda.affected_columns(table, ["Income", "Year_Birth", "Kidhome", "ID"], ["ID"], 6)
    assert columns == ["Income", "Year_Birth", "Kidhome"]
    with pytest.raises(InputDataError, match="data_quality: no 'rules' list"):
        eda.cleaning_rules({"rows_in": 3})


def test_headline_summary_is_consistent(customers, data_quality, eda_params):
    metrics = eda.key_metrics(customers, eda_params)
    trends = eda.group_trends(customers, eda_params)
    summary = nodes.summarise_headlines(metrics, trends, data_quality, eda_params)
    assert summary["n_customers"] == len(customers)
    assert summary["total_revenue"] == customers[PRODUCTS].to_numpy().sum()
    assert summary["response_rate"] == pytest.approx(customers["Response"].mean(), abs=1e-4)
    assert summary["top_product_category"] == "Wines"
    assert summary["first_enrolment_month"] == customers["Dt_Customer"].min().strftime("%Y-%m")
    assert summary["cleaning"] == {
        "rows_in": len(customers) + 3,
        "rows_kept": len(customers),
        "rows_rejected": 3,
        "values_fixed": 32,
        "rules_applied": 4,
    }


def test_category_distribution_counts_missing_values_in_value_counts_order():
    values = pd.Series(["b", "a", None, "b", "a", "c", "b", None], dtype="str")
    dist = eda.column_distribution(values, bins=10, log_scale_skew=1.0)
    assert dist["labels"] == ["b", "a", eda.MISSING_LABEL, "c"]
    assert list(dist["counts"]) == [3, 2, 2, 1]


def test_join_shares_no_data_with_its_inputs(primary_customers, customer_features, eda_params):
    in_order = customer_features.set_index("ID").loc[primary_customers["ID"]].reset_index()
    joined = nodes.join_customer_attributes(primary_customers, in_order, eda_params)
    before = in_order["age"].copy()
    joined.loc[0, "age"] = -1
    pd.testing.assert_series_equal(in_order["age"], before)
