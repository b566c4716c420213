"""Short plain-language segment names, derived deterministically from effect sizes.

The rule (docs/cluster_analysis.md):

1. The first descriptor is the income tier: ``high`` when the income effect size is at or above
   the threshold, ``low`` when at or below minus the threshold, ``middle`` otherwise.
2. Then the most distinctive other traits: those whose |effect size| passes the threshold, the
   largest |effect size| first (ties: the priority order of the parameters), until the name has
   ``max_descriptors`` descriptors. If none passes, ``no_distinct_trait`` is used. Within the name
   the descriptors appear in the fixed priority order of the parameters.
3. Segments that share a name each add their next most distinctive passing trait until the names
   differ; any still equal get " (segment N)".
"""

from collections.abc import Mapping

import pandas as pd


def _descriptor(effect: float, rule: Mapping, threshold: float) -> str | None:
    """The phrase of one trait for one segment, or None when it is not distinctive."""
    if effect >= threshold:
        return rule.get("high")
    if effect <= -threshold:
        return rule.get("low")
    return None


def segment_descriptors(effects: pd.DataFrame, settings: Mapping) -> dict[int, list[dict]]:
    """Per segment, the income tier then every passing descriptor, most distinctive first.

    Each descriptor carries its ``priority`` (0 for income) to order the words in the name.
    """
    threshold = settings["effect_threshold"]
    income = settings["income"]
    table = effects.pivot(index="segment", columns="attribute", values="effect_size")
    descriptors: dict[int, list[dict]] = {}
    for segment, row in table.iterrows():  # one iteration per segment, not per customer
        tier = _descriptor(row[income["attribute"]], income, threshold) or income["middle"]
        first = {
            "attribute": income["attribute"],
            "phrase": tier,
            "effect_size": row[income["attribute"]],
        }
        traits = []
        for priority, rule in enumerate(settings["descriptors"], start=1):
            phrase = _descriptor(row[rule["attribute"]], rule, threshold)
            if phrase:
                effect = row[rule["attribute"]]
                traits.append(
                    {
                        "attribute": rule["attribute"],
                        "phrase": phrase,
                        "effect_size": effect,
                        "priority": priority,
                    }
                )
        traits.sort(key=lambda item: (-abs(item["effect_size"]), item["priority"]))
        descriptors[int(segment)] = [{**first, "priority": 0}, *traits]
    return descriptors


def _compose(phrases: list[str]) -> str:
    text = ", ".join(phrases)
    return text[:1].upper() + text[1:]


def name_segments(effects: pd.DataFrame, settings: Mapping) -> list[dict]:
    """One entry per segment: ``segment``, unique ``name`` and the ``descriptors`` behind it."""
    candidates = segment_descriptors(effects, settings)
    size = {
        segment: min(settings["max_descriptors"], len(found))
        for segment, found in candidates.items()
    }

    def names() -> dict[int, str]:
        result = {}
        for segment, found in candidates.items():
            chosen = sorted(found[: size[segment]], key=lambda item: item["priority"])
            phrases = [item["phrase"] for item in chosen]
            if len(phrases) == 1 and settings["max_descriptors"] > 1:
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
