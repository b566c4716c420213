"""Which attributes the report profiles, how each is labelled and what kind of measure it is, so
a table in any declared layout speaks in its own columns (docs/cluster_analysis.md, "Profiled
attributes").

The profiled attributes are the configured ones (``profile.attributes``: labels and order kept)
plus every clustering feature and every declared ``monetary`` / ``numeric`` column's feature the
list lacks, labelled from the schema's ``meaning`` and ``unit`` or else from the name made
readable. Those added attributes get generic name phrases (``generic_descriptors``) and generic
actions keyed by their kind of measure (``measure_kind``: count, amount, share, rate, recency).
"""

import re
from collections.abc import Collection, Iterable, Mapping, Sequence

import pandas as pd

from customer_segmentation.core.cleaning.contract import (
    INTEGER,
    VALUE_ROLES,
    ColumnSpec,
    CustomerSchema,
)

# The kinds of measure generic actions are written for (cluster_analysis.actions.generic).
KINDS = ("count", "amount", "share", "rate", "recency")
# Shown as percentages (``profile.percent``).
PERCENT_KINDS = ("share", "rate")
# Name or unit words that say money (e.g. avg_basket_usd, "currency units").
MONEY_WORDS = re.compile(
    r"(^|[^a-z])(currency|usd|eur|gbp|chf|jpy|dollars?|euros?|pounds?|amount|spend|spent|"
    r"revenue|price|value|sales|basket|monetary)([^a-z]|$)|[$€£¥]"
)
RECENCY_WORDS = re.compile(r"(^|_)(recency|days_since|since_last)(_|$)")
STAT_COLUMN = "effect_"


def readable(name: str) -> str:
    """A column or feature name as a label: underscores to spaces, first letter capitalised
    ("orders_12m" -> "Orders 12m")."""
    text = " ".join(name.replace("_", " ").split())
    return text[:1].upper() + text[1:]


def declared_label(spec: ColumnSpec) -> str | None:
    """The label a declared column's ``meaning`` and ``unit`` give ("Yearly income (currency
    units)"); None when it declares no meaning."""
    if not spec.meaning:
        return None
    label = spec.meaning[:1].upper() + spec.meaning[1:]
    return f"{label} ({spec.unit})" if spec.unit else label


def feature_specs(schema: CustomerSchema) -> dict[str, ColumnSpec]:
    """{feature: declared column} of the columns taken as features as they are (``monetary``
    and ``numeric`` roles with a ``feature`` name), in declaration order."""
    return {
        spec.feature: spec for spec in schema.columns if spec.role in VALUE_ROLES and spec.feature
    }


# Features derived per item of a role (core/features/features.py), as words: an app channel's
# "purchase_share_app" reads "Share of app purchases".
DERIVED_LABELS = (
    (re.compile(r"^purchase_share_(.+)$"), "Share of {} purchases"),
    (re.compile(r"^spend_share_(.+)$"), "Share of spend on {}"),
    (re.compile(r"^(.+)_purchases_per_visit$"), "{} purchases per visit"),
    (re.compile(r"^(.+)_visits_month$"), "{} visits per month"),
)


def attribute_label(name: str, schema: CustomerSchema) -> str:
    """The label of an attribute no configured label names: its declared meaning (and unit),
    else the words of a feature derived per item (``DERIVED_LABELS``), else its name made
    readable."""
    spec = feature_specs(schema).get(name)
    declared = declared_label(spec) if spec is not None else None
    if declared:
        return declared
    for pattern, template in DERIVED_LABELS:
        found = pattern.match(name)
        if found:
            return readable(template.format(found.group(1).replace("_", " ")))
    return readable(name)


def profiled_attributes(
    configured: Mapping[str, str],
    clustering: Sequence[str],
    schema: CustomerSchema,
    available: Collection[str],
) -> dict[str, str]:
    """{attribute: label} the report profiles: the ``configured`` ones, in their order with their
    labels, then every ``clustering`` feature and every declared value column's feature they
    lack (``attribute_label``); only those ``available`` (the customer_features columns)."""
    names = [*configured, *clustering, *feature_specs(schema)]
    return {
        name: configured.get(name) or attribute_label(name, schema)
        for name in dict.fromkeys(names)
        if name in available
    }


def table_attributes(profiles: pd.DataFrame) -> list[str]:
    """The attributes a segment profile table profiles (its ``effect_<a>`` columns), in order."""
    return [c.removeprefix(STAT_COLUMN) for c in profiles.columns if c.startswith(STAT_COLUMN)]


def measure_kind(name: str, schema: CustomerSchema) -> str:
    """The kind of measure an attribute is (``KINDS``), from its declared role, range, unit and
    type, else its name: recency (a days-since name, as the recency role's recency_days), rate
    / share (the name says so; a declared 0..1 range: a 0/1 integer flag is a rate, else a
    share), amount (role monetary, or money in its unit or name), count (an integer column),
    else amount."""
    spec = feature_specs(schema).get(name)
    if RECENCY_WORDS.search(name):  # the recency role's feature is recency_days
        return "recency"
    if re.search(r"(^|_)rate(_|$)", name):
        return "rate"
    if re.search(r"(^|_)share(_|$)", name):
        return "share"
    bounded = spec is not None and spec.minimum is not None and spec.maximum is not None
    if bounded and spec.minimum >= 0 and spec.maximum <= 1:
        return "rate" if spec.kind == INTEGER else "share"
    unit = spec.unit.lower() if spec is not None else ""
    if (spec is not None and spec.role == "monetary") or MONEY_WORDS.search(f"{unit} {name}"):
        return "amount"
    return "count" if spec is not None and spec.kind == INTEGER else "amount"


def resolve_profile(profile: Mapping, schema: CustomerSchema, attributes: Iterable[str]) -> dict:
    """The profile parameters block for a table profiling ``attributes`` (``table_attributes``
    or ``profiled_attributes``): ``attributes`` labelled (configured labels kept, in the
    table's order), ``percent`` extended with the added shares and rates, and ``added``:
    {added attribute: its kind of measure} (those the configured list lacks)."""
    configured = profile["attributes"]
    labels = {a: configured.get(a) or attribute_label(a, schema) for a in attributes}
    added = {a: measure_kind(a, schema) for a in labels if a not in configured}
    shares = [name for name, kind in added.items() if kind in PERCENT_KINDS]
    percent = [*(profile.get("percent") or []), *shares]
    return {**profile, "attributes": labels, "percent": percent, "added": added}


def phrase_label(label: str) -> str:
    """A label as words inside a sentence: its unit in brackets dropped, first letter lower
    case unless the word is an acronym ("Orders 12m (count)" -> "orders 12m")."""
    text = re.sub(r"\s*\([^)]*\)\s*$", "", label).strip()
    first = text.split(" ", 1)[0]
    return text if first.isupper() and len(first) > 1 else text[:1].lower() + text[1:]


def generic_descriptors(labels: Mapping[str, str], phrases: Mapping[str, str]) -> list[dict]:
    """Name descriptors for the added attributes (``labels``: {attribute: label}): ``phrases``'
    ``high`` / ``low`` templates filled with the label ("high {label}" -> "high orders 12m"),
    marked ``generic`` so that names prefer the configured descriptors."""
    return [
        {
            "attribute": attribute,
            **{side: phrases[side].format(label=phrase_label(label)) for side in ("high", "low")},
            "generic": True,
        }
        for attribute, label in labels.items()
    ]
