"""Profiled attributes of any declared layout: which, their labels, their kind of measure, and
the generic names and actions they get."""

import pandas as pd
import pytest

from customer_segmentation.core.analysis import actions, attributes, naming
from customer_segmentation.core.cleaning.contract import CustomerSchema
from tests.core.analysis.test_claims import MATERIALITY
from tests.fixtures.cluster_analysis import project_parameters

# A CRM export's declaration, as the starter prints it (plus one declared meaning and a monetary
# column), with the sample layout's configured labels for what it shares with it.
CRM = CustomerSchema.from_config(
    {
        "columns": [
            {"name": "customer_ref", "role": "id"},
            {"name": "days_since_last_order", "role": "recency", "min": 0},
            {"name": "orders_12m", "role": "numeric", "feature": "orders_12m", "type": "integer"},
            {"name": "avg_basket_usd", "role": "numeric", "feature": "avg_basket_usd", "min": 0},
            {"name": "online_share", "role": "numeric", "feature": "online_share", "max": 1},
            {"name": "returns_rate", "role": "numeric", "feature": "returns_rate", "min": 0},
            {
                "name": "newsletter_opt_in",
                "role": "numeric",
                "feature": "newsletter_opt_in",
                "type": "integer",
                "min": 0,
                "max": 1,
            },
            {
                "name": "calls",
                "role": "numeric",
                "feature": "support_calls",
                "type": "integer",
                "meaning": "calls to the support line",
                "unit": "calls, 12 months",
            },
            {"name": "revenue", "role": "monetary", "feature": "revenue", "type": "integer"},
            {"name": "visits", "role": "numeric", "feature": "visits", "type": "integer"},
        ]
    }
)
CONFIGURED = {
    "income": "Income (currency units / year)",
    "recency_days": "Days since last purchase",
}


def test_readable_names_and_declared_labels():
    assert attributes.readable("orders_12m") == "Orders 12m"
    assert attributes.readable("avg_basket__usd") == "Avg basket usd"
    assert attributes.attribute_label("support_calls", CRM) == (
        "Calls to the support line (calls, 12 months)"
    )
    assert attributes.attribute_label("orders_12m", CRM) == "Orders 12m"
    assert attributes.attribute_label("web_purchases_per_visit", CRM) == "Web purchases per visit"
    # Features derived per item of a role read as words, not as their names.
    assert attributes.attribute_label("purchase_share_app", CRM) == "Share of app purchases"
    assert attributes.attribute_label("spend_share_home_garden", CRM) == (
        "Share of spend on home garden"
    )
    assert attributes.attribute_label("phone_visits_month", CRM) == "Phone visits per month"
    assert attributes.phrase_label("Calls to the support line (calls, 12 months)") == (
        "calls to the support line"
    )
    assert attributes.phrase_label("RFM score (points)") == "RFM score"


def test_profiled_are_the_configured_in_order_then_clustering_then_declared_ones_present():
    available = {"recency_days", "orders_12m", "avg_basket_usd", "support_calls", "tenure_days"}
    found = attributes.profiled_attributes(
        CONFIGURED, ["tenure_days", "avg_basket_usd", "recency_days"], CRM, available
    )
    # income (configured) is not in this table: left out; the clustering features first, then the
    # declared columns the list and the clustering features lack, in declaration order.
    assert list(found) == [
        "recency_days",
        "tenure_days",
        "avg_basket_usd",
        "orders_12m",
        "support_calls",
    ]
    assert found["recency_days"] == "Days since last purchase"  # the configured label kept
    assert found["tenure_days"] == "Tenure days"
    assert found["support_calls"] == "Calls to the support line (calls, 12 months)"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("recency_days", "recency"),  # the recency role's feature
        ("days_since_last_login", "recency"),
        ("returns_rate", "rate"),  # by name
        ("online_share", "share"),  # by name
        ("newsletter_opt_in", "rate"),  # a declared 0/1 integer flag
        ("avg_basket_usd", "amount"),  # money in the name
        ("revenue", "amount"),  # role monetary
        ("orders_12m", "count"),  # an integer column
        ("support_calls", "count"),
        ("web_purchases_per_visit", "amount"),  # undeclared, not an integer
    ],
)
def test_measure_kind_from_role_range_unit_and_name(name, kind):
    assert attributes.measure_kind(name, CRM) == kind


def test_resolve_profile_labels_the_table_attributes_and_marks_the_added_ones():
    profiles = pd.DataFrame(
        columns=["segment", "mean_recency_days", "effect_recency_days", "effect_returns_rate"]
    )
    assert attributes.table_attributes(profiles) == ["recency_days", "returns_rate"]
    profile = {"attributes": CONFIGURED, "percent": ["deal_purchase_share"]}
    resolved = attributes.resolve_profile(profile, CRM, attributes.table_attributes(profiles))
    assert resolved["attributes"] == {
        "recency_days": "Days since last purchase",
        "returns_rate": "Returns rate",
    }
    assert resolved["added"] == {"returns_rate": "rate"}
    assert resolved["percent"] == ["deal_purchase_share", "returns_rate"]


