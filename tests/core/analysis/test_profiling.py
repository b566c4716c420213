"""Segment profiles and effect sizes equal direct computations on the fixtures."""

import ibis
import numpy as np
import pandas as pd
import pytest

from customer_segmentation.core import engine
from customer_segmentation.core.analysis import profiling
from customer_segmentation.core.ids import id_rank
from customer_segmentation.errors import InputDataError
from customer_segmentation.pipelines.cluster_analysis.nodes import profile_segments
from tests.fixtures.cluster_analysis import matrix_by_segment_then_id, project_parameters
from tests.fixtures.schema import SCHEMA_CONFIG
from tools.synthetic.schema import SPEND_COLUMNS

# What feeds clustering, as shipped: its features are profiled with the listed attributes.
PREPROCESSING = project_parameters()["feature_engineering"]["preprocessing"]

PRODUCTS = list(SPEND_COLUMNS)


@pytest.fixture
def profiles(customer_segments, customer_features, primary_customers, analysis_params):
    return profile_segments(
        customer_segments,
        customer_features,
        primary_customers,
        analysis_params["profile"],
        SCHEMA_CONFIG,
        preprocessing=PREPROCESSING,
    )


@pytest.fixture
def merged(customer_segments, primary_customers, customer_features):
    return customer_segments.merge(primary_customers, on="ID").merge(customer_features, on="ID")


def test_sizes_and_shares_match_direct_counts(profiles, merged):
    table, _ = profiles
    segments = table.loc[table["segment"] > 0].set_index("segment")
    counts = merged["segment"].value_counts().sort_index()
    assert segments["customers"].tolist() == counts.tolist()
    assert segments["customer_share"].to_numpy() == pytest.approx((counts / len(merged)).to_numpy())
    assert segments["customer_share"].sum() == pytest.approx(1.0)
    revenue = merged[PRODUCTS].sum(axis=1).groupby(merged["segment"]).sum()
    assert segments["revenue"].to_numpy() == pytest.approx(revenue.to_numpy())
    assert segments["revenue_share"].sum() == pytest.approx(1.0)
    overall = table.loc[table["segment"] == 0].iloc[0]
    assert overall["customers"] == len(merged)
    assert overall["revenue"] == pytest.approx(merged[PRODUCTS].to_numpy().sum())


def test_mixes_and_rates_match_direct_computation(profiles, merged):
    table, _ = profiles
    row = table.loc[table["segment"] == 2].iloc[0]
    part = merged.loc[merged["segment"] == 2]
    purchases = (
        part[["NumWebPurchases", "NumCatalogPurchases", "NumStorePurchases"]].to_numpy().sum()
    )
    assert row["channel_share_store"] == pytest.approx(part["NumStorePurchases"].sum() / purchases)
    assert row["deal_share"] == pytest.approx(part["NumDealsPurchases"].sum() / purchases)
    assert row["category_share_wines"] == pytest.approx(
        part["MntWines"].sum() / part[PRODUCTS].to_numpy().sum()
    )
    assert row["response_rate"] == pytest.approx(part["Response"].mean())
    accepted = part[[f"AcceptedCmp{i}" for i in range(1, 6)]].sum(axis=1) > 0
    assert row["campaign_acceptance_rate"] == pytest.approx(accepted.mean())
    channels = {c: row[f"channel_share_{c}"] for c in ["web", "catalog", "store"]}
    assert row["preferred_channel"] == max(channels, key=channels.get)
    shares = [
        row[f"category_share_{c}"] for c in ["wines", "fruits", "meat", "fish", "sweets", "gold"]
    ]
    assert sum(shares) == pytest.approx(1.0)


def test_means_medians_and_cohens_d_match_direct_computation(profiles, merged):
    table, effects = profiles
    inside = merged.loc[merged["segment"] == 1, "income"]
    rest = merged.loc[merged["segment"] != 1, "income"]
    pooled = np.sqrt(
        ((len(inside) - 1) * inside.var() + (len(rest) - 1) * rest.var()) / (len(merged) - 2)
    )
    d = (inside.mean() - rest.mean()) / pooled
    row = effects.loc[(effects["segment"] == 1) & (effects["attribute"] == "income")].iloc[0]
    assert row["segment_mean"] == pytest.approx(inside.mean())
    assert row["segment_median"] == pytest.approx(inside.median())
    assert row["rest_mean"] == pytest.approx(rest.mean())
    assert row["effect_size"] == pytest.approx(d, rel=1e-9)
    profile_row = table.loc[table["segment"] == 1].iloc[0]
    assert profile_row["effect_income"] == pytest.approx(d, rel=1e-9)
    assert profile_row["median_income"] == pytest.approx(inside.median())


def test_effect_size_sign_follows_the_planted_affluent_group(profiles, merged):
    table, _ = profiles
    segments = table.loc[table["segment"] > 0].set_index("segment")
    richest = merged.groupby("segment")["income"].mean().idxmax()
    assert segments.loc[richest, "effect_income"] > 0.8
    assert segments.loc[richest, "effect_total_spend"] > 0.8
    assert (segments.drop(index=richest)["effect_income"] < 0).all()


def test_effect_size_is_zero_for_a_constant_attribute():
    frame = pd.DataFrame({"segment": [1, 1, 2, 2], "flat": [3.0] * 4, "x": [1.0, 2.0, 5.0, 6.0]})
    effects = profiling.effect_sizes(ibis.memtable(frame), ["flat", "x"])
    flat = effects.loc[effects["attribute"] == "flat", "effect_size"]
    assert (flat == 0).all()
    # two groups: d of one is minus d of the other; pooled sd = sqrt(0.5 * 2 / 2) -> 0.7071
    x = effects.loc[effects["attribute"] == "x"].set_index("segment")["effect_size"]
    assert x[1] == pytest.approx(-4 / np.sqrt(0.5))
    assert x[2] == pytest.approx(-x[1])


