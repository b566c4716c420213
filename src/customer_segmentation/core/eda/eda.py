"""Exploratory aggregates of the customer table: summaries, histograms, group trends, correlations.

Kedro-free. Every function reduces the customer rows to a small table in one or a few vectorised
passes (O(rows x columns), group medians O(rows log rows)), so the figures drawn from these tables
cost the same for 2,000 or 2,000,000 customers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from customer_segmentation.core.cleaning.contract import CustomerSchema
from customer_segmentation.errors import InputDataError

MISSING_LABEL = "(missing)"
ROLE = "role:"  # a parameter entry naming the schema's columns of a role
# Parameters naming one column, and those naming a list of columns.
COLUMN_SETTINGS = (
    "deals_column",
    "web_visits_column",
    "response_column",
    "complain_column",
    "enrolment_column",
    "income_column",
    "age_column",
    "spend_column",
    "children_column",
)
LIST_SETTINGS = ("numeric_columns", "correlation_columns", "campaigns")
HISTOGRAM_SETTINGS = ("continuous", "counts")


def _expand(entries: Sequence[str] | str, schema: CustomerSchema, present: set[str]) -> list[str]:
    """Column names of a parameter list, `role:<role>` entries expanded to the schema's columns
    of that role (campaigns in name order); names the table lacks are left out."""
    entries = [entries] if isinstance(entries, str) else entries
    found = []
    for entry in entries:
        if not entry.startswith(ROLE):
            found.append(entry)
        elif entry == f"{ROLE}campaign":
            found += schema.groups()["campaigns"]
        else:
            found += schema.all_of(entry.removeprefix(ROLE))
    return [column for column in found if column in present]


def resolve_settings(
    settings: Mapping[str, Any], schema: CustomerSchema, columns: Sequence[str]
) -> dict[str, Any]:
    """The eda parameters for this table: `role:<role>` entries replaced by the schema's columns,
    columns the table (`columns`: primary plus joined features) lacks left out (a single column
    becomes None), and the product, channel and category lists taken from the schema (labels
    from the items: wines -> Wines)."""
    present = set(columns)
    resolved = dict(settings)
    for key in COLUMN_SETTINGS:
        found = _expand(settings[key], schema, present)
        resolved[key] = found[0] if found else None
    for key in LIST_SETTINGS:
        resolved[key] = _expand(settings[key], schema, present)
    resolved["histograms"] = {
        **settings["histograms"],
        **{
            key: _expand(settings["histograms"][key], schema, present) for key in HISTOGRAM_SETTINGS
        },
    }
    resolved["products"] = {
        column: item.capitalize() for item, column in schema.products.items() if column in present
    }
    resolved["channels"] = {
        column: item.capitalize() for item, column in schema.channels.items() if column in present
    }
    resolved["categories"] = {
        spec.name: list(spec.allowed)
        for spec in schema.columns
        if spec.kind == "category" and spec.allowed and spec.name in present
    }
    return resolved


def _error(dataset: str, message: str) -> InputDataError:
    """The bad-input error, its message starting with the dataset's name."""
    return InputDataError(f"{dataset}: {message}")


def require_columns(frame: pd.DataFrame, columns: Sequence[str], dataset: str) -> None:
    """Raise a bad-input error listing every column of `columns` that `frame` lacks."""
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise _error(
            dataset,
            f"missing column(s) {missing} needed by the eda pipeline. Check the upstream "
            "pipeline's "
            "output or the column lists in conf/base/parameters_eda.yml.",
        )


def join_features(
    primary: pd.DataFrame, features: pd.DataFrame, feature_columns: Sequence[str]
) -> pd.DataFrame:
    """`primary` with the given `features` columns added, matched on ID (one row per customer)."""
    require_columns(primary, ["ID"], "primary_customers")
    require_columns(features, ["ID", *feature_columns], "customer_features")
    extra = features.set_index("ID")[list(feature_columns)]
    if not extra.index.is_unique:
        raise _error(
            "customer_features", "column 'ID' has duplicate values; expected one row per ID."
        )
    unmatched = int((~primary["ID"].isin(extra.index)).sum())
    if unmatched:
        raise _error(
            "customer_features",
            f"{unmatched} customer ID(s) of primary_customers have no row. Rerun the "
            "feature_engineering pipeline on the same primary_customers.",
        )
    joined = extra.reindex(primary["ID"].to_numpy())
    return primary.reset_index(drop=True).assign(
        **{column: joined[column].to_numpy() for column in feature_columns}
    )


