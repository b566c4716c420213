"""Nodes of the eda pipeline: aggregate the customers once, then draw every figure from aggregates.

Thin Kedro layer over `core.eda.eda` (tables) and `core.eda.eda_plots` (figures). `params` is the
whole `eda` parameter block (conf/base/parameters_eda.yml).
"""

from __future__ import annotations

import logging
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from customer_segmentation.core.cleaning.contract import CustomerSchema
from customer_segmentation.core.eda import eda, eda_plots

INCOME_LABEL = f"Income ({eda_plots.MONEY} / year)"
SPEND_LABEL = f"Total spend, last two years ({eda_plots.MONEY})"
CATEGORY_SPEND_LABEL = f"Spend, last two years ({eda_plots.MONEY})"
AGE_LABEL = "Age (years, at the reference date)"
PURCHASES_LABEL = "Purchases per customer (count)"
WEB_VISITS_LABEL = "Web visits in the last month (count)"
LOGGER = logging.getLogger(__name__)


def join_customer_attributes(
    primary_customers: pd.DataFrame, customer_features: pd.DataFrame, params: dict[str, Any]
) -> pd.DataFrame:
    """Primary customers with the feature layer's derived columns (age, total spend, ...) by ID;
    the listed features this table's roles do not give are left out."""
    present = [name for name in params["feature_columns"] if name in customer_features.columns]
    return eda.join_features(primary_customers, customer_features, present)


def resolve_eda_settings(
    eda_customers: pd.DataFrame, params: dict[str, Any], schema: dict[str, Any]
) -> dict[str, Any]:
    """The eda parameters for this table: `role:` entries replaced by the schema's columns,
    columns the table lacks left out (``core.eda.eda.resolve_settings``)."""
    declared = CustomerSchema.from_config(schema)
    return eda.resolve_settings(params, declared, list(eda_customers.columns))


def summarise_numeric_attributes(
    eda_customers: pd.DataFrame, params: dict[str, Any]
) -> pd.DataFrame:
    """Count, missing rate, mean, quantiles and extremes of every numeric attribute."""
    return eda.numeric_summary(
        eda_customers, params["numeric_columns"], params["quantiles"], params["decimals"]
    )


def count_category_frequencies(eda_customers: pd.DataFrame, params: dict[str, Any]) -> pd.DataFrame:
    """Customers per category of each categorical attribute."""
    return eda.category_frequencies(eda_customers, params["categories"], params["decimals"])


def compute_key_metrics(eda_customers: pd.DataFrame, params: dict[str, Any]) -> pd.DataFrame:
    """Totals and rates: spend per category, channel mix, campaign acceptance and response."""
    return eda.key_metrics(eda_customers, params)


def bin_distributions(eda_customers: pd.DataFrame, params: dict[str, Any]) -> pd.DataFrame:
    """Histogram bins of every distribution the figures show."""
    return eda.histogram_table(eda_customers, params)


def compute_group_trends(eda_customers: pd.DataFrame, params: dict[str, Any]) -> pd.DataFrame:
    """Customers, spend and response per enrolment period, income band, children, education..."""
    return eda.group_trends(eda_customers, params)


def compute_correlations(eda_customers: pd.DataFrame, params: dict[str, Any]) -> pd.DataFrame:
    """Pearson correlation matrix of the numeric attributes, over all customers."""
    return eda.correlation_matrix(eda_customers, params["correlation_columns"], params["decimals"])


def tabulate_cleaning_rules(data_quality: dict[str, Any]) -> pd.DataFrame:
    """The data-quality report's rules as a table (values changed, rows rejected per rule)."""
    return eda.cleaning_rules(data_quality)


def summarise_headlines(
    eda_key_metrics: pd.DataFrame,
    eda_trends: pd.DataFrame,
    data_quality: dict[str, Any],
    params: dict[str, Any],
) -> dict[str, Any]:
    """Headline numbers (customers, revenue, response rate, cleaning totals) as JSON."""
    summary = eda.headline_summary(eda_key_metrics, eda_trends, data_quality, params["decimals"])
    LOGGER.info(
        "eda: %s customers explored; tables and figures in 08_reporting/eda",
        f"{summary['n_customers']:,}",
    )
    return summary


