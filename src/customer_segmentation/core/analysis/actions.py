"""Recommended marketing actions per segment, each derived from and citing the segment's numbers.

Rules, in order (docs/cluster_analysis.md); a rule fires only on a material difference
(``core.analysis.claims``): for a mix, on its basis figure (share or amount per customer) without
the other pointing the other way, both cited.

1. channel: reach the segment through the channel most above all customers' (purchases there);
2. offer: deal part of purchases materially above -> discount offers; below -> premium / loyalty;
3. category: campaign on the category most above all customers' (money spent on it);
4. campaign: response materially above -> include first, unless the last campaign's return
   (``segment_value``) says a contact to the segment lost money: then do not contact it first
   (``campaign_high_loss``, a loss beyond chance) or test it on a sample first
   (``campaign_high_unclear``, a loss within chance), citing the loss; materially below -> cut
   contacts;
5. win-back: days since last purchase materially above (|d|) with a median at least
   ``recency.high_ratio`` times all customers';
6. value: revenue share at least ``value.high_ratio`` times the customer share -> key accounts;
   at most ``value.low_ratio`` -> low-cost contact only (a table with revenue);
7. traits: each ``traits`` entry (an attribute, a direction and its texts) whose attribute
   differs materially (|d|) in that direction, citing its figure (``claims.attribute_figures``);
   then generic: each attribute the configured profile list lacks (``profile.added``) that
   differs materially, from the ``generic`` texts of its kind of measure (count, amount,
   share, rate, recency) and direction, unless a ``traits`` entry names it in that direction;
8. keep: a segment no rule above acts on keeps the regular programme, and its card says what to
   watch: the attribute that differs most (largest |d|), with its figures.

Segments named by archetype (a log's RFM, ``naming.archetypes``) first get their archetype's
action (``by_archetype``), citing the medians in ``evidence``; two more rules on activity apply
where their parameters are set: cancellations (cancellation share against all customers') and
basket (median spend per invoice against all customers').

A rule whose roles the table lacks, or whose parameters are not set, never fires (no recency, or
``recency: null``: no win-back).

Every text (action and evidence) comes from the ``texts`` parameters, for every source of
customers; the first ``max_actions`` actions that fire are kept, and every segment has at least
one (keep).
"""

from collections.abc import Mapping

import pandas as pd

from customer_segmentation.core.analysis.attributes import phrase_label
from customer_segmentation.core.analysis.claims import (
    attribute_direction,
    attribute_figures,
    effect_word,
    figure_text,
)

# The texts each rule needs; checked at the boundary so a missing one fails before any run.
CUSTOMER_TEXTS = ("channel", "category", "deals_high", "deals_low", "campaign_high", "campaign_low")
CUSTOMER_TEXTS += ("campaign_high_loss", "campaign_high_unclear", "win_back", "keep")
# The texts of the rules that apply only where their parameters are set.
ACTIVITY_TEXTS = {
    "by_archetype": ("archetype_evidence",),
    "value": ("value_high", "value_low"),
    "cancellations": ("cancellations",),
    "basket": ("basket_high", "basket_low"),
}


def required_texts(settings: Mapping) -> tuple[str, ...]:
    """The texts the rules of ``settings`` (the actions block) need."""
    extra = [text for rule, texts in ACTIVITY_TEXTS.items() if settings.get(rule) for text in texts]
    return (*CUSTOMER_TEXTS, *extra)


def _action(kind: str, text: Mapping, figures: Mapping, **values) -> dict:
    """One action: its ``kind``, ``action`` and ``evidence`` texts filled with ``values``, and
    the ``figures`` it rests on (each ``{segment, overall}``). A text citing Cohen's ``{d}`` may
    gloss it with ``{d_size}``: "small", "medium" or "large" (``claims.effect_word``)."""
    if "d" in values:
        values["d_size"] = effect_word(values["d"])
    return {
        "kind": kind,
        "action": text["action"].format(**values),
        "evidence": text["evidence"].format(**values),
        "figures": {
            name: {key: round(float(value), 4) for key, value in pair.items()}
            for name, pair in figures.items()
        },
    }


