"""Recommended marketing actions per segment, each derived from and citing the segment's numbers.

Rules, in priority order (thresholds in ``cluster_analysis.actions``; docs/cluster_analysis.md):

1. channel (always): reach the segment through the channel whose share most exceeds the overall
   mix, or through its main channel when none stands out.
2. offer: deal share well above overall -> discount offers; well below -> premium / loyalty offers.
3. category (always): campaign on the category whose spend share most exceeds the overall mix,
   or on the segment's largest category when none stands out.
4. campaign: response rate well above overall -> include first; well below -> cut contact spend.
5. win-back: median days since last purchase well above overall -> win-back offer.

The first ``max_actions`` rules that fire are kept; 1 and 3 always fire, so each segment has 2 to
``max_actions`` actions.
"""

from collections.abc import Mapping

import pandas as pd

CHANNEL_PHRASE = {"web": "online", "catalogue": "by catalogue", "store": "in store"}


def _pct(value: float) -> str:
    return f"{100 * value:.0f}%"


def _action(
    kind: str, text: str, evidence: str, segment_value: float, overall_value: float
) -> dict:
    return {
        "kind": kind,
        "action": text,
        "evidence": evidence,
        "figures": {
            "segment": round(float(segment_value), 4),
            "overall": round(float(overall_value), 4),
        },
    }


def _channel(row: pd.Series, overall: pd.Series, rule: Mapping, channels: list[str]) -> dict:
    shares = pd.Series({c: row[f"channel_share_{c}"] for c in channels})
    base = pd.Series({c: overall[f"channel_share_{c}"] for c in channels})
    lift = shares / base.where(base > 0)
    best = lift.idxmax() if lift.notna().any() else None
    if best is not None and lift[best] >= rule["min_lift"]:
        where = CHANNEL_PHRASE.get(best, f"through the {best} channel")
        text = f"Reach them {where}: they use it more than other customers."
    else:
        best = row["preferred_channel"]
        where = CHANNEL_PHRASE.get(best, f"through the {best} channel")
        text = f"Reach them {where} first, their main channel."
    return _action(
        "channel",
        text,
        f"{_pct(shares[best])} of their purchases are made {where} vs {_pct(base[best])} "
        "for all customers.",
        shares[best],
        base[best],
    )


def _offer(row: pd.Series, overall: pd.Series, rule: Mapping) -> dict | None:
    share, base = row["deal_share"], overall["deal_share"]
    ratio = share / base if base > 0 else 1.0
    evidence = f"{_pct(share)} of their purchases used a deal vs {_pct(base)} for all customers."
    if ratio >= rule["high_ratio"]:
        return _action(
            "offer",
            "Lead with discounts and coupons: they respond to price offers.",
            evidence,
            share,
            base,
        )
    if ratio <= rule["low_ratio"]:
        return _action(
            "offer",
            "Offer premium products and loyalty rewards rather than discounts.",
            evidence,
            share,
            base,
        )
    return None


def _category(row: pd.Series, overall: pd.Series, rule: Mapping, categories: list[str]) -> dict:
    shares = pd.Series({c: row[f"category_share_{c}"] for c in categories})
    base = pd.Series({c: overall[f"category_share_{c}"] for c in categories})
    lift = shares / base.where(base > 0)
    best = lift.idxmax() if lift.notna().any() else None
    if best is not None and lift[best] >= rule["min_lift"]:
        return _action(
            "category",
            f"Run a {best} campaign: {best} takes a larger part of their basket than average.",
            f"{best.capitalize()} is {_pct(shares[best])} of their spend vs "
            f"{_pct(base[best])} for all customers.",
            shares[best],
            base[best],
        )
    top = row["top_category"]
    return _action(
        "category",
        f"Feature {top}, their largest category, in cross-sell and bundle offers.",
        f"{top.capitalize()} is {_pct(shares[top])} of their spend vs "
        f"{_pct(base[top])} for all customers.",
        shares[top],
        base[top],
    )


def _campaign(row: pd.Series, overall: pd.Series, rule: Mapping) -> dict | None:
    rate, base = row["response_rate"], overall["response_rate"]
    ratio = rate / base if base > 0 else 1.0
    evidence = (
        f"{_pct(rate)} responded to the last campaign vs {_pct(base)} overall; "
        f"{_pct(row['campaign_acceptance_rate'])} accepted an earlier one vs "
        f"{_pct(overall['campaign_acceptance_rate'])}."
    )
    if ratio >= rule["high_ratio"]:
        return _action("campaign", "Include them first in the next campaign.", evidence, rate, base)
    if ratio <= rule["low_ratio"]:
        return _action(
            "campaign",
            "Cut campaign contacts to this segment; test a different message before scaling.",
            evidence,
            rate,
            base,
        )
    return None


def _win_back(row: pd.Series, overall: pd.Series, rule: Mapping) -> dict | None:
    days, base = row["median_recency_days"], overall["median_recency_days"]
    if base > 0 and days / base >= rule["high_ratio"]:
        return _action(
            "win-back",
            "Send a win-back offer: they have not bought for a while.",
            f"Median {days:.0f} days since last purchase vs {base:.0f} for all customers.",
            days,
            base,
        )
    return None


def recommend_actions(
    profiles: pd.DataFrame, settings: Mapping, categories: list[str], channels: list[str]
) -> dict[int, list[dict]]:
    """Per segment (profile rows with ``segment`` >= 1), its 2..max_actions actions.

    ``profiles`` is the segment profile table whose ``segment`` 0 row holds all customers.
    """
    overall = profiles.loc[profiles["segment"] == 0].iloc[0]
    actions: dict[int, list[dict]] = {}
    for _, row in profiles.loc[profiles["segment"] > 0].iterrows():  # one per segment
        found = [
            _channel(row, overall, settings["channel"], channels),
            _offer(row, overall, settings["deals"]),
            _category(row, overall, settings["category"], categories),
            _campaign(row, overall, settings["campaign"]),
            _win_back(row, overall, settings["recency"]),
        ]
        actions[int(row["segment"])] = [a for a in found if a is not None][
            : settings["max_actions"]
        ]
    return actions