def _effects(rows: dict[int, dict[str, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"segment": s, "attribute": a, "effect_size": d}
            for s, values in rows.items()
            for a, d in values.items()
        ]
    )


def test_generic_descriptors_come_after_every_configured_one():
    generic = attributes.generic_descriptors(
        {"orders_12m": "Orders 12m", "returns_rate": "Returns rate (share)"},
        {"high": "high {label}", "low": "low {label}"},
    )
    assert generic[1] == {
        "attribute": "returns_rate",
        "high": "high returns rate",
        "low": "low returns rate",
        "generic": True,
    }
    rules = {
        "max_descriptors": 2,
        "income": {"attribute": "income", "high": "Affluent", "low": "Budget", "middle": "Mid"},
        "no_distinct_trait": "mainstream",
        "descriptors": [{"attribute": "age", "high": "older", "low": "younger"}, *generic],
    }
    effects = _effects(
        {
            1: {"income": 0.0, "age": 0.6, "orders_12m": 3.0, "returns_rate": -2.0},
            2: {"income": 0.0, "age": 0.1, "orders_12m": 0.2, "returns_rate": -0.7},
            3: {"income": 0.0, "age": 0.1, "orders_12m": 0.4, "returns_rate": 0.3},
        }
    )
    named = {
        item["segment"]: item["name"] for item in naming.name_segments(effects, rules, MATERIALITY)
    }
    # Segment 1: age (d 0.6) is named before orders (d 3.0); segment 2: a generic phrase when no
    # configured one passes; segment 3: nothing material (|d| < 0.5), no generic phrase.
    assert named == {1: "Mid, older", 2: "Mid, low returns rate", 3: "Mid, mainstream"}


def _profiles(**segment_one) -> pd.DataFrame:
    """A profile table: segment 1 (``segment_one``: mean_/effect_ values), all customers (0)."""
    base = {
        "customers": 100,
        "customer_share": 1.0,
        "mean_orders_12m": 10.0,
        "effect_orders_12m": 0.0,
        "mean_returns_rate": 0.1,
        "effect_returns_rate": 0.0,
        "mean_days_since_login": 30.0,
        "effect_days_since_login": 0.0,
    }
    return pd.DataFrame(
        [
            {**base, "segment": 1, "customers": 60, "customer_share": 0.6, **segment_one},
            {**base, "segment": 0},
        ]
    )


SHIPPED = project_parameters()["cluster_analysis"]["actions"]


def _generic_actions(profiles: pd.DataFrame, traits: list[dict]) -> list[dict]:
    settings = {
        **SHIPPED,
        "traits": traits,
        "value": None,
        "recency": None,
        "materiality": MATERIALITY,
        "profile": attributes.resolve_profile(
            {"attributes": {}, "percent": []}, CRM, attributes.table_attributes(profiles)
        ),
    }
    mix = pd.DataFrame(columns=["segment", "measure", "item", "direction", "lift"])
    return actions.recommend_actions(profiles, mix, settings)[1]


def test_generic_actions_fire_on_material_differences_with_the_kind_texts_and_figures():
    profiles = _profiles(
        mean_orders_12m=25.0,
        effect_orders_12m=1.8,
        mean_returns_rate=0.19,
        effect_returns_rate=-0.4,  # not material: no action
        mean_days_since_login=90.0,
        effect_days_since_login=2.1,
    )
    found = _generic_actions(profiles, [])
    assert [(a["kind"], a["item"]) for a in found] == [
        ("generic", "days_since_login"),  # largest |d| first
        ("generic", "orders_12m"),
    ]
    recency = SHIPPED["generic"]["recency"]["high"]["action"].format(label="days since login")
    assert found[0]["action"] == recency
    assert found[1]["evidence"].startswith("25.0 per customer vs 10.0 for all customers (d = +1.80")
    assert found[1]["figures"]["mean"] == {"segment": 25.0, "overall": 10.0}


def test_a_trait_keeps_its_attribute_and_direction_and_a_share_reads_as_a_percentage():
    profiles = _profiles(
        mean_orders_12m=25.0,
        effect_orders_12m=1.8,
        mean_returns_rate=0.05,
        effect_returns_rate=-0.9,
    )
    trait = {
        "attribute": "orders_12m",
        "direction": "high",
        "action": "Reward loyalty.",
        "evidence": "{mean:.0f} orders.",
    }
    found = _generic_actions(profiles, [trait])
    assert [(a["kind"], a["item"]) for a in found] == [
        ("trait", "orders_12m"),
        ("generic", "returns_rate"),
    ]
    assert found[1]["evidence"].startswith("5.0% vs 10.0% for all customers")
