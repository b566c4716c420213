"""Per-segment profiles and box statistics equal pandas' group-by results bit for bit."""

import numpy as np
import pandas as pd
import pytest

from customer_segmentation.core import analysis_plots, profiling
from customer_segmentation.pipelines.cluster_analysis.nodes import profile_segments
from tests.core.test_order_statistics import QS, same, segmented_data


@pytest.fixture(params=[0, 1, 2])
def data(request):
    return segmented_data(request.param)


# The profiles as the previous (all pandas) implementation computed them: the reference.
def _reference_effect_sizes(frame, attributes):
    frame = frame.sort_values("segment", kind="stable")
    values = frame[list(attributes)].astype("float64")
    groups = values.groupby(frame["segment"])
    count, mean, median = groups.count(), groups.mean(), groups.median()
    sq_dev = groups.var(ddof=0) * count
    total_n, total_mean = values.count(), values.mean()
    total_sq_dev = values.var(ddof=0) * total_n
    rest_n = total_n - count
    rest_mean = (total_mean * total_n - mean * count) / rest_n.where(rest_n > 0)
    rest_sq_dev = total_sq_dev - sq_dev - count * rest_n / total_n * (mean - rest_mean) ** 2
    pooled_sd = np.sqrt((sq_dev + rest_sq_dev.clip(lower=0)) / (total_n - 2).clip(lower=1))
    d = ((mean - rest_mean) / pooled_sd.where(pooled_sd > 0)).fillna(0.0)
    return mean, median, total_mean, values.median(), pooled_sd, d


def test_effect_sizes_equal_the_pandas_computation_in_any_row_order(data):
    segments, columns = data
    frame = pd.DataFrame({"segment": segments, **columns})
    frame["count"] = (columns["whole"] * 3).astype("int64")  # integer dtype: counted directly
    attributes = [*columns, "count"]
    effects = profiling.effect_sizes(frame, attributes)
    mean, median, total_mean, total_median, pooled_sd, d = _reference_effect_sizes(
        frame, attributes
    )
    table = effects.set_index(["segment", "attribute"])
    for attribute in attributes:
        part = table.xs(attribute, level="attribute")
        assert same(part["segment_mean"], mean[attribute]), attribute
        assert same(part["segment_median"], median[attribute]), attribute
        assert same(part["overall_mean"], [total_mean[attribute]] * len(part)), attribute
        assert same(part["overall_median"], [total_median[attribute]] * len(part)), attribute
        assert same(part["pooled_sd"], pooled_sd[attribute]), attribute
        assert same(part["effect_size"], d[attribute]), attribute
    # sorted input (as join_segments gives it): the very same table
    ordered = frame.sort_values("segment", kind="stable").reset_index(drop=True)
    pd.testing.assert_frame_equal(profiling.effect_sizes(ordered, attributes), effects)


SETTINGS = {
    "attributes": {"real": "Real"},
    "products": {"a": "MntA", "b": "MntB", "c": "MntC"},
    "channels": {"web": "NumWeb", "store": "NumStore"},
    "deals": "NumDeals",
    "campaigns": ["Cmp1", "Cmp2"],
    "response": "Response",
}


def _reference_sums_and_means(frame):
    """Sums and means per segment (0 = all) as the previous implementation formed them."""
    frame = frame.sort_values("segment", kind="stable")
    products, channels = list(SETTINGS["products"].values()), list(SETTINGS["channels"].values())
    accepted = frame[SETTINGS["campaigns"]].astype("float64")
    per_customer = pd.DataFrame(
        {
            "revenue": frame[products].sum(axis=1).astype("float64"),
            "purchases": frame[channels].astype("float64").sum(axis=1),
            "deal_purchases": frame["NumDeals"].astype("float64"),
            "accepted_any": (accepted.sum(axis=1) > 0).astype("float64"),
            "response": frame["Response"].astype("float64"),
        }
    )
    sums = per_customer.groupby(frame["segment"]).sum()
    sums.loc[0] = per_customer.sum()
    means = per_customer.groupby(frame["segment"]).mean()
    means.loc[0] = per_customer.mean()
    return sums, means


