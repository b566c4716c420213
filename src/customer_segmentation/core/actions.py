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


# ------------------------------------------------------------------ RFM actions (log-only mode)


def _median_pair(row: pd.Series, overall: pd.Series, attribute: str) -> tuple[float, float]:
    return float(row[f"median_{attribute}"]), float(overall[f"median_{attribute}"])


def _rfm_evidence(row: pd.Series, overall: pd.Series, labels: Mapping[str, str]) -> str:
    """'Median: 12 days since last purchase vs 51 for all customers; ...' for the RFM columns."""
    parts = []
    for attribute, label in labels.items():
        segment_value, overall_value = _median_pair(row, overall, attribute)
        parts.append(f"{label} {segment_value:,.0f} vs {overall_value:,.0f}")
    return "Medians, segment vs all customers: " + "; ".join(parts) + "."


def _value_action(row: pd.Series, rule: Mapping) -> dict | None:
    """Revenue share against customer share: key accounts, or low-cost contact only."""
    ratio = row["revenue_share"] / row["customer_share"] if row["customer_share"] > 0 else 1.0
    evidence = (
        f"{_pct(row['revenue_share'])} of revenue from {_pct(row['customer_share'])} of customers."
    )
    if ratio >= rule["high_ratio"]:
        text = "Treat them as key accounts: personal contact and service levels protect revenue."
    elif ratio <= rule["low_ratio"]:
        text = "Keep contact costs low: automated e-mail only, no paid or personal channels."
    else:
        return None
    return _action("value", text, evidence, row["revenue_share"], row["customer_share"])


def _cancellation_action(row: pd.Series, overall: pd.Series, rule: Mapping) -> dict | None:
    share, base = row["mean_cancellation_share"], overall["mean_cancellation_share"]
    if not base > 0 or share / base < rule["high_ratio"]:
        return None
    return _action(
        "cancellations",
        "Find out why they cancel (stock, delivery, quality) before spending more on them.",
        f"{_pct(share)} of their invoices were cancelled on average vs {_pct(base)} overall.",
        share,
        base,
    )


def _basket_action(row: pd.Series, overall: pd.Series, rule: Mapping) -> dict | None:
    basket, base = _median_pair(row, overall, "avg_basket")
    ratio = basket / base if base > 0 else 1.0
    evidence = f"Median spend per invoice {basket:,.0f} vs {base:,.0f} for all customers."
    if ratio >= rule["high_ratio"]:
        text = "Offer bulk and premium bundles: their orders are large."
    elif ratio <= rule["low_ratio"]:
        text = "Raise the basket: free delivery above a threshold, bundles, add-on suggestions."
    else:
        return None
    return _action("basket", text, evidence, basket, base)


def recommend_rfm_actions(
    profiles: pd.DataFrame, archetypes: Mapping[int, str], settings: Mapping
) -> dict[int, list[dict]]:
    """Per segment, 1..max_actions actions in RFM terms (docs/cluster_analysis.md).

    1. the archetype's action (``settings["by_archetype"]``; always), citing the RFM medians;
    2. value: revenue share well above / below customer share;
    3. cancellations: cancellation share well above overall;
    4. basket: median spend per invoice well above / below overall.
    """
    overall = profiles.loc[profiles["segment"] == 0].iloc[0]
    actions: dict[int, list[dict]] = {}
    for _, row in profiles.loc[profiles["segment"] > 0].iterrows():  # one per segment
        segment = int(row["segment"])
        archetype = archetypes[segment]
        recency, overall_recency = _median_pair(row, overall, "recency_days")
        found = [
            _action(
                "archetype",
                settings["by_archetype"].get(archetype, settings["by_archetype_default"]),
                _rfm_evidence(row, overall, settings["evidence"]),
                recency,
                overall_recency,
            ),
            _value_action(row, settings["value"]),
            _cancellation_action(row, overall, settings["cancellations"]),
            _basket_action(row, overall, settings["basket"]),
        ]
        actions[segment] = [a for a in found if a is not None][: settings["max_actions"]]
    return actions