def test_customers_missing_from_features_are_reported(
    customer_segments, customer_features, primary_customers, analysis_params
):
    with pytest.raises(InputDataError, match="customer_features"):
        profile_segments(
            customer_segments,
            customer_features.iloc[5:],
            primary_customers,
            analysis_params["profile"],
            SCHEMA_CONFIG,
            preprocessing=PREPROCESSING,
        )


def test_missing_column_is_named(
    customer_segments, customer_features, primary_customers, analysis_params
):
    with pytest.raises(InputDataError, match="MntWines"):
        profile_segments(
            customer_segments,
            customer_features,
            primary_customers.drop(columns="MntWines"),
            analysis_params["profile"],
            SCHEMA_CONFIG,
            preprocessing=PREPROCESSING,
        )


def test_profiles_do_not_depend_on_the_inputs_row_order(
    customer_segments, customer_features, primary_customers, analysis_params, profiles
):
    shuffled = [
        frame.sample(frac=1.0, random_state=seed)
        for seed, frame in enumerate([customer_segments, customer_features, primary_customers])
    ]
    table, effects = profile_segments(
        *shuffled, analysis_params["profile"], SCHEMA_CONFIG, preprocessing=PREPROCESSING
    )
    pd.testing.assert_frame_equal(table, profiles[0], rtol=1e-12)
    pd.testing.assert_frame_equal(effects, profiles[1], rtol=1e-12)


def test_a_repeated_id_is_refused_before_profiling(
    customer_segments, customer_features, primary_customers, analysis_params
):
    repeated = pd.concat([primary_customers, primary_customers.iloc[:2]])
    with pytest.raises(InputDataError, match="primary_customers: column ID has 2 duplicate"):
        profile_segments(
            customer_segments,
            customer_features,
            repeated,
            analysis_params["profile"],
            SCHEMA_CONFIG,
            preprocessing=PREPROCESSING,
        )


def test_the_engine_sample_is_the_seeded_pick_of_the_rows_by_segment_then_id(
    customer_segments, customer_features
):
    segments = customer_segments.sample(frac=1.0, random_state=1)
    con = engine.connect()
    table = profiling.segment_table(
        engine.table(con, segments, "segments"),
        [(engine.table(con, customer_features, "features"), ["income", "age"], "features")],
    )
    sample = profiling.segment_sample(table, 40, random_state=3)
    ordered = customer_features.merge(customer_segments, on="ID")
    ordered = ordered.take(np.lexsort((id_rank(ordered["ID"]), ordered["segment"])))
    expected = ordered.iloc[profiling.sample_positions(len(ordered), 40, 3)]
    assert sample["ID"].tolist() == expected["ID"].tolist()
    np.testing.assert_array_equal(sample[["income", "age"]], expected[["income", "age"]])


def test_a_customer_on_two_rows_is_refused(customer_segments, customer_features):
    con = engine.connect()

    def joined(segments: pd.DataFrame, features: pd.DataFrame):
        return profiling.segment_table(
            engine.table(con, segments, "segments"),
            [(engine.table(con, features, "features"), ["income"], "customer_features")],
        )

    twice = pd.concat([customer_segments, customer_segments.iloc[[0]]], ignore_index=True)
    with pytest.raises(InputDataError, match="customer_segments: column ID has 1 duplicate"):
        joined(twice, customer_features)
    doubled = pd.concat([customer_features, customer_features.iloc[[0]]], ignore_index=True)
    with pytest.raises(InputDataError, match="customer_features: column ID has 1 duplicate"):
        joined(customer_segments, doubled)


def test_rows_at_positions_are_those_of_the_rows_by_segment_then_id(model_input, customer_segments):
    # Whatever the row order of the segments; repeated positions give repeated rows, in order.
    matrix, labels = matrix_by_segment_then_id(model_input, customer_segments)
    positions = np.random.default_rng(0).integers(0, len(matrix), 50)
    columns = [column for column in model_input.columns if column != "ID"]
    shuffled = customer_segments.sample(frac=1.0, random_state=1)
    con = engine.connect()
    for segments in [customer_segments, shuffled]:
        table = profiling.segment_table(
            engine.table(con, segments, "segments"),
            [(engine.table(con, model_input, "model_input"), columns, "model_input")],
        )
        rows = profiling.rows_at(table, np.concatenate([positions, positions[:3]]))
        np.testing.assert_array_equal(
            rows[columns].to_numpy(), matrix[positions[[*range(50), 0, 1, 2]]]
        )
        np.testing.assert_array_equal(rows["segment"], labels[positions[[*range(50), 0, 1, 2]]])


def test_a_table_without_products_channels_or_campaigns_gets_sizes_and_attributes_only():
    frame = pd.DataFrame({"segment": [1, 1, 2], "age": [30.0, 40.0, 70.0]})
    settings = {
        "attributes": ["age"],
        "products": {},
        "channels": {},
        "deals": None,
        "campaigns": [],
        "response": None,
    }
    table = ibis.memtable(frame)
    profile = profiling.segment_profiles(
        table, profiling.effect_sizes(table, ["age"]), settings
    ).set_index("segment")
    assert profile["customers"].to_dict() == {1: 2, 2: 1, 0: 3}
    assert profile["mean_age"].to_dict() == {1: 35.0, 2: 70.0, 0: pytest.approx(140 / 3)}
    assert not {"revenue", "preferred_channel", "campaign_acceptance_rate"} & set(profile)
