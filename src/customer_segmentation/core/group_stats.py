"""Exact per-segment medians and quantiles without a group-by sort of every row.

The rows arrive sorted by segment, so each segment is a contiguous slice. An order statistic of a
slice is found by selection (``np.partition``, linear) or, for integer-valued columns with a
small range, read from a table of counts per value (one ``np.bincount`` pass per segment). Both
give exactly pandas' group-by results: NaN skipped; a median of an even count is the mean of the
two middle values; quantiles interpolate linearly as ``GroupBy.quantile`` does.
"""

from collections.abc import Sequence

import numpy as np


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


class _RankedValues:
    """The k-th smallest non-NaN values of slices of one column, by counting or by selection."""

    def __init__(self, column: np.ndarray, integer_valued: bool) -> None:
        self.column = np.asarray(column, dtype=np.float64)
        self.offsets: np.ndarray | None = None
        low, high = (self.column.min(), self.column.max()) if len(self.column) else (0.0, 0.0)
        self.has_nan = bool(np.isnan(low))  # min and max are NaN if any value is
        if not len(self.column):
            return
        # A count table (one bin per integer value) no bigger than the column: ~5x faster.
        if not high - low < len(self.column):
            return
        if not integer_valued and not _integer_valued(self.column, low):
            return
        self.low, self.size = low, int(high - low) + 1
        self.offsets = self.column.astype(np.intp)
        self.offsets -= int(low)

    def count_and_values(self, start: int, end: int, ranks_of) -> tuple[int, np.ndarray]:
        """Non-NaN count of rows ``start:end`` and their values at ``ranks_of(count)``."""
        if self.offsets is not None:
            cumulative = np.cumsum(np.bincount(self.offsets[start:end], minlength=self.size))
            count = int(cumulative[-1])
            ranks = ranks_of(count)
            return count, self.low + np.searchsorted(cumulative, ranks, side="right")
        part = self.column[start:end]
        part = part[~np.isnan(part)] if self.has_nan else part.copy()  # partition reorders it
        ranks = ranks_of(len(part))
        if not len(ranks):
            return len(part), np.empty(0)
        part.partition(ranks)
        return len(part), part[ranks]


def _integer_valued(column: np.ndarray, low: float) -> bool:
    """Whether every value is a whole number (no NaN) and none is -0.0 (counting gives 0.0)."""
    head = column[:1000]  # shares, rates...: most columns that fail, fail here, cheaply
    if not np.array_equal(head, np.rint(head)) or not np.array_equal(column, np.rint(column)):
        return False
    if low == 0:  # no negative values: any sign bit is a -0.0
        return not np.signbit(column).any()
    return low > 0 or not (np.signbit(column) & (column == 0)).any()


def _median_ranks(count: int) -> np.ndarray:
    return np.array(sorted({(count - 1) // 2, count // 2}) if count else [], dtype=np.intp)


def medians(
    column: np.ndarray, starts: Sequence[int], ends: Sequence[int], integer_valued: bool = False
) -> np.ndarray:
    """Median of the non-NaN values of each slice ``starts[i]:ends[i]`` (NaN if none).

    ``integer_valued``: the caller knows the column holds whole numbers only (it came from an
    integer dtype), which saves checking it.
    """
    ranked = _RankedValues(column, integer_valued)
    found = np.full(len(starts), np.nan)
    for i, (start, end) in enumerate(zip(starts, ends, strict=True)):
        count, values = ranked.count_and_values(start, end, _median_ranks)
        if count % 2:
            found[i] = values[0]
        elif count:
            found[i] = (values[0] + values[1]) / 2
    return found


def quantiles(
    column: np.ndarray,
    starts: Sequence[int],
    ends: Sequence[int],
    qs: Sequence[float],
    integer_valued: bool = False,
) -> np.ndarray:
    """Quantiles ``qs`` of each slice, shape (slices, qs); linear as ``GroupBy.quantile``."""
    qs = np.asarray(qs, dtype=np.float64)
    ranked = _RankedValues(column, integer_valued)
    found = np.full((len(starts), len(qs)), np.nan)

    def ranks_of(count: int) -> np.ndarray:
        lower = (qs * (count - 1)).astype(np.intp)  # truncation, as pandas does
        return np.unique(np.r_[lower, np.minimum(lower + 1, count - 1)]) if count else lower[:0]

    for i, (start, end) in enumerate(zip(starts, ends, strict=True)):
        count, values = ranked.count_and_values(start, end, ranks_of)
        if not count:
            continue
        ranks = ranks_of(count)
        position = qs * (count - 1)
        lower = position.astype(np.intp)
        fraction = position % 1
        value = values[np.searchsorted(ranks, lower)]
        upper = values[np.searchsorted(ranks, np.minimum(lower + 1, count - 1))]
        found[i] = np.where(fraction == 0, value, value + (upper - value) * fraction)
    return found
