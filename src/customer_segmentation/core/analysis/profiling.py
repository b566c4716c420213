"""Segment profiles: sizes, revenue, attribute means/medians, effect sizes, mixes and rates.

Everything is a group-by over the customers (linear in their number). The effect size of an
attribute for a segment is Cohen's d against the rest of the customers: the difference of the
means divided by the pooled standard deviation of the segment and the rest.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from customer_segmentation.core.ids import id_rank
from customer_segmentation.errors import InputDataError

SEGMENT = "segment"
ID = "ID"


def _require_columns(frame: pd.DataFrame, columns: Sequence[str], dataset: str) -> None:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise InputDataError(
            f"{dataset}: missing column(s) {missing}. The cluster_analysis parameters "
            f"(conf/base/parameters_cluster_analysis.yml, profile) name them; produce them "
            f"upstream or remove them from the parameters."
        )


def _segments(segments: pd.DataFrame) -> pd.DataFrame:
    """``segment`` of ``customer_segments`` indexed by ID, checked: one segment per customer."""
    _require_columns(segments, [ID, SEGMENT], "customer_segments")
    indexed = segments.set_index(ID)[[SEGMENT]]
    if not indexed.index.is_unique:
        raise InputDataError(
            "customer_segments: column ID has duplicate values; each customer must have one "
            "segment. Re-run the clustering pipeline."
        )
    return indexed


def _matched(
    segments: pd.DataFrame, frame: pd.DataFrame, columns: Sequence[str], dataset: str
) -> pd.DataFrame:
    """``columns`` of ``frame`` for the customers of ``_segments`` (same index and order)."""
    _require_columns(frame, [ID, *columns], dataset)
    # Column by column: selecting from a consolidated block would copy the rows.
    indexed = pd.DataFrame(
        {name: frame[name].array for name in columns}, index=pd.Index(frame[ID]), copy=False
    )
    if not indexed.index.is_unique:
        raise InputDataError(
            f"{dataset}: column ID has duplicate values; expected one row per customer."
        )
    missing = len(segments.index.difference(indexed.index))
    if missing:
        raise InputDataError(
            f"customer_segments: {missing} of {len(segments)} IDs are missing from {dataset}. "
            "Re-run the pipelines from the same primary_customers so the datasets describe the "
            "same customers."
        )
    # No copy when the frame holds the same IDs in the same order (as the pipelines write them).
    return indexed.reindex(segments.index)


def _joined(
    segments: pd.DataFrame, parts: Sequence[tuple[pd.DataFrame, Sequence[str], str]]
) -> pd.DataFrame:
    """``ID``, ``segment`` and the columns of each (frame, columns, dataset name) of ``parts``,
    one row per segmented customer, in the order of ``customer_segments``."""
    indexed = _segments(segments)
    matched = [_matched(indexed, frame, columns, dataset) for frame, columns, dataset in parts]
    return pd.concat([indexed, *matched], axis=1).reset_index()


def join_segments(
    segments: pd.DataFrame, frame: pd.DataFrame, columns: Sequence[str], dataset: str
) -> pd.DataFrame:
    """``ID``, ``segment`` and ``columns`` of ``frame`` per segmented customer, in the order of
    ``customer_segments`` (no copy of the rows when ``frame`` has that order)."""
    return _joined(segments, [(frame, columns, dataset)])


def segment_order(joined: pd.DataFrame) -> np.ndarray:
    """Positions that sort the rows of ``joined`` by segment, then ID order (``core.ids``): the
    same order whatever the inputs' row order, and numeric order for numeric IDs."""
    return np.lexsort((id_rank(joined[ID]), joined[SEGMENT].to_numpy()))  # last key first


def attach_segments(
    segments: pd.DataFrame, frame: pd.DataFrame, columns: Sequence[str], dataset: str
) -> pd.DataFrame:
    """``join_segments`` with the rows sorted by segment, then ID (``segment_order``)."""
    joined = join_segments(segments, frame, columns, dataset)
    return joined.take(segment_order(joined)).reset_index(drop=True)


