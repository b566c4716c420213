"""Segment profiles: sizes, revenue, attribute means/medians, effect sizes, mixes and rates.

The profiles are group-bys over the customers (linear in their number), written in Ibis so that
they run on the engine (``core.engine``: DuckDB, or Spark); only the per-segment results come
back to pandas. The effect size of an attribute for a segment is Cohen's d against the rest of
the customers: the difference of the means divided by the pooled standard deviation of the
segment and the rest.
"""

from collections.abc import Iterable, Mapping, Sequence
from typing import Literal

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from customer_segmentation.core import engine
from customer_segmentation.errors import InputDataError

SEGMENT = "segment"
ID = "ID"


def _require_columns(table: ir.Table, columns: Sequence[str], dataset: str) -> None:
    missing = [column for column in columns if column not in table.columns]
    if missing:
        raise InputDataError(
            f"{dataset}: missing column(s) {missing}. The cluster_analysis parameters "
            f"(conf/base/parameters_cluster_analysis.yml, profile) name them; produce them "
            f"upstream or remove them from the parameters."
        )


def _rows_with_unique_ids(table: ir.Table, dataset: str) -> int:
    """The number of rows of ``table``, checked to hold one row per ID."""
    rows, ids = table.aggregate(rows=table.count(), ids=table[ID].nunique()).execute().iloc[0]
    if rows != ids:
        raise InputDataError(
            f"{dataset}: column ID has {rows - ids} duplicate value(s); expected one row per "
            "customer. Re-run the pipelines from the same primary_customers."
        )
    return int(rows)


def segment_table(
    segments: ir.Table, parts: Sequence[tuple[ir.Table, Sequence[str], str]]
) -> ir.Table:
    """One row per segmented customer, on the engine: ``ID``, ``segment`` and, for each
    (table, columns, dataset name) of ``parts``, those columns of that table matched on ID
    (missing values kept), in no particular order.

    Checked on the engine before anything is computed: one row per ID in every table, every
    segmented customer in the others, every column present (``InputDataError`` naming the
    dataset otherwise).
    """
    _require_columns(segments, [ID, SEGMENT], "customer_segments")
    customers = _rows_with_unique_ids(segments, "customer_segments")
    for table, columns, dataset in parts:
        _require_columns(table, [ID, *columns], dataset)
        _rows_with_unique_ids(table, dataset)
    joined = segments.select(ID, SEGMENT)
    for table, columns, _ in parts:
        joined = joined.inner_join(table.select(ID, *columns), ID)
    if int(joined.count().execute()) < customers:
        for table, _, dataset in parts:
            if missing := int(segments.anti_join(table, ID).count().execute()):
                raise InputDataError(
                    f"customer_segments: {missing} IDs are missing from {dataset}. Re-run the "
                    "pipelines from the same primary_customers so the datasets describe the "
                    "same customers."
                )
    return joined


def sample_positions(n_rows: int, size: int, random_state: int) -> np.ndarray:
    """Sorted positions of a seeded uniform sample of at most ``size`` of ``n_rows`` rows."""
    if n_rows <= size:
        return np.arange(n_rows)
    rng = np.random.default_rng(random_state)
    return np.sort(rng.choice(n_rows, size=size, replace=False))


def rows_at(table: ir.Table, positions: np.ndarray) -> pd.DataFrame:
    """The rows of ``table`` (``segment_table``) at ``positions`` (0-based, repeats allowed) of
    all its rows sorted by segment, then ID order (``core.ids``: shorter, then by text; numeric
    order for numbers), in the order of ``positions``. The sort and the pick run on the engine;
    only the rows asked for come back."""
    unique = np.unique(positions)
    text = table[ID].cast("string")
    order = [table[SEGMENT], text.length(), text]
    ranked = table.mutate(_position=ibis.row_number().over(order_by=order))
    wanted = ibis.memtable({"_position": unique.astype("int64")})
    found = ranked.inner_join(wanted, "_position").order_by("_position").execute()
    picked = found.iloc[np.searchsorted(unique, positions)]
    return picked.drop(columns="_position").reset_index(drop=True)