def numeric_summary(
    frame: pd.DataFrame, columns: Sequence[str], quantiles: Sequence[float], decimals: int
) -> pd.DataFrame:
    """One row per numeric column: count, missing (rate), mean, std, min, quantiles, max, sum.

    Every number is numpy's (`np.quantile` with its default linear interpolation, `std` with
    ddof=1) on the present values.
    """
    require_columns(frame, columns, "eda customers")
    rows = []
    for column in columns:
        values = frame[column].to_numpy(dtype="float64", na_value=np.nan)
        values = values[~np.isnan(values)]
        stats: dict[str, Any] = {
            "attribute": column,
            "count": values.size,
            "missing": len(frame) - values.size,
            "missing_rate": (len(frame) - values.size) / max(len(frame), 1),
        }
        if values.size:
            found = np.quantile(values, quantiles)
            stats.update(
                {
                    "mean": values.mean(),
                    "std": values.std(ddof=1) if values.size > 1 else np.nan,
                    "min": values.min(),
                    **{_quantile_name(q): v for q, v in zip(quantiles, found, strict=True)},
                    "max": values.max(),
                    "sum": values.sum(),
                }
            )
        rows.append(stats)
    order = [
        "attribute",
        "count",
        "missing",
        "missing_rate",
        "mean",
        "std",
        "min",
        *[_quantile_name(q) for q in quantiles],
        "max",
        "sum",
    ]
    return pd.DataFrame(rows).reindex(columns=order).round(decimals)


def _quantile_name(q: float) -> str:
    """Column name of a quantile: 0.5 -> 'median', 0.05 -> 'p05'."""
    return "median" if q == 0.5 else f"p{round(q * 100):02d}"


def category_frequencies(
    frame: pd.DataFrame, categories: Mapping[str, Sequence[str]], decimals: int
) -> pd.DataFrame:
    """Count and share of every category of each categorical column, in the configured order.

    Categories found in the data but not configured follow the configured ones (alphabetically);
    configured categories absent from the data are listed with count 0.
    """
    require_columns(frame, list(categories), "eda customers")
    parts = []
    for column, order in categories.items():
        counts = frame[column].value_counts(dropna=False)
        counts.index = [MISSING_LABEL if pd.isna(label) else label for label in counts.index]
        labels = list(order) + sorted(set(counts.index) - set(order), key=str)
        counts = counts.reindex(labels, fill_value=0)
        parts.append(
            pd.DataFrame(
                {
                    "attribute": column,
                    "category": [str(label) for label in labels],
                    "count": counts.to_numpy(dtype="int64"),
                    "share": (counts / max(len(frame), 1)).round(decimals).to_numpy(),
                }
            )
        )
    if not parts:  # a table without categorical columns
        return pd.DataFrame({"attribute": [], "category": [], "count": [], "share": []})
    return pd.concat(parts, ignore_index=True)


