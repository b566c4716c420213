"""Marketing actions: only on material differences, each citing its figures; every segment has
at least one (keep the regular programme, watching the attribute closest to material)."""

import re

import pandas as pd
import pytest

from customer_segmentation.core.analysis import actions, claims
from customer_segmentation.pipelines.cluster_analysis.nodes import (
    assess_segment_value,
    name_segments,
    profile_segments,
    recommend_actions,
)
from tests.core.analysis.test_claims import MATERIALITY, PROFILE, profile_row
from tests.fixtures.cluster_analysis import project_parameters
from tests.fixtures.schema import SCHEMA_CONFIG

# What feeds clustering, as shipped: its features are profiled with the listed attributes.
PREPROCESSING = project_parameters()["feature_engineering"]["preprocessing"]


@pytest.fixture(scope="module")
def texts(analysis_params) -> dict:
    """The project's action texts (with this module's two channels)."""
    return analysis_params["actions"]["texts"]


# The attributes of ``recommend``'s profiles (each segment's mean and d default to all customers').
ATTRIBUTES = {"income": "Income (currency units / year)", "total_purchases": "Purchases (count)"}
TRAITS = [
    {
        "attribute": "total_purchases",
        "direction": "high",
        "action": "Reward how often they buy.",
        "evidence": "{mean:.1f} purchases per customer vs {overall_mean:.1f} (d = {d:+.2f}).",
    }
]


def recommend(
    texts: dict, *rows: dict, max_actions: int = 5, segment_value=None, **settings
) -> dict[int, list[dict]]:
    profiles = pd.DataFrame([*rows, profile_row(0)])
    defaults = {
        "median_recency_days": 50.0,
        "effect_recency_days": 0.0,
        "mean_income": 50_000.0,
        "effect_income": 0.0,
        "effect_total_purchases": 0.0,
        "customer_share": 0.25,
        "revenue_share": 0.25,
    }
    for column, value in defaults.items():
        profiles[column] = profiles.get(column, value)
        profiles[column] = profiles[column].fillna(value)
    profiles.loc[profiles["segment"] == 0, ["customer_share", "revenue_share"]] = 1.0
    settings = {
        "max_actions": max_actions,
        "recency": {"high_ratio": 1.2},
        "texts": texts,
        "materiality": MATERIALITY,
        "profile": {"attributes": ATTRIBUTES},
        **settings,
    }
    return actions.recommend_actions(
        profiles, claims.material_mix(profiles, PROFILE, MATERIALITY), settings, value=segment_value
    )


def kinds(found: list[dict]) -> list[str]:
    return [a["kind"] for a in found]


def test_a_segment_no_rule_acts_on_keeps_the_programme_and_watches_its_closest_attribute(texts):
    # store 62% vs 60%-like differences: the main channel is not an action by itself
    found = recommend(
        texts,
        profile_row(
            1,
            channel_share_web=0.38,
            channel_share_store=0.62,
            mean_income=57_226.0,
            effect_income=0.41,
            revenue_per_customer=110.0,
        ),
    )
    [keep] = found[1]
    assert keep["kind"] == "keep" and keep["item"] == "income"
    assert "regular programme" in keep["action"]
    # its size, revenue per customer and the watched figure against all customers', with d
    assert keep["evidence"].startswith("25% of customers, 25% of revenue (110 vs 100 per customer)")
    assert "Income (currency units / year): 57,226 vs 50,000" in keep["evidence"]
    assert "d = +0.41" in keep["evidence"] and "from |d| = 0.5" in keep["evidence"]
    assert keep["figures"]["watch"] == {"segment": 57226.0, "overall": 50000.0}


def test_value_and_trait_actions_rest_on_money_and_counts(texts):
    frequent = profile_row(
        1,
        customer_share=0.2,
        revenue_share=0.45,  # 2.25x its share of customers
        mean_total_purchases=16.0,
        effect_total_purchases=0.86,
        channel_share_web=0.4,
        channel_share_store=0.6,
        deal_share=0.15,  # 2.4 vs 2 deal purchases, 0.75x the part of purchases: neither way
    )
    found = recommend(texts, frequent, value={"high_ratio": 2.0, "low_ratio": 0.5}, traits=TRAITS)
    value, trait = [a for a in found[1] if a["kind"] in ("value", "trait")]
    assert "key accounts" in value["action"] and value["evidence"] == (
        "45% of revenue from 20% of customers."
    )
    assert (
        trait["item"] == "total_purchases"
        and "16.0 purchases per customer vs 10.0" in (trait["evidence"])
    )
    assert trait["figures"]["mean"] == {"segment": 16.0, "overall": 10.0}


