"""Segment profiles: sizes, revenue, attribute means/medians, effect sizes, mixes and rates.

Everything is a group-by over the customers (linear in their number). The effect size of an
attribute for a segment is Cohen's d against the rest of the customers: the difference of the
means divided by the pooled standard deviation of the segment and the rest.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from customer_segmentation.core import order_statistics
from customer_segmentation.core.ids import strictly_increasing
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
    if not strictly_increasing(segments[ID].to_numpy()) and segments[ID].duplicated().any():
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
        order = order_statistics.segment_order(joined[SEGMENT].to_numpy())
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
    return all(
        _aligned_in_id_order(segments, frame) and all(name in frame.columns for name in group)
        for frame, group in zip(frames, columns, strict=True)
    )


def _gather_by_segment(
    segments: pd.DataFrame, frames: Sequence[pd.DataFrame], columns: Sequence[Sequence[str]]
) -> pd.DataFrame:
    """``ID``, ``segment`` and the columns of the aligned frames, rows sorted by segment, ID."""
    order = order_statistics.segment_order(segments[SEGMENT].to_numpy())  # IDs already increase
    gathered = {ID: segments[ID].array.take(order), SEGMENT: segments[SEGMENT].array.take(order)}
    for frame, group in zip(frames, columns, strict=True):
        gathered.update({name: frame[name].array.take(order) for name in group})
    return pd.DataFrame(gathered, copy=False)


def _aligned_in_id_order(segments: pd.DataFrame, frame: pd.DataFrame) -> bool:
    """Whether ``segments`` has a segment per ID, in ID order, and ``frame`` the same IDs."""
    return (
        SEGMENT in segments.columns
        and _aligned(segments, frame)
        and strictly_increasing(segments[ID].to_numpy())
    )


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


def profile_frame(
    segments: pd.DataFrame,
    features: pd.DataFrame,
    primary: pd.DataFrame,
    feature_columns: Sequence[str],
    primary_columns: Sequence[str],
) -> pd.DataFrame:
    """``segment`` + the feature and raw columns, one row per segmented customer, for profiles.

    The usual case (every input holds the same IDs in the same increasing order): the columns
    side by side, in ID order, without copying them. Otherwise ``join_segments``. Profiles
    don't depend on the row order (``effect_sizes``, ``segment_profiles``).
    """
    frames, columns = [features, primary], [feature_columns, primary_columns]
    if not _gatherable(segments, frames, columns):
        return join_segments(segments, features, primary, feature_columns, primary_columns)
    joined = {ID: segments[ID].array, SEGMENT: segments[SEGMENT].array}
    for frame, group in zip(frames, columns, strict=True):
        joined.update({name: frame[name].array for name in group})
    return pd.DataFrame(joined, copy=False)


def model_matrix(
    model_input: pd.DataFrame, segments: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray]:
    """The model_input matrix (without ID) and the segment of each of its rows."""
    columns = [c for c in model_input.columns if c != ID]
    if _aligned_in_id_order(segments, model_input):
        # The usual case: the rows attach_segments would give (by segment, then ID), gathered
        # straight into the (column-major) matrix without building a joined frame first.
        order = order_statistics.segment_order(segments[SEGMENT].to_numpy())
        matrix = np.empty((len(order), len(columns)), dtype="float64", order="F")
        for position, column in enumerate(columns):
            np.take(model_input[column].to_numpy(dtype="float64"), order, out=matrix[:, position])
        return matrix, segments[SEGMENT].to_numpy()[order]
    joined = attach_segments(segments, model_input, columns, "model_input")
    return joined[columns].to_numpy(dtype="float64"), joined[SEGMENT].to_numpy()


def model_rows(
    model_input: pd.DataFrame, segments: pd.DataFrame
) -> tuple[Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]], np.ndarray]:
    """A reader of ``model_matrix`` rows at given positions (their matrix and segments), and
    the segments of all rows (in some order: for their number and distinct values).

    For a few sampled rows: in the usual aligned case only those rows are gathered, not the
    whole matrix.
    """
    if not _aligned_in_id_order(segments, model_input):
        matrix, labels = model_matrix(model_input, segments)
        return lambda positions: (matrix[positions], labels[positions]), labels
    labels = segments[SEGMENT].to_numpy()
    order = order_statistics.segment_order(labels)  # model_matrix's rows: by segment, then ID
    columns = [model_input[name] for name in model_input.columns if name != ID]
    values = [
        column.to_numpy() if isinstance(column.dtype, np.dtype) else column.to_numpy("float64")
        for column in columns
    ]

    def read(positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        rows = order[positions]
        matrix = np.empty((len(rows), len(values)), dtype="float64")  # C order, as matrix[rows]
        for position, column in enumerate(values):
            matrix[:, position] = column[rows]  # cast to float64 while copying
        return matrix, labels[rows]

    return read, labels


# Rows per vectorised step where a whole-column temporary would be needed (a gather, the
# float64 weights of np.bincount): small temporaries, reused, instead of fresh full-length ones.
_CHUNK_ROWS = 2**20


def _fill_float(
    matrix: np.ndarray, frame: pd.DataFrame, columns: Sequence[str], order: np.ndarray | None
) -> None:
    """Copy ``frame[columns]`` (rows taken in ``order`` if given) into the columns of
    ``matrix``, cast to float64 (NA -> NaN)."""
    for position, name in enumerate(columns):
        column = frame[name]
        if isinstance(column.dtype, np.dtype):
            values = column.to_numpy()
        else:  # extension dtypes (nullable integers...): missing values become NaN
            values = column.to_numpy(dtype="float64", na_value=np.nan)
        target = matrix[:, position]
        for start in range(0, len(values), _CHUNK_ROWS):
            rows = slice(start, start + _CHUNK_ROWS)
            target[rows] = values[rows] if order is None else values[order[rows]]  # cast


def _exact_in_any_order(frame: pd.DataFrame, columns: Sequence[str]) -> bool:
    """Whether every sum of these columns' values (per row, per segment, in total) is exact.

    True for integer columns small enough that no sum passes 2**53: float64 then adds them
    without rounding, in any order, so the rows need no sorting.
    """
    bound = 0
    for name in columns:
        dtype = frame[name].dtype
        if not (isinstance(dtype, np.dtype) and dtype.kind in "iub"):
            return False
        values = frame[name].to_numpy()
        if len(values):
            bound += max(abs(int(values.min())), abs(int(values.max())))
    return bound * len(frame) < 2**53


def _non_nan_counts(column: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Non-NaN values in each slice ``starts[i]:starts[i + 1]`` (the last runs to the end)."""
    return np.add.reduceat(~np.isnan(column), starts, dtype=np.int64)