def _mix_action(kind: str, text: Mapping, row: pd.Series, **values) -> dict:
    """An action resting on one mix row of ``claims.material_mix``: share and amount cited."""
    figures = {
        "share": {"segment": row["share"], "overall": row["overall_share"]},
        "amount": {"segment": row["amount"], "overall": row["overall_amount"]},
    }
    fields = {key: row[key] for key in ("share", "overall_share", "amount", "overall_amount")}
    action = _action(kind, text, figures, item=row["item"], **fields, **values)
    return {**action, "measure": row["measure"], "item": row["item"]}


def _strongest(mix: pd.DataFrame, measure: str, direction: str) -> pd.Series | None:
    """The material row of a measure in a direction furthest from all customers on its basis
    figure (``lift``), if any."""
    rows = mix.loc[(mix["measure"] == measure) & (mix["direction"] == direction)]
    if rows.empty:
        return None
    return rows.loc[rows["lift"].idxmax() if direction == "high" else rows["lift"].idxmin()]


def _win_back(row: pd.Series, overall: pd.Series, settings: Mapping, texts: Mapping) -> dict | None:
    if not settings.get("recency") or "median_recency_days" not in row:  # not set, or no recency
        return None
    days, base = row["median_recency_days"], overall["median_recency_days"]
    effect = row["effect_recency_days"]
    if attribute_direction(effect, settings["materiality"]) != "high":
        return None
    if not (base > 0 and days / base >= settings["recency"]["high_ratio"]):
        return None
    figures = {
        "median_days": {"segment": days, "overall": base},
        "effect_size": {"segment": effect, "overall": 0.0},
    }
    return _action("win-back", texts["win_back"], figures, days=days, overall_days=base, d=effect)


def check_texts(texts: Mapping, channels: list[str], required: tuple[str, ...]) -> None:
    """Raise ValueError naming every action text or channel phrase the parameters lack."""
    missing = [f"texts.{key}" for key in required if key not in texts]
    missing += [
        f"channel_phrases.{channel}"
        for channel in channels
        if channel not in texts.get("channel_phrases", {}) and "channel_phrase_default" not in texts
    ]
    if missing:
        raise ValueError(
            f"cluster_analysis.actions: missing {missing} in conf/base/"
            "parameters_cluster_analysis.yml; every action text lives there (a phrase for each "
            "channel your schema declares: add it in conf/local/parameters.yml)."
        )


def campaign_losses(value: pd.DataFrame | None) -> dict[int, dict[str, float | bool]]:
    """Per segment whose contact lost money in the last campaign (``segment_value``'s
    ``profit_per_contact`` < 0): ``{loss_per_contact, loss_all_contacted}`` (positive amounts in
    the data's currency), ``sure`` (``loses_money``: a loss even at the high end of the response
    rate's 95 % interval), ``rate_low``, ``rate_high`` and ``break_even`` (fractions); {}
    without a campaign return."""
    if value is None or "loses_money" not in value:
        return {}
    losing = value.loc[(value["segment"] > 0) & (value["profit_per_contact"] < 0)]
    return {
        int(row["segment"]): {
            "loss_per_contact": -float(row["profit_per_contact"]),
            "loss_all_contacted": -float(row["profit_all_contacted"]),
            "sure": bool(row["loses_money"]),
            "rate_low": float(row["response_rate_low"]),
            "rate_high": float(row["response_rate_high"]),
            "break_even": float(row["break_even_response_rate"]),
        }
        for row in losing.to_dict("records")
    }


