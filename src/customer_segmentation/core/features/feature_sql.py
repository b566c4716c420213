"""The customer features as SQL on the declared customer table, under the file's own column names.

The exported segment rules (core/analysis/rule_cards.py) compare customer features (income,
total_spend, age, shares, ...). Here each feature gets a SQL expression over the columns the schema
declares, as the file names them, so that the rules run where the raw file lives (the file loaded
into a database, whatever column types the database gave it). An expression computes its feature
as core/features/features.py does from the cleaned table: numbers and dates are read as the parser
reads them (trimmed, the declared decimal mark and date formats, in order), category labels are
trimmed, case-normalised and mapped as the schema says, missing values are filled with the values
the cleaning fitted (``cleaning_statistics``), and ages and tenures are measured at the run's
reference date. The cleaning's row rules (duplicates, implausible values) are not repeated: a row
the run rejected is placed by the rules all the same, on its raw values.

A feature the declared columns cannot give (a table feature, a log's RFM joined in) has no
expression: the export reads it as a column of that name, and says so.

Expressions are DuckDB SQL (``TRY_CAST``, ``TRY_STRPTIME``, ``REGEXP_REPLACE``); every number is a
``DOUBLE``, so comparisons with the rules' float64 thresholds are those of numpy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from customer_segmentation.core.cleaning.contract import (
    CATEGORY,
    DATE,
    INTEGER,
    KEY,
    VALUE_ROLES,
    ColumnSpec,
    CustomerSchema,
)

# Dates of a column that declares no `formats`: ISO, as the parser reads them.
_DEFAULT_DATE_FORMATS = ("%Y-%m-%d",)


def quoted(name: str) -> str:
    """A column name as a SQL identifier (double quotes, inner quotes doubled)."""
    return '"' + name.replace('"', '""') + '"'


def _text(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def _number(value: float) -> str:
    """A float64 exactly, as a SQL DOUBLE."""
    return f"CAST({float(value)!r} AS DOUBLE)"


def file_names(schema: CustomerSchema) -> dict[str, str]:
    """Table column name -> the file's own name, for the columns the parsed tables rename (the
    customer ID, called ``KEY`` from parsing on)."""
    return {table: file for file, table in schema.renames.items()}


def number_sql(spec: ColumnSpec) -> str:
    """A number column's value as a DOUBLE (NULL where missing or not a number), read as the
    parser reads it: trimmed, with the declared decimal mark."""
    text = f"TRIM(CAST({quoted(spec.name)} AS VARCHAR))"
    if spec.decimal == ",":
        text = f"REPLACE({text}, ',', '.')"
    return f"TRY_CAST({text} AS DOUBLE)"


def date_sql(spec: ColumnSpec) -> str:
    """A date column's value as a DATE: the declared formats tried in order, as the parser
    does; then ISO, for a database that already typed the column as a date (its text is ISO)."""
    text = f"TRIM(CAST({quoted(spec.name)} AS VARCHAR))"
    tries = [f"TRY_STRPTIME({text}, {_text(fmt)})" for fmt in spec.formats or _DEFAULT_DATE_FORMATS]
    return f"CAST(COALESCE({', '.join(tries)}, TRY_CAST({text} AS TIMESTAMP)) AS DATE)"


def _normalised_label(spec: ColumnSpec) -> str:
    """A category label trimmed, inner spaces collapsed and lower-cased (the parser's key)."""
    return f"LOWER(REGEXP_REPLACE(TRIM(CAST({quoted(spec.name)} AS VARCHAR)), '\\s+', ' ', 'g'))"


def _label_key(label: str) -> str:
    """The parser's key of a label: trimmed, inner spaces collapsed, case-folded."""
    return " ".join(label.split()).casefold()


def category_sql(spec: ColumnSpec) -> str:
    """A category column's label in the schema's spelling: labels in the column's `map` take
    their target (NULL for null), allowed labels their declared spelling whatever the case and
    spacing, any other label its trimmed text."""
    spelling: dict[str, str | None] = {_label_key(value): value for value in spec.allowed or ()}
    spelling |= {_label_key(str(label)): target for label, target in spec.value_map.items()}
    key = _normalised_label(spec)
    if not spelling:
        return f"REGEXP_REPLACE(TRIM(CAST({quoted(spec.name)} AS VARCHAR)), '\\s+', ' ', 'g')"
    cases = " ".join(
        f"WHEN {_text(label)} THEN {'NULL' if target is None else _text(target)}"
        for label, target in spelling.items()
    )
    other = f"REGEXP_REPLACE(TRIM(CAST({quoted(spec.name)} AS VARCHAR)), '\\s+', ' ', 'g')"
    return f"CASE {key} {cases} ELSE {other} END"


def _in(expression: str, values: Sequence[str]) -> str:
    """1 where ``expression`` is one of ``values``, else 0 (missing included), as a DOUBLE."""
    listed = ", ".join(_text(value) for value in values)
    return f"CAST(COALESCE({expression} IN ({listed}), FALSE) AS DOUBLE)"


def fill_values(
    cleaning_statistics: Mapping[str, Any] | None,
    missing_values: Mapping[str, Any],
    schema: CustomerSchema,
) -> dict[str, dict[str, Any]]:
    """Per filled column, what the cleaning filled its missing values with: ``overall`` and,
    for a group median, ``groups`` (label -> value) and ``group_by`` (the grouping column).

    ``cleaning_statistics``: the run's fitted values (None or no ``imputation``: nothing filled);
    ``missing_values``: the ``data_processing.missing_values`` settings, which name the grouping
    column (by name or, with ``role``, by role). A fill of a whole-number column is rounded, half
    to even, as the cleaning rounds it.
    """
    imputation = (cleaning_statistics or {}).get("imputation") or {}
    group_by = {}
    for entry in missing_values.get("columns") or []:
        if not isinstance(entry, Mapping) or not entry.get("group_by"):
            continue
        column = schema.role(entry["role"]) if "role" in entry else entry.get("column")
        if column is not None and entry["group_by"] in schema.by_name:
            group_by[column] = entry["group_by"]
    fills = {}
    for column, fitted in imputation.items():
        if column not in schema.by_name:
            continue
        whole = schema.by_name[column].kind == INTEGER

        def fill(value: Any, whole: bool = whole) -> Any:
            return None if value is None else float(np.round(value) if whole else value)

        found: dict[str, Any] = {"overall": fill(fitted.get("overall"))}
        if fitted.get("groups") and column in group_by:
            found["groups"] = {label: fill(v) for label, v in fitted["groups"].items()}
            found["group_by"] = group_by[column]
        fills[column] = found
    return fills


def column_sql(
    schema: CustomerSchema, fills: Mapping[str, Mapping[str, Any]] | None = None
) -> dict[str, str]:
    """Declared column (the file's name; the ID left out) -> its cleaned value as SQL over the
    file's columns: a DOUBLE, a DATE or a category label, missing values filled as the cleaning
    filled them (``fills``: ``fill_values``)."""
    return {
        spec.name: _cleaned(spec, schema, fills or {})
        for spec in schema.columns
        if spec.role != "id"
    }


def _cleaned(spec: ColumnSpec, schema: CustomerSchema, fills: Mapping[str, Any]) -> str:
    if spec.kind == DATE:
        return date_sql(spec)
    if spec.kind == CATEGORY:
        return category_sql(spec)
    value, fill = number_sql(spec), fills.get(spec.name)
    if not fill:
        return value
    overall = "NULL" if fill["overall"] is None else _number(fill["overall"])
    if "groups" not in fill:
        return f"COALESCE({value}, {overall})"
    cases = " ".join(
        f"WHEN {_text(label)} THEN {_number(group)}"
        for label, group in fill["groups"].items()
        if group is not None
    )
    by = _cleaned(schema.by_name[fill["group_by"]], schema, {})
    return f"COALESCE({value}, CASE {by} {cases} ELSE {overall} END)"


class _Columns:
    """The declared columns (cleaned, under their own names) looked up by role."""

    def __init__(self, schema: CustomerSchema) -> None:
        self.schema = schema

    def value(self, name: str) -> str:
        return quoted(name)

    def role(self, role: str) -> str | None:
        return self.schema.role(role)

    def sum(self, names: Sequence[str]) -> str:
        return "(" + " + ".join(self.value(name) for name in names) + ")"


def _share(part: str, total: str) -> str:
    """``part / total`` with 0 where the total is 0 (features.safe_ratio)."""
    return f"CASE WHEN {total} = 0 THEN CAST(0 AS DOUBLE) ELSE {part} / {total} END"


def feature_sql(schema: CustomerSchema, reference_date: str | None) -> dict[str, str]:
    """Customer feature name -> its SQL expression over the cleaned declared columns
    (``column_sql``, under the file's names), for every feature ``derive_customer_features``
    derives from the schema's roles.

    ``reference_date``: ISO date ages and tenures are measured at (the fitted preprocessor's;
    None: the table has no dates).
    """
    columns = _Columns(schema)
    reference = None if reference_date is None else pd.Timestamp(reference_date)
    return {
        **_person(columns, reference),
        **_baskets(columns),
        **_household(columns),
        **_categories(columns),
        **_campaigns(columns),
        **{
            spec.feature: columns.value(spec.name)
            for spec in schema.columns
            if spec.role in VALUE_ROLES and spec.feature
        },
    }


def _person(columns: _Columns, reference: pd.Timestamp | None) -> dict[str, str]:
    """age, tenure_days, income and recency_days (features._person)."""
    out = {}
    if columns.role("birth_year") and reference is not None:
        out["age"] = f"({_number(reference.year)} - {columns.value(columns.role('birth_year'))})"
    elif columns.role("age"):
        out["age"] = columns.value(columns.role("age"))
    if columns.role("enrolment_date") and reference is not None:
        days = (
            f"DATE_DIFF('day', {columns.value(columns.role('enrolment_date'))}, "
            f"DATE {_text(reference.date().isoformat())})"
        )
        out["tenure_days"] = f"CAST(GREATEST({days}, 0) AS DOUBLE)"
    for role, feature in (("income", "income"), ("recency", "recency_days")):
        if columns.role(role):
            out[feature] = columns.value(columns.role(role))
    return out


def _baskets(columns: _Columns) -> dict[str, str]:
    """Spend, purchases, deals and visits features (features._baskets)."""
    out = {}
    products = columns.schema.items("spend")
    channels = columns.schema.items("purchases")
    total_spend = columns.sum(list(products.values())) if products else None
    if products:
        out["total_spend"] = total_spend
        if len(products) > 1:
            for item, name in products.items():
                out[f"spend_share_{item}"] = _share(columns.value(name), total_spend)
    if channels:
        total = columns.sum(list(channels.values()))
        out["total_purchases"] = total
        if len(channels) > 1:
            for item, name in channels.items():
                out[f"purchase_share_{item}"] = _share(columns.value(name), total)
        if products:
            out["avg_spend_per_purchase"] = f"{total_spend} / GREATEST({total}, 1)"
        if columns.role("deals"):
            deals = columns.value(columns.role("deals"))
            out["deal_purchase_share"] = _share(deals, f"GREATEST({total}, {deals})")
    visits = columns.schema.items("visits")
    for item, name in visits.items():
        if item in channels:
            out[f"{item}_purchases_per_visit"] = (
                f"{columns.value(channels[item])} / GREATEST({columns.value(name)}, 1)"
            )
    for item, name in visits.items():
        out[f"{item}_visits_month"] = columns.value(name)
    return out


def _categories(columns: _Columns) -> dict[str, str]:
    """Ordinal features (position in the declared values) and indicator features (0/1)."""
    out = {}
    for spec in columns.schema.columns:
        if spec.ordinal:
            positions = " ".join(
                f"WHEN {_text(value)} THEN {_number(position)}"
                for position, value in enumerate(spec.allowed or ())
            )
            out[spec.ordinal] = f"CASE {columns.value(spec.name)} {positions} END"
    for spec in columns.schema.columns:
        for feature, values in spec.indicator.items():
            chosen = [values] if isinstance(values, str) else list(values)
            out[feature] = _in(columns.value(spec.name), chosen)
    return out


def _campaigns(columns: _Columns) -> dict[str, str]:
    """campaigns_accepted, responded_last_campaign and complained (features._campaigns)."""
    out = {}
    campaigns = columns.schema.all_of("campaign")
    if campaigns:
        out["campaigns_accepted"] = columns.sum(campaigns)
    for role, feature in (("response", "responded_last_campaign"), ("complaint", "complained")):
        if columns.role(role):
            out[feature] = columns.value(columns.role(role))
    return out


def _household(columns: _Columns) -> dict[str, str]:
    """children, is_parent, lives_with_partner and family_size (features._household)."""
    out, size = {}, None
    children = columns.schema.all_of("children")
    if children:
        total = columns.sum(children)
        out = {"children": total, "is_parent": f"CAST({total} > 0 AS DOUBLE)"}
        size = total
    partner = next((spec for spec in columns.schema.columns if spec.partner), None)
    if partner is not None:
        lives = _in(columns.value(partner.name), partner.partner)
        out["lives_with_partner"] = lives
        size = lives if size is None else f"({lives} + {size})"
    if size is not None:
        out["family_size"] = f"(1 + {size})"
    return out


def id_column(schema: CustomerSchema) -> str:
    """The customer ID column as the file names it."""
    return file_names(schema).get(KEY, KEY)


def reading_note(fills: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Comment lines saying how the expressions read the table (for the SQL export's header)."""
    lines = [
        "The table is the customer file as declared (schema.columns): its own column names,",
        "any column types. Values are read as the cleaning reads them: numbers trimmed, dates",
        "in the declared formats, category labels in any case and spacing, mapped as declared.",
        "Load dates as text (DuckDB: read_csv(..., all_varchar = true)) so that the declared",
        "formats decide them. Rows the cleaning rejected (duplicates, implausible values) are",
        "placed by their raw values.",
    ]
    for column, fill in fills.items():
        how = f"the median per {fill['group_by']}" if "groups" in fill else "the run's value"
        lines.append(f"A missing {column} is filled with {how}, as the cleaning filled it.")
    return lines
