"""Segment names: deterministic, unique, from the documented rule."""

import pandas as pd
import pytest

from customer_segmentation.core import naming, profiling
from customer_segmentation.pipelines.cluster_analysis.nodes import name_segments


@pytest.fixture
def effects(customer_segments, customer_features, primary_customers, analysis_params):
    features, raw = profiling.profile_columns(analysis_params["profile"])
    frame = profiling.profile_frame(
        customer_segments, customer_features, primary_customers, features, raw
    )
    return profiling.effect_sizes(frame, features)


def test_names_are_unique_deterministic_and_follow_income(effects, analysis_params):
    first = name_segments(effects, analysis_params["naming"])
    second = name_segments(effects.sample(frac=1.0, random_state=3), analysis_params["naming"])
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
    "effect_threshold": 0.5,
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
    names = {item["segment"]: item["name"] for item in naming.name_segments(effects, RULES)}
    # |d|: spend 2.0 and age 0.9 beat children 0.6; written in priority order (spend before age)
    assert names == {1: "Affluent, high spend, older", 2: "Mid-income, mainstream"}


def test_clashing_names_add_the_next_trait_then_the_number():
    effects = _effects(
        {
            1: {"income": -1.0, "children": 1.0, "total_spend": -0.9, "age": 0.7},
            2: {"income": -1.0, "children": 1.1, "total_spend": -0.8, "age": -0.6},
            3: {"income": -1.0, "children": 1.0, "total_spend": -0.9, "age": 0.0},
            4: {"income": -1.0, "children": 1.0, "total_spend": -0.9, "age": 0.0},
        }
    )
    names = {item["segment"]: item["name"] for item in naming.name_segments(effects, RULES)}
    assert names == {
        1: "Budget, with children, low spend, older",
        2: "Budget, with children, low spend, younger",
        3: "Budget, with children, low spend (segment 3)",
        4: "Budget, with children, low spend (segment 4)",
    }
    assert len(set(names.values())) == 4