def _row_sum(block: np.ndarray) -> np.ndarray:
    """Per-row sum, NaN as 0, adding the columns left to right as ``DataFrame.sum(axis=1)``."""
    total = block.sum(axis=1)
    if np.isnan(total).any():  # a NaN anywhere makes its row's sum NaN: only then look closer
        total = np.where(np.isnan(block), 0.0, block).sum(axis=1)
    return total


def _sum_count(column: np.ndarray) -> tuple[float, int]:
    """Sum (NaN as 0) and non-NaN count of a column, bit for bit as ``DataFrame.sum`` adds."""
    total = column.sum(dtype=np.float64)
    if not np.isnan(total):  # then the column holds no NaN (a NaN makes the sum NaN)
        return float(total), len(column)
    missing = np.isnan(column)
    total = np.where(missing, 0.0, column).sum(dtype=np.float64)
    return float(total), len(column) - int(missing.sum())


def _count_mean_var(column: np.ndarray, scratch: np.ndarray) -> tuple[int, float, float]:
    """Non-NaN count, mean and variance (ddof 0) of a float column, bit for bit as pandas'
    ``DataFrame.mean`` / ``var`` compute them (NaN as 0 in the sums); ``scratch`` is a float64
    array of the column's length, overwritten (the squared deviations)."""
    total, n = _sum_count(column)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.float64(total) / n
        squares = np.subtract(mean, column, out=scratch)
        np.square(squares, out=squares)
        if n < len(column):
            squares[np.isnan(column)] = 0.0
        return n, float(mean), float(squares.sum(dtype=np.float64) / n)


