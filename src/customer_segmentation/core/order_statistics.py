"""Exact medians and quantiles without sorting: the values at given ranks of (a slice of) a column.

Whole numbers of small range are counted (one ``np.bincount``, then the value at rank p is the
first whose cumulative count exceeds p); anything else is selected (``np.partition``, linear).
Callers get numpy's or pandas' numbers bit for bit; the two differ only in how they interpolate
between neighbouring values, so both formulas live here, named after their library.
"""

from collections.abc import Callable, Sequence

import numpy as np

# The sorted non-NaN values of a slice, read at the given 0-based ranks.
ValuesAt = Callable[[np.ndarray], np.ndarray]


def whole_number_offsets(
    values: np.ndarray, whole: bool = False
) -> tuple[int, int, np.ndarray] | None:
    """(lowest, highest, values - lowest as integers) when every value is a whole number (no NaN,
    no -0.0, below 2**53 in size) and they span fewer integers than there are values; else None.

    ``whole``: the caller knows the values are whole numbers (an integer dtype), skip the check.
    """
    if not values.size or values.dtype.kind not in "iuf":
        return None
    low, high = values.min(), values.max()  # both NaN if any value is
    # The range test first, so a wide, fractional or gappy column costs two passes, no conversion.
    if not (-(2**53) < low <= high < 2**53 and high - low < values.size):
        return None
    if values.dtype.kind == "f" and not whole:
        head = values[:1000]  # shares, rates...: most columns that fail, fail here, cheaply
        if not np.array_equal(head, np.rint(head)) or not np.array_equal(values, np.rint(values)):
            return None
        if low <= 0 and np.signbit(values[values == 0]).any():
            return None  # counting would give 0.0 for a -0.0
    offsets = values.astype(np.intp)
    offsets -= int(low)
    return int(low), int(high), offsets


def counted_values(cumulative: np.ndarray, ranks: np.ndarray, low: float = 0) -> np.ndarray:
    """The values at sorted `ranks` of low, low+1, .. counted `cumulative` (cumsum of counts)."""
    # The value at rank p is the first one whose cumulative count exceeds p.
    return (low + np.searchsorted(cumulative, ranks, side="right")).astype(np.float64)


def selected_values(values: np.ndarray, ranks: Sequence[int]) -> np.ndarray:
    """The values at the 0-based `ranks` of sorted `values` (rearranged in place).

    One single-rank partition per rank, from the highest, each on the part left of the last:
    several times faster than one ``np.partition`` at many ranks.
    """
    found = {}
    end = len(values)
    for rank in sorted(set(ranks), reverse=True):
        if rank == end - 1:  # the largest: one pass, swapped to the end instead of a selection
            largest = int(values[:end].argmax())
            values[largest], values[rank] = values[rank], values[largest]
        else:
            values[:end].partition(rank)
        found[rank] = values[rank]
        end = rank
    return np.array([found[rank] for rank in ranks], dtype=np.float64)


class RankedValues:
    """The non-NaN values of slices of one column, read at any ranks by counting or selection."""

    def __init__(self, column: np.ndarray, whole: bool = False) -> None:
        self.column = np.asarray(column, dtype=np.float64)
        # A count table (one bin per integer value) no bigger than the column: ~5x faster.
        self.counted = whole_number_offsets(self.column, whole)
        self.has_nan = self.counted is None and bool(np.isnan(self.column).any())

    def slice(self, start: int, end: int) -> tuple[int, ValuesAt]:
        """The non-NaN count of rows ``start:end`` and a reader of their sorted values."""
        if self.counted is not None:
            low, high, offsets = self.counted
            cumulative = np.cumsum(np.bincount(offsets[start:end], minlength=high - low + 1))
            return int(cumulative[-1]), lambda ranks: counted_values(cumulative, ranks, low)
        part = self.column[start:end]
        part = part[~np.isnan(part)] if self.has_nan else part.copy()  # selection reorders it
        return len(part), lambda ranks: selected_values(part, ranks)


def numpy_lerp(below: np.ndarray, above: np.ndarray, fraction: np.ndarray) -> np.ndarray:
    """numpy's ``_lerp`` (np.quantile, np.percentile): from the nearer end, so q = 1 is the max."""
    difference = above - below
    return np.where(
        fraction >= 0.5, above - difference * (1 - fraction), below + difference * fraction
    )


def pandas_lerp(below: np.ndarray, above: np.ndarray, fraction: np.ndarray) -> np.ndarray:
    """pandas' ``GroupBy.quantile`` interpolation: v + (u - v) * f, and exactly v when f is 0."""
    return np.where(fraction == 0, below, below + (above - below) * fraction)


def linear_quantiles(count: int, values_at: ValuesAt, qs: Sequence[float], lerp) -> np.ndarray:
    """Quantiles `qs` (linear method) of `count` values read by `values_at`; NaN if count is 0.

    Both libraries place quantile q at virtual rank (count - 1) * q, between its floor and the
    next rank; `lerp` (numpy_lerp or pandas_lerp) interpolates as the library does.
    """
    if not count:
        return np.full(len(qs), np.nan)
    virtual = (count - 1) * np.asarray(qs, dtype=np.float64)
    below = np.minimum(np.floor(virtual), count - 1).astype(np.intp)
    above = np.minimum(below + 1, count - 1)
    found = values_at(np.r_[below, above])
    return lerp(found[: len(below)], found[len(below) :], virtual - np.floor(virtual))


