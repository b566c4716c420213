"""What to do first: the segments' actions ranked across segments by their expected effect.

The expected effect of an action (docs/cluster_analysis.md#the-report), never a response uplift:

- a campaign action (``kind`` "campaign") where the last campaign's return is known
  (``segment_value`` has ``profit_all_contacted``): money. Including a segment that responds
  more is worth its profit if all contacted; cutting contacts to a segment that responds less is
  worth the loss not contacting it avoids (minus its profit if all contacted). Either can be
  negative: the campaign figures then say the action costs money;
- any other action: the segment's forecast value (``clv_total`` over the forecast's horizon)
  where the run has a usable value forecast (a transaction log); else the segment's historical
  revenue it acts on, where the table has revenue; otherwise its customers.

Money effects come first (they are an expected return), then forecast value, then revenue, then
customers; within
each, the larger effect first; an action whose money effect is negative comes last. Each segment
contributes its campaign action (when it has a money effect) and its first other action, so the
list runs across segments.
"""

from collections.abc import Mapping, Sequence

import pandas as pd

# The effect kinds in ranking order: an expected return before the forecast value an action
# acts on, before its historical revenue, before customers only.
EFFECT_ORDER = ("money", "forecast", "revenue", "customers")


def _campaign_effect(action: Mapping, value: pd.Series) -> tuple[str, float] | None:
    """``("include" | "cut", money)`` of a campaign action: profit if all contacted, or the loss
    not contacting avoids; None when it is not a campaign action or the return is unknown."""
    if action["kind"] != "campaign" or "profit_all_contacted" not in value:
        return None
    share = action["figures"]["share"]
    profit = float(value["profit_all_contacted"])
    if share["segment"] > share["overall"]:  # responds more: include first
        return "include", profit
    return "cut", -profit


def rank_key(entry: Mapping) -> tuple[int, float, int]:
    """Where an entry of ``rank_actions`` ranks: by ``EFFECT_ORDER``, larger effect first; an
    action the last campaign says loses money (negative money effect) last of all."""
    tier = EFFECT_ORDER.index(entry["effect_kind"]) if entry["effect"] >= 0 else len(EFFECT_ORDER)
    return tier, -entry["effect"], entry["segment"]


def rank_actions(
    actions: Sequence[Mapping], value: pd.DataFrame, names: Mapping[int, str]
) -> list[dict]:
    """The ranked "do this first" list.

    ``actions``: ``segment_actions``' segments (``{segment, actions: [{kind, action, evidence,
    figures, tentative}]}``); ``value``: ``segment_value`` (one row per segment, ``customers``
    and, where known, ``revenue`` and ``profit_all_contacted`` in the data's currency).
    Returns ``[{rank, segment, name, kind, action, evidence, tentative, effect_kind, contact,
    effect, customers, revenue, forecast_value}]``: ``effect_kind`` in ``EFFECT_ORDER``,
    ``contact`` "include" or "cut" for a money effect (None otherwise), ``revenue`` and
    ``forecast_value`` (``clv_total``) None without them.
    """
    by_segment = value.set_index("segment")
    entries = []
    for item in actions:
        segment = int(item["segment"])
        row = by_segment.loc[segment]
        revenue = float(row["revenue"]) if "revenue" in row else None
        base = {"segment": segment, "name": names[segment], "customers": int(row["customers"])}
        base["revenue"] = revenue
        forecast = float(row["clv_total"]) if "clv_total" in row else None
        base["forecast_value"] = forecast if forecast is None or pd.notna(forecast) else None
        chosen, other = [], None
        for action in item["actions"]:
            campaign = _campaign_effect(action, row)
            if campaign is not None:
                chosen.append((action, "money", *campaign))
            elif other is None:
                other = action
        if other is not None:
            if base["forecast_value"] is not None:
                kind, size = "forecast", base["forecast_value"]
            elif revenue is not None:
                kind, size = "revenue", revenue
            else:
                kind, size = "customers", base["customers"]
            chosen.append((other, kind, None, size))
        for action, effect_kind, contact, effect in chosen:
            entries.append(
                {
                    **base,
                    "kind": action["kind"],
                    "action": action["action"],
                    "evidence": action["evidence"],
                    "tentative": bool(action.get("tentative", False)),
                    "effect_kind": effect_kind,
                    "contact": contact,
                    "effect": effect,
                }
            )
    entries.sort(key=rank_key)
    return [{"rank": rank, **entry} for rank, entry in enumerate(entries, start=1)]


def top_actions(ranked: Sequence[Mapping]) -> dict[int, str]:
    """Each segment's top-ranked action text in ``rank_actions``' list (its first entry)."""
    top: dict[int, str] = {}
    for entry in ranked:
        top.setdefault(int(entry["segment"]), entry["action"])
    return top


def recovered_share(jaccard: Mapping[int, float], customers: Mapping[int, int]) -> float:
    """The customer-weighted mean Jaccard recovery of the segments in ``jaccard`` (0..1): about
    the share of customers a rebuild on resampled data keeps in the same segment. ``customers``
    per segment (other keys, e.g. 0 for all customers, are ignored)."""
    total = sum(customers[s] for s in jaccard)  # the segments' customers, not all-customers row
    return sum(jaccard[s] * customers[s] for s in jaccard) / total
