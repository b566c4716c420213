"""When a segment differs materially from all customers: the one test behind every name term,
segment-card row and action (docs/cluster_analysis.md, "When a difference is material").

Two kinds of difference, thresholds in ``cluster_analysis.materiality``:

- an *attribute* (income, age, ...) differs materially when its Cohen's d against the other
  customers reaches ``effect_size`` in absolute value;
- a *mix* (a category's part of spend, a channel's part of purchases, the deal part of purchases,
  the response rate) differs materially only when the segment's share **and** the matching
  amount per customer (money spent on the category, purchases in the channel, deal purchases,
  earlier campaigns accepted) are both at least ``share_ratio`` / ``amount_ratio`` times all
  customers' (``high``), or both at most overall / ratio (``low``). A larger slice of a smaller
  basket is not "more".

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


def mix_direction(mix: pd.DataFrame, settings: Mapping) -> pd.Series:
    """``high`` / ``low`` / ``""`` per row of ``mix_table``: material in share and amount.

    A missing (withheld) share or a zero overall figure supports no claim.
    """
    share_ratio = mix["share"] / mix["overall_share"].where(mix["overall_share"] > 0)
    amount_ratio = mix["amount"] / mix["overall_amount"].where(mix["overall_amount"] > 0)
    high = (share_ratio >= settings["share_ratio"]) & (amount_ratio >= settings["amount_ratio"])
    low = (share_ratio <= 1 / settings["share_ratio"]) & (
        amount_ratio <= 1 / settings["amount_ratio"]
    )
    return pd.Series(np.select([high, low], ["high", "low"], ""), index=mix.index)


def material_mix(profiles: pd.DataFrame, profile: Mapping, settings: Mapping) -> pd.DataFrame:
    """``mix_table`` with its ``direction`` (``mix_direction``)."""
    mix = mix_table(profiles, profile)
    mix["direction"] = mix_direction(mix, settings)
    return mix


def attribute_direction(effect_size: float, settings: Mapping) -> str:
    """``high`` / ``low`` / ``""``: |Cohen's d| at or above ``settings["effect_size"]``."""
    if effect_size >= settings["effect_size"]:
        return "high"
    if effect_size <= -settings["effect_size"]:
        return "low"
    return ""
