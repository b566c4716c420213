"""The eda figures: titles, axis labels with units, cleaning counts, and size independent of n."""

import pandas as pd
import pytest
from matplotlib.figure import Figure

from customer_segmentation.pipelines.eda import nodes


@pytest.fixture
def tables(primary_customers, customer_features, data_quality, eda_params) -> dict:
    """The aggregate tables the figure nodes read."""
    return _tables(primary_customers, customer_features, eda_params)


def _tables(primary, features, params) -> dict:
    customers = nodes.join_customer_attributes(primary, features, params)
    return {
        "customers": customers,
        "distributions": nodes.bin_distributions(customers, params),
        "summary": nodes.summarise_numeric_attributes(customers, params),
        "metrics": nodes.compute_key_metrics(customers, params),
        "trends": nodes.compute_group_trends(customers, params),
        "correlations": nodes.compute_correlations(customers, params),
    }


def _suptitle(fig: Figure) -> str:
    return fig._suptitle.get_text() if fig._suptitle else ""


def test_single_distributions_have_titles_units_and_median(tables, eda_params):
    cases = [
        (nodes.plot_income_distribution, "Income distribution", "Income (monetary units / year)"),
        (nodes.plot_age_distribution, "Age distribution", "Age (years"),
        (nodes.plot_spend_distribution, "Total spend per customer", "(monetary units)"),
        (nodes.plot_web_visits, "Web visits per month", "Web visits in the last month (count)"),
    ]
    for plot, title, xlabel in cases:
        fig = plot(tables["distributions"], tables["summary"], eda_params)
        ax = fig.axes[0]
        assert ax.get_title() == title
        assert ax.get_xlabel().startswith(xlabel) or xlabel in ax.get_xlabel()
        assert ax.get_ylabel() == "Customers"
        assert ax.get_legend().get_texts()[0].get_text().startswith("Median: ")
    income = nodes.plot_income_distribution(tables["distributions"], tables["summary"], eda_params)
    median = tables["customers"]["Income"].median()
    assert income.axes[0].get_legend().get_texts()[0].get_text() == f"Median: {median:,.0f}"


def test_category_spend_has_one_panel_per_product_on_a_log_scale(tables, eda_params):
    fig = nodes.plot_category_spend(tables["distributions"], eda_params)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in visible] == list(eda_params["products"].values())
    assert _suptitle(fig) == "Spend per product category"
    for ax in visible:
        assert ax.get_xlabel() == "Spend, last two years (monetary units), log scale"
        assert ax.get_xscale() == "symlog"  # zero spend is common: a [0, 1) bin, then log


def test_channel_mix_shows_shares_and_a_histogram_per_channel(tables, eda_params):
    fig = nodes.plot_channel_mix(tables["distributions"], tables["metrics"], eda_params)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == [
        "Purchases by channel",
        "Web purchases",
        "Catalog purchases",
        "Store purchases",
        "Deal purchases (any channel)",
    ]
    share_ax = fig.axes[0]
    assert share_ax.get_xlabel() == "Share of all purchases (%)"
    web = tables["customers"]["NumWebPurchases"].sum()
    total = (
        tables["customers"][["NumWebPurchases", "NumCatalogPurchases", "NumStorePurchases"]]
        .to_numpy()
        .sum()
    )
    assert f" {web / total:.0%}" in [text.get_text() for text in share_ax.texts]


def test_correlation_heatmap_labels_every_attribute(tables, eda_params):
    fig = nodes.plot_correlation_heatmap(tables["correlations"], eda_params)
    ax = fig.axes[0]
    assert ax.get_title() == "Correlation of numeric attributes"
    labels = [tick.get_text() for tick in ax.get_xticklabels()]
    assert len(labels) == len(eda_params["correlation_columns"])
    assert "Wines spend" in labels and "Income" in labels
    assert fig.axes[1].get_ylabel() == "Pearson correlation"