def effect_sizes(frame: pd.DataFrame, attributes: Sequence[str]) -> pd.DataFrame:
    """Long table: per segment and attribute, mean, median, rest mean and Cohen's d vs the rest.

    The rest's mean and variance come from the totals minus the segment (Chan's parallel
    variance formula), so the cost is one group-by. Medians come from contiguous segment slices
    (order_statistics): the same values as a group-by median, without sorting every row.
    Rows may come in any order: the figures are those of the rows sorted by segment (stably).
    """
    # Sorted by segment first: pandas' group-by sums, like the totals, depend on the row order.
    order, segment, starts, ends = order_statistics.segment_slices(frame[SEGMENT].to_numpy())
    sizes = ends - starts
    # one more slice, all rows, for the overall median
    starts, ends = np.r_[starts, 0], np.r_[ends, len(segment)]
    attributes = list(attributes)
    # All attributes in one float64 block (rows sorted by segment) grouped at once: pandas'
    # group-by mean of a column can move by an ulp with NaN in *other* columns of its block.
    block = np.empty((len(frame), len(attributes)), dtype="float64", order="F")
    _fill_float(block, frame, attributes, order)
    groups = pd.DataFrame(block, columns=attributes, copy=False).groupby(segment)
    mean = groups.mean()
    variance = groups.var(ddof=0)
    scratch = np.empty(len(frame), dtype="float64")
    count, median, totals = {}, {}, {}
    for position, name in enumerate(attributes):
        column = block[:, position]
        n, column_mean, column_var = _count_mean_var(column, scratch)
        # the non-NaN count per segment (what GroupBy.count gives), cheaply when nothing is NaN
        count[name] = sizes if n == len(column) else _non_nan_counts(column, starts[:-1])
        dtype = frame[name].dtype
        integer = isinstance(dtype, np.dtype) and dtype.kind in "iub"  # whole numbers, no NaN
        found = order_statistics.medians(column, starts, ends, whole=integer)
        median[name] = found[:-1]
        # + 0.0: pandas' overall median (np.median) adds from 0.0, so a -0.0 comes back as 0.0
        totals[name] = [n, column_mean, column_var, found[-1] + 0.0]
    count = pd.DataFrame(count, index=mean.index, dtype="int64")
    median = pd.DataFrame(median, index=mean.index)
    totals = pd.DataFrame(totals, index=["n", "mean", "var", "median"])
    sq_dev = variance * count  # sum of squared deviations within each segment

    total_n = totals.loc["n"].astype("int64")
    total_mean = totals.loc["mean"].astype("float64")
    total_sq_dev = totals.loc["var"].astype("float64") * total_n
    overall_median = totals.loc["median"].astype("float64")
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
        "overall_median": pd.DataFrame([overall_median] * len(mean), index=mean.index),
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


def _figure_sources(settings: Mapping) -> tuple[list[str], Mapping, Mapping, list[str]]:
    """The primary columns behind the customer figures (from ``deal_purchases`` on, in
    ``_figure_names`` order), then the channels, products and campaigns of ``settings``."""
    products: Mapping[str, str] = settings["products"]
    channels: Mapping[str, str] = settings["channels"]
    campaigns: list[str] = list(settings["campaigns"])
    sources = [settings["deals"], settings["response"], *channels.values(), *products.values()]
    return [*sources, *campaigns], channels, products, campaigns


def _figure_names(
    channels: Iterable[str], products: Iterable[str], campaigns: Iterable[str]
) -> list[str]:
    """The figures of each customer that segment_profiles sums or averages per segment."""
    names = ["revenue", "purchases", "accepted_any", "deal_purchases", "response"]
    names += [f"ch_{c}" for c in channels] + [f"pr_{p}" for p in products]
    return names + [f"cmp_{c}" for c in campaigns]


