"""When a segment differs materially from all customers: the one test behind every name term,
segment-card row and action (docs/cluster_analysis.md, "When a difference is material"), and the
one figure each measure shows (``attribute_figures``).

Two kinds of difference, thresholds in ``cluster_analysis.materiality``:

- an *attribute* (income, age, ...) differs materially when its Cohen's d against the other
  customers reaches ``effect_size`` in absolute value;
- a *mix* (a category's part of spend, a channel's part of purchases, the deal part of purchases,
  the response rate) has two figures: the segment's share and the matching amount per customer
  (money spent on the category, purchases in the channel, deal purchases, earlier campaigns
  accepted). Its ``basis`` (per measure) is the figure its actions act on: it must be at least
  its ratio (``share_ratio`` / ``amount_ratio``) times all customers' (``high``), or at most
  overall / ratio (``low``), and the other figure must not differ materially the other way. A
  larger slice of a smaller basket is not more money on a category; a larger part of purchases
  on a deal is deal seeking even when the segment buys less in all.

A share above 1 (e.g. more deal purchases recorded than purchases) is impossible: it is withheld
from the profiles with a warning (``withhold_impossible_shares``) and never supports a claim.
"""

import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

SEGMENT = "segment"
# Profile columns holding a share or a rate (0..1); effect sizes and indices are not shares.
SHARE_COLUMN = re.compile(r"(^|_)(share|rate)(_|$)")
WITHHELD = "data_warnings"
WARNING_SEPARATOR = " | "


# Cohen's conventional sizes of |d|: below 0.5 small, below 0.8 medium, else large. The one
# plain-language gloss of d: the action texts ({d_size}), the cards and the glossary use it.
EFFECT_WORDS = ((0.5, "small"), (0.8, "medium"))


def effect_word(d: float) -> str:
    """A plain gloss of Cohen's d: "small", "medium" or "large" difference (``EFFECT_WORDS``)."""
    return next((word for bound, word in EFFECT_WORDS if abs(d) < bound), "large")


def share_columns(columns: Sequence[str]) -> list[str]:
    """The profile columns that are shares or rates (0..1), e.g. ``deal_share``,
    ``channel_share_web``, ``mean_deal_purchase_share``; not ``effect_*`` nor ``*_index``."""
    return [
        name
        for name in columns
        if SHARE_COLUMN.search(name)
        and not name.startswith("effect_")
        and not name.endswith("_index")
    ]


def withhold_impossible_shares(profiles: pd.DataFrame) -> pd.DataFrame:
    """``profiles`` with every share above 1 replaced by NaN and named in ``data_warnings``
    (notes joined by ``WARNING_SEPARATOR``).

    Nothing is clipped: the raw ratio is kept in the warning (as a ratio, not a percentage), so a
    reader sees that the input rows are inconsistent. A ``<column>_index`` built on a withheld
    share is withheld with it.
    """
    result = profiles.copy()
    warnings = pd.Series("", index=result.index, dtype="object")
    for column in share_columns(result.columns):
        values = pd.to_numeric(result[column], errors="coerce")
        impossible = values > 1.0
        if not impossible.any():
            continue
        for position in np.flatnonzero(impossible.to_numpy()):
            index = result.index[position]
            note = (
                f"{column} withheld: the rows give {values.iloc[position]:.3f} per unit, above 1, "
                "which is impossible for a share (the input has more of the part than of the whole)"
            )
            warnings[index] = (
                f"{warnings[index]}{WARNING_SEPARATOR}{note}" if warnings[index] else note
            )
        result[column] = values.mask(impossible)
        if f"{column}_index" in result:
            result[f"{column}_index"] = result[f"{column}_index"].mask(impossible)
    result[WITHHELD] = warnings
    return result


def mix_table(profiles: pd.DataFrame, profile: Mapping) -> pd.DataFrame:
    """Long table of every mix per segment (profile rows 1..k) against all customers (row 0).

    Columns: ``segment``, ``measure`` (category / channel / deals / response), ``item`` (the
    category or channel name; the measure for deals and response), ``share``, ``overall_share``,
    ``amount``, ``overall_amount``, ``main`` (the item is the segment's largest category or
    channel). Amounts are per customer: money (category), purchases (channel, deals), earlier
    campaigns accepted (response). ``profile`` is the profile parameters block: ``products``,
    ``channels``, ``campaigns`` and ``purchases`` (the feature counting a customer's purchases,
    profiled among the attributes).
    """
    purchases = f"mean_{profile['purchases']}"
    if profile["channels"] and purchases not in profiles:
        raise ValueError(
            f"segment profiles: no column {purchases!r}; list {profile['purchases']!r} among "
            "cluster_analysis.profile.attributes (purchases per customer back channel and deal "
            "claims)."
        )
    table = profiles.set_index(SEGMENT)
    accepted = table[[f"acceptance_rate_{c}" for c in profile["campaigns"]]].sum(axis=1)
    parts = []

    def add(measure: str, item: str, share: pd.Series, amount: pd.Series, main=None) -> None:
        parts.append(
            pd.DataFrame(
                {
                    "measure": measure,
                    "item": item,
                    "share": share,
                    "amount": amount,
                    "main": False if main is None else main == item,
                }
            )
        )

    for item in profile["products"]:
        share = table[f"category_share_{item}"]
        add("category", item, share, share * table["revenue_per_customer"], table["top_category"])
    for item in profile["channels"]:
        share = table[f"channel_share_{item}"]
        add("channel", item, share, share * table[purchases], table["preferred_channel"])
    # Deals and response only where the table has them (segment_profiles leaves them out).
    if "deal_share" in table:
        add("deals", "deals", table["deal_share"], table["deal_share"] * table[purchases])
    if "response_rate" in table:
        add("response", "response", table["response_rate"], accepted)
    if not parts:  # no mix at all: a table without products, channels, deals or campaigns
        columns = ["measure", "item", "share", "amount", "main", "overall_share"]
        return pd.DataFrame(columns=[SEGMENT, *columns, "overall_amount"])
    long = pd.concat(parts).rename_axis(SEGMENT).reset_index()
    overall = long.loc[long[SEGMENT] == 0].set_index(["measure", "item"])
    long = long.loc[long[SEGMENT] > 0].join(
        overall[["share", "amount"]].add_prefix("overall_"), on=["measure", "item"]
    )
    return long.sort_values([SEGMENT], kind="stable").reset_index(drop=True)