def segment_sample(table: ir.Table, size: int, random_state: int) -> pd.DataFrame:
    """A seeded sample of at most ``size`` customers of ``table`` (``segment_table``), in
    segment, then ID order: the rows at ``sample_positions`` (``rows_at``)."""
    customers = int(table.count().execute())
    return rows_at(table, sample_positions(customers, size, random_state))


def _float(table: ir.Table, columns: Sequence[str]) -> dict[str, ir.FloatingColumn]:
    """``columns`` of ``table`` as float64 engine columns, by name."""
    return {column: table[column].cast("float64") for column in columns}


def segment_statistic(
    table: ir.Table, columns: Sequence[str], statistic: Literal["mean", "median"]
) -> pd.DataFrame:
    """The ``mean`` or ``median`` of each of ``columns`` per segment (missing values skipped),
    one row per segment (index, sorted), computed on the engine."""
    values = _float(table, columns).items()
    named = {column: getattr(value, statistic)() for column, value in values}
    return engine.aggregates(table, {statistic: named}, by=SEGMENT)[statistic].astype("float64")


def segment_quantiles(table: ir.Table, column: str, quantiles: Sequence[float]) -> pd.DataFrame:
    """``quantiles`` (0..1, linear interpolation as pandas and numpy) of ``column`` per segment
    (missing values skipped), one row per segment (index, sorted), one column per quantile."""
    value = table[column].cast("float64")
    named = {q: value.quantile(q) for q in quantiles}
    return engine.aggregates(table, {"q": named}, by=SEGMENT)["q"].astype("float64")


def _moments(table: ir.Table, attributes: Sequence[str], by: str | None) -> dict[str, pd.DataFrame]:
    """Per attribute (missing values skipped), on the engine: ``n`` (count), ``mean``,
    ``median`` and ``var`` (population variance), each a frame with one column per attribute
    and one row per ``by`` value (index), or a single row for all rows when ``by`` is None."""
    values = _float(table, attributes)
    metrics = {
        "n": {name: value.count() for name, value in values.items()},
        "mean": {name: value.mean() for name, value in values.items()},
        "median": {name: value.median() for name, value in values.items()},
        "var": {name: value.var(how="pop") for name, value in values.items()},
    }
    return {
        statistic: frame.astype("float64")
        for statistic, frame in engine.aggregates(table, metrics, by=by).items()
    }


def effect_sizes(table: ir.Table, attributes: Sequence[str]) -> pd.DataFrame:
    """Long table: per segment and attribute, mean, median, rest mean and Cohen's d vs the rest.

    ``table``: one row per customer with ``segment`` and the ``attributes`` (``segment_table``).
    The group-by runs on the engine. The rest's mean and variance come from the totals minus the
    segment (Chan's parallel variance formula), so the cost is one group-by. Missing values are
    skipped.
    """
    attributes = list(attributes)
    by_segment = _moments(table, attributes, SEGMENT)
    overall = {
        statistic: frame.iloc[0] for statistic, frame in _moments(table, attributes, None).items()
    }
    mean, count = by_segment["mean"], by_segment["n"]
    sq_dev = by_segment["var"] * count  # squared deviations within each segment
    total_n, total_mean = overall["n"], overall["mean"]
    total_sq_dev = overall["var"] * total_n
    rest_n = total_n - count
    rest_mean = (total_mean * total_n - mean * count) / rest_n.where(rest_n > 0)
    rest_sq_dev = total_sq_dev - sq_dev - count * rest_n / total_n * (mean - rest_mean) ** 2
    pooled_var = (sq_dev + rest_sq_dev.clip(lower=0)) / (total_n - 2).clip(lower=1)
    pooled_sd = np.sqrt(pooled_var)
    d = ((mean - rest_mean) / pooled_sd.where(pooled_sd > 0)).fillna(0.0)

    def everywhere(values: pd.Series) -> pd.DataFrame:
        return pd.DataFrame([values] * len(mean), index=mean.index)

    parts = {
        "segment_mean": mean,
        "segment_median": by_segment["median"],
        "rest_mean": rest_mean,
        "overall_mean": everywhere(total_mean),
        "overall_median": everywhere(overall["median"]),
        "pooled_sd": pooled_sd,
        "effect_size": d,
    }
    long = pd.concat({name: part.stack() for name, part in parts.items()}, axis=1)
    long.index.names = [SEGMENT, "attribute"]
    order = {attribute: position for position, attribute in enumerate(attributes)}
    long = long.reset_index()
    long["_order"] = long["attribute"].map(order)
    return long.sort_values([SEGMENT, "_order"]).drop(columns="_order").reset_index(drop=True)