def recommend_actions(
    profiles: pd.DataFrame,
    mix: pd.DataFrame,
    settings: Mapping,
    archetypes: Mapping[int, str | None] | None = None,
    value: pd.DataFrame | None = None,
) -> dict[int, list[dict]]:
    """Per segment (profile rows with ``segment`` >= 1), its 1..max_actions actions.

    ``profiles`` is the segment profile table (segment 0 = all customers); ``mix`` its
    ``claims.material_mix``; ``settings`` the actions block plus ``materiality`` and ``profile``
    (the profile block: attribute labels, ``totals``, ``percent``); ``archetypes`` each
    segment's archetype where the names have one; ``value`` the ``segment_value`` table (a
    segment whose contact lost money is never told to be contacted first).
    """
    losses = campaign_losses(value)
    texts = settings["texts"]
    overall = profiles.loc[profiles["segment"] == 0].iloc[0]
    figures = attribute_figures(profiles, settings["profile"])
    actions: dict[int, list[dict]] = {}
    for _, row in profiles.loc[profiles["segment"] > 0].iterrows():  # one per segment
        segment = int(row["segment"])
        own = figures.loc[figures["segment"] == segment]
        found = [
            _archetype_action(row, overall, (archetypes or {}).get(segment), settings),
            *_mix_actions(mix.loc[mix["segment"] == segment], texts, losses.get(segment)),
            _win_back(row, overall, settings, texts),
            _value_action(row, settings["value"], texts) if settings.get("value") else None,
            *_trait_actions(own, settings),
            *_generic_actions(own, settings),
            *_activity_actions(row, overall, settings),
        ]
        found = [a for a in found if a is not None][: settings["max_actions"]]
        actions[segment] = found or [_keep(row, overall, own, settings)]
    return actions


def _mix_actions(own: pd.DataFrame, texts: Mapping, loss: Mapping | None = None) -> list[dict]:
    """Channel, offer, category and campaign actions from one segment's material mixes;
    ``loss`` (``campaign_losses``' entry) turns "include first" into "do not contact first"
    (a sure loss) or "test on a sample first" (a loss within chance)."""
    found = []
    channel = _strongest(own, "channel", "high")
    if channel is not None:
        phrases, default = texts["channel_phrases"], texts.get("channel_phrase_default")
        item = channel["item"]
        where = phrases[item] if item in phrases else default.format(channel=item)
        found.append(_mix_action("channel", texts["channel"], channel, where=where))
    for direction in ("high", "low"):
        deals = _strongest(own, "deals", direction)
        if deals is not None:
            found.append(_mix_action("offer", texts[f"deals_{direction}"], deals))
    category = _strongest(own, "category", "high")
    if category is not None:
        found.append(_mix_action("category", texts["category"], category))
    for direction in ("high", "low"):
        response = _strongest(own, "response", direction)
        if response is None:
            continue
        if direction == "high" and loss is not None:
            text = texts["campaign_high_loss" if loss["sure"] else "campaign_high_unclear"]
            action = _mix_action("campaign", text, response, **loss)
            action["figures"]["loss_per_contact"] = {
                "segment": loss["loss_per_contact"],
                "overall": 0.0,
            }
            found.append(action)
        else:
            found.append(_mix_action("campaign", texts[f"campaign_{direction}"], response))
    return found


def _trait_actions(own: pd.DataFrame, settings: Mapping) -> list[dict]:
    """The ``traits`` actions whose attribute differs materially in their direction, citing the
    segment's figure against all customers' (``own``: the segment's rows of
    ``claims.attribute_figures``; {mean}, {overall_mean} and {d} in the texts)."""
    by_attribute = own.set_index("attribute")
    found = []
    for trait in settings.get("traits") or []:
        attribute = trait["attribute"]
        if attribute not in by_attribute.index:
            continue
        figure = by_attribute.loc[attribute]
        effect = figure["effect_size"]
        if attribute_direction(effect, settings["materiality"]) != trait["direction"]:
            continue
        values = {"mean": figure["value"], "overall_mean": figure["overall"], "d": effect}
        figures = {
            "mean": {"segment": figure["value"], "overall": figure["overall"]},
            "effect_size": {"segment": effect, "overall": 0.0},
        }
        found.append({**_action("trait", trait, figures, **values), "item": attribute})
    return found