def _bins(distributions: pd.DataFrame, column: str) -> pd.DataFrame:
    """The histogram rows of one column."""
    rows = distributions[distributions["variable"] == column]
    if rows.empty:
        raise ValueError(
            f"eda_distributions: no bins for column '{column}'. Add it to "
            "eda.histograms in conf/base/parameters_eda.yml."
        )
    return rows


def _median_marker(summary: pd.DataFrame, column: str, unit: str = "") -> tuple[float, str]:
    """(median, 'Median: 51,382 unit') of a column, read from the numeric summary."""
    median = float(summary.loc[summary["attribute"] == column, "median"].iloc[0])
    return median, f"Median: {median:,.0f}{unit}"


def plot_income_distribution(
    eda_distributions: pd.DataFrame, eda_numeric_summary: pd.DataFrame, params: dict[str, Any]
) -> Figure:
    """Histogram of yearly income, median marked."""
    column = params["income_column"]
    if column is None:
        return eda_plots.not_available_figure("Income distribution", "income column")
    return eda_plots.histogram_figure(
        _bins(eda_distributions, column),
        "Income distribution",
        INCOME_LABEL,
        _median_marker(eda_numeric_summary, column),
    )


def plot_age_distribution(
    eda_distributions: pd.DataFrame, eda_numeric_summary: pd.DataFrame, params: dict[str, Any]
) -> Figure:
    """Histogram of customer age, median marked."""
    column = params["age_column"]
    if column is None:
        return eda_plots.not_available_figure("Age distribution", "age or birth year")
    return eda_plots.histogram_figure(
        _bins(eda_distributions, column),
        "Age distribution",
        AGE_LABEL,
        _median_marker(eda_numeric_summary, column, " years"),
    )


def plot_spend_distribution(
    eda_distributions: pd.DataFrame, eda_numeric_summary: pd.DataFrame, params: dict[str, Any]
) -> Figure:
    """Histogram of total spend per customer, median marked."""
    column = params["spend_column"]
    if column is None:
        return eda_plots.not_available_figure("Total spend per customer", "spend columns")
    return eda_plots.histogram_figure(
        _bins(eda_distributions, column),
        "Total spend per customer",
        SPEND_LABEL,
        _median_marker(eda_numeric_summary, column),
    )


def plot_category_spend(eda_distributions: pd.DataFrame, params: dict[str, Any]) -> Figure:
    """One spend histogram per product category."""
    if not params["products"]:
        return eda_plots.not_available_figure("Spend per product category", "spend columns")
    panels = {
        label: _bins(eda_distributions, column) for column, label in params["products"].items()
    }
    return eda_plots.histogram_grid(panels, "Spend per product category", CATEGORY_SPEND_LABEL)


def plot_channel_mix(
    eda_distributions: pd.DataFrame, eda_key_metrics: pd.DataFrame, params: dict[str, Any]
) -> Figure:
    """Share of purchases per channel and purchases-per-customer histograms (deals included)."""
    if not params["channels"]:
        return eda_plots.not_available_figure("Purchases per channel", "purchase channels")
    shares = eda_key_metrics[
        (eda_key_metrics["section"] == "channels") & (eda_key_metrics["metric"] == "share")
    ].set_index("group")["value"]
    panels = {
        f"{label} purchases": _bins(eda_distributions, column)
        for column, label in params["channels"].items()
    }
    if params["deals_column"]:
        panels["Deal purchases (any channel)"] = _bins(eda_distributions, params["deals_column"])
    return eda_plots.channel_mix_figure(shares, panels, "Purchases per channel", PURCHASES_LABEL)


def plot_web_visits(
    eda_distributions: pd.DataFrame, eda_numeric_summary: pd.DataFrame, params: dict[str, Any]
) -> Figure:
    """Histogram of web visits in the last month, median marked."""
    column = params["web_visits_column"]
    if column is None:
        return eda_plots.not_available_figure("Web visits per month", "visits column")
    return eda_plots.histogram_figure(
        _bins(eda_distributions, column),
        "Web visits per month",
        WEB_VISITS_LABEL,
        _median_marker(eda_numeric_summary, column, " visits"),
    )