def key_metrics(frame: pd.DataFrame, settings: Mapping[str, Any]) -> pd.DataFrame:
    """Headline metrics as a long table `section, metric, group, value`.

    Sections: customers, income, spend, spend_by_category, channels, campaigns, each only where
    the table has its columns (a setting that is None or empty: the section is left out). Channel
    shares are of the channels' purchases; deals are reported apart because they overlap them.
    """
    products: Mapping[str, str] = settings["products"]
    channels: Mapping[str, str] = settings["channels"]
    campaigns: Sequence[str] = settings["campaigns"]
    singles = ["spend_column", "income_column", "deals_column", "response_column"]
    require_columns(
        frame,
        [*products, *channels, *campaigns, *[settings[key] for key in singles if settings[key]]],
        "eda customers",
    )
    n = len(frame)
    rows: list[tuple[str, str, str, float]] = [("customers", "count", "all", n)]
    if settings["income_column"]:
        income = frame[settings["income_column"]]
        rows += [
            ("income", "mean", "all", income.mean()),
            ("income", "median", "all", income.median()),
        ]
    if settings["spend_column"]:
        spend = frame[settings["spend_column"]]
        rows += [
            ("spend", "total", "all", spend.sum()),
            ("spend", "mean_per_customer", "all", spend.mean()),
            ("spend", "median_per_customer", "all", spend.median()),
        ]
    category_totals = frame[list(products)].sum()
    all_categories = category_totals.sum()
    for column, label in products.items():
        rows += [
            ("spend_by_category", "total", label, category_totals[column]),
            ("spend_by_category", "share", label, _ratio(category_totals[column], all_categories)),
            ("spend_by_category", "mean_per_customer", label, _ratio(category_totals[column], n)),
        ]
    channel_totals = frame[list(channels)].sum()
    all_purchases = channel_totals.sum()
    for column, label in channels.items():
        rows += [
            ("channels", "purchases", label, channel_totals[column]),
            ("channels", "share", label, _ratio(channel_totals[column], all_purchases)),
        ]
    if channels and settings["deals_column"]:
        deals = frame[settings["deals_column"]].sum()
        rows += [
            ("channels", "purchases", "all channels", all_purchases),
            ("channels", "deal_purchases", "all channels", deals),
            ("channels", "deal_share", "all channels", _ratio(deals, all_purchases)),
        ]
    rows += _campaign_metrics(frame, settings)
    table = pd.DataFrame(rows, columns=["section", "metric", "group", "value"])
    table["value"] = table["value"].astype("float64").round(settings["decimals"])
    return table


def _campaign_metrics(
    frame: pd.DataFrame, settings: Mapping[str, Any]
) -> list[tuple[str, str, str, float]]:
    """Acceptance of each campaign and of any, response and complaint rates, where present."""
    campaigns = list(settings["campaigns"])
    rows = [("campaigns", "acceptance_rate", column, frame[column].mean()) for column in campaigns]
    if campaigns:
        any_accepted = (frame[campaigns].sum(axis=1) > 0).mean()
        rows.append(("campaigns", "acceptance_rate", "any", any_accepted))
    for key, metric in (
        ("response_column", "response_rate"),
        ("complain_column", "complaint_rate"),
    ):
        if settings[key]:
            rows.append(("campaigns", metric, settings[key], frame[settings[key]].mean()))
    return rows


def _ratio(numerator: float, denominator: float) -> float:
    """numerator / denominator, 0 when the denominator is 0."""
    return float(numerator) / float(denominator) if denominator else 0.0


def histogram(
    values: pd.Series, bins: int, log_scale_skew: float
) -> tuple[np.ndarray, np.ndarray, str]:
    """Counts of `values` in at most `bins` bins: (edges, counts, scale), scale 'linear' or 'log'.

    A right skew above `log_scale_skew` on non-negative values gives logarithmic bins; zeros (spend
    in a category never bought) then get a bin [0, 1) of their own so they are not lost. Whole
    numbers (amounts, years) get edges on whole numbers, so no bin is empty just because it falls
    between two integers.
    """
    data = values.to_numpy(dtype="float64", na_value=np.nan)
    data = data[~np.isnan(data)]
    if data.size == 0:
        return np.array([0.0, 1.0]), np.array([0], dtype="int64"), "linear"
    low, high = float(data.min()), float(data.max())
    whole = bool(np.all(np.mod(data, 1.0) == 0))
    skew = float(pd.Series(data).skew()) if data.size > 2 else 0.0
    if skew > log_scale_skew and low >= 0 and high > 1:
        edges = _log_edges(max(low, 1.0), high, bins, whole)
        if low < 1:
            edges = np.concatenate([[0.0], edges])
        scale = "log"
    else:
        edges = _linear_edges(low, high, bins, whole)
        scale = "linear"
    counts, _ = np.histogram(data, bins=edges)
    return edges, counts.astype("int64"), scale


