"""The first screen's ranking and firmness sentence on small hand-made inputs."""

import pandas as pd
import pytest

from customer_segmentation.core.analysis import actions, priorities
from customer_segmentation.core.reporting import report

NAMES = {1: "Big", 2: "Small"}


def _action(kind: str, text: str, share: tuple[float, float] | None = None) -> dict:
    figures = {} if share is None else {"share": {"segment": share[0], "overall": share[1]}}
    return {"kind": kind, "action": text, "evidence": f"{text} because", "figures": figures}


ACTIONS = [
    {"segment": 1, "actions": [_action("channel", "web"), _action("campaign", "cut", (0.1, 0.2))]},
    {
        "segment": 2,
        "actions": [_action("campaign", "include", (0.4, 0.2)), _action("value", "vip")],
    },
]


def test_campaign_money_first_then_revenue_largest_first_and_a_loss_last():
    value = pd.DataFrame(
        {
            "segment": [1, 2, 0],
            "customers": [80, 20, 100],
            "revenue": [1000.0, 3000.0, 4000.0],
            "profit_all_contacted": [-50.0, 30.0, -20.0],
        }
    )

    ranked = priorities.rank_actions(ACTIONS, value, NAMES)

    assert [(e["action"], e["effect_kind"], e["effect"]) for e in ranked] == [
        ("cut", "money", 50.0),  # the loss not contacting segment 1 avoids
        ("include", "money", 30.0),  # segment 2's profit if all contacted
        ("vip", "revenue", 3000.0),
        ("web", "revenue", 1000.0),
    ]
    assert [e["contact"] for e in ranked] == ["cut", "include", None, None]
    losing = priorities.rank_actions(ACTIONS, value.assign(profit_all_contacted=-5.0), NAMES)
    assert [(e["action"], e["effect"]) for e in losing][-1] == ("include", -5.0)
    assert report._effect_text(losing[-1], 4000.0, 100) == "loses 5 if all 20 are contacted"
    texts = [report._effect_text(e, 4000.0, 100) for e in ranked]
    assert texts == [
        "avoids a loss of 50 on 80 contacts",
        "+30 if all 20 are contacted",
        "acts on 75.0% of revenue (3,000), 20 customers",
        "acts on 25.0% of revenue (1,000), 80 customers",
    ]


def test_without_revenue_or_campaign_the_effect_is_customers():
    value = pd.DataFrame({"segment": [1, 2, 0], "customers": [80, 20, 100]})

    ranked = priorities.rank_actions(ACTIONS, value, NAMES)

    # no campaign return: the campaign action is not valued, each segment's first action is
    assert [(e["action"], e["effect_kind"], e["effect"]) for e in ranked] == [
        ("web", "customers", 80),
        ("include", "customers", 20),
    ]
    assert report._effect_text(ranked[0], None, 100) == "acts on 80 customers (80.0%)"


def test_recovered_share_weights_segments_by_customers():
    share = priorities.recovered_share({1: 0.5, 2: 1.0}, {0: 100, 1: 80, 2: 20})
    assert share == pytest.approx(0.6)


@pytest.mark.parametrize(
    ("natural", "opener"),
    [
        (False, "These 2 segments are a practical way to slice similar customers, not sharp"),
        (True, "These 2 segments are natural groups in the data"),
        (None, "These 2 segments were not tested for natural groups"),
    ],
)
def test_firmness_sentence(natural, opener):
    sentence = report.firmness_sentence(2, natural, 0.75, 0.8)
    assert sentence.startswith(opener)
    assert "keep 75.0% of customers in the same segment, so about 1 in 4 customers" in sentence
    assert "stable from 80.0%" in sentence
    assert "so few customers" in report.firmness_sentence(2, natural, 0.97, 0.8)


def test_effect_sizes_in_action_texts_are_glossed_by_their_parameter_text():
    """The gloss is in the texts (conf), filled from one definition (claims.effect_word)."""
    text = {"action": "Win them back.", "evidence": "(d = {d:+.2f}, a {d_size} difference)"}
    for d, word in ((0.86, "large"), (-0.42, "small"), (0.6, "medium")):
        evidence = actions._action("trait", text, {}, d=d)["evidence"]
        assert evidence == f"(d = {d:+.2f}, a {word} difference)"


def test_the_rule_names_only_the_effects_the_table_has():
    assert report.effect_rule(campaign=False, revenue=False) == (
        "Ranked by expected effect: the customers of the segment it acts on. "
        "No response uplift is assumed."
    )
    assert "campaign" not in report.effect_rule(campaign=False, revenue=True)
    assert "historical revenue" in report.effect_rule(campaign=True, revenue=True)