def _generic_actions(own: pd.DataFrame, settings: Mapping) -> list[dict]:
    """Actions on the attributes the configured profile list lacks (``profile.added``: {attribute:
    kind of measure}, ``attributes.resolve_profile``) that differ materially, from the ``generic``
    texts of their kind and direction, largest |d| first; an attribute and direction a
    ``traits`` entry names keeps its hand-written text. Texts take {label} (in a sentence),
    {value} and {overall} (as the report writes them), {mean}, {overall_mean}, {d}, {d_size}."""
    added = settings["profile"].get("added") or {}
    if not added or not settings.get("generic"):
        return []
    written = {(trait["attribute"], trait["direction"]) for trait in settings.get("traits") or []}
    rows = own.loc[own["attribute"].isin(list(added))]
    rows = rows.reindex(rows["effect_size"].abs().sort_values(ascending=False, kind="stable").index)
    found = []
    for figure in rows.to_dict("records"):
        attribute, effect = figure["attribute"], figure["effect_size"]
        direction = attribute_direction(effect, settings["materiality"])
        if not direction or (attribute, direction) in written:
            continue
        values = {
            "label": phrase_label(settings["profile"]["attributes"][attribute]),
            "value": figure_text(figure["value"], figure["percent"]),
            "overall": figure_text(figure["overall"], figure["percent"]),
            "mean": figure["value"],
            "overall_mean": figure["overall"],
            "d": effect,
        }
        figures = {
            "mean": {"segment": figure["value"], "overall": figure["overall"]},
            "effect_size": {"segment": effect, "overall": 0.0},
        }
        text = settings["generic"][added[attribute]][direction]
        found.append({**_action("generic", text, figures, **values), "item": attribute})
    return found


def _keep(row: pd.Series, overall: pd.Series, own: pd.DataFrame, settings: Mapping) -> dict:
    """Keep the regular programme, and watch the attribute that differs most (the largest |d|):
    its figure against all customers', and the threshold. The size cites revenue where the table
    has it."""
    texts = settings["texts"]["keep"]
    watch = own.loc[own["effect_size"].abs().idxmax()]
    figures = {
        "customer_share": {"segment": row["customer_share"], "overall": 1.0},
        "watch": {"segment": watch["value"], "overall": watch["overall"]},
        "effect_size": {"segment": watch["effect_size"], "overall": 0.0},
    }
    size = {"customer_share": row["customer_share"]}
    if "revenue_per_customer" in row:
        size_text = texts["size_revenue"]
        size |= {
            "revenue_share": row["revenue_share"],
            "revenue_per_customer": row["revenue_per_customer"],
            "overall_revenue_per_customer": overall["revenue_per_customer"],
        }
        figures["revenue_per_customer"] = {
            "segment": row["revenue_per_customer"],
            "overall": overall["revenue_per_customer"],
        }
    else:
        size_text = texts["size"]
    action = _action(
        "keep",
        texts,
        figures,
        size=size_text.format(**size),
        watch=settings["profile"]["attributes"][watch["attribute"]],
        value=figure_text(watch["value"], watch["percent"]),
        overall=figure_text(watch["overall"], watch["percent"]),
        d=watch["effect_size"],
        threshold=settings["materiality"]["effect_size"],
    )
    return {**action, "item": watch["attribute"]}


def mark_tentative(actions: Mapping[int, list[dict]], jaccard: Mapping[int, float], below: float):
    """Per segment, ``stability`` (its mean Jaccard recovery, and ``tentative`` when it is below
    ``below``) and its actions, each flagged ``tentative`` accordingly."""
    marked = {}
    for segment, items in actions.items():
        tentative = bool(jaccard[segment] < below)
        marked[segment] = {
            "stability": {"jaccard_mean": jaccard[segment], "tentative": tentative},
            "actions": [{**item, "tentative": tentative} for item in items],
        }
    return marked


