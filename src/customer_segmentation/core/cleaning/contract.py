"""The raw customer data contract: every column's meaning, type, unit and allowed values.

The contract follows the public "Customer Personality Analysis" table (`marketing_campaign.csv`).
It is the single source for the required columns, the parsing type of each column and the
values a column may hold; `docs/data_contract.md` shows the same table (a test keeps them equal).
Every count and amount has a plausible upper bound here (a value beyond it is an entry error,
such as `Kidhome = 1000`): the bounds are generous, far above the public file's maxima, so they
catch only impossible values. Plausibility rules that are a matter of judgement (age limits,
income cap, outliers, enrolment dates) are not here: they are cleaning parameters in
`conf/base/parameters_data_processing.yml`.
"""

from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa

INTEGER, NUMBER, DATE, CATEGORY = "integer", "number", "date", "category"

# The dtype a column has once parsed: nullable in the typed (intermediate) table, plain in primary.
TYPED_DTYPES = {INTEGER: "Int64", NUMBER: "float64", DATE: "datetime64[ns]", CATEGORY: "str"}
PRIMARY_DTYPES = {INTEGER: "int64", NUMBER: "float64", DATE: "datetime64[ns]", CATEGORY: "str"}


def _readable(limit: float) -> str:
    """A limit as people write it: 1800, 730, 100,000 (thousands separated from 10,000 up)."""
    return f"{limit:,.0f}" if limit >= 10_000 else f"{limit:g}"


@dataclass(frozen=True)
class ColumnSpec:
    """One raw column: what it means, how it parses and which values it may hold."""

    name: str
    kind: str
    meaning: str
    unit: str = ""
    minimum: float | None = None
    maximum: float | None = None
    allowed: tuple[str, ...] | None = None
    required: bool = True

    def describe_allowed(self) -> str:
        """Human-readable allowed values, as used in messages and in the docs."""
        if self.allowed is not None:
            return ", ".join(self.allowed)
        if self.kind == DATE:
            return "a calendar date"
        if self.kind == INTEGER and (self.minimum, self.maximum) == (0, 1):
            return "0 or 1"
        if self.minimum is not None and self.maximum is not None:
            return f"{_readable(self.minimum)} to {_readable(self.maximum)}"
        if self.minimum is not None:
            return f">= {_readable(self.minimum)}"
        return "any"


EDUCATION_LEVELS = ("Basic", "2n Cycle", "Graduation", "Master", "PhD")
MARITAL_STATUSES = ("Single", "Together", "Married", "Divorced", "Widow")
# Upper bounds (public file's maximum in brackets): amounts per category over 2 years 100,000
# (1,725), half of two years' income at the 200,000 income cap; purchases per channel 730 (28),
# one a day for 2 years; children or teenagers at home 10 (2); web visits 300 a month (20), ten a
# day; recency 3,650 days (99), ten years; income 10,000,000 a year (666,666, an entry error that
# the income cap rejects); a contact's cost or revenue 10,000 (3 and 11).
_FLAG = {"kind": INTEGER, "unit": "flag", "allowed": None, "minimum": 0, "maximum": 1}
_AMOUNT = {
    "kind": INTEGER,
    "unit": "currency units, last 2 years",
    "minimum": 0,
    "maximum": 100_000,
}
_COUNT = {"kind": INTEGER, "unit": "purchases, last 2 years", "minimum": 0, "maximum": 730}
_CHILDREN = {"kind": INTEGER, "minimum": 0, "maximum": 10}