def _shares(totals: pd.DataFrame, prefix: str) -> pd.DataFrame:
    """Row-normalise summed counts into shares (0 when a segment has none at all)."""
    row_sum = totals.sum(axis=1)
    shares = totals.div(row_sum.where(row_sum > 0), axis=0).fillna(0.0)
    return shares.add_prefix(prefix)


def _figures(table: ir.Table, settings: Mapping) -> dict[str, ir.Value]:
    """The figures of each customer that segment_profiles sums or averages per segment, as
    float64 expressions (missing values skipped in the row sums), for the roles the table has:
    revenue, purchases, accepted_any, deal_purchases, response, ch_<channel>, pr_<product>,
    cmp_<campaign>."""
    products: Mapping[str, str] = settings["products"]
    channels: Mapping[str, str] = settings["channels"]
    campaigns: list[str] = list(settings["campaigns"])
    sources = {
        "deal_purchases": settings["deals"],
        "response": settings["response"],
        **{f"ch_{c}": column for c, column in channels.items()},
        **{f"pr_{p}": column for p, column in products.items()},
        **{f"cmp_{c}": c for c in campaigns},
    }
    values = {name: table[column].cast("float64") for name, column in sources.items() if column}

    def row_sum(names: list[str]) -> ir.Value:
        return sum(
            (values[name].fill_null(0.0) for name in names[1:]), values[names[0]].fill_null(0.0)
        )

    derived = {}  # for the roles the table has
    if products:
        derived["revenue"] = row_sum([f"pr_{p}" for p in products])
    if channels:
        derived["purchases"] = row_sum([f"ch_{c}" for c in channels])
    if campaigns:
        derived["accepted_any"] = (row_sum([f"cmp_{c}" for c in campaigns]) > 0).cast("float64")
    return {**derived, **values}


def _sums_and_means(table: ir.Table, figures: Mapping[str, ir.Value]):
    """(sums, means, counts) of ``figures`` per segment, with segment 0 for all customers; sums
    of no value are 0, means of no value NaN, as pandas gives them."""
    metrics = {
        "sum": {name: figure.sum() for name, figure in figures.items()},
        "mean": {name: figure.mean() for name, figure in figures.items()},
        "rows": {"customers": table.count()},
    }
    by_segment = engine.aggregates(table, metrics, by=SEGMENT)
    overall = engine.aggregates(table, metrics)
    found = {
        statistic: pd.concat([by_segment[statistic], overall[statistic].set_axis([0])])
        for statistic in metrics
    }
    return (
        found["sum"].astype("float64").fillna(0.0),
        found["mean"].astype("float64"),
        found["rows"]["customers"].astype("int64"),
    )