def test_deal_seekers_get_coupons_though_they_buy_less_in_all(texts):
    # 38% of 5 purchases on a deal vs 20% of 10: 1.9 vs 2 deal purchases per customer
    budget = profile_row(1, deal_share=0.38, mean_total_purchases=5.0)
    [offer] = [a for a in recommend(texts, budget)[1] if a["kind"] == "offer"]
    assert "discounts and coupons" in offer["action"]
    assert "38% of their purchases used a deal vs 20%" in offer["evidence"]
    assert "1.9 vs 2.0 deal purchases" in offer["evidence"]


def test_category_campaign_needs_more_money_not_just_a_bigger_slice(texts):
    # gold 40% of a 50 basket = 20 per customer, the same as all customers: no gold campaign
    slice_only = profile_row(
        1, revenue_per_customer=50.0, category_share_gold=0.4, category_share_wines=0.6
    )
    # gold 30% of 200 = 60 vs 20 per customer: a gold campaign, citing share and money
    more_money = profile_row(
        2, revenue_per_customer=200.0, category_share_gold=0.3, category_share_wines=0.7
    )
    found = recommend(texts, slice_only, more_money)
    assert kinds(found[1]) == ["keep"]
    [campaign] = found[2]
    assert campaign["kind"] == "category" and campaign["item"] == "gold"
    assert "gold campaign" in campaign["action"]
    assert re.findall(r"\d+%", campaign["evidence"]) == ["30%", "20%"]
    assert "60 vs 20" in campaign["evidence"]
    assert campaign["figures"] == {
        "share": {"segment": 0.3, "overall": 0.2},
        "amount": {"segment": 60.0, "overall": 20.0},
    }


def test_channel_offer_campaign_and_win_back_fire_on_their_numbers(texts):
    busy = profile_row(
        1,
        mean_total_purchases=20.0,
        channel_share_web=0.6,  # 12 vs 4 web purchases
        channel_share_store=0.4,  # 8 vs 6: share 0.67x, not less in number
        deal_share=0.05,  # 1 vs 2 deal purchases: premium
        response_rate=0.3,
        acceptance_rate_AcceptedCmp1=0.3,  # 0.6 vs 0.2 earlier campaigns accepted
        acceptance_rate_AcceptedCmp2=0.3,
        median_recency_days=80.0,
        effect_recency_days=0.9,
    )
    found = recommend(texts, busy)[1]
    assert kinds(found) == ["channel", "offer", "campaign", "win-back"]
    assert found[0]["item"] == "web" and "online" in found[0]["action"]
    assert "60%" in found[0]["evidence"]
    assert "12.0 purchases per customer made online vs 4.0" in found[0]["evidence"]
    assert "premium" in found[1]["action"].lower()
    assert "first" in found[2]["action"]
    assert "80 days" in found[3]["evidence"] and "+0.90" in found[3]["evidence"]
    capped = recommend(texts, busy, max_actions=2)[1]
    assert kinds(capped) == ["channel", "offer"]


def test_win_back_needs_both_the_effect_size_and_the_median_ratio(texts):
    long_median_small_d = profile_row(1, median_recency_days=80.0, effect_recency_days=0.3)
    large_d_close_median = profile_row(2, median_recency_days=55.0, effect_recency_days=0.9)
    found = recommend(texts, long_median_small_d, large_d_close_median)
    assert [kinds(found[1]), kinds(found[2])] == [["keep"], ["keep"]]


def test_low_response_in_share_and_acceptances_cuts_contacts(texts):
    cold = profile_row(
        1,
        response_rate=0.05,
        acceptance_rate_AcceptedCmp1=0.02,
        acceptance_rate_AcceptedCmp2=0.02,
    )
    [action] = recommend(texts, cold)[1]
    assert action["kind"] == "campaign" and action["action"].startswith("Cut campaign contacts")


