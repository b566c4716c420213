"""Segment names: deterministic, unique, from the documented rule."""

import pandas as pd
import pytest

from customer_segmentation.core import engine
from customer_segmentation.core.analysis import claims, naming, profiling
from customer_segmentation.pipelines.cluster_analysis.nodes import name_segments
from tests.core.analysis.test_claims import MATERIALITY, PROFILE, profile_row
from tests.fixtures.schema import SCHEMA_CONFIG


@pytest.fixture
def profiled(customer_segments, customer_features, primary_customers, analysis_params):
    features, raw = profiling.profile_columns(analysis_params["profile"])
    con = engine.connect()
    frame = profiling.segment_table(
        engine.table(con, customer_segments, "segments"),
        [
            (engine.table(con, customer_features, "features"), features, "customer_features"),
            (engine.table(con, primary_customers, "primary"), raw, "primary_customers"),
        ],
    )
    effects = profiling.effect_sizes(frame, features)
    return effects, profiling.segment_profiles(frame, effects, analysis_params["profile"])


def test_names_are_unique_deterministic_and_follow_income(profiled, analysis_params):
    effects, profiles = profiled
    first = name_segments(effects, profiles, analysis_params, SCHEMA_CONFIG)
    shuffled = effects.sample(frac=1.0, random_state=3)
    second = name_segments(shuffled, profiles, analysis_params, SCHEMA_CONFIG)
    assert first == second
    names = [item["name"] for item in first["segments"]]
    assert len(set(names)) == len(names) == 3
    income = effects.loc[effects["attribute"] == "income"].set_index("segment")["effect_size"]
    richest = int(income.idxmax())
    assert names[richest - 1].startswith("Affluent")
    for item in first["segments"]:
        assert 2 <= len(item["descriptors"]) <= analysis_params["naming"]["max_descriptors"]
        assert item["descriptors"][0]["attribute"] == "income"


def _effects(rows: dict[int, dict[str, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"segment": s, "attribute": a, "effect_size": d}
            for s, values in rows.items()
            for a, d in values.items()
        ]
    )


RULES = {
    "max_descriptors": 3,
    "income": {"attribute": "income", "high": "Affluent", "low": "Budget", "middle": "Mid-income"},
    "no_distinct_trait": "mainstream",
    "descriptors": [
        {"attribute": "children", "high": "with children", "low": "few children"},
        {"attribute": "total_spend", "high": "high spend", "low": "low spend"},
        {"attribute": "age", "high": "older", "low": "younger"},
    ],
}


def test_rule_picks_most_distinctive_traits_in_priority_order():
    effects = _effects(
        {
            1: {"income": 1.2, "children": -0.6, "total_spend": 2.0, "age": 0.9},
            2: {"income": 0.1, "children": 0.2, "total_spend": 0.0, "age": -0.3},
        }
    )
    names = {
        item["segment"]: item["name"] for item in naming.name_segments(effects, RULES, MATERIALITY)
    }
    # |d|: spend 2.0 and age 0.9 beat children 0.6; written in priority order (spend before age)
    assert names == {1: "Affluent, high spend, older", 2: "Mid-income, mainstream"}


def test_a_mean_that_reads_zero_says_no():
    rules = {
        **RULES,
        "descriptors": [
            {**RULES["descriptors"][0], "zero": "no children"},
            *RULES["descriptors"][1:],
        ],
    }
    effects = _effects(
        {
            1: {"income": 1.7, "children": -2.2, "total_spend": 2.2, "age": 0.0},
            2: {"income": -0.9, "children": -0.6, "total_spend": -0.9, "age": 0.0},
        }
    )
    # segment 1: 3 of 502 customers have a child (mean 0.006, shown 0.0); segment 2: 0.6
    means = {(1, "children"): 0.006, (2, "children"): 0.6}
    effects["segment_mean"] = [
        means.get((s, a), 1.0)
        for s, a in zip(effects["segment"], effects["attribute"], strict=True)
    ]
    names = {
        item["segment"]: item["name"] for item in naming.name_segments(effects, rules, MATERIALITY)
    }
    assert names == {
        1: "Affluent, no children, high spend",
        2: "Budget, few children, low spend",
    }