def _grouped_sums(
    frame: pd.DataFrame, segment: np.ndarray, settings: Mapping
) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    """Per segment (then segment 0, everyone) sums, means and sizes of the customer figures,
    by a group-by of one float64 matrix: for any number (fractions, NaN), as pandas adds."""
    sources, channels, products, campaigns = _figure_sources(settings)
    # Sorted by segment first: float sums (group-by and totals) depend on the row order.
    order, segment, _, _ = order_statistics.segment_slices(segment)
    names = _figure_names(channels, products, campaigns)
    matrix = np.empty((len(frame), len(names)), dtype="float64", order="F")
    _fill_float(matrix[:, 3:], frame, sources, order)
    ch = slice(5, 5 + len(channels))
    pr = slice(ch.stop, ch.stop + len(products))
    cmp = slice(pr.stop, pr.stop + len(campaigns))
    matrix[:, 0] = _row_sum(matrix[:, pr])
    matrix[:, 1] = _row_sum(matrix[:, ch])
    matrix[:, 2] = _row_sum(matrix[:, cmp]) > 0
    groups = pd.DataFrame(matrix, columns=names, copy=False).groupby(segment)
    sums = groups.sum()
    means = groups.mean()
    totals = [_sum_count(column) for column in matrix.T]
    sums.loc[0] = [total for total, _ in totals]
    means.loc[0] = [total / count if count else np.nan for total, count in totals]
    counts = groups.size()
    counts.loc[0] = len(frame)
    return sums, means, counts


def _small_codes(segment: np.ndarray) -> bool:
    """Whether the segments are small non-negative integers, usable as np.bincount bins."""
    return segment.dtype.kind in "iu" and (
        not len(segment) or (segment.min() >= 0 and segment.max() < 2**15)
    )


def _bincount_sums(segment: np.ndarray, column: np.ndarray, bins: int) -> np.ndarray:
    """Sum of an integer ``column`` per segment code, exactly (whole-number partial sums)."""
    sums = np.zeros(bins)
    for start in range(0, len(column), _CHUNK_ROWS):
        rows = slice(start, start + _CHUNK_ROWS)
        sums += np.bincount(segment[rows], weights=column[rows], minlength=bins)
    return sums


def _counted_sums(
    frame: pd.DataFrame, segment: np.ndarray, settings: Mapping
) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    """``_grouped_sums`` for integer sources whose sums stay exact (``_exact_in_any_order``).

    The same numbers without a matrix nor a sort: every sum is exact in any order, so per
    segment it is a np.bincount of the column as it is, and a mean is that sum / size (as a
    group-by mean divides its exact sum). Revenue and purchases add the columns' sums.
    """
    sources, channels, products, campaigns = _figure_sources(settings)
    bins = int(segment.max()) + 1 if len(segment) else 1
    sizes = np.bincount(segment, minlength=bins)
    present = np.flatnonzero(sizes)
    by_source = [_bincount_sums(segment, frame[name].to_numpy(), bins) for name in sources]
    figures = dict(zip(_figure_names(channels, products, campaigns)[3:], by_source, strict=True))
    accepted = np.zeros(len(frame), dtype=np.int64)  # campaigns accepted per customer
    for name in campaigns:
        accepted += frame[name].to_numpy().astype(np.int64, copy=False)
    figures = {
        "revenue": sum(figures[f"pr_{product}"] for product in products),
        "purchases": sum(figures[f"ch_{channel}"] for channel in channels),
        "accepted_any": np.bincount(segment[accepted > 0], minlength=bins).astype("float64"),
        **figures,
    }
    index = pd.Index(np.r_[present, 0], dtype="int64")
    sums = pd.DataFrame(
        {name: np.r_[value[present], value.sum()] for name, value in figures.items()}, index=index
    )
    counts = pd.Series(np.r_[sizes[present], len(frame)], index=index, dtype="int64")
    with np.errstate(invalid="ignore", divide="ignore"):
        means = sums.div(counts, axis=0)
    return sums, means, counts


def segment_profiles(frame: pd.DataFrame, effects: pd.DataFrame, settings: Mapping) -> pd.DataFrame:
    """Wide table, one row per segment, plus a final ``overall`` row (segment 0) for comparison.

    ``settings`` is the ``profile`` parameters block: attributes, products, channels, deals,
    campaigns, response.
    """
    sources, channels, products, campaigns = _figure_sources(settings)
    segment = frame[SEGMENT].to_numpy()
    if _exact_in_any_order(frame, sources) and _small_codes(segment):
        sums, means, counts = _counted_sums(frame, segment, settings)
    else:
        sums, means, counts = _grouped_sums(frame, segment, settings)

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
