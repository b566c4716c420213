"""The declared customer schema: each column of the input table, its role, type and allowed values.

The schema is declared in conf (`schema.columns` in `conf/<env>/parameters.yml`, one list per Kedro
environment; docs/data_contract.md is generated from it). Nothing here names a column of a
particular layout: the cleaning rules, features, EDA and texts ask the schema which column plays
which role. A role fixes what a column means to the analysis (an ID, an income, spend on one
product category, purchases in one channel, ...) and its default type; `type`, `min`, `max`,
`values` and `unit` refine it. The same schema builds the pandera schemas that validate the typed
and primary tables.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa

from customer_segmentation.errors import InputDataError

INTEGER, NUMBER, DATE, CATEGORY = "integer", "number", "date", "category"
# The ID's type: the text as written (trimmed), never cast to a number (core.ids).
TEXT = "text"
# The name of the customer ID column from parsing on, whatever the file calls it: every table of
# the project (features, segments, model input) joins on it.
KEY = "ID"
TYPES = (INTEGER, NUMBER, DATE, CATEGORY)

# The dtype a column of each other type has once parsed (ColumnSpec.primary_dtype for integers).
_PARSED_DTYPES = {NUMBER: "float64", DATE: "datetime64[ns]", CATEGORY: "str", TEXT: "str"}
# Integer columns take the narrowest of these that holds their declared range.
_INTEGER_DTYPES = ("int8", "int16", "int32", "int64")

# Role -> (default type, what the role means). `item` names the product category (spend), the
# channel (purchases) or the channel visited (visits).
ROLES: dict[str, tuple[str | None, str]] = {
    "id": (TEXT, "the customer's unique identifier (one per customer), kept as written"),
    "birth_year": (INTEGER, "year of birth: age at the reference date"),
    "age": (INTEGER, "age in years"),
    "income": (NUMBER, "yearly income"),
    "enrolment_date": (DATE, "date the customer enrolled: tenure, and the reference date"),
    "date": (DATE, "another date (parsed and checked, not used by the features)"),
    "recency": (INTEGER, "days since the last purchase"),
    "spend": (NUMBER, "amount spent on one product category (item)"),
    "purchases": (INTEGER, "purchases made in one channel (item)"),
    "deals": (INTEGER, "purchases made with a discount, in any channel"),
    "visits": (INTEGER, "visits to one channel (item), e.g. web visits per month"),
    "children": (INTEGER, "children in the household (columns of this role are added up)"),
    "campaign": (INTEGER, "1 if the customer accepted an earlier campaign's offer"),
    "response": (INTEGER, "1 if the customer accepted the last campaign's offer"),
    "complaint": (INTEGER, "1 if the customer complained"),
    "contact_cost": (
        NUMBER,
        "cost of contacting the customer once in a campaign (currency): with `response_revenue` "
        "and `response`, the campaign return per segment; kept when constant, not a feature",
    ),
    "response_revenue": (
        NUMBER,
        "revenue of one accepted campaign offer (currency): see `contact_cost`",
    ),
    "monetary": (
        NUMBER,
        "money the customer spent in all (e.g. a log's revenue): a segment's revenue when no "
        "spend per category is declared; a feature of its own, named by `feature`",
    ),
    "numeric": (NUMBER, "any other numeric attribute (a feature of its own, named by `feature`)"),
    "category": (CATEGORY, "a categorical attribute (allowed `values`, optional `map`)"),
    "ignore": (None, "read but not used (dropped at parsing)"),
}
# Roles that at most one column may play.
SINGLE_ROLES = (
    "id",
    "birth_year",
    "age",
    "income",
    "enrolment_date",
    "recency",
    "monetary",
    "deals",
    "response",
    "complaint",
    "contact_cost",
    "response_revenue",
)
# Roles whose column is usually the same for every customer (one price per contact and per
# response): the constant-column rule keeps them, because the value per segment computes with them.
CONSTANT_ROLES = ("contact_cost", "response_revenue")
# Roles whose columns must name their `item` (the product category or channel).
ITEM_ROLES = ("spend", "purchases", "visits")
# Roles whose column is a feature as it is, under its `feature` name.
VALUE_ROLES = ("monetary", "numeric")
FLAG_ROLES = ("campaign", "response", "complaint")
_KEYS = {
    "name",
    "role",
    "type",
    "meaning",
    "unit",
    "min",
    "max",
    "values",
    "map",
    "formats",
    "required",
    "item",
    "feature",
    "ordinal",
    "partner",
    "indicator",
    "decimal",
    "limits",
}
LIMIT_KEYS = {"min", "max", "action"}
LIMIT_ACTIONS = ("reject", "cap")


def _readable(limit: float) -> str:
    """A limit as people write it: 1800, 730, 100,000 (thousands separated from 10,000 up)."""
    return f"{limit:,.0f}" if limit >= 10_000 else f"{limit:g}"


@dataclass(frozen=True)
class ColumnSpec:
    """One declared input column: its role, how it parses and which values it may hold."""

    name: str
    role: str
    kind: str
    meaning: str = ""
    unit: str = ""
    minimum: float | None = None
    maximum: float | None = None
    allowed: tuple[str, ...] | None = None
    required: bool = True
    item: str | None = None
    value_map: dict[str, str | None] = field(default_factory=dict)
    formats: tuple[str, ...] | None = None
    feature: str | None = None
    ordinal: str | None = None
    partner: tuple[str, ...] = ()
    indicator: dict[str, str] = field(default_factory=dict)
    decimal: str = "."
    # This layout's plausible range (the value_range cleaning rule): {min, max, action}.
    limits: dict[str, Any] | None = None

    def describe_allowed(self) -> str:
        """Human-readable allowed values, as used in messages and in the docs."""
        if self.allowed is not None:
            return ", ".join(self.allowed)
        if self.kind in (DATE, TEXT):
            return "a calendar date" if self.kind == DATE else "any text"
        if self.kind == INTEGER and (self.minimum, self.maximum) == (0, 1):
            return "0 or 1"
        if self.minimum is not None and self.maximum is not None:
            return f"{_readable(self.minimum)} to {_readable(self.maximum)}"
        if self.minimum is not None:
            return f">= {_readable(self.minimum)}"
        return "any" if self.maximum is None else f"<= {_readable(self.maximum)}"

    @property
    def primary_dtype(self) -> str:
        """The column's dtype in the primary table.

        An integer column takes the narrowest of int8, int16, int32 and int64 that holds its
        declared range (int64 when a bound is missing): at 10M customers a 0/1 flag then takes
        10 MB of memory instead of 80 MB.
        """
        if self.kind != INTEGER:
            return _PARSED_DTYPES[self.kind]
        if self.minimum is None or self.maximum is None:
            return "int64"
        fits = (
            dtype
            for dtype in _INTEGER_DTYPES
            if np.iinfo(dtype).min <= self.minimum and self.maximum <= np.iinfo(dtype).max
        )
        return next(fits, "int64")

    @property
    def typed_dtype(self) -> str:
        """The column's dtype in the typed table: as in primary, nullable (Int16 for int16)."""
        dtype = self.primary_dtype
        return dtype.capitalize() if self.kind == INTEGER else dtype