def _log_edges(low: float, high: float, bins: int, whole: bool) -> np.ndarray:
    """Logarithmically spaced edges from `low` to past `high`; on whole numbers when `whole`."""
    if not whole:
        return np.geomspace(low, high, bins + 1)
    # Bin [a, b) then holds the integers a..b-1; small values get one bin per integer.
    return np.unique(np.ceil(np.geomspace(low, high + 1, bins + 1)))


def _linear_edges(low: float, high: float, bins: int, whole: bool) -> np.ndarray:
    """Evenly spaced edges covering low..high; integer-wide and centred on integers when `whole`."""
    if whole:
        width = max(1.0, np.ceil((high - low + 1) / bins))
        return np.arange(low - 0.5, high + width, width)[: bins + 1]
    if high == low:
        low, high = low - 0.5, high + 0.5
    return np.linspace(low, high, bins + 1)


def count_histogram(values: pd.Series, cap: int, column: str) -> np.ndarray:
    """Customers per value 0, 1, .., cap of a count column; the last entry counts values >= cap."""
    data = values.dropna().to_numpy()
    if data.size and data.min() < 0:
        raise _error("primary_customers", f"column '{column}' has negative counts.")
    top = int(min(data.max(), cap)) if data.size else 0
    # Widened first: a cap beyond a narrow column's type (200 for an int8) is no error.
    return np.bincount(np.minimum(data.astype("int64", copy=False), cap), minlength=top + 1)


def histogram_table(frame: pd.DataFrame, settings: Mapping[str, Any]) -> pd.DataFrame:
    """Long table of every configured distribution: variable, kind, scale, edges, label, count."""
    config = settings["histograms"]
    require_columns(frame, [*config["continuous"], *config["counts"]], "eda customers")
    parts = []
    for column in config["continuous"]:
        edges, counts, scale = histogram(frame[column], config["bins"], config["log_scale_skew"])
        parts.append(
            pd.DataFrame(
                {
                    "variable": column,
                    "kind": "continuous",
                    "scale": scale,
                    "bin_left": edges[:-1],
                    "bin_right": edges[1:],
                    "label": [f"[{left:,.6g}, {right:,.6g})" for left, right in pairwise(edges)],
                    "count": counts,
                }
            )
        )
    cap = config["count_cap"]
    for column in config["counts"]:
        counts = count_histogram(frame[column], cap, column)
        values = np.arange(len(counts))
        labels = [str(v) for v in values]
        if frame[column].max() >= cap:
            labels[-1] = f"{cap}+"
        parts.append(
            pd.DataFrame(
                {
                    "variable": column,
                    "kind": "count",
                    "scale": "linear",
                    "bin_left": values.astype("float64"),
                    "bin_right": values + 1.0,
                    "label": labels,
                    "count": counts,
                }
            )
        )
    if not parts:  # a table with none of the configured columns: no distribution to show
        columns = ["variable", "kind", "scale", "bin_left", "bin_right", "label", "count"]
        return pd.DataFrame({name: pd.Series(dtype="float64") for name in columns})
    table = pd.concat(parts, ignore_index=True)
    table[["bin_left", "bin_right"]] = table[["bin_left", "bin_right"]].round(settings["decimals"])
    return table


def pairwise(edges: np.ndarray) -> list[tuple[float, float]]:
    """Consecutive (left, right) pairs of bin edges."""
    return list(zip(edges[:-1], edges[1:], strict=True))


def band_labels(edges: Sequence[float]) -> list[str]:
    """Readable labels for bands cut at `edges`: '< 20k', '20k-40k', ..., '100k+'."""
    short = [_short_amount(edge) for edge in edges]
    middle = [f"{low}–{high}" for low, high in zip(short[:-1], short[1:], strict=True)]
    return [f"< {short[0]}", *middle, f"{short[-1]}+"]


def _short_amount(amount: float) -> str:
    """20000 -> '20k', 1500000 -> '1.5M'."""
    for size, suffix in ((1e6, "M"), (1e3, "k")):
        if abs(amount) >= size:
            return f"{amount / size:g}{suffix}"
    return f"{amount:g}"