# ------------------------------------------------------------------ activity (a log's RFM)


def _median_pair(row: pd.Series, overall: pd.Series, attribute: str) -> tuple[float, float]:
    return float(row[f"median_{attribute}"]), float(overall[f"median_{attribute}"])


def _rfm_medians(row: pd.Series, overall: pd.Series, labels: Mapping[str, str]) -> str:
    """'12 days since last purchase vs 51; ...' for the RFM columns named in ``labels``."""
    parts = []
    for attribute, label in labels.items():
        segment_value, overall_value = _median_pair(row, overall, attribute)
        parts.append(f"{label} {segment_value:,.0f} vs {overall_value:,.0f}")
    return "; ".join(parts)


def _pair(segment_value: float, overall_value: float) -> dict:
    return {"segment": segment_value, "overall": overall_value}


def _level(ratio: float, rule: Mapping) -> str | None:
    """``high`` / ``low`` / None for a ratio against ``rule``'s high_ratio / low_ratio."""
    if ratio >= rule["high_ratio"]:
        return "high"
    if "low_ratio" in rule and ratio <= rule["low_ratio"]:
        return "low"
    return None


def _value_action(row: pd.Series, rule: Mapping, texts: Mapping) -> dict | None:
    """Revenue share against customer share: key accounts, or low-cost contact only (none for a
    table without revenue)."""
    if "revenue_share" not in row:
        return None
    revenue, customers = row["revenue_share"], row["customer_share"]
    level = _level(revenue / customers if customers > 0 else 1.0, rule)
    if level is None:
        return None
    figures = {"revenue_share": _pair(revenue, customers)}
    return _action(
        "value", texts[f"value_{level}"], figures, revenue_share=revenue, customer_share=customers
    )


def _cancellation_action(
    row: pd.Series, overall: pd.Series, rule: Mapping, texts: Mapping
) -> dict | None:
    share, base = row["mean_cancellation_share"], overall["mean_cancellation_share"]
    if not base > 0 or share / base < rule["high_ratio"]:
        return None
    figures = {"share": _pair(share, base)}
    return _action("cancellations", texts["cancellations"], figures, share=share, overall=base)


def _basket_action(
    row: pd.Series, overall: pd.Series, rule: Mapping, texts: Mapping
) -> dict | None:
    basket, base = _median_pair(row, overall, "avg_basket")
    level = _level(basket / base if base > 0 else 1.0, rule)
    if level is None:
        return None
    figures = {"median_basket": _pair(basket, base)}
    return _action("basket", texts[f"basket_{level}"], figures, basket=basket, overall=base)


def _archetype_action(
    row: pd.Series, overall: pd.Series, archetype: str | None, settings: Mapping
) -> dict | None:
    """The action of the segment's archetype (``by_archetype``), citing the ``evidence``
    medians; none for a segment named without an archetype."""
    if archetype is None or not settings.get("by_archetype"):
        return None
    recency, overall_recency = _median_pair(row, overall, "recency_days")
    text = {
        "action": settings["by_archetype"].get(archetype, settings["by_archetype_default"]),
        "evidence": settings["texts"]["archetype_evidence"],
    }
    return _action(
        "archetype",
        text,
        {"median_recency_days": _pair(recency, overall_recency)},
        medians=_rfm_medians(row, overall, settings["evidence"]),
    )


def _activity_actions(row: pd.Series, overall: pd.Series, settings: Mapping) -> list[dict | None]:
    """Cancellation and basket actions, where their parameters are set."""
    texts = settings["texts"]
    return [
        _cancellation_action(row, overall, settings["cancellations"], texts)
        if settings.get("cancellations")
        else None,
        _basket_action(row, overall, settings["basket"], texts) if settings.get("basket") else None,
    ]