def _schema_error(message: str) -> InputDataError:
    return InputDataError(
        f"schema.columns (conf/<env>/parameters.yml, docs/data_contract.md): {message}"
    )


def _spec(entry: Mapping[str, Any]) -> ColumnSpec:
    """One `schema.columns` entry as a ColumnSpec, refusing unknown keys, roles and types."""
    name, role = str(entry.get("name", "")), entry.get("role")
    if not name:
        raise _schema_error(f"an entry has no `name`: {dict(entry)}")
    unknown = sorted(set(entry) - _KEYS)
    if unknown:
        raise _schema_error(f"column '{name}' has unknown key(s) {unknown}; use {sorted(_KEYS)}.")
    if role not in ROLES:
        raise _schema_error(f"column '{name}' has role {role!r}; use one of {', '.join(ROLES)}.")
    kind = entry.get("type", ROLES[role][0])
    if role == "id":
        kind = _id_kind(name, entry)
    elif role != "ignore" and kind not in TYPES:
        raise _schema_error(f"column '{name}' has type {kind!r}; use one of {', '.join(TYPES)}.")
    if role in ITEM_ROLES and not entry.get("item"):
        raise _schema_error(f"column '{name}' (role {role}) needs `item` (e.g. wines, web).")
    flag = role in FLAG_ROLES
    values = entry.get("values")
    formats = entry.get("formats")
    return ColumnSpec(
        name=name,
        role=role,
        kind=kind,
        meaning=str(entry.get("meaning", "")),
        unit=str(entry.get("unit", "flag" if flag else "")),
        minimum=entry.get("min", 0 if flag else None),
        maximum=entry.get("max", 1 if flag else None),
        allowed=tuple(str(value) for value in values) if values is not None else None,
        required=bool(entry.get("required", True)),
        item=entry.get("item"),
        value_map=dict(entry.get("map") or {}),
        formats=tuple(formats) if formats else None,
        feature=entry.get("feature"),
        ordinal=entry.get("ordinal"),
        partner=tuple(entry.get("partner") or ()),
        indicator=dict(entry.get("indicator") or {}),
        decimal=_decimal(name, entry.get("decimal", ".")),
        limits=_limits(name, kind, entry.get("limits")),
    )