def group_keys(frame: pd.DataFrame, settings: Mapping[str, Any]) -> dict[str, pd.Series]:
    """The grouping of every trend dimension the table has columns for (enrolment periods, income
    bands, children, categories), each an ordered categorical over the customers."""
    keys = {}
    if settings["enrolment_column"]:
        enrolled = pd.to_datetime(frame[settings["enrolment_column"]])
        # Enrolment dates repeat (a few thousand distinct days): periods per distinct date.
        date_codes, dates = pd.factorize(enrolled)
        keys["enrolment_month"] = _periods(date_codes, dates, settings["enrolment_frequency"])
        keys["enrolment_cohort"] = _periods(date_codes, dates, settings["cohort_frequency"])
    if settings["income_column"]:
        edges = list(settings["income_bands"])
        keys["income_band"] = pd.cut(
            frame[settings["income_column"]],
            bins=[-np.inf, *edges, np.inf],
            right=False,
            labels=band_labels(edges),
        )
    if settings["children_column"]:
        cap = settings["children_cap"]
        children = frame[settings["children_column"]].clip(upper=cap).astype("int64")
        children_labels = [str(value) for value in range(cap)] + [f"{cap}+"]
        keys["children"] = pd.Categorical.from_codes(
            children.to_numpy(), categories=children_labels
        )
    for column, order in settings["categories"].items():
        values = frame[column]
        # A string column fills its gaps in place (fast); anything else goes through objects.
        text = isinstance(values.dtype, pd.StringDtype)
        values = (values if text else values.astype("object")).fillna(MISSING_LABEL)
        # One hash pass over the rows; the categories are then looked up per distinct value.
        codes, uniques = pd.factorize(values)
        categories = [*order, *sorted(set(uniques) - set(order), key=str)]
        position = pd.Index(categories, dtype="object").get_indexer(uniques)
        keys[column] = pd.Categorical.from_codes(
            position[codes], categories=categories, ordered=True
        )
    return {name: pd.Series(key, index=frame.index) for name, key in keys.items()}


def _periods(date_codes: np.ndarray, dates: pd.DatetimeIndex, frequency: str) -> pd.Categorical:
    """Dates (codes into distinct `dates`, -1 missing) as an ordered categorical of period labels
    ('2012-07', '2012Q3'), gaps included.

    Every period from the first to the last enrolment is a category, so a month without
    enrolments shows as 0 rather than disappearing from the trend.
    """
    if len(dates) == 0:
        return pd.Categorical.from_codes(date_codes, categories=[], ordered=True)
    periods = dates.to_period(frequency)
    every_period = pd.period_range(periods.min(), periods.max(), freq=periods.freq)
    position = every_period.get_indexer(periods)
    full_codes = np.where(date_codes >= 0, position[np.maximum(date_codes, 0)], -1)
    return pd.Categorical.from_codes(
        full_codes, categories=[str(p) for p in every_period], ordered=True
    )