@pytest.mark.parametrize("amount", ["whole", "real", "real_with_nan"])
def test_segment_profiles_equal_the_pandas_computation(data, amount):
    segments, columns = data
    rng = np.random.default_rng(5)
    n = len(segments)
    frame = pd.DataFrame({"segment": segments, "real": columns["real"]})
    for name in ["MntA", "MntB", "NumWeb", "NumStore", "NumDeals"]:
        frame[name] = rng.integers(0, 500, n)
    # whole numbers add up exactly in any order (rows left unsorted); real ones do not
    frame["MntC"] = rng.gamma(2.0, 30.0, n) if amount != "whole" else rng.integers(0, 99, n)
    with_nan = amount == "real_with_nan"
    if with_nan:
        frame.loc[frame.index[::11], "MntC"] = np.nan
    for name in ["Cmp1", "Cmp2", "Response"]:
        frame[name] = (rng.random(n) < 0.2).astype("int64")
    effects = profiling.effect_sizes(frame, ["real"])
    table = profiling.segment_profiles(frame, effects, SETTINGS).set_index("segment")
    sums, means = _reference_sums_and_means(frame)
    revenue = sums.loc[table.index, "revenue"]
    if with_nan:
        # pandas' group-by sum of a column can move by an ulp with NaN in *other* columns of
        # its block, and the blocks differ from the previous implementation's
        assert table["revenue"].to_numpy() == pytest.approx(revenue.to_numpy(), rel=1e-14)
    else:
        assert same(table["revenue"], revenue)
    assert same(table["deal_share"], (sums["deal_purchases"] / sums["purchases"])[table.index])
    assert same(table["campaign_acceptance_rate"], means.loc[table.index, "accepted_any"])
    assert same(table["response_rate"], means.loc[table.index, "response"])
    assert table.loc[0, "customers"] == n
    assert table["customers"].drop(index=0).tolist() == np.bincount(segments)[[1, 2, 3, 7]].tolist()


def test_box_stats_equal_pandas_quantiles_and_means(data):
    segments, columns = data
    frame = pd.DataFrame({"segment": segments, **columns})
    for name in columns:
        stats = analysis_plots.box_stats(frame, name, [5, 95])
        grouped = frame.groupby("segment")[name]
        expected = grouped.quantile(QS).unstack()
        found = [[item[key] for key in ["whislo", "q1", "med", "q3", "whishi"]] for item in stats]
        assert [item["label"] for item in stats] == [str(s) for s in expected.index]
        assert same(found, expected), name
        assert same([item["mean"] for item in stats], grouped.mean()), name


def test_profiles_from_aligned_inputs_equal_those_from_the_join(
    customer_segments, customer_features, primary_customers, analysis_params
):
    # Aligned inputs are profiled in ID order without a copy; shuffled ones go through the join
    # (rows sorted by segment). Both must give the very same tables.
    segments = customer_segments.sort_values("ID").reset_index(drop=True)
    features = customer_features.set_index("ID").loc[segments["ID"]].reset_index()
    primary = primary_customers.set_index("ID").loc[segments["ID"]].reset_index()
    columns = profiling.profile_columns(analysis_params["profile"])
    aligned = profiling.profile_frame(segments, features, primary, *columns)
    assert np.shares_memory(aligned["income"].to_numpy(), features["income"].to_numpy())
    fast = profile_segments(segments, features, primary, analysis_params["profile"])
    shuffled = primary.sample(frac=1.0, random_state=0)
    slow = profile_segments(segments, features, shuffled, analysis_params["profile"])
    pd.testing.assert_frame_equal(fast[0], slow[0], check_exact=True)
    pd.testing.assert_frame_equal(fast[1], slow[1], check_exact=True)


@pytest.mark.parametrize("amount", ["whole", "real_with_nan"])
def test_profiles_do_not_depend_on_the_chunk_size(data, amount, monkeypatch):
    # Columns are gathered and summed in chunks of rows: tiny chunks (many boundaries) must
    # give the very same tables.
    segments, columns = data
    rng = np.random.default_rng(7)
    frame = pd.DataFrame({"segment": segments, **columns})
    frame["count"] = (columns["whole"] * 3).astype("int64")
    for name in ["MntA", "MntB", "MntC", "NumWeb", "NumStore", "NumDeals"]:
        frame[name] = rng.integers(0, 500, len(frame))
    if amount == "real_with_nan":
        frame["MntC"] = np.where(
            rng.random(len(frame)) < 0.1, np.nan, rng.gamma(2.0, 30.0, len(frame))
        )
    for name in ["Cmp1", "Cmp2", "Response"]:
        frame[name] = (rng.random(len(frame)) < 0.2).astype("int64")
    attributes = [*columns, "count"]
    effects = profiling.effect_sizes(frame, attributes)
    table = profiling.segment_profiles(frame, effects, SETTINGS)
    monkeypatch.setattr(profiling, "_CHUNK_ROWS", 7)
    small = profiling.effect_sizes(frame, attributes)
    pd.testing.assert_frame_equal(small, effects, check_exact=True)
    pd.testing.assert_frame_equal(
        profiling.segment_profiles(frame, small, SETTINGS), table, check_exact=True
    )