def segment_profiles(table: ir.Table, effects: pd.DataFrame, settings: Mapping) -> pd.DataFrame:
    """Wide table, one row per segment, plus a final ``overall`` row (segment 0) for comparison.

    ``table``: one row per customer (``segment_table``); the sums and means run on the engine.
    ``settings`` is the ``profile`` parameters block: attributes, products, channels, deals,
    campaigns, response (the schema's columns of those roles). Columns of the roles the table
    lacks are left out: revenue and category mix need products, channel mix channels, deal share
    deals and channels, campaign rates campaigns, response rate a response.
    """
    channels, products = list(settings["channels"]), list(settings["products"])
    sums, means, counts = _sums_and_means(table, _figures(table, settings))
    customers = counts.loc[0]

    profile = pd.DataFrame(index=sums.index)
    profile["customers"] = counts
    profile["customer_share"] = counts / customers
    if products:
        profile["revenue"] = sums["revenue"]
        profile["revenue_share"] = sums["revenue"] / sums.loc[0, "revenue"]
        profile["revenue_per_customer"] = sums["revenue"] / counts
    if channels:
        channel_mix = _shares(sums[[f"ch_{c}" for c in channels]].set_axis(channels, axis=1), "")
        profile = profile.join(channel_mix.add_prefix("channel_share_"))
        profile["preferred_channel"] = channel_mix.idxmax(axis=1)
    if products:
        product_mix = _shares(sums[[f"pr_{p}" for p in products]].set_axis(products, axis=1), "")
        profile = profile.join(product_mix.add_prefix("category_share_"))
        profile["top_category"] = product_mix.idxmax(axis=1)
    if channels and settings["deals"]:
        purchases = sums["purchases"].where(sums["purchases"] > 0)
        profile["deal_share"] = sums["deal_purchases"] / purchases
        profile["deal_share_index"] = profile["deal_share"] / profile.loc[0, "deal_share"]
    if settings["campaigns"]:
        profile["campaign_acceptance_rate"] = means["accepted_any"]
    for column in settings["campaigns"]:
        profile[f"acceptance_rate_{column}"] = means[f"cmp_{column}"]
    if settings["response"]:
        profile["response_rate"] = means["response"]

    profile.index.name = SEGMENT
    return _with_attribute_stats(profile, effects, settings["attributes"])


def _with_attribute_stats(
    table: pd.DataFrame, effects: pd.DataFrame, attributes: Iterable[str]
) -> pd.DataFrame:
    """Add mean, median and effect size of every attribute; segments 1..k, then 0 (all) last."""
    stats = effects.pivot(index=SEGMENT, columns="attribute")
    for attribute in attributes:
        table[f"mean_{attribute}"] = stats[("segment_mean", attribute)]
        table[f"median_{attribute}"] = stats[("segment_median", attribute)]
        table[f"effect_{attribute}"] = stats[("effect_size", attribute)]
        table.loc[0, f"mean_{attribute}"] = stats[("overall_mean", attribute)].iloc[0]
        table.loc[0, f"median_{attribute}"] = stats[("overall_median", attribute)].iloc[0]
        table.loc[0, f"effect_{attribute}"] = 0.0
    table = table.sort_index()
    return pd.concat([table.drop(index=0), table.loc[[0]]]).reset_index()


def profile_columns(settings: Mapping) -> tuple[list[str], list[str]]:
    """The customer_features and primary_customers columns a profile needs."""
    feature_columns = list(settings["attributes"])
    primary_columns = [
        *settings["products"].values(),
        *settings["channels"].values(),
        settings["deals"],
        *settings["campaigns"],
        settings["response"],
    ]
    return feature_columns, [column for column in primary_columns if column]


def value_profiles(table: ir.Table, effects: pd.DataFrame, settings: Mapping) -> pd.DataFrame:
    """Profile table for a customer base known only by its activity (the RFM modes).

    Like ``segment_profiles`` without product, channel, deal or campaign columns: customers,
    revenue (the ``settings["revenue"]`` feature, e.g. monetary) and its shares, and the
    mean / median / effect size of every attribute; segment 0 (all customers) last.
    """
    revenue = {"revenue": table[settings["revenue"]].cast("float64")}
    sums, _, counts = _sums_and_means(table, revenue)
    profile = pd.DataFrame(index=sums.index.rename(SEGMENT))
    profile["customers"] = counts
    profile["customer_share"] = counts / counts.loc[0]
    profile["revenue"] = sums["revenue"]
    profile["revenue_share"] = sums["revenue"] / sums.loc[0, "revenue"]
    profile["revenue_per_customer"] = sums["revenue"] / counts
    return _with_attribute_stats(profile, effects, settings["attributes"])
