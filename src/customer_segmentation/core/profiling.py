"""Segment profiles: sizes, revenue, attribute means/medians, effect sizes, mixes and rates.

Everything is a group-by over the customers (linear in their number). The effect size of an
attribute for a segment is Cohen's d against the rest of the customers: the difference of the
means divided by the pooled standard deviation of the segment and the rest.
"""

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

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


def attach_segments(
    segments: pd.DataFrame, frame: pd.DataFrame, columns: Sequence[str], dataset: str
) -> pd.DataFrame:
    """``ID``, ``segment`` and ``columns`` of ``frame`` per segmented customer (by segment, ID)."""
    _require_columns(segments, [ID, SEGMENT], "customer_segments")
    _require_columns(frame, [ID, *columns], dataset)
    if not _strictly_increasing(segments) and segments[ID].duplicated().any():
        raise InputDataError(
            "customer_segments: column ID has duplicate values; each customer must have one "
            "segment. Re-run the clustering pipeline."
        )
    ids = segments[ID].to_numpy()
    if _gatherable(segments, [frame], [columns]):
        return _gather_by_segment(segments, [frame], [columns])
    if len(frame) == len(ids) and np.array_equal(frame[ID].to_numpy(), ids):
        # The usual case (every dataset holds the same customers in ID order): no hash join.
        joined = pd.concat(
            [segments[[ID, SEGMENT]].reset_index(drop=True), frame[columns].reset_index(drop=True)],
            axis=1,
        )
    else:
        joined = segments[[ID, SEGMENT]].merge(
            frame[[ID, *columns]], on=ID, how="inner", validate="1:1"
        )
    if len(joined) != len(segments):
        raise InputDataError(
            f"customer_segments: {len(segments) - len(joined)} of {len(segments)} IDs are missing "
            f"from {dataset}. Re-run the pipelines from the same primary_customers so the "
            "datasets describe the same customers."
        )
    if joined[ID].is_monotonic_increasing:  # then a stable sort by segment alone is enough
        order = np.argsort(joined[SEGMENT].to_numpy(), kind="stable")
        return joined.take(order).reset_index(drop=True)
    return joined.sort_values([SEGMENT, ID], kind="stable").reset_index(drop=True)


def _gatherable(
    segments: pd.DataFrame, frames: Sequence[pd.DataFrame], columns: Sequence[Sequence[str]]
) -> bool:
    """Whether every frame holds the IDs of ``segments`` in the same, strictly increasing order.

    The usual case: every dataset keeps the customers in ID order. The joined rows are then a
    gather of each column in the (segment, ID) order, no hash join nor intermediate frame.
    """
    names = [name for group in columns for name in group]
    if len(set(names)) != len(names) or {ID, SEGMENT} & set(names):
        return False
    if not {ID, SEGMENT} <= set(segments.columns) or not _strictly_increasing(segments):
        return False
    return all(
        _aligned(segments, frame) and all(name in frame.columns for name in group)
        for frame, group in zip(frames, columns, strict=True)
    )


def _gather_by_segment(
    segments: pd.DataFrame, frames: Sequence[pd.DataFrame], columns: Sequence[Sequence[str]]
) -> pd.DataFrame:
    """``ID``, ``segment`` and the columns of the aligned frames, rows sorted by segment, ID."""
    order = np.argsort(segments[SEGMENT].to_numpy(), kind="stable")  # IDs already increase
    gathered = {ID: segments[ID].array.take(order), SEGMENT: segments[SEGMENT].array.take(order)}
    for frame, group in zip(frames, columns, strict=True):
        gathered.update({name: frame[name].array.take(order) for name in group})
    return pd.DataFrame(gathered, copy=False)


def _strictly_increasing(segments: pd.DataFrame) -> bool:
    """Whether the IDs increase strictly (sorted and unique), in one cheap vectorised pass."""
    ids = segments[ID].to_numpy()
    return ids.dtype.kind in "iuf" and bool(np.all(ids[1:] > ids[:-1]))


def _aligned(segments: pd.DataFrame, frame: pd.DataFrame) -> bool:
    """Whether ``frame`` holds exactly the IDs of ``segments``, in the same order."""
    if ID not in segments.columns or ID not in frame.columns or len(frame) != len(segments):
        return False
    return bool(np.array_equal(frame[ID].to_numpy(), segments[ID].to_numpy()))


def join_segments(
    segments: pd.DataFrame,
    features: pd.DataFrame,
    primary: pd.DataFrame,
    feature_columns: Sequence[str],
    primary_columns: Sequence[str],
) -> pd.DataFrame:
    """One row per segmented customer: ``segment`` + the feature and raw columns asked for."""
    frames, columns = [features, primary], [feature_columns, primary_columns]
    if _gatherable(segments, frames, columns):
        return _gather_by_segment(segments, frames, columns)
    with_features = attach_segments(segments, features, feature_columns, "customer_features")
    with_raw = attach_segments(segments, primary, primary_columns, "primary_customers")
    return with_features.merge(with_raw.drop(columns=SEGMENT), on=ID, validate="1:1")