def test_a_responsive_segment_whose_contact_loses_money_is_not_told_to_be_contacted_first(texts):
    responsive = profile_row(
        1,
        response_rate=0.3,
        acceptance_rate_AcceptedCmp1=0.3,
        acceptance_rate_AcceptedCmp2=0.3,
    )
    [paying] = recommend(texts, responsive)[1]
    assert paying["action"] == texts["campaign_high"]["action"]  # no campaign return: include
    value = pd.DataFrame(
        {
            "segment": [1, 0],
            "profit_per_contact": [-0.4, -1.35],
            "profit_all_contacted": [-120.0, -3046.0],
            "loses_money": [True, True],  # beyond chance (value.campaign_return)
            "response_rate_low": [0.25, 0.14],
            "response_rate_high": [0.27, 0.16],
            "break_even_response_rate": [0.273, 0.273],
        }
    )
    [losing] = recommend(texts, responsive, segment_value=value)[1]
    assert losing["kind"] == "campaign"
    assert losing["action"].startswith("Do not contact them first")
    assert "Include them first" not in losing["action"]
    assert "a contact lost 0.40 (120 if all were contacted)" in losing["evidence"]
    assert losing["figures"]["loss_per_contact"]["segment"] == 0.4
    # A loss within what chance gives a segment of its size: test on a sample, with the range.
    value["loses_money"] = False
    value["response_rate_high"] = [0.35, 0.16]
    [unclear] = recommend(texts, responsive, segment_value=value)[1]
    assert unclear["action"].startswith("Test them on a sample first")
    assert "25%-35% of them may accept against 27% needed to pay back" in unclear["evidence"]


def test_actions_of_an_unstable_segment_are_tentative():
    found = {1: [{"kind": "offer"}], 2: [{"kind": "channel"}]}
    marked = actions.mark_tentative(found, {1: 0.34, 2: 0.8}, below=0.6)
    assert marked[1]["stability"] == {"jaccard_mean": 0.34, "tentative": True}
    assert marked[1]["actions"] == [{"kind": "offer", "tentative": True}]
    assert marked[2]["actions"] == [{"kind": "channel", "tentative": False}]


def test_missing_texts_are_named(texts):
    incomplete = {key: value for key, value in texts.items() if key != "category"}
    with pytest.raises(ValueError, match=r"texts\.category"):
        actions.check_texts(incomplete, ["web"], actions.CUSTOMER_TEXTS)
    without_default = {k: v for k, v in texts.items() if k != "channel_phrase_default"}
    with pytest.raises(ValueError, match=r"channel_phrases\.phone"):
        actions.check_texts(without_default, ["web", "phone"], actions.CUSTOMER_TEXTS)
    actions.check_texts(texts, ["web", "phone"], actions.CUSTOMER_TEXTS)  # the default phrase


def test_fixture_actions_cite_profile_figures(
    customer_segments, customer_features, primary_customers_once, analysis_params
):
    profiles, effects = profile_segments(
        customer_segments,
        customer_features,
        primary_customers_once,
        analysis_params["profile"],
        SCHEMA_CONFIG,
        preprocessing=PREPROCESSING,
    )
    names = name_segments(effects, profiles, analysis_params, SCHEMA_CONFIG)
    stability = {"segments": [{"segment": s, "jaccard_mean": 0.7} for s in (1, 2, 3)]}
    table = assess_segment_value(profiles, customer_segments, primary_customers_once, SCHEMA_CONFIG)
    result = recommend_actions(
        profiles, names, stability, analysis_params, SCHEMA_CONFIG, segment_value=table
    )
    assert [item["segment"] for item in result["segments"]] == [1, 2, 3]
    by_segment = profiles.set_index("segment")
    column = {
        "category": "category_share_{}",
        "channel": "channel_share_{}",
        "deals": "deal_share",
        "response": "response_rate",
    }
    cited = 0
    for item in result["segments"]:
        assert item["actions"], item  # every segment has a plan
        for action in item["actions"]:
            if "measure" not in action:  # value, trait or keep: no mix
                continue
            name = column[action["measure"]].format(action["item"])
            expected = by_segment.loc[item["segment"], name]
            assert action["figures"]["share"]["segment"] == pytest.approx(expected, abs=1e-4)
            cited += 1
    assert cited, "the fixture plants deal seekers (Ward on deal share)"
