"""When a difference is material (core.analysis.claims): share and amount, |d|, impossible %."""

import numpy as np
import pandas as pd
import pytest

from customer_segmentation.core.analysis import claims

MATERIALITY = {"effect_size": 0.5, "share_ratio": 1.2, "amount_ratio": 1.2}
PROFILE = {
    "products": {"wines": "MntWines", "gold": "MntGoldProds"},
    "channels": {"web": "NumWebPurchases", "store": "NumStorePurchases"},
    "campaigns": ["AcceptedCmp1", "AcceptedCmp2"],
    "purchases": "total_purchases",
}


def profile_row(segment: int, **values) -> dict:
    """A profile row (the columns ``mix_table`` reads) of an average segment, then ``values``."""
    row = {
        "segment": segment,
        "revenue_per_customer": 100.0,
        "mean_total_purchases": 10.0,
        "category_share_wines": 0.8,
        "category_share_gold": 0.2,
        "top_category": "wines",
        "channel_share_web": 0.4,
        "channel_share_store": 0.6,
        "preferred_channel": "store",
        "deal_share": 0.2,
        "response_rate": 0.1,
        "acceptance_rate_AcceptedCmp1": 0.1,
        "acceptance_rate_AcceptedCmp2": 0.1,
    }
    return {**row, **values}


def mix_of(*rows: dict) -> pd.DataFrame:
    return claims.material_mix(pd.DataFrame([*rows, profile_row(0)]), PROFILE, MATERIALITY)


def direction(mix: pd.DataFrame, segment: int, measure: str, item: str) -> str:
    found = mix.loc[(mix["segment"] == segment) & (mix["measure"] == measure)]
    return found.loc[found["item"] == item, "direction"].item()


def test_a_bigger_slice_of_a_smaller_basket_is_not_more():
    # gold: 40% of the basket vs 20%, but 20 per customer (40% of 50) vs 20: the same money
    mix = mix_of(
        profile_row(1, revenue_per_customer=50.0, category_share_gold=0.4, category_share_wines=0.6)
    )
    row = mix.loc[(mix["measure"] == "category") & (mix["item"] == "gold")].iloc[0]
    assert (row["share"], row["overall_share"]) == (0.4, 0.2)
    assert (row["amount"], row["overall_amount"]) == pytest.approx((20.0, 20.0))
    assert row["direction"] == ""


def test_share_and_amount_both_above_or_both_below_are_material():
    mix = mix_of(
        # gold 30% of 200 per customer = 60 vs 20: more in share and money
        profile_row(
            1, revenue_per_customer=200.0, category_share_gold=0.3, category_share_wines=0.7
        ),
        # web 25% of 8 purchases = 2 vs 4: less in share and number
        profile_row(2, mean_total_purchases=8.0, channel_share_web=0.25, channel_share_store=0.75),
    )
    assert direction(mix, 1, "category", "gold") == "high"
    assert direction(mix, 1, "category", "wines") == ""  # 0.7 / 0.8 of the share, more money
    assert direction(mix, 2, "channel", "web") == "low"
    assert direction(mix, 2, "channel", "store") == ""  # 1.25x the share, 6 vs 6 purchases


@pytest.mark.parametrize(
    ("share", "purchases", "expected"),
    [
        (0.25, 10.0, "high"),  # 1.25x the share, 2.5 vs 2 deal purchases
        (0.23, 10.0, ""),  # share 1.15x
        (0.25, 9.0, ""),  # amount 2.25 vs 2: 1.125x
        (0.16, 10.0, "low"),  # 0.8x share, 1.6 vs 2
        (0.16, 12.5, ""),  # 0.8x share but 2 vs 2 deal purchases
    ],
)
def test_share_and_amount_must_both_pass(share, purchases, expected):
    mix = mix_of(profile_row(1, deal_share=share, mean_total_purchases=purchases))
    assert direction(mix, 1, "deals", "deals") == expected


def test_response_amount_is_earlier_campaigns_accepted_per_customer():
    mix = mix_of(
        profile_row(
            1,
            response_rate=0.3,
            acceptance_rate_AcceptedCmp1=0.05,
            acceptance_rate_AcceptedCmp2=0.05,
        )
    )
    row = mix.loc[mix["measure"] == "response"].iloc[0]
    assert row["amount"] == pytest.approx(0.1) and row["overall_amount"] == pytest.approx(0.2)
    assert row["direction"] == ""  # 3x the response rate, half the earlier acceptances


def test_missing_purchases_attribute_is_named():
    frame = pd.DataFrame([profile_row(1), profile_row(0)]).drop(columns="mean_total_purchases")
    with pytest.raises(ValueError, match="total_purchases"):
        claims.mix_table(frame, PROFILE)


def test_impossible_share_is_withheld_and_flagged_not_clipped():
    profiles = pd.DataFrame(
        {
            "segment": [1, 2, 0],
            "deal_share": [1.085, 0.3, 0.4],
            "deal_share_index": [2.7, 0.75, 1.0],
            "effect_deal_purchase_share": [4.3, -0.2, 0.0],  # a d, not a share
            "customer_share": [0.4, 0.6, 1.0],
        }
    )
    result = claims.withhold_impossible_shares(profiles)
    assert np.isnan(result.loc[0, "deal_share"]) and np.isnan(result.loc[0, "deal_share_index"])
    assert result.loc[1, "deal_share"] == 0.3 and result.loc[1, "deal_share_index"] == 0.75
    assert result["effect_deal_purchase_share"].tolist() == [4.3, -0.2, 0.0]
    assert "deal_share withheld" in result.loc[0, "data_warnings"]
    assert "1.085" in result.loc[0, "data_warnings"]
    assert result.loc[1, "data_warnings"] == "" == result.loc[2, "data_warnings"]
    # a withheld share supports no claim
    row = profile_row(1, deal_share=np.nan)
    assert direction(mix_of(row), 1, "deals", "deals") == ""


def test_share_columns_are_shares_and_rates_only():
    columns = ["deal_share", "deal_share_index", "effect_deal_purchase_share", "response_rate"]
    columns += ["mean_purchase_share_web", "revenue_per_customer", "customers"]
    assert claims.share_columns(columns) == [
        "deal_share",
        "response_rate",
        "mean_purchase_share_web",
    ]


@pytest.mark.parametrize(("d", "expected"), [(0.5, "high"), (0.49, ""), (-0.5, "low")])
def test_attribute_direction_at_the_effect_size(d, expected):
    assert claims.attribute_direction(d, MATERIALITY) == expected