def test_enrolment_trend_counts_every_customer(tables, eda_params):
    fig = nodes.plot_enrolment_trend(tables["trends"], eda_params)
    top, bottom = fig.axes[:2]
    assert top.get_title() == "Enrolments per month"
    assert top.get_ylabel() == "Customers enrolled"
    assert sum(bar.get_height() for bar in top.patches) == len(tables["customers"])
    assert bottom.get_xlabel() == "Enrolment cohort (quarter)"
    assert "(monetary units)" in bottom.get_ylabel()


def test_attribute_grids_have_one_panel_per_attribute(tables, eda_params):
    titles = [
        "By income band (monetary units / year)",
        "By number of children at home",
        "By education",
        "By marital status",
    ]
    spend = nodes.plot_spend_by_segmenting_attributes(tables["trends"], eda_params)
    assert [ax.get_title() for ax in spend.axes] == titles
    assert all(ax.get_ylabel() == "Total spend per customer (monetary units)" for ax in spend.axes)
    response = nodes.plot_response_by_attribute(tables["trends"], tables["metrics"], eda_params)
    assert [ax.get_title() for ax in response.axes] == titles
    assert _suptitle(response) == "Campaign response by customer attribute"
    # Bars of the education panel: response rates in the configured order.
    education = tables["customers"].groupby("Education")["Response"].mean()
    heights = [bar.get_height() for bar in response.axes[2].patches[:5]]
    expected = [education.get(level, 0.0) for level in eda_params["categories"]["Education"]]
    assert heights == pytest.approx(expected, abs=1e-4)


def test_cleaning_summary_shows_the_data_quality_counts(tables, data_quality, eda_params):
    fig = nodes.plot_cleaning_summary(data_quality, tables["customers"], eda_params)
    assert _suptitle(fig) == "What cleaning did: 303 rows in, 300 kept, 3 rejected"
    rules_ax = fig.axes[0]
    assert [tick.get_text() for tick in rules_ax.get_yticklabels()] == [
        "income_missing (Income)",
        "income_outlier (Income)",
        "birth_year_implausible (Year_Birth)",
        "marital_status_odd (Marital_Status)",
    ]
    assert [bar.get_width() for bar in rules_ax.patches] == [24, 1, 3, 7]
    assert [text.get_text().strip() for text in rules_ax.texts] == [
        "24 imputed",
        "1 capped",
        "3 rows rejected",
        "7 mapped",
    ]
    panels = {ax.get_title(): ax for ax in fig.axes[1:]}
    assert set(panels) == {
        "Income: 24 imputed; 1 capped",
        "Year_Birth: 3 rows rejected",
        "Marital_Status: 7 mapped",
    }
    assert "Income (monetary units)" in panels["Income: 24 imputed; 1 capped"].get_xlabel()


def test_cleaning_summary_says_when_nothing_changed(tables, data_quality, eda_params):
    for rule in data_quality["rules"]:
        rule.update(values_fixed=0, rows_rejected=0)
    fig = nodes.plot_cleaning_summary(data_quality, tables["customers"], eda_params)
    assert len(fig.axes) == 1
    assert "No cleaning rule changed" in fig.axes[0].texts[0].get_text()


def _artists(fig: Figure) -> int:
    return sum(len(ax.get_children()) for ax in fig.axes)


def test_figures_do_not_grow_with_the_number_of_customers(
    primary_customers, features_of, eda_params
):
    small = primary_customers
    large = pd.concat([primary_customers] * 10, ignore_index=True)
    large["ID"] = range(1, len(large) + 1)
    sizes = []
    for frame in (small, large):
        t = _tables(frame, features_of(frame), eda_params)
        figures = [
            nodes.plot_income_distribution(t["distributions"], t["summary"], eda_params),
            nodes.plot_category_spend(t["distributions"], eda_params),
            nodes.plot_enrolment_trend(t["trends"], eda_params),
        ]
        sizes.append([_artists(fig) for fig in figures])
    assert sizes[0] == sizes[1]