def test_clashing_names_add_the_next_trait_then_the_number():
    effects = _effects(
        {
            1: {"income": -1.0, "children": 1.0, "total_spend": -0.9, "age": 0.7},
            2: {"income": -1.0, "children": 1.1, "total_spend": -0.8, "age": -0.6},
            3: {"income": -1.0, "children": 1.0, "total_spend": -0.9, "age": 0.0},
            4: {"income": -1.0, "children": 1.0, "total_spend": -0.9, "age": 0.0},
        }
    )
    names = {
        item["segment"]: item["name"] for item in naming.name_segments(effects, RULES, MATERIALITY)
    }
    assert names == {
        1: "Budget, with children, low spend, older",
        2: "Budget, with children, low spend, younger",
        3: "Budget, with children, low spend (segment 3)",
        4: "Budget, with children, low spend (segment 4)",
    }
    assert len(set(names.values())) == 4


CHANNEL_RULES = {
    **RULES,
    "descriptors": [
        {"attribute": "deal_purchase_share", "high": "deal seekers", "low": "full-price buyers"}
        | {"measure": "deals"},
        {"attribute": "purchase_share_web", "high": "web shoppers"}
        | {"measure": "channel", "item": "web"},
    ],
}


def _channel_names(*rows: dict, effects: dict[int, dict[str, float]]) -> dict[int, list]:
    mix = claims.material_mix(pd.DataFrame([*rows, profile_row(0)]), PROFILE, MATERIALITY)
    named = naming.name_segments(_effects(effects), CHANNEL_RULES, MATERIALITY, mix)
    return {item["segment"]: item for item in named}


def test_a_channel_is_named_only_if_main_or_materially_above():
    traits = {"income": 0.0, "deal_purchase_share": 0.0, "purchase_share_web": 0.8}
    named = _channel_names(
        # web 44% vs 40% of 10 purchases, store the main channel: "web shoppers" would contradict
        profile_row(1, channel_share_web=0.44, channel_share_store=0.56),
        # web the main channel (55%), though not 1.2x all customers' 40% in share
        profile_row(2, channel_share_web=0.55, channel_share_store=0.45, preferred_channel="web"),
        # web 50% of 20 purchases vs 40% of 10: material in share and number
        profile_row(3, channel_share_web=0.5, channel_share_store=0.5, mean_total_purchases=20.0),
        effects={1: traits, 2: traits, 3: traits},
    )
    assert named[1]["name"] == "Mid-income, mainstream"
    # 2 and 3 both earn "web shoppers" (then told apart by number)
    assert named[2]["name"] == "Mid-income, web shoppers (segment 2)"
    assert named[3]["name"] == "Mid-income, web shoppers (segment 3)"
    assert named[2]["descriptors"][1] == {
        "attribute": "purchase_share_web",
        "phrase": "web shoppers",
        "effect_size": 0.8,
        "measure": "channel",
        "item": "web",
    }


def test_a_deal_trait_needs_the_deal_mix_in_the_same_direction():
    traits = {"income": 0.0, "deal_purchase_share": -0.9, "purchase_share_web": 0.0}
    named = _channel_names(
        # a smaller part on a deal (0.15 vs 0.2) but more deal purchases (2.55 vs 2, 1.275x):
        # no "full-price buyers"
        profile_row(1, deal_share=0.15, mean_total_purchases=17.0),
        # fewer in share and in number (1.2 vs 2)
        profile_row(2, deal_share=0.12),
        effects={1: traits, 2: traits},
    )
    assert named[1]["name"] == "Mid-income, mainstream"
    assert named[2]["name"] == "Mid-income, full-price buyers"