def pandas_median(count: int, values_at: ValuesAt) -> float:
    """``GroupBy.median``: the middle value, or (a + b) / 2 of the two middle ones; NaN if none."""
    if not count:
        return np.nan
    lower, upper = values_at(np.array([(count - 1) // 2, count // 2]))
    return upper if count % 2 else (lower + upper) / 2


# ----------------------------------------------------------- pandas group-by statistics of slices
def segment_order(segments: np.ndarray) -> np.ndarray:
    """Row positions that sort ``segments`` stably (ties keep their order)."""
    small = len(segments) and segments.dtype.kind in "iu"
    if small and segments.min() >= -(2**15) and segments.max() < 2**15:
        # numpy sorts 16-bit integers stably by radix sort: ~4x faster, the same order
        segments = segments.astype(np.int16)
    return np.argsort(segments, kind="stable")


def segment_slices(
    segments: np.ndarray,
) -> tuple[np.ndarray | None, np.ndarray, np.ndarray, np.ndarray]:
    """Each segment as a contiguous slice of the rows sorted (stably) by segment.

    Returns the order that sorts the rows (None if they are sorted already), the sorted
    segments, and the start and end of each segment's rows in that order.
    """
    order = None
    if len(segments) > 1 and not np.all(segments[1:] >= segments[:-1]):
        order = segment_order(segments)
        segments = segments[order]
    starts = np.flatnonzero(np.r_[True, segments[1:] != segments[:-1]]) if len(segments) else []
    ends = np.r_[starts[1:], len(segments)] if len(segments) else []
    return order, segments, np.asarray(starts, dtype=np.intp), np.asarray(ends, dtype=np.intp)


def medians(
    column: np.ndarray, starts: Sequence[int], ends: Sequence[int], whole: bool = False
) -> np.ndarray:
    """``GroupBy.median`` of each slice ``starts[i]:ends[i]`` of `column` (NaN skipped).

    ``whole``: the caller knows the column holds whole numbers (an integer dtype).
    """
    ranked = RankedValues(column, whole)
    return np.array([pandas_median(*ranked.slice(s, e)) for s, e in zip(starts, ends, strict=True)])


def quantiles(
    column: np.ndarray,
    starts: Sequence[int],
    ends: Sequence[int],
    qs: Sequence[float],
    whole: bool = False,
) -> np.ndarray:
    """``GroupBy.quantile(qs)`` of each slice of `column`, shape (slices, qs)."""
    ranked = RankedValues(column, whole)
    found = [
        linear_quantiles(*ranked.slice(s, e), qs, pandas_lerp)
        for s, e in zip(starts, ends, strict=True)
    ]
    return np.array(found).reshape(len(found), len(qs))


def group_medians(
    codes: np.ndarray, n_groups: int, counted: tuple[int, int, np.ndarray]
) -> np.ndarray | None:
    """``GroupBy.median`` of whole numbers per group code 0..n_groups-1 (code -1: no group, NaN
    for an empty group); None when the table of counts per group and value would be larger than
    the data. `counted` is `whole_number_offsets(values)`.

    One table of counts per (group, value) cell, O(rows + groups x range), instead of a sort:
    each group's values are a contiguous block of cells, as a segment is a slice of rows.
    """
    low, high, offsets = counted
    width = high - low + 1
    if n_groups * width > offsets.size:
        return None
    cells = codes.astype(np.intp) * width + offsets
    cumulative = np.cumsum(np.bincount(cells[codes >= 0], minlength=n_groups * width))
    group_ends = cumulative[width - 1 :: width]
    group_starts = np.r_[0, group_ends[:-1]]

    def values_at(group: int) -> ValuesAt:
        # ranks within the group -> ranks in the whole table -> the value of the cell found
        return lambda ranks: counted_values(cumulative, group_starts[group] + ranks) % width + low

    return np.array(
        [pandas_median(int(group_ends[g] - group_starts[g]), values_at(g)) for g in range(n_groups)]
    )


# --------------------------------------------------------------------- numpy's nan-statistics
def nanmedian(column: np.ndarray) -> float:
    """``np.nanmedian`` of a 1-d float array, the same number, by selection."""
    values = column[~np.isnan(column)]  # a copy: the selection rearranges it
    if not len(values):
        return np.nan
    middle = selected_values(values, sorted({(len(values) - 1) // 2, len(values) // 2}))
    return np.mean(middle)  # np.median's formula: the mean of the middle value(s), from 0.0


def nanpercentiles(column: np.ndarray, percents: Sequence[float]) -> np.ndarray:
    """``np.nanpercentile(column, percents)`` (its default 'linear' method), the same numbers."""
    values = column[~np.isnan(column)]  # a copy: the selections rearrange it
    qs = np.true_divide(np.asarray(percents, dtype=np.float64), 100)  # as numpy scales them
    return linear_quantiles(
        len(values), lambda ranks: selected_values(values, ranks), qs, numpy_lerp
    )