def profile_frame(
    segments: pd.DataFrame,
    features: pd.DataFrame,
    primary: pd.DataFrame,
    feature_columns: Sequence[str],
    primary_columns: Sequence[str],
) -> pd.DataFrame:
    """One row per segmented customer (in the order of ``customer_segments``): ``ID``,
    ``segment`` and the feature and raw columns asked for."""
    return _joined(
        segments,
        [
            (features, feature_columns, "customer_features"),
            (primary, primary_columns, "primary_customers"),
        ],
    )


def model_matrix(
    model_input: pd.DataFrame, segments: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray]:
    """The model_input matrix (without ID, rows by segment then ID) and each row's segment."""
    columns = [c for c in model_input.columns if c != ID]
    joined = attach_segments(segments, model_input, columns, "model_input")
    return joined[columns].to_numpy(dtype="float64"), joined[SEGMENT].to_numpy()


def model_rows(
    model_input: pd.DataFrame, segments: pd.DataFrame
) -> tuple[Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]], np.ndarray]:
    """A reader of ``model_matrix`` rows at given positions (their matrix and segments), and
    the segments of all rows (in ``model_matrix`` order)."""
    columns = [c for c in model_input.columns if c != ID]
    joined = join_segments(segments, model_input, columns, "model_input")
    # Only the rows read are put in segment, then ID order: sorting the whole matrix took
    # seconds at 10M customers for the 20 x 5,000 rows the stability bootstrap reads.
    order = segment_order(joined)
    matrix = joined[columns].to_numpy(dtype="float64")
    labels = joined[SEGMENT].to_numpy()
    return lambda positions: (matrix[order[positions]], labels[order[positions]]), labels[order]