def mix_direction(mix: pd.DataFrame, settings: Mapping) -> pd.DataFrame:
    """Per row of ``mix_table``: ``direction`` (``high`` / ``low`` / ``""``) and ``lift`` (the
    ratio of its basis figure to all customers').

    ``settings["basis"]`` maps each measure to ``share`` or ``amount``: that figure must reach its
    ratio, and the other must not differ materially the other way (for ``high``: above
    overall / its ratio). A missing (withheld) share or a zero overall figure supports no claim.
    """
    share = mix["share"] / mix["overall_share"].where(mix["overall_share"] > 0)
    amount = mix["amount"] / mix["overall_amount"].where(mix["overall_amount"] > 0)
    on_share = (mix["measure"].map(settings["basis"]) == "share").to_numpy()
    lift, other = share.where(on_share, amount), amount.where(on_share, share)
    lift_ratio = np.where(on_share, settings["share_ratio"], settings["amount_ratio"])
    other_ratio = np.where(on_share, settings["amount_ratio"], settings["share_ratio"])
    high = (lift >= lift_ratio) & (other > 1 / other_ratio)
    low = (lift <= 1 / lift_ratio) & (other < other_ratio)
    direction = np.select([high, low], ["high", "low"], "")
    return pd.DataFrame({"direction": direction, "lift": lift}, index=mix.index)


def material_mix(profiles: pd.DataFrame, profile: Mapping, settings: Mapping) -> pd.DataFrame:
    """``mix_table`` with its ``direction`` and ``lift`` (``mix_direction``)."""
    mix = mix_table(profiles, profile)
    return pd.concat([mix, mix_direction(mix, settings)], axis=1)


def attribute_figures(profiles: pd.DataFrame, profile: Mapping) -> pd.DataFrame:
    """The one figure of every profiled attribute, per segment (1..k) against all customers.

    Long table: ``segment``, ``attribute``, ``value``, ``overall``, ``effect_size`` (Cohen's d
    against the other customers), ``percent`` (shown as a percentage), ``of_totals`` (the figure
    is a mix's ratio of totals). An attribute that
    ``profile["totals"]`` maps to a profile column (e.g. ``deal_purchase_share`` to
    ``deal_share``) shows that column, a ratio of totals, so it reads as its mix and its actions
    do; any other shows its mean per customer. ``profiles`` is the segment profile table (its
    ``mean_<a>`` / ``effect_<a>`` columns, segment 0 = all customers).
    """
    table = profiles.set_index(SEGMENT)
    totals = profile.get("totals") or {}
    parts = []
    for attribute in profile["attributes"]:
        column = totals.get(attribute)
        column = column if column in table else f"mean_{attribute}"
        if column not in table:  # an attribute this table lacks
            continue
        values = table[column].astype("float64")
        parts.append(
            pd.DataFrame(
                {
                    SEGMENT: values.index[values.index > 0],
                    "attribute": attribute,
                    "value": values.loc[values.index > 0].to_numpy(),
                    "overall": values.loc[0],
                    "effect_size": table.loc[values.index > 0, f"effect_{attribute}"].to_numpy(),
                    "percent": attribute in (profile.get("percent") or []),
                    "of_totals": column != f"mean_{attribute}",
                }
            )
        )
    columns = [SEGMENT, "attribute", "value", "overall", "effect_size", "percent", "of_totals"]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)


def figure_text(value: float, percent: bool) -> str:
    """An attribute figure as the report and the actions write it: a percentage with one decimal,
    whole numbers with thousands separators from 100, else one decimal (a mean below 0.05 reads
    0.0, the "no ..." of the names)."""
    if value is None or pd.isna(value):
        return "–"
    if percent:
        return f"{100 * value:.1f}%"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.1f}"


def shows_as_zero(value: float) -> bool:
    """Whether a mean per customer (not a percentage) reads 0.0 in ``figure_text``: a name then
    says "no ..." rather than "few ..."."""
    return abs(value) < 0.05


def attribute_direction(effect_size: float, settings: Mapping) -> str:
    """``high`` / ``low`` / ``""``: |Cohen's d| at or above ``settings["effect_size"]``."""
    if effect_size >= settings["effect_size"]:
        return "high"
    if effect_size <= -settings["effect_size"]:
        return "low"
    return ""
