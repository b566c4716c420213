"""Derived customer features: the formulas behind `customer_features` (docs/features.md).

Kedro-free and vectorised: every formula is a column operation, so the cost is O(rows x columns).
Dates are measured against a reference date taken from the data (latest enrolment) or given
explicitly, never against today, so the same input always gives the same features.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd

from customer_segmentation.core.cleaning.contract import VALUE_ROLES, CustomerSchema
from customer_segmentation.errors import InputDataError

logger = logging.getLogger(__name__)


def _source(frame: pd.DataFrame) -> str:
    """Name of the data a frame came from, for error messages."""
    return str(frame.attrs.get("source", "primary_customers"))


def check_required_columns(primary: pd.DataFrame, schema: CustomerSchema) -> None:
    """Raise InputDataError naming every required declared column that `primary` lacks."""
    missing = [column for column in schema.required if column not in primary.columns]
    if missing:
        raise InputDataError(
            f"{_source(primary)}: missing column(s) {missing} needed to derive the customer "
            "features. Provide a customers table with the declared columns "
            "(docs/data_contract.md), e.g. the output of the data_processing pipeline."
        )


def reference_date(
    primary: pd.DataFrame, schema: CustomerSchema, override: str | None = None
) -> pd.Timestamp | None:
    """The date ages and tenures are measured at: `override` if given, else the latest enrolment;
    None when the table has no enrolment date (and nothing is measured at a date)."""
    check_required_columns(primary, schema)  # a table the schema does not describe: say so
    if override is not None:
        return pd.Timestamp(override)
    enrolment = schema.role("enrolment_date")
    if enrolment is None:
        return None
    latest = pd.to_datetime(primary[enrolment]).max()
    if pd.isna(latest):
        raise InputDataError(
            f"{_source(primary)}: column '{enrolment}' has no dates, so no reference date can be "
            "taken from the data. Fill the enrolment dates or set "
            "feature_engineering.reference_date in conf/base/parameters_feature_engineering.yml."
        )
    return pd.Timestamp(latest)


def safe_ratio(
    numerator: pd.Series | np.ndarray,
    denominator: pd.Series | np.ndarray,
    when_zero: float = 0.0,
    nonzero: np.ndarray | None = None,
) -> np.ndarray:
    """numerator / denominator as a float64 array, with `when_zero` where the denominator is 0.

    ``nonzero``: ``denominator != 0`` when the caller already has it (several shares of one total).
    """
    numerator = np.asarray(numerator)
    denominator = np.asarray(denominator)
    if nonzero is None:
        nonzero = denominator != 0
    # Divide only where the denominator is not 0, so no inf/NaN is ever produced. Integers are
    # cast to float64 chunk by chunk inside the division (no converted copy), and np.zeros gets
    # its pages zeroed by the OS, so the result is the only full pass over new memory.
    ratio = np.zeros(len(numerator)) if when_zero == 0 else np.full(len(numerator), when_zero)
    np.divide(numerator, denominator, out=ratio, where=nonzero)
    return ratio


def _values(primary: pd.DataFrame, name: str, dtype: str) -> np.ndarray:
    """Column `name` as a numpy operand of `dtype` arithmetic (like `.astype(dtype)`).

    Numbers stay as stored when the target is float64: numpy converts them chunk by chunk inside
    the arithmetic, with the same result and no converted copy of the column.
    """
    values = primary[name].to_numpy()
    if values.dtype == dtype or (dtype == "float64" and values.dtype.kind in "biuf"):
        return values
    return values.astype(dtype)


def _row_sum(primary: pd.DataFrame, columns: Sequence[str], dtype: str) -> np.ndarray:
    """Per-row sum of `columns` as `dtype`, added left to right into one buffer.

    The same order as DataFrame.sum(axis=1), so float sums are bit-identical, without the
    converted copy of every column and the 2-D temporary that the DataFrame route makes.
    """
    total = np.array(_values(primary, columns[0], dtype), dtype=dtype)
    for column in columns[1:]:
        np.add(total, _values(primary, column, dtype), out=total)
    return total


def _tenure_days(primary: pd.DataFrame, column: str, ref_date: pd.Timestamp) -> np.ndarray:
    """Whole days from enrolment to `ref_date` (floored), 0 for enrolments after it (warned)."""
    enrolled = pd.to_datetime(primary[column]).to_numpy()
    if np.isnat(enrolled).any():
        raise InputDataError(
            f"{_source(primary)}: column '{column}' has missing dates, so tenure_days cannot "
            "be computed. Fill or drop those customers in data_processing."
        )
    elapsed = ref_date.to_datetime64() - enrolled
    # Floor division like Timedelta.days; written over the timedelta buffer (no second array).
    tenure = np.floor_divide(elapsed, np.timedelta64(1, "D"), out=elapsed.view(np.int64))
    late = int(np.count_nonzero(tenure < 0))
    if late:
        logger.warning(
            "%d customer(s) enrolled after the reference date %s: tenure_days set to 0.",
            late,
            ref_date.date(),
        )
        np.maximum(tenure, 0, out=tenure)
    return tenure


def _ordinal(primary: pd.DataFrame, column: str, levels: Sequence[str]) -> np.ndarray:
    """Map a categorical column to 0..len(levels)-1 in the given order; unknown values raise."""
    # Look up the few distinct values only, then spread the result by the factorize codes (a C
    # hash, or Arrow's dictionary encoding for `str` columns): a lookup per row goes through
    # Python strings, seconds per million rows. Missing values get code -1, which picks the
    # appended -1 ("unknown") at the end of the lookup.
    row_codes, distinct = pd.factorize(primary[column])
    lookup = np.append(pd.Index(list(levels)).get_indexer(distinct), -1)
    codes = lookup[row_codes]
    unknown_rows = codes < 0
    if unknown_rows.any():
        unknown = primary.loc[unknown_rows, column]
        raise InputDataError(
            f"{_source(primary)}: column '{column}' has value(s) "
            f"{sorted(unknown.astype(str).unique())[:10]} outside the known levels {list(levels)}. "
            f"Map them or add them to the column's values in the schema (docs/data_contract.md)."
        )
    return codes.astype(np.int64, copy=False)


def derive_customer_features(
    primary: pd.DataFrame, ref_date: pd.Timestamp | None, schema: CustomerSchema
) -> pd.DataFrame:
    """One row per customer (same order as `primary`) with the human-readable derived features.

    Each feature is derived only where the schema declares the roles it needs (docs/features.md):
    age (birth year or age), tenure_days (enrolment date), income, recency_days, total_spend and
    spend shares (spend per category), total_purchases and channel shares (purchases per
    channel), avg_spend_per_purchase, deal_purchase_share (deals), <channel>_purchases_per_visit
    and <channel>_visits_month (visits), children / is_parent / lives_with_partner / family_size,
    ordinal and indicator features of categories, campaigns_accepted, responded_last_campaign,
    complained, then numeric and monetary attributes under their `feature` name, in declaration
    order (a table of per-customer aggregates, such as a log's RFM, is only these). Shares need
    at least two parts. `ref_date`: the date ages and tenures are measured at (None: the table
    has no dates).

    Zero denominators are handled explicitly:
    - no spend: every spend share is 0;
    - no purchases: channel shares are 0; average spend per purchase is the total spend (a customer
      with spend but no recorded purchase is counted as one purchase); deal share is 0 unless deals
      were recorded, then 1;
    - no visits last month: purchases per visit counts the month as one visit.
    Enrolments after the reference date (possible for new customers scored with the training
    reference date) get tenure 0, with a warning.
    """
    check_required_columns(primary, schema)
    table = _Present(primary, schema)
    out: dict[str, object] = {
        "ID": primary[schema.id],
        **_person(table, ref_date),
        **_baskets(table),
        **_household(table),
        **_categories(table),
        **_campaigns(table),
        **{
            spec.feature: primary[spec.name].astype("float64")
            for spec in table.specs
            if spec.role in VALUE_ROLES and spec.feature
        },
    }
    # Built as numpy arrays and put in the frame once (one block per column, no copies);
    # columns taken as they are stay lazy copies of `primary` (copy-on-write).
    frame = pd.DataFrame(out, index=primary.index, copy=False)
    return frame.reset_index(drop=True)


class _Present:
    """The declared columns `primary` holds, looked up by role."""

    def __init__(self, primary: pd.DataFrame, schema: CustomerSchema) -> None:
        self.primary = primary
        self.specs = [spec for spec in schema.columns if spec.name in primary.columns]
        self._names = {spec.name for spec in self.specs}
        self.schema = schema

    def role(self, name: str) -> str | None:
        found = self.schema.role(name)
        return found if found in self._names else None

    def all_of(self, name: str) -> list[str]:
        return [column for column in self.schema.all_of(name) if column in self._names]

    def items(self, name: str) -> dict[str, str]:
        return {k: v for k, v in self.schema.items(name).items() if v in self._names}

    def values(self, name: str, dtype: str = "int64") -> np.ndarray:
        return _values(self.primary, name, dtype)


def _person(table: _Present, ref_date: pd.Timestamp | None) -> dict[str, object]:
    """age, tenure_days, income and recency_days, where their roles exist."""
    primary, out = table.primary, {}
    birth_year = table.role("birth_year")
    if birth_year:
        if ref_date is None:
            raise InputDataError(
                f"{_source(primary)}: the schema declares a birth year but no enrolment date, so "
                "age needs a reference date: set feature_engineering.reference_date."
            )
        # Only the birth year is known, so age is in whole years at the reference date's year.
        out["age"] = np.subtract(ref_date.year, table.values(birth_year))
    elif table.role("age"):
        out["age"] = primary[table.role("age")].astype("int64")
    if table.role("enrolment_date"):
        out["tenure_days"] = _tenure_days(primary, table.role("enrolment_date"), ref_date)
    if table.role("income"):
        out["income"] = primary[table.role("income")].astype("float64")
    if table.role("recency"):
        out["recency_days"] = primary[table.role("recency")].astype("int64")
    return out


def _shares(table: _Present, parts: dict[str, str], total: np.ndarray, prefix: str) -> dict:
    """Each part's share of the total (0 where the total is 0); none for a single part."""
    if len(parts) < 2:
        return {}
    nonzero = total != 0
    dtype = total.dtype.name
    return {
        f"{prefix}_{item}": safe_ratio(table.values(name, dtype), total, nonzero=nonzero)
        for item, name in parts.items()
    }


def _baskets(table: _Present) -> dict[str, object]:
    """Spend, purchases, deals and visits features, where their roles exist."""
    primary, out = table.primary, {}
    products, channels = table.items("spend"), table.items("purchases")
    if products:
        total_spend = _row_sum(primary, list(products.values()), "float64")
        out = {"total_spend": total_spend, **_shares(table, products, total_spend, "spend_share")}
    if channels:
        total_purchases = _row_sum(primary, list(channels.values()), "int64")
        out |= {
            "total_purchases": total_purchases,
            **_shares(table, channels, total_purchases, "purchase_share"),
        }
        if products:
            out["avg_spend_per_purchase"] = total_spend / np.maximum(total_purchases, 1)
        if table.role("deals"):
            deals = table.values(table.role("deals"))
            # Deals are a subset of the purchases; where the raw counts disagree (deals >
            # purchases) the share is capped at 1 by dividing by the larger of the two.
            out["deal_purchase_share"] = safe_ratio(deals, np.maximum(total_purchases, deals))
    visits = table.items("visits")
    for item, name in visits.items():
        if item in channels:
            out[f"{item}_purchases_per_visit"] = np.divide(
                table.values(channels[item]), np.maximum(table.values(name), 1)
            )
    for item, name in visits.items():
        out[f"{item}_visits_month"] = primary[name].astype("int64")
    return out


def _categories(table: _Present) -> dict[str, np.ndarray]:
    """Ordinal features (position in the declared values) and indicator features (0/1)."""
    out = {}
    for spec in table.specs:
        if spec.ordinal:
            out[spec.ordinal] = _ordinal(table.primary, spec.name, spec.allowed or ())
    for spec in table.specs:
        for feature, values in spec.indicator.items():
            chosen = [values] if isinstance(values, str) else list(values)
            out[feature] = table.primary[spec.name].isin(chosen).to_numpy(np.int64)
    return out


def _campaigns(table: _Present) -> dict[str, object]:
    """campaigns_accepted, responded_last_campaign and complained, where their roles exist."""
    primary, out = table.primary, {}
    campaigns = table.all_of("campaign")
    if campaigns:
        # The last campaign (response) is kept apart, not added to the earlier ones.
        out["campaigns_accepted"] = _row_sum(primary, campaigns, "int64")
    if table.role("response"):
        out["responded_last_campaign"] = primary[table.role("response")].astype("int64")
    if table.role("complaint"):
        out["complained"] = primary[table.role("complaint")].astype("int64")
    return out


def _household(table: _Present) -> dict[str, np.ndarray]:
    """children / is_parent (children columns added up), lives_with_partner (a category's
    `partner` values) and family_size (1 + partner + children), where their roles exist."""
    out, size = {}, None
    children_columns = table.all_of("children")
    if children_columns:
        children = _row_sum(table.primary, children_columns, "int64")
        out = {"children": children, "is_parent": (children > 0).astype(np.int64)}
        size = children
    partner = next((spec for spec in table.specs if spec.partner), None)
    if partner is not None:
        lives_with_partner = table.primary[partner.name].isin(partner.partner).to_numpy(np.int64)
        out["lives_with_partner"] = lives_with_partner
        size = lives_with_partner if size is None else lives_with_partner + size
    if size is not None:
        out["family_size"] = 1 + size
    return out