def group_trends(frame: pd.DataFrame, settings: Mapping[str, Any]) -> pd.DataFrame:
    """Customers, spend and campaign response per group of every trend dimension (long table).

    A measure the table has no column for (no spend, no response, no campaigns) is missing (NaN)
    in every group.
    """
    spend_column, response_column = settings["spend_column"], settings["response_column"]
    campaigns = list(settings["campaigns"])
    singles = [spend_column, response_column, settings["enrolment_column"]]
    singles += [settings["income_column"], settings["children_column"]]
    require_columns(
        frame,
        [*[column for column in singles if column], *campaigns, *settings["categories"]],
        "eda customers",
    )
    absent = pd.Series(np.nan, index=frame.index)
    measures = pd.DataFrame(
        {
            "spend": frame[spend_column].astype("float64") if spend_column else absent,
            "response": frame[response_column].astype("float64") if response_column else absent,
            "any_campaign": (frame[campaigns].sum(axis=1) > 0).astype("float64")
            if campaigns
            else absent,
        }
    )
    parts = []
    for dimension, key in group_keys(frame, settings).items():
        grouped = measures.groupby(key, observed=False, sort=True)
        # Plain reductions of one grouping (a named-aggregation `agg` costs twice as much).
        means = grouped.mean()
        table = pd.DataFrame(
            {
                "customers": grouped.size(),
                "spend_total": grouped["spend"].sum(),
                "spend_mean": means["spend"],
                "spend_median": grouped["spend"].median(),
                "response_rate": means["response"],
                "any_campaign_rate": means["any_campaign"],
            }
        )
        table.insert(0, "group", [str(label) for label in table.index])
        table.insert(0, "order", np.arange(len(table)))
        table.insert(0, "dimension", dimension)
        table.insert(4, "customer_share", table["customers"] / max(len(frame), 1))
        parts.append(table.reset_index(drop=True))
    out = pd.concat(parts, ignore_index=True)
    numeric = out.columns[4:]
    out[numeric] = out[numeric].fillna(0.0).round(settings["decimals"])
    # A measure the table has no column for is missing, not 0.
    lacking = [name for name in measures if measures[name].isna().all()]
    out[[column for column in numeric if column.startswith(tuple(lacking))]] = np.nan
    out["customers"] = out["customers"].astype("int64")
    return out


def correlation_matrix(frame: pd.DataFrame, columns: Sequence[str], decimals: int) -> pd.DataFrame:
    """Pearson correlations of `columns` (pairwise complete), with an `attribute` column first."""
    require_columns(frame, columns, "eda customers")
    if any(frame[column].hasnans for column in columns):
        matrix = frame[list(columns)].astype("float64").corr().to_numpy()
    else:
        covariance = _covariance(frame, columns)
        scale = np.sqrt(np.diag(covariance))
        with np.errstate(divide="ignore", invalid="ignore"):
            matrix = covariance / np.outer(scale, scale)
    table = pd.DataFrame(matrix, columns=list(columns)).round(decimals)
    table.insert(0, "attribute", list(columns))
    return table


# Rows per block of the covariance: 2**20 rows x 19 columns is a 152 MiB buffer, reused, instead
# of a float64 copy of every row at once (1.5 GiB at 10M customers).
COVARIANCE_BLOCK_ROWS = 2**20


def _covariance(frame: pd.DataFrame, columns: Sequence[str]) -> np.ndarray:
    """Sums of centred cross-products of `columns` (columns x columns), no missing values.

    The rows are centred on the column means and multiplied block by block in one reused float64
    buffer: one BLAS product per block, O(rows x columns^2) in all.
    """
    means = np.array([frame[column].mean() for column in columns], dtype="float64")
    block = np.empty((min(len(frame), COVARIANCE_BLOCK_ROWS), len(columns)))
    covariance = np.zeros((len(columns), len(columns)))
    # A thin product gains nothing from BLAS threads, and on a busy machine spinning threads
    # made it 10-60x slower (measured: 0.05 s single-threaded vs 0.6-3 s at 1M x 19).
    with threadpool_limits(limits=1, user_api="blas"):
        for start in range(0, len(frame), COVARIANCE_BLOCK_ROWS):
            stop = min(start + COVARIANCE_BLOCK_ROWS, len(frame))
            rows = block[: stop - start]
            for position, column in enumerate(columns):
                rows[:, position] = frame[column].iloc[start:stop].to_numpy("float64")
            rows -= means
            covariance += rows.T @ rows
    return covariance


RULE_FIELDS = ["rule", "column", "action", "values_fixed", "rows_rejected", "detail"]


def cleaning_rules(data_quality: Mapping[str, Any]) -> pd.DataFrame:
    """The data-quality report's rules as a table, with `touched` true where a rule changed data."""
    if "rules" not in data_quality or not isinstance(data_quality["rules"], list):
        raise _error(
            "data_quality",
            "no 'rules' list. Rerun the data_processing pipeline to regenerate the report "
            "(shape in docs/architecture.md).",
        )
    rules = [
        {
            **rule,
            "column": ", ".join(rule["column"])
            if isinstance(rule.get("column"), list)
            else rule.get("column"),
        }
        for rule in data_quality["rules"]
    ]
    table = pd.DataFrame(rules, columns=RULE_FIELDS)
    for count in ("values_fixed", "rows_rejected"):
        table[count] = table[count].fillna(0).astype("int64")
    for text in ("rule", "column", "action", "detail"):
        table[text] = table[text].fillna("").astype("str")
    table["touched"] = (table["values_fixed"] + table["rows_rejected"]) > 0
    return table


