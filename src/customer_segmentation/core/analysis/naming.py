"""Short plain-language segment names, derived deterministically from effect sizes.

The rule (docs/cluster_analysis.md); "material" is defined once, in ``core.analysis.claims``:

1. The first descriptor is the income tier: ``high`` when the income difference is material
   upwards, ``low`` when downwards, ``middle`` otherwise.
2. Then the most distinctive other traits: those whose difference is material (|d|), the
   largest |d| first (ties: the priority order of the parameters), until the name has
   ``max_descriptors`` descriptors. A trait that names a mix (``measure``: a channel, the deals)
   must agree with it: the mix is material in the same direction, or, for a channel named
   upwards, it is the segment's main channel. If none passes, ``no_distinct_trait`` is used.
   Within the name the descriptors appear in the fixed priority order of the parameters. A
   trait named downwards whose segment mean reads 0.0 (``claims.shows_as_zero``) takes its
   ``zero`` phrase where it has one ("no children", not "few children"). Generic descriptors
   (``generic: true``, the attributes the configured list lacks) come after every passing
   configured one, whatever their |d|.
3. Segments that share a name each add their next most distinctive passing trait until the names
   differ; any still equal get " (segment N)".
"""

from collections.abc import Mapping

import numpy as np
import pandas as pd

from customer_segmentation.core.analysis.claims import attribute_direction, shows_as_zero


def _agrees_with_mix(segment: int, rule: Mapping, direction: str, mix: pd.DataFrame | None) -> bool:
    """Whether a trait naming a mix (``rule["measure"]``, ``rule["item"]``) agrees with it."""
    if "measure" not in rule:
        return True
    if mix is None:
        raise ValueError(
            f"naming: descriptor {rule['attribute']!r} names the {rule['measure']} mix; the "
            "segment profiles are needed to check it."
        )
    item = rule.get("item", rule["measure"])
    found = mix.loc[
        (mix["segment"] == segment) & (mix["measure"] == rule["measure"]) & (mix["item"] == item)
    ]
    if found.empty:
        raise ValueError(f"naming: no {rule['measure']} {item!r} in the segment profiles.")
    row = found.iloc[0]
    main_channel = rule["measure"] == "channel" and direction == "high" and bool(row["main"])
    return row["direction"] == direction or main_channel


def _mix_of(rule: Mapping) -> dict:
    """The ``measure`` and ``item`` a descriptor names (empty when it names no mix)."""
    if "measure" not in rule:
        return {}
    return {"measure": rule["measure"], "item": rule.get("item", rule["measure"])}


def _descriptor(
    segment: int,
    effect: float,
    mean: float,
    rule: Mapping,
    *,
    materiality: Mapping,
    mix: pd.DataFrame | None,
) -> str | None:
    """The phrase of one trait for one segment (``mean``: its segment mean), or None when it is
    not material."""
    direction = attribute_direction(effect, materiality)
    if not direction or not rule.get(direction):
        return None
    if not _agrees_with_mix(segment, rule, direction, mix):
        return None
    if direction == "low" and rule.get("zero") and shows_as_zero(mean):
        return rule["zero"]
    return rule[direction]


def segment_descriptors(
    effects: pd.DataFrame, settings: Mapping, materiality: Mapping, mix: pd.DataFrame | None = None
) -> dict[int, list[dict]]:
    """Per segment, the income tier then every passing descriptor, most distinctive first.

    ``mix`` is ``claims.material_mix`` of the segment profiles, needed when a descriptor names a
    ``measure``. Each descriptor carries its ``priority`` (0 for income) to order the words.
    Only the attributes the table has speak: without income there is no tier, and a descriptor
    of an attribute the table's roles do not give is skipped. ``effects``: ``segment``,
    ``attribute``, ``effect_size`` and, for the ``zero`` phrases, ``segment_mean``.
    """
    income = settings["income"]
    table = effects.pivot(index="segment", columns="attribute", values="effect_size")
    means = None
    if "segment_mean" in effects:
        means = effects.pivot(index="segment", columns="attribute", values="segment_mean")
    present = [rule for rule in settings["descriptors"] if rule["attribute"] in table.columns]
    descriptors: dict[int, list[dict]] = {}
    for segment, row in table.iterrows():  # one iteration per segment, not per customer
        first = []
        if income["attribute"] in table.columns:
            effect = row[income["attribute"]]
            tier = _descriptor(segment, effect, np.nan, income, materiality=materiality, mix=None)
            tier = tier or income["middle"]
            first = [{"attribute": income["attribute"], "phrase": tier, "effect_size": effect}]
        traits = []
        for priority, rule in enumerate(present, start=1):
            mean = np.nan if means is None else means.loc[segment, rule["attribute"]]
            effect = row[rule["attribute"]]
            phrase = _descriptor(segment, effect, mean, rule, materiality=materiality, mix=mix)
            if phrase:
                traits.append(
                    {
                        "attribute": rule["attribute"],
                        "phrase": phrase,
                        "effect_size": effect,
                        "priority": priority,
                        "generic": bool(rule.get("generic")),
                        **_mix_of(rule),
                    }
                )
        # Generic descriptors (attributes.generic_descriptors) only after every configured one.
        traits.sort(key=lambda item: (item["generic"], -abs(item["effect_size"]), item["priority"]))
        descriptors[int(segment)] = [*[{**item, "priority": 0} for item in first], *traits]
    return descriptors