def effect_sizes(frame: pd.DataFrame, attributes: Sequence[str]) -> pd.DataFrame:
    """Long table: per segment and attribute, mean, median, rest mean and Cohen's d vs the rest.

    The rest's mean and variance come from the totals minus the segment (Chan's parallel
    variance formula), so the cost is one group-by. Missing values are skipped.
    """
    attributes = list(attributes)
    values = frame[attributes].astype("float64")
    groups = values.groupby(frame[SEGMENT].to_numpy())
    count = groups.count()
    mean = groups.mean()
    median = groups.median()
    sq_dev = groups.var(ddof=0) * count  # sum of squared deviations within each segment

    total_n = values.count()
    total_mean = values.mean()
    total_sq_dev = values.var(ddof=0) * total_n
    rest_n = total_n - count
    rest_mean = (total_mean * total_n - mean * count) / rest_n.where(rest_n > 0)
    rest_sq_dev = total_sq_dev - sq_dev - count * rest_n / total_n * (mean - rest_mean) ** 2
    pooled_var = (sq_dev + rest_sq_dev.clip(lower=0)) / (total_n - 2).clip(lower=1)
    pooled_sd = np.sqrt(pooled_var)
    d = ((mean - rest_mean) / pooled_sd.where(pooled_sd > 0)).fillna(0.0)

    parts = {
        "segment_mean": mean,
        "segment_median": median,
        "rest_mean": rest_mean,
        "overall_mean": pd.DataFrame([total_mean] * len(mean), index=mean.index),
        "overall_median": pd.DataFrame([values.median()] * len(mean), index=mean.index),
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


def _figures(frame: pd.DataFrame, settings: Mapping) -> pd.DataFrame:
    """The figures of each customer that segment_profiles sums or averages per segment, as
    float64 (missing values skipped in the row sums): revenue, purchases, accepted_any,
    deal_purchases, response, ch_<channel>, pr_<product>, cmp_<campaign>."""
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
    sources = {name: column for name, column in sources.items() if column}  # roles it has
    values = frame[list(sources.values())].astype("float64").set_axis(list(sources), axis=1)
    derived = pd.DataFrame(
        {
            "revenue": values[[f"pr_{p}" for p in products]].sum(axis=1),
            "purchases": values[[f"ch_{c}" for c in channels]].sum(axis=1),
            "accepted_any": (values[[f"cmp_{c}" for c in campaigns]].sum(axis=1) > 0).astype(
                "float64"
            ),
        }
    )
    return pd.concat([derived, values], axis=1)


def segment_profiles(frame: pd.DataFrame, effects: pd.DataFrame, settings: Mapping) -> pd.DataFrame:
    """Wide table, one row per segment, plus a final ``overall`` row (segment 0) for comparison.

    ``settings`` is the ``profile`` parameters block: attributes, products, channels, deals,
    campaigns, response (the schema's columns of those roles). Columns of the roles the table
    lacks are left out: revenue and category mix need products, channel mix channels, deal share
    deals and channels, campaign rates campaigns, response rate a response.
    """
    channels, products = list(settings["channels"]), list(settings["products"])
    figures = _figures(frame, settings)
    groups = figures.groupby(frame[SEGMENT].to_numpy())
    sums, means, counts = groups.sum(), groups.mean(), groups.size()
    sums.loc[0], means.loc[0], counts.loc[0] = figures.sum(), figures.mean(), len(frame)

    table = pd.DataFrame(index=sums.index)
    table["customers"] = counts.astype("int64")
    table["customer_share"] = counts / len(frame)
    if products:
        table["revenue"] = sums["revenue"]
        table["revenue_share"] = sums["revenue"] / sums.loc[0, "revenue"]
        table["revenue_per_customer"] = sums["revenue"] / counts
    if channels:
        channel_mix = _shares(sums[[f"ch_{c}" for c in channels]].set_axis(channels, axis=1), "")
        table = table.join(channel_mix.add_prefix("channel_share_"))
        table["preferred_channel"] = channel_mix.idxmax(axis=1)
    if products:
        product_mix = _shares(sums[[f"pr_{p}" for p in products]].set_axis(products, axis=1), "")
        table = table.join(product_mix.add_prefix("category_share_"))
        table["top_category"] = product_mix.idxmax(axis=1)
    if channels and settings["deals"]:
        purchases = sums["purchases"].where(sums["purchases"] > 0)
        table["deal_share"] = sums["deal_purchases"] / purchases
        table["deal_share_index"] = table["deal_share"] / table.loc[0, "deal_share"]
    if settings["campaigns"]:
        table["campaign_acceptance_rate"] = means["accepted_any"]
    for column in settings["campaigns"]:
        table[f"acceptance_rate_{column}"] = means[f"cmp_{column}"]
    if settings["response"]:
        table["response_rate"] = means["response"]

    table.index.name = SEGMENT
    return _with_attribute_stats(table, effects, settings["attributes"])


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


def value_profiles(frame: pd.DataFrame, effects: pd.DataFrame, settings: Mapping) -> pd.DataFrame:
    """Profile table for a customer base known only by its activity (the RFM modes).

    Like ``segment_profiles`` without product, channel, deal or campaign columns: customers,
    revenue (the ``settings["revenue"]`` feature, e.g. monetary) and its shares, and the
    mean / median / effect size of every attribute; segment 0 (all customers) last.
    """
    revenue = frame[settings["revenue"]].astype("float64")
    segment = frame[SEGMENT]
    sums = revenue.groupby(segment).sum()
    sums.loc[0] = revenue.sum()
    counts = segment.value_counts().sort_index()
    counts.loc[0] = len(frame)
    table = pd.DataFrame(index=sums.index.rename(SEGMENT))
    table["customers"] = counts.astype("int64")
    table["customer_share"] = counts / len(frame)
    table["revenue"] = sums
    table["revenue_share"] = sums / sums.loc[0]
    table["revenue_per_customer"] = sums / counts
    return _with_attribute_stats(table, effects, settings["attributes"])
