"""Order statistics by counting or selection equal numpy's and pandas' numbers bit for bit."""

import numpy as np
import pandas as pd
import pytest

from customer_segmentation.core import order_statistics as os_

QS = [0.05, 0.25, 0.5, 0.75, 0.95]


def every_path_columns(n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Columns that take each path: counting (small-range whole numbers) and selection."""
    whole = rng.integers(0, 40, n).astype("float64")
    signed = rng.integers(-5, 6, n).astype("float64")
    signed[signed == 0] = -0.0  # must come back as -0.0 where the library keeps it
    with_nan = rng.normal(size=n)
    with_nan[rng.random(n) < 0.1] = np.nan
    whole_nan = whole.copy()
    whole_nan[::7] = np.nan
    return {
        "whole": whole,
        "signed": signed,
        "real": rng.normal(50, 10, n),
        "with_nan": with_nan,
        "whole_nan": whole_nan,
        "wide": rng.integers(0, 10 * n, n).astype("float64"),  # range too wide to count
        "rounded_lognormal": np.round(rng.lognormal(size=n) * 100),  # ties, long tail
    }


def same(left, right) -> bool:
    """Equal values, NaN in the same places and the same sign of every zero."""
    left, right = np.asarray(left, dtype=float), np.asarray(right, dtype=float)
    return np.array_equal(left, right, equal_nan=True) and np.array_equal(
        np.signbit(left), np.signbit(right)
    )


def segmented_data(seed: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Segments (unsorted, odd and even sizes) and a column of each kind."""
    rng = np.random.default_rng(seed)
    n = 2001 + seed
    segments = rng.choice([3, 1, 7, 2], size=n, p=[0.4, 0.3, 0.2, 0.1])
    return segments, every_path_columns(n, rng)


@pytest.fixture(params=[0, 1, 2])
def data(request):
    return segmented_data(request.param)


def test_segment_order_is_the_stable_argsort():
    rng = np.random.default_rng(0)
    for segments in (rng.integers(1, 9, 5000), rng.integers(-(2**40), 2**40, 5000)):
        expected = np.argsort(segments, kind="stable")
        assert np.array_equal(os_.segment_order(segments), expected)
    order, ordered, starts, ends = os_.segment_slices(np.array([2, 1, 2, 1, 3]))
    assert order.tolist() == [1, 3, 0, 2, 4] and ordered.tolist() == [1, 1, 2, 2, 3]
    assert starts.tolist() == [0, 2, 4] and ends.tolist() == [2, 4, 5]
    assert os_.segment_slices(np.array([1, 1, 2]))[0] is None  # sorted: no copy


def test_slice_medians_and_quantiles_equal_pandas_group_by(data):
    segments, columns = data
    order, _, starts, ends = os_.segment_slices(segments)
    for name, column in columns.items():
        expected = pd.Series(column).groupby(segments)
        ordered = column[order]
        assert same(os_.medians(ordered, starts, ends), expected.median()), name
        quantiles = os_.quantiles(ordered, starts, ends, QS)
        assert same(quantiles, expected.quantile(QS).unstack()), name
        overall = os_.medians(ordered, [0], [len(column)])
        assert same(overall, pd.Series(column).groupby(np.zeros(len(column))).median()), name


def test_counting_path_is_taken_and_handles_empty_and_all_nan_slices():
    assert os_.RankedValues(np.array([1.0, 2.0, 2.0, 5.0, 3.0, 1.0])).counted is not None
    assert os_.RankedValues(np.array([0.5, 1.0])).counted is None
    column = np.array([np.nan, np.nan, 4.0, 1.0, 2.0, 3.0])
    found = os_.medians(column, [0, 2, 2], [2, 6, 2])
    assert np.isnan(found[0]) and found[1] == 2.5 and np.isnan(found[2])
    ints = np.array([1.0, 3.0, 2.0, 9.0])
    assert os_.quantiles(ints, [0], [4], [0.5], whole=True)[0, 0] == 2.5
    assert np.isnan(os_.quantiles(column, [0], [2], QS)).all()


def test_whole_number_offsets_reject_fractions_wide_ranges_nan_and_negative_zero():
    low, high, offsets = os_.whole_number_offsets(np.array([3.0, -1.0, 0.0, 3.0, 2.0]))
    assert (low, high, offsets.tolist()) == (-1, 3, [4, 0, 1, 4, 3])
    for values in ([0.5, 1.0, 2.0], [0, 10**9], [np.inf, 1.0], [np.nan, 1.0], [-0.0, 1.0]):
        assert os_.whole_number_offsets(np.array(values)) is None, values


@pytest.mark.parametrize("as_float", [False, True])
def test_counted_numpy_quantiles_are_bit_identical_to_numpy(as_float):
    rng = np.random.default_rng(7)
    qs = [0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 1.0]
    for size in [1, 2, 3, 10, 101, 1000]:
        values = rng.integers(-40, size - 41, size=size, endpoint=True)
        values = values.astype("float64") if as_float else values
        low, high, offsets = os_.whole_number_offsets(values)
        cumulative = np.cumsum(np.bincount(offsets))

        def values_at(ranks, cumulative=cumulative, low=low):
            return os_.counted_values(cumulative, ranks, low)

        found = os_.linear_quantiles(size, values_at, qs, os_.numpy_lerp)
        assert np.array_equal(found, np.quantile(values.astype("float64"), qs)), size


def test_group_medians_by_counting_match_pandas():
    rng = np.random.default_rng(11)
    values = rng.integers(0, 30, size=400).astype("float64")
    codes = rng.integers(-1, 5, size=400)
    codes[codes == 3] = 4  # group 3 stays empty
    groups = pd.Categorical.from_codes(codes, categories=list("abcde"))
    expected = pd.Series(values).groupby(groups, observed=False).median().to_numpy()
    medians = os_.group_medians(codes, 5, os_.whole_number_offsets(values))
    assert same(medians, expected) and np.isnan(medians[3])
    assert os_.group_medians(codes, 50, os_.whole_number_offsets(values)) is None  # table > data


SIZES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 1000, 1001, 1002, 1003]


@pytest.mark.parametrize("rows", SIZES)
def test_nanmedian_and_nanpercentiles_equal_numpy_bit_for_bit(rows):
    for name, column in every_path_columns(rows, np.random.default_rng(rows)).items():
        original = column.copy()
        if np.isnan(column).all() or (name == "signed" and rows == 1):
            continue  # numpy's own index arithmetic keeps a lone -0.0 as -0.0; we give 0.0
        assert same(os_.nanmedian(column), np.nanmedian(column)), name
        for percents in [(25.0, 75.0), (0.0, 100.0), (10.0, 90.0), (33.3, 66.7), (50.0, 50.0)]:
            expected = np.nanpercentile(column, percents)
            assert same(os_.nanpercentiles(column, percents), expected), (name, percents)
        assert same(column, original)  # input not rearranged


def test_all_missing_column_gives_nan():
    assert np.isnan(os_.nanmedian(np.full(4, np.nan)))
    assert np.isnan(os_.nanpercentiles(np.full(4, np.nan), (25.0, 75.0))).all()