def _compose(phrases: list[str]) -> str:
    text = ", ".join(phrases)
    return text[:1].upper() + text[1:]


def name_segments(
    effects: pd.DataFrame, settings: Mapping, materiality: Mapping, mix: pd.DataFrame | None = None
) -> list[dict]:
    """One entry per segment: ``segment``, unique ``name`` and the ``descriptors`` behind it."""
    candidates = segment_descriptors(effects, settings, materiality, mix)
    size = {
        segment: min(settings["max_descriptors"], len(found))
        for segment, found in candidates.items()
    }

    def names() -> dict[int, str]:
        result = {}
        for segment, found in candidates.items():
            chosen = sorted(found[: size[segment]], key=lambda item: item["priority"])
            phrases = [item["phrase"] for item in chosen]
            tier_only = len(phrases) == 1 and chosen[0]["priority"] == 0
            if not phrases or (tier_only and settings["max_descriptors"] > 1):
                phrases.append(settings["no_distinct_trait"])
            result[segment] = _compose(phrases)
        return result

    current = names()
    while True:
        clashing = _clashing(current)
        growable = [segment for segment in clashing if size[segment] < len(candidates[segment])]
        if not growable:
            break
        for segment in growable:
            size[segment] += 1
        current = names()
    for segment in _clashing(current):
        current[segment] = f"{current[segment]} (segment {segment})"

    return [
        {
            "segment": segment,
            "name": current[segment],
            "descriptors": [
                {
                    "attribute": item["attribute"],
                    "phrase": item["phrase"],
                    "effect_size": round(float(item["effect_size"]), 3),
                    **_mix_of(item),
                }
                for item in sorted(
                    candidates[segment][: size[segment]], key=lambda item: item["priority"]
                )
            ],
        }
        for segment in sorted(candidates)
    ]


def _clashing(names: Mapping[int, str]) -> list[int]:
    """Segments whose name another segment also has, in segment order."""
    counts = pd.Series(names).value_counts()
    return sorted(segment for segment, name in names.items() if counts[name] > 1)


# ------------------------------------------------------------------ RFM names (log-only mode)


def median_ratios(profiles: pd.DataFrame, attributes: list[str]) -> pd.DataFrame:
    """Per segment (rows 1..k), each attribute's median divided by all customers' median.

    Medians, not means or Cohen's d: activity is heavy-tailed (a few very large accounts) and a
    ratio of medians says what the typical customer of the segment is like.
    """
    overall = profiles.loc[profiles["segment"] == 0].iloc[0]
    segments = profiles.loc[profiles["segment"] > 0].set_index("segment")
    ratios = {}
    for attribute in attributes:
        base = float(overall[f"median_{attribute}"])
        ratios[attribute] = segments[f"median_{attribute}"].astype("float64") / (
            base if base > 0 else float("nan")
        )
    return pd.DataFrame(ratios, index=segments.index)


def _level(ratio: float, settings: Mapping) -> str:
    """high / low / typical for one median ratio (missing ratio: typical)."""
    if ratio >= settings["high_ratio"]:
        return "high"
    if ratio <= settings["low_ratio"]:
        return "low"
    return "typical"


def _matches(levels: Mapping[str, str], conditions: Mapping[str, str]) -> bool:
    """An archetype's conditions: high, low, not_high or not_low per attribute."""
    for attribute, wanted in conditions.items():
        level = levels[attribute]
        if wanted.startswith("not_"):
            if level == wanted[4:]:
                return False
        elif level != wanted:
            return False
    return True


def name_rfm_segments(profiles: pd.DataFrame, settings: Mapping) -> list[dict]:
    """Names such as "Champions: recent, frequent, high value" from RFM medians.

    The archetype is the first of ``settings["archetypes"]`` whose conditions hold (else
    ``fallback``); the description lists the traits whose median ratio is high or low, in the
    order of ``settings["traits"]``. Equal names get " (segment N)".
    """
    traits = settings["traits"]
    ratios = median_ratios(profiles, [trait["attribute"] for trait in traits])
    named = []
    for segment, row in ratios.iterrows():  # one iteration per segment
        levels = {attribute: _level(row[attribute], settings) for attribute in ratios.columns}
        archetype = next(
            (a["name"] for a in settings["archetypes"] if _matches(levels, a["when"])),
            settings["fallback"],
        )
        descriptors = [
            {
                "attribute": trait["attribute"],
                "phrase": trait[levels[trait["attribute"]]],
                "median_ratio": round(float(row[trait["attribute"]]), 3),
            }
            for trait in traits
            if levels[trait["attribute"]] in ("high", "low")
            and trait.get(levels[trait["attribute"]])
        ]
        phrases = [d["phrase"] for d in descriptors] or [settings["no_distinct_trait"]]
        named.append(
            {
                "segment": int(segment),
                "name": f"{archetype}: {', '.join(phrases)}",
                "archetype": archetype,
                "descriptors": descriptors,
            }
        )
    names = {item["segment"]: item["name"] for item in named}
    for segment in _clashing(names):
        named[[item["segment"] for item in named].index(segment)]["name"] += f" (segment {segment})"
    return named