CONTRACT: tuple[ColumnSpec, ...] = (
    ColumnSpec("ID", INTEGER, "customer's unique identifier", "", 0),
    # A four-digit calendar year; whether the age is plausible is a cleaning rule (parameters).
    ColumnSpec("Year_Birth", INTEGER, "customer's year of birth", "year", 1800, 2100),
    ColumnSpec("Education", CATEGORY, "highest education level", allowed=EDUCATION_LEVELS),
    ColumnSpec("Marital_Status", CATEGORY, "marital status", allowed=MARITAL_STATUSES),
    ColumnSpec(
        "Income", NUMBER, "yearly household income", "currency units per year", 0, 10_000_000
    ),
    ColumnSpec(
        "Kidhome", meaning="number of small children in the household", unit="children", **_CHILDREN
    ),
    ColumnSpec(
        "Teenhome", meaning="number of teenagers in the household", unit="teenagers", **_CHILDREN
    ),
    ColumnSpec("Dt_Customer", DATE, "date the customer enrolled with the company", "date"),
    ColumnSpec("Recency", INTEGER, "days since the customer's last purchase", "days", 0, 3650),
    ColumnSpec("MntWines", meaning="amount spent on wine", **_AMOUNT),
    ColumnSpec("MntFruits", meaning="amount spent on fruit", **_AMOUNT),
    ColumnSpec("MntMeatProducts", meaning="amount spent on meat", **_AMOUNT),
    ColumnSpec("MntFishProducts", meaning="amount spent on fish", **_AMOUNT),
    ColumnSpec("MntSweetProducts", meaning="amount spent on sweets", **_AMOUNT),
    ColumnSpec("MntGoldProds", meaning="amount spent on gold products", **_AMOUNT),
    ColumnSpec("NumDealsPurchases", meaning="purchases made with a discount", **_COUNT),
    ColumnSpec("NumWebPurchases", meaning="purchases made on the web site", **_COUNT),
    ColumnSpec("NumCatalogPurchases", meaning="purchases made from the catalogue", **_COUNT),
    ColumnSpec("NumStorePurchases", meaning="purchases made in a store", **_COUNT),
    ColumnSpec(
        "NumWebVisitsMonth", INTEGER, "visits to the web site", "visits, last month", 0, 300
    ),
    ColumnSpec("AcceptedCmp3", meaning="1 if the customer accepted campaign 3's offer", **_FLAG),
    ColumnSpec("AcceptedCmp4", meaning="1 if the customer accepted campaign 4's offer", **_FLAG),
    ColumnSpec("AcceptedCmp5", meaning="1 if the customer accepted campaign 5's offer", **_FLAG),
    ColumnSpec("AcceptedCmp1", meaning="1 if the customer accepted campaign 1's offer", **_FLAG),
    ColumnSpec("AcceptedCmp2", meaning="1 if the customer accepted campaign 2's offer", **_FLAG),
    ColumnSpec("Complain", meaning="1 if the customer complained in the last 2 years", **_FLAG),
    # Undocumented upstream and constant in the public file; nothing downstream needs them.
    ColumnSpec(
        "Z_CostContact", INTEGER, "cost of one contact", "currency units", 0, 10_000, required=False
    ),
    ColumnSpec(
        "Z_Revenue",
        INTEGER,
        "revenue of one accepted offer",
        "currency units",
        0,
        10_000,
        required=False,
    ),
    ColumnSpec("Response", meaning="1 if the customer accepted the last campaign's offer", **_FLAG),
)
CONTRACT_BY_NAME: dict[str, ColumnSpec] = {spec.name: spec for spec in CONTRACT}
REQUIRED_COLUMNS: tuple[str, ...] = tuple(spec.name for spec in CONTRACT if spec.required)
# Column groups, in contract order, for code that works on a whole group.
RAW_COLUMNS: tuple[str, ...] = tuple(spec.name for spec in CONTRACT)
SPEND_COLUMNS: tuple[str, ...] = tuple(name for name in RAW_COLUMNS if name.startswith("Mnt"))
# Deals are not a channel: NumDealsPurchases counts discounted purchases made in some channel.
CHANNEL_COLUMNS: tuple[str, ...] = ("NumWebPurchases", "NumCatalogPurchases", "NumStorePurchases")
CAMPAIGN_COLUMNS: tuple[str, ...] = tuple(f"AcceptedCmp{number}" for number in range(1, 6))


def _value_checks(spec: ColumnSpec) -> list[pa.Check]:
    if spec.allowed is not None:
        return [pa.Check.isin(spec.allowed)]
    checks = []
    if spec.minimum is not None:
        checks.append(pa.Check.ge(spec.minimum))
    if spec.maximum is not None:
        checks.append(pa.Check.le(spec.maximum))
    return checks


def typed_schema(columns: list[str]) -> pa.DataFrameSchema:
    """Pandera schema of the typed table for the given contract columns; values may be missing."""
    return pa.DataFrameSchema(
        {
            name: pa.Column(
                TYPED_DTYPES[CONTRACT_BY_NAME[name].kind],
                checks=_value_checks(CONTRACT_BY_NAME[name]),
                nullable=True,
            )
            for name in columns
        }
    )


def primary_schema(columns: list[str]) -> pa.DataFrameSchema:
    """Pandera schema of `primary_customers`: contract types, no missing values, unique ID."""
    return pa.DataFrameSchema(
        {
            name: pa.Column(
                PRIMARY_DTYPES[CONTRACT_BY_NAME[name].kind],
                checks=_value_checks(CONTRACT_BY_NAME[name]),
                nullable=False,
                unique=name == "ID",
            )
            for name in columns
        },
        strict=True,
        ordered=True,
    )


def find_contract_violations(typed: pd.DataFrame) -> pd.DataFrame:
    """Values of a typed frame outside the contract: one row (`column`, `index`, `value`) per cell.

    The failure cases of pandera's lazy validation against `typed_schema`. Type mismatches are
    not expected here (the parser produced the types), so they raise.
    """
    columns = [name for name in typed.columns if name in CONTRACT_BY_NAME]
    try:
        # inplace: no defensive copy of the table (nothing is coerced); 8x faster at 1M rows
        typed_schema(columns).validate(typed[columns], lazy=True, inplace=True)
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


def contract_table_markdown() -> str:
    """The contract as a Markdown table (embedded in docs/data_contract.md)."""
    lines = [
        "| # | column | meaning | type | unit | allowed values | required |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for number, spec in enumerate(CONTRACT, start=1):
        lines.append(
            f"| {number} | `{spec.name}` | {spec.meaning} | {spec.kind} | {spec.unit or '-'} "
            f"| {spec.describe_allowed()} | {'yes' if spec.required else 'no'} |"
        )
    return "\n".join(lines)