def model_matrix(
    model_input: pd.DataFrame, segments: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray]:
    """The model_input matrix (without ID) and the segment of each of its rows."""
    columns = [c for c in model_input.columns if c != ID]
    if (
        _aligned(segments, model_input)
        and SEGMENT in segments.columns
        and _strictly_increasing(segments)
    ):
        # The usual case: the rows attach_segments would give (by segment, then ID), gathered
        # straight into the (column-major) matrix without building a joined frame first.
        order = np.argsort(segments[SEGMENT].to_numpy(), kind="stable")
        matrix = np.empty((len(order), len(columns)), dtype="float64", order="F")
        for position, column in enumerate(columns):
            np.take(model_input[column].to_numpy(dtype="float64"), order, out=matrix[:, position])
        return matrix, segments[SEGMENT].to_numpy()[order]
    joined = attach_segments(segments, model_input, columns, "model_input")
    return joined[columns].to_numpy(dtype="float64"), joined[SEGMENT].to_numpy()


def effect_sizes(frame: pd.DataFrame, attributes: Sequence[str]) -> pd.DataFrame:
    """Long table: per segment and attribute, mean, median, rest mean and Cohen's d vs the rest.

    The rest's mean and variance come from the totals minus the segment (Chan's parallel
    variance formula), so the cost is one group-by.
    """
    values = frame[list(attributes)].astype("float64")
    groups = values.groupby(frame[SEGMENT])
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


def segment_profiles(frame: pd.DataFrame, effects: pd.DataFrame, settings: Mapping) -> pd.DataFrame:
    """Wide table, one row per segment, plus a final ``overall`` row (segment 0) for comparison.

    ``settings`` is the ``profile`` parameters block: attributes, products, channels, deals,
    campaigns, response.
    """
    products: Mapping[str, str] = settings["products"]
    channels: Mapping[str, str] = settings["channels"]
    campaigns: list[str] = list(settings["campaigns"])
    segment = frame[SEGMENT]

    revenue = frame[list(products.values())].sum(axis=1).astype("float64")
    channel_counts = frame[list(channels.values())].astype("float64")
    channel_counts.columns = list(channels)
    product_spend = frame[list(products.values())].astype("float64")
    product_spend.columns = list(products)
    accepted = frame[campaigns].astype("float64")
    per_customer = pd.DataFrame(
        {
            "revenue": revenue,
            "purchases": channel_counts.sum(axis=1),
            "deal_purchases": frame[settings["deals"]].astype("float64"),
            "accepted_any": (accepted.sum(axis=1) > 0).astype("float64"),
            "response": frame[settings["response"]].astype("float64"),
        }
    )
    per_customer = pd.concat(
        [
            per_customer,
            channel_counts.add_prefix("ch_"),
            product_spend.add_prefix("pr_"),
            accepted.add_prefix("cmp_"),
        ],
        axis=1,
    )
    # Aggregate per segment, then the whole population as segment 0.
    sums = per_customer.groupby(segment).sum()
    sums.loc[0] = per_customer.sum()
    counts = segment.value_counts().sort_index()
    counts.loc[0] = len(frame)
    means = per_customer.groupby(segment).mean()
    means.loc[0] = per_customer.mean()

    table = pd.DataFrame(index=sums.index)
    table["customers"] = counts.astype("int64")
    table["customer_share"] = counts / len(frame)
    table["revenue"] = sums["revenue"]
    table["revenue_share"] = sums["revenue"] / sums.loc[0, "revenue"]
    table["revenue_per_customer"] = sums["revenue"] / counts
    channel_mix = _shares(sums[[f"ch_{c}" for c in channels]].set_axis(list(channels), axis=1), "")
    table = table.join(channel_mix.add_prefix("channel_share_"))
    table["preferred_channel"] = channel_mix.idxmax(axis=1)
    product_mix = _shares(sums[[f"pr_{p}" for p in products]].set_axis(list(products), axis=1), "")
    table = table.join(product_mix.add_prefix("category_share_"))
    table["top_category"] = product_mix.idxmax(axis=1)
    table["deal_share"] = sums["deal_purchases"] / sums["purchases"].where(sums["purchases"] > 0)
    table["deal_share_index"] = table["deal_share"] / table.loc[0, "deal_share"]
    table["campaign_acceptance_rate"] = means["accepted_any"]
    for column in campaigns:
        table[f"acceptance_rate_{column}"] = means[f"cmp_{column}"]
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
    return feature_columns, primary_columns


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