def _limits(name: str, kind: str, limits: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A column's cleaning limits: ``min`` and/or ``max`` (numbers) and ``action`` (reject, the
    default, or cap). They belong to the layout that declares them, so another file's schema
    never inherits them."""
    if limits is None:
        return None
    if kind not in (INTEGER, NUMBER):
        raise _schema_error(f"column '{name}' has `limits` but is not a number column.")
    unknown = sorted(set(limits) - LIMIT_KEYS)
    if unknown or not {"min", "max"} & set(limits):
        raise _schema_error(
            f"column '{name}' has limits {dict(limits)}; use min and/or max, and action "
            f"({' or '.join(LIMIT_ACTIONS)}), e.g. {{max: 200000, action: reject}}."
        )
    action = limits.get("action", "reject")
    if action not in LIMIT_ACTIONS:
        raise _schema_error(
            f"column '{name}' has limits action {action!r}; use {' or '.join(LIMIT_ACTIONS)}."
        )
    return {"min": limits.get("min"), "max": limits.get("max"), "action": action}


def _id_kind(name: str, entry: Mapping[str, Any]) -> str:
    """The ID column's type: always TEXT. IDs are kept exactly as written (leading zeros,
    letters), so `type: integer` (IDs written as whole numbers) is accepted and means the same;
    a range or a list of values does not apply to an ID."""
    if entry.get("type", TEXT) not in (TEXT, INTEGER):
        raise _schema_error(
            f"column '{name}' (role id) has type {entry['type']!r}; an ID is kept as text "
            "(any text or whole number): leave out `type`."
        )
    limits = sorted(set(entry) & {"min", "max", "values", "map", "decimal", "limits"})
    if limits:
        raise _schema_error(
            f"column '{name}' (role id) has {limits}; an ID is kept as written (any text or "
            "whole number), so it takes no range or values: remove them."
        )
    return TEXT


def _decimal(name: str, mark: str) -> str:
    """A number column's decimal mark: "." or "," (1234,56)."""
    if mark not in (".", ","):
        raise _schema_error(f'column \'{name}\' has decimal {mark!r}; use "." or ",".')
    return mark