def _labels(params: dict[str, Any]) -> dict[str, str]:
    """Readable names of every column: products, channels and the `labels` parameter."""
    names = dict(params["labels"])
    names.update({column: f"{label} spend" for column, label in params["products"].items()})
    names.update({column: f"{label} purchases" for column, label in params["channels"].items()})
    return names


def plot_correlation_heatmap(eda_correlations: pd.DataFrame, params: dict[str, Any]) -> Figure:
    """Annotated heatmap of the numeric attributes' correlations."""
    return eda_plots.correlation_figure(
        eda_correlations, _labels(params), "Correlation of numeric attributes"
    )


PERIOD_NAMES = {"M": "month", "Q": "quarter", "Y": "year", "W": "week"}


def plot_enrolment_trend(eda_trends: pd.DataFrame, params: dict[str, Any]) -> Figure:
    """Enrolments over time and spend by enrolment cohort."""
    if params["enrolment_column"] is None:
        return eda_plots.not_available_figure("Enrolments over time", "enrolment date")
    months = eda_trends[eda_trends["dimension"] == "enrolment_month"].sort_values("order")
    cohorts = eda_trends[eda_trends["dimension"] == "enrolment_cohort"].sort_values("order")
    return eda_plots.enrolment_figure(
        months,
        cohorts,
        PERIOD_NAMES.get(params["enrolment_frequency"], params["enrolment_frequency"]),
        PERIOD_NAMES.get(params["cohort_frequency"], params["cohort_frequency"]),
    )


def _attribute_panels(params: dict[str, Any]) -> dict[str, str]:
    """Trend dimension -> panel title of the by-attribute figures."""
    panels = {}
    if params["income_column"]:
        panels["income_band"] = f"By income band ({eda_plots.MONEY} / year)"
    if params["children_column"]:
        panels["children"] = "By number of children at home"
    labels = _labels(params)
    panels.update(
        {column: f"By {labels.get(column, column).lower()}" for column in params["categories"]}
    )
    return panels


def plot_spend_by_segmenting_attributes(eda_trends: pd.DataFrame, params: dict[str, Any]) -> Figure:
    """Mean and median spend by income band, children, education and marital status."""
    if params["spend_column"] is None or not _attribute_panels(params):
        return eda_plots.not_available_figure(
            "Spend by attribute", "spend columns or attributes to group by"
        )
    return eda_plots.spend_by_attribute_figure(eda_trends, _attribute_panels(params))


def plot_response_by_attribute(
    eda_trends: pd.DataFrame, eda_key_metrics: pd.DataFrame, params: dict[str, Any]
) -> Figure:
    """Campaign response and acceptance by income band, children, education, marital status."""
    if params["response_column"] is None or not _attribute_panels(params):
        return eda_plots.not_available_figure(
            "Campaign response by attribute", "response column or attributes to group by"
        )
    overall = float(
        eda_key_metrics.loc[eda_key_metrics["metric"] == "response_rate", "value"].iloc[0]
    )
    return eda_plots.response_by_attribute_figure(eda_trends, _attribute_panels(params), overall)


def plot_cleaning_summary(
    data_quality: dict[str, Any], eda_customers: pd.DataFrame, params: dict[str, Any]
) -> Figure:
    """Counts per cleaning rule next to the distributions of the columns the rules changed."""
    rules = eda.cleaning_rules(data_quality)
    affected = eda.affected_columns(
        rules, eda_customers.columns, params["cleaning_plot_exclude"], params["cleaning_max_panels"]
    )
    config = params["histograms"]
    distributions = {
        column: eda.column_distribution(
            eda_customers[column], config["bins"], config["log_scale_skew"]
        )
        for column in affected
    }
    totals = {
        key: int(data_quality.get(key, 0)) for key in ("rows_in", "rows_kept", "rows_rejected")
    }
    return eda_plots.cleaning_figure(rules, distributions, totals, _labels(params))