def column_distribution(values: pd.Series, bins: int, log_scale_skew: float) -> dict[str, Any]:
    """The distribution of one column, aggregated for plotting whatever its type.

    Dates: customers per month; numbers: a histogram; anything else: counts per value.
    """
    if pd.api.types.is_datetime64_any_dtype(values):
        counts = values.dt.to_period("M").value_counts().sort_index()
        return {
            "kind": "date",
            "labels": [str(p) for p in counts.index],
            "counts": counts.to_numpy(),
        }
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        edges, counts, scale = histogram(values, bins, log_scale_skew)
        return {"kind": "numeric", "edges": edges, "counts": counts, "scale": scale}
    counts = values.value_counts(dropna=False)
    return {
        "kind": "category",
        "labels": [MISSING_LABEL if pd.isna(label) else str(label) for label in counts.index],
        "counts": counts.to_numpy(),
    }


def headline_summary(
    metrics: pd.DataFrame, trends: pd.DataFrame, data_quality: Mapping[str, Any], decimals: int
) -> dict[str, Any]:
    """Headline numbers for the report, read off the metrics and trends tables (no timestamps)."""

    def value(section: str, metric: str, group: str | None = None) -> float | None:
        """The metric, None when the table has no column for it (its section is left out)."""
        rows = metrics[(metrics["section"] == section) & (metrics["metric"] == metric)]
        if group is not None:
            rows = rows[rows["group"] == group]
        return round(float(rows["value"].iloc[0]), decimals) if len(rows) else None

    def top(section: str, metric: str) -> str | None:
        rows = metrics[(metrics["section"] == section) & (metrics["metric"] == metric)]
        rows = rows[rows["group"] != "all channels"]
        ranked = rows.sort_values("value", ascending=False)["group"]
        return str(ranked.iloc[0]) if len(ranked) else None

    months = trends.loc[
        (trends["dimension"] == "enrolment_month") & (trends["customers"] > 0), "group"
    ]
    rules = cleaning_rules(data_quality)
    return {
        "n_customers": int(value("customers", "count")),
        "total_revenue": value("spend", "total"),
        "mean_spend_per_customer": value("spend", "mean_per_customer"),
        "median_spend_per_customer": value("spend", "median_per_customer"),
        "median_income": value("income", "median"),
        "response_rate": value("campaigns", "response_rate"),
        "any_campaign_acceptance_rate": value("campaigns", "acceptance_rate", "any"),
        "complaint_rate": value("campaigns", "complaint_rate"),
        "top_product_category": top("spend_by_category", "total"),
        "top_channel": top("channels", "purchases"),
        "first_enrolment_month": str(months.iloc[0]) if len(months) else None,
        "last_enrolment_month": str(months.iloc[-1]) if len(months) else None,
        "cleaning": {
            "rows_in": int(data_quality.get("rows_in", 0)),
            "rows_kept": int(data_quality.get("rows_kept", 0)),
            "rows_rejected": int(data_quality.get("rows_rejected", 0)),
            "values_fixed": int(rules["values_fixed"].sum()),
            "rules_applied": int(rules["touched"].sum()),
        },
    }


def affected_columns(
    rules: pd.DataFrame, available: Sequence[str], exclude: Sequence[str], limit: int
) -> list[str]:
    """Columns (in rule order, at most `limit`) that a rule changed and the customer table holds."""
    columns: list[str] = []
    for field in rules.loc[rules["touched"], "column"]:
        for column in field.split(", "):
            if column in available and column not in exclude and column not in columns:
                columns.append(column)
    return columns[:limit]
