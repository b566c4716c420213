"""When a difference is material (core.analysis.claims): a mix's basis figure not contradicted by
the other, |d|, impossible %, and the one figure of each attribute."""

import numpy as np
import pandas as pd
import pytest

from customer_segmentation.core.analysis import claims

MATERIALITY = {
    "effect_size": 0.5,
    "share_ratio": 1.2,
    "amount_ratio": 1.2,
    "basis": {"category": "amount", "channel": "amount", "deals": "share", "response": "share"},
}
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


def test_the_basis_figure_decides_unless_the_other_points_the_other_way():
    mix = mix_of(
        # gold 30% of 200 per customer = 60 vs 20: more in share and money
        profile_row(
            1, revenue_per_customer=200.0, category_share_gold=0.3, category_share_wines=0.7
        ),
        # web 25% of 8 purchases = 2 vs 4: less in share and number
        profile_row(2, mean_total_purchases=8.0, channel_share_web=0.25, channel_share_store=0.75),
    )
    assert direction(mix, 1, "category", "gold") == "high"
    # wines: 140 vs 80 per customer, 0.875x the share (not materially smaller): more money
    assert direction(mix, 1, "category", "wines") == "high"
    assert direction(mix, 2, "channel", "web") == "low"
    assert direction(mix, 2, "channel", "store") == ""  # 1.25x the share, 6 vs 6 purchases


@pytest.mark.parametrize(
    ("share", "purchases", "expected"),
    [
        (0.25, 10.0, "high"),  # 1.25x the share, 2.5 vs 2 deal purchases
        (0.23, 10.0, ""),  # share 1.15x
        (0.25, 9.0, "high"),  # a larger part of purchases; 2.25 vs 2 deal purchases
        (0.4, 4.5, "high"),  # twice the part of a smaller basket: 1.8 vs 2 (0.9x) deal purchases
        (0.4, 4.0, ""),  # twice the part, but 1.6 vs 2 (0.8x): materially fewer deal purchases
        (0.16, 10.0, "low"),  # 0.8x share, 1.6 vs 2
        (0.16, 12.5, "low"),  # 0.8x share, 2 vs 2 deal purchases: not more in number
        (0.16, 15.0, ""),  # 0.8x share, but 2.4 vs 2 (1.2x): materially more in number
    ],
)
def test_deals_rest_on_the_share_not_contradicted_by_the_amount(share, purchases, expected):
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
    assert row["lift"] == pytest.approx(3.0)  # the basis figure's ratio: the response rate


def test_channel_rests_on_purchases_there():
    # web 44% of 16 purchases = 7.0 vs 4.0: 1.76x in number, 1.1x the share
    mix = mix_of(
        profile_row(1, mean_total_purchases=16.0, channel_share_web=0.44, channel_share_store=0.56)
    )
    assert direction(mix, 1, "channel", "web") == "high"
    row = mix.loc[(mix["measure"] == "channel") & (mix["item"] == "web")].iloc[0]
    assert row["lift"] == pytest.approx(0.44 * 16 / 4.0)


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


def test_attribute_figures_show_totals_where_declared_and_means_elsewhere():
    profiles = pd.DataFrame(
        {
            "segment": [1, 2, 0],
            "deal_share": [0.38, 0.1, 0.18],
            "mean_deal_purchase_share": [0.36, 0.12, 0.24],
            "effect_deal_purchase_share": [1.4, -1.0, 0.0],
            "mean_children": [0.006, 1.3, 0.95],
            "effect_children": [-2.2, 0.8, 0.0],
        }
    )
    profile = {
        "attributes": {"deal_purchase_share": "Deals", "children": "Children", "age": "Age"},
        "totals": {"deal_purchase_share": "deal_share"},
        "percent": ["deal_purchase_share"],
    }
    figures = claims.attribute_figures(profiles, profile).set_index(["segment", "attribute"])
    assert figures.loc[(1, "deal_purchase_share"), ["value", "overall"]].tolist() == [0.38, 0.18]
    assert figures.loc[(1, "deal_purchase_share"), "effect_size"] == 1.4
    assert figures.loc[(2, "children"), ["value", "overall"]].tolist() == [1.3, 0.95]
    assert figures.loc[(1, "deal_purchase_share"), "percent"]
    assert not figures.loc[(1, "children"), "percent"]
    assert figures.loc[(1, "deal_purchase_share"), "of_totals"]
    assert not figures.loc[(1, "children"), "of_totals"]
    assert "age" not in figures.index.get_level_values("attribute")  # not in this table


@pytest.mark.parametrize(
    ("value", "percent", "expected"),
    [
        (0.00598, False, "0.0"),
        (0.38077, True, "38.1%"),
        (57225.6, False, "57,226"),
        (16.03, False, "16.0"),
    ],
)
def test_figure_text_writes_percentages_as_percentages(value, percent, expected):
    assert claims.figure_text(value, percent) == expected
    assert claims.shows_as_zero(value) == (expected == "0.0")