class CustomerSchema:
    """The declared columns, in declaration order, and which column plays which role.

    Built from the `schema` parameter block (`CustomerSchema.from_config(params["schema"])`).
    `declared` holds the columns as the file names them; `columns` the parsed ones as the tables
    name them (role `ignore` left out, the ID column renamed to KEY); lookups by role return those
    names, or None / empty when the table has no column of that role.
    """

    def __init__(self, specs: Sequence[ColumnSpec]) -> None:
        names = [spec.name for spec in specs]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise _schema_error(f"column(s) {repeated} declared more than once.")
        for role in SINGLE_ROLES:
            playing = [spec.name for spec in specs if spec.role == role]
            if len(playing) > 1:
                raise _schema_error(f"role {role} is played by {playing}; at most one column.")
        if not any(spec.role == "id" for spec in specs):
            raise _schema_error("no column has role id; declare the customer ID column.")
        if any(spec.name == KEY and spec.role != "id" for spec in specs):
            raise _schema_error(
                f"column '{KEY}' is not the ID column, but the ID column is called {KEY} from "
                "parsing on; declare it with role ignore or rename it in the file."
            )
        for role in ITEM_ROLES:
            items = [spec.item for spec in specs if spec.role == role]
            if len(set(items)) < len(items):
                raise _schema_error(f"two {role} columns share an item: {items}.")
        self.declared: tuple[ColumnSpec, ...] = tuple(specs)
        self.ignored: tuple[str, ...] = tuple(s.name for s in specs if s.role == "ignore")
        # File name -> table name: only the ID column is renamed (to KEY).
        self.renames: dict[str, str] = {s.name: KEY for s in specs if s.role == "id"}
        self.columns: tuple[ColumnSpec, ...] = tuple(
            replace(s, name=KEY) if s.role == "id" else s for s in specs if s.role != "ignore"
        )
        self.by_name: dict[str, ColumnSpec] = {spec.name: spec for spec in self.columns}

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> CustomerSchema:
        """The schema from the `schema` parameter block (its `columns` list)."""
        entries = config.get("columns") if isinstance(config, Mapping) else None
        if not entries:
            raise _schema_error("the list is empty or missing; declare your table's columns.")
        return cls([_spec(entry) for entry in entries])

    # ---------------------------------------------------------------- lookups by role
    def role(self, role: str) -> str | None:
        """The column of a single role (id, income, ...), or None when the table has none."""
        return next((spec.name for spec in self.columns if spec.role == role), None)

    def all_of(self, role: str) -> list[str]:
        """Every column of `role`, in declaration order."""
        return [spec.name for spec in self.columns if spec.role == role]

    def items(self, role: str) -> dict[str, str]:
        """{item: column} of an item role (spend -> products, purchases -> channels, visits)."""
        return {spec.item: spec.name for spec in self.columns if spec.role == role}

    @property
    def id(self) -> str:
        """The customer ID column of the parsed tables (KEY)."""
        return KEY

    @property
    def products(self) -> dict[str, str]:
        """{product category: spend column}."""
        return self.items("spend")

    @property
    def channels(self) -> dict[str, str]:
        """{channel: purchases column}. Deals are not a channel."""
        return self.items("purchases")

    @property
    def required(self) -> list[str]:
        """Columns the parsed tables must have (the ID as KEY)."""
        return [spec.name for spec in self.columns if spec.required]

    @property
    def required_in_file(self) -> list[str]:
        """Columns the file must have, as the file names them."""
        return [s.name for s in self.declared if s.required and s.role != "ignore"]

    def groups(self) -> dict[str, Any]:
        """The column groups texts and profiles use: products, channels, deals, campaigns,
        response (the former `schema.products` ... blocks)."""
        return {
            "products": self.products,
            "channels": self.channels,
            "deals": self.role("deals"),
            # In name order (campaign 1, 2, ...), whatever the file order.
            "campaigns": sorted(self.all_of("campaign")),
            "response": self.role("response"),
        }


def _value_checks(spec: ColumnSpec) -> list[pa.Check]:
    if spec.allowed is not None:
        return [pa.Check.isin(spec.allowed)]
    checks = []
    if spec.minimum is not None:
        checks.append(pa.Check.ge(spec.minimum))
    if spec.maximum is not None:
        checks.append(pa.Check.le(spec.maximum))
    return checks


def typed_schema(schema: CustomerSchema, columns: list[str]) -> pa.DataFrameSchema:
    """Pandera schema of the typed table for the given declared columns; values may be missing."""
    return pa.DataFrameSchema(
        {
            name: pa.Column(
                schema.by_name[name].typed_dtype,
                checks=_value_checks(schema.by_name[name]),
                nullable=True,
            )
            for name in columns
        }
    )


def primary_schema(schema: CustomerSchema, columns: list[str]) -> pa.DataFrameSchema:
    """Pandera schema of `primary_customers`: declared types, no missing values, unique ID."""
    return pa.DataFrameSchema(
        {
            name: pa.Column(
                schema.by_name[name].primary_dtype,
                checks=_value_checks(schema.by_name[name]),
                nullable=False,
                unique=name == schema.id,
            )
            for name in columns
        },
        strict=True,
        ordered=True,
    )


def find_contract_violations(typed: pd.DataFrame, schema: CustomerSchema) -> pd.DataFrame:
    """Values of a typed frame outside the schema: one row (`column`, `index`, `value`) per cell.

    The failure cases of pandera's lazy validation against `typed_schema`. Type mismatches are
    not expected here (the parser produced the types), so they raise.
    """
    columns = [name for name in typed.columns if name in schema.by_name]
    try:
        # inplace: no defensive copy of the table (nothing is coerced); 8x faster at 1M rows
        typed_schema(schema, columns).validate(typed[columns], lazy=True, inplace=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
        if cases["index"].isna().any():
            raise TypeError(f"typed table does not match the contract types:\n{cases}") from errors
        return pd.DataFrame(
            {
                "column": cases["column"].astype(str),
                "index": cases["index"].astype("int64"),
                "value": cases["failure_case"].astype(str),
            }
        )
    return pd.DataFrame({"column": [], "index": [], "value": []})
