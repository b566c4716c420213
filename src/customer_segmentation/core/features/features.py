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

from customer_segmentation.errors import InputDataError

logger = logging.getLogger(__name__)

# The raw contract's column names that the formulas read (docs/data_contract.md).
PRODUCT_COLUMNS = {
    "wines": "MntWines",
    "fruits": "MntFruits",
    "meat": "MntMeatProducts",
    "fish": "MntFishProducts",
    "sweets": "MntSweetProducts",
    "gold": "MntGoldProds",
}
# Deals are not a channel: NumDealsPurchases counts purchases (in some channel) with a discount.
CHANNEL_COLUMNS = {
    "web": "NumWebPurchases",
    "catalog": "NumCatalogPurchases",
    "store": "NumStorePurchases",
}
CAMPAIGN_COLUMNS = ["AcceptedCmp1", "AcceptedCmp2", "AcceptedCmp3", "AcceptedCmp4", "AcceptedCmp5"]
REQUIRED_COLUMNS = [
    "ID",
    "Year_Birth",
    "Education",
    "Marital_Status",
    "Income",
    "Kidhome",
    "Teenhome",
    "Dt_Customer",
    "Recency",
    *PRODUCT_COLUMNS.values(),
    "NumDealsPurchases",
    *CHANNEL_COLUMNS.values(),
    "NumWebVisitsMonth",
    *CAMPAIGN_COLUMNS,
    "Complain",
    "Response",
]


def _source(frame: pd.DataFrame) -> str:
    """Name of the data a frame came from, for error messages."""
    return str(frame.attrs.get("source", "primary_customers"))


def check_required_columns(primary: pd.DataFrame) -> None:
    """Raise InputDataError naming every contract column the features need but `primary` lacks."""
    missing = [column for column in REQUIRED_COLUMNS if column not in primary.columns]
    if missing:
        raise InputDataError(
            f"{_source(primary)}: missing column(s) {missing} needed to derive the customer "
            "features. Provide a customers table with the canonical column names "
            "(docs/data_contract.md), e.g. the output of the data_processing pipeline."
        )


def reference_date(primary: pd.DataFrame, override: str | None = None) -> pd.Timestamp:
    """The date ages and tenures are measured at: `override` if given, else the latest enrolment."""
    if override is not None:
        return pd.Timestamp(override)
    latest = pd.to_datetime(primary["Dt_Customer"]).max()
    if pd.isna(latest):
        raise InputDataError(
            f"{_source(primary)}: column 'Dt_Customer' has no dates, so no reference date can be "
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


def _tenure_days(primary: pd.DataFrame, ref_date: pd.Timestamp) -> np.ndarray:
    """Whole days from enrolment to `ref_date` (floored), 0 for enrolments after it (warned)."""
    enrolled = pd.to_datetime(primary["Dt_Customer"]).to_numpy()
    if np.isnat(enrolled).any():
        raise InputDataError(
            f"{_source(primary)}: column 'Dt_Customer' has missing dates, so tenure_days cannot "
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


def _ordinal(
    primary: pd.DataFrame, column: str, levels: Sequence[str], parameter: str
) -> pd.Series:
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
            f"Map them in data_processing or add them to {parameter}."
        )
    return pd.Series(codes.astype(np.int64, copy=False), index=primary.index, name=column)


def derive_customer_features(
    primary: pd.DataFrame,
    ref_date: pd.Timestamp,
    education_levels: Sequence[str],
    partner_statuses: Sequence[str],
) -> pd.DataFrame:
    """One row per customer (same order as `primary`) with the human-readable derived features.

    Zero denominators are handled explicitly (docs/features.md):
    - no spend: every spend share is 0;
    - no purchases: channel shares are 0; average spend per purchase is the total spend (a customer
      with spend but no recorded purchase is counted as one purchase); deal share is 0 unless deals
      were recorded, then 1;
    - no web visits last month: web purchases per visit counts the month as one visit.
    Enrolments after the reference date (possible for new customers scored with the training
    reference date) get tenure 0, with a warning.
    """
    check_required_columns(primary)

    def column(name: str, dtype: str = "int64") -> np.ndarray:
        return _values(primary, name, dtype)

    # Built as numpy arrays and put in the frame once (one block per column, no copies):
    # column-by-column assignment and DataFrame row sums cost a pass over new memory each.
    total_spend = _row_sum(primary, list(PRODUCT_COLUMNS.values()), "float64")
    has_spend = total_spend != 0
    spend_shares = {
        f"spend_share_{name}": safe_ratio(column(source, "float64"), total_spend, nonzero=has_spend)
        for name, source in PRODUCT_COLUMNS.items()
    }
    total_purchases = _row_sum(primary, list(CHANNEL_COLUMNS.values()), "int64")
    has_purchases = total_purchases != 0
    purchase_shares = {
        f"purchase_share_{name}": safe_ratio(column(source), total_purchases, nonzero=has_purchases)
        for name, source in CHANNEL_COLUMNS.items()
    }
    deals = column("NumDealsPurchases")
    children = np.add(column("Kidhome"), column("Teenhome"))
    lives_with_partner = primary["Marital_Status"].isin(partner_statuses).to_numpy(np.int64)
    out = pd.DataFrame(
        {
            # Columns taken as they are stay lazy copies of `primary` (copy-on-write).
            "ID": primary["ID"].astype("int64"),
            # Only the birth year is known, so age is in whole years at the reference date's year.
            "age": np.subtract(ref_date.year, column("Year_Birth")),
            "tenure_days": _tenure_days(primary, ref_date),
            "income": primary["Income"].astype("float64"),
            "recency_days": primary["Recency"].astype("int64"),
            "total_spend": total_spend,
            **spend_shares,
            "total_purchases": total_purchases,
            **purchase_shares,
            "avg_spend_per_purchase": total_spend / np.maximum(total_purchases, 1),
            # Deals are a subset of the purchases; where the raw counts disagree (deals >
            # purchases) the share is capped at 1 by dividing by the larger of the two.
            "deal_purchase_share": safe_ratio(deals, np.maximum(total_purchases, deals)),
            "web_purchases_per_visit": np.divide(
                column("NumWebPurchases"), np.maximum(column("NumWebVisitsMonth"), 1)
            ),
            "web_visits_month": primary["NumWebVisitsMonth"].astype("int64"),
            "children": children,
            "is_parent": (children > 0).astype(np.int64),
            "lives_with_partner": lives_with_partner,
            "family_size": 1 + lives_with_partner + children,
            "education_level": _ordinal(
                primary, "Education", education_levels, "feature_engineering.education_levels"
            ),
            # Response (the last campaign) is kept apart, not added to the five earlier ones.
            "campaigns_accepted": _row_sum(primary, CAMPAIGN_COLUMNS, "int64"),
            "responded_last_campaign": primary["Response"].astype("int64"),
            "complained": primary["Complain"].astype("int64"),
        },
        index=primary.index,
        copy=False,
    )
    return out.reset_index(drop=True)


def _numeric_columns(frame: pd.DataFrame, prefix: str = "") -> list[str]:
    """Numeric columns of ``frame`` except ID, optionally only those starting with ``prefix``."""
    return [
        column
        for column in frame.columns
        if column != "ID"
        and column.startswith(prefix)
        and (pd.api.types.is_numeric_dtype(frame[column]) or frame[column].dtype == bool)
    ]


def derive_rfm_features(rfm: pd.DataFrame) -> pd.DataFrame:
    """``customer_rfm`` as features: ``ID`` plus its per-customer aggregates, as float64.

    The transactions pipeline already measured them at the log's reference date, so nothing is
    re-derived; a table without ``ID`` or any aggregate is refused.
    """
    columns = _numeric_columns(rfm)
    if "ID" not in rfm.columns or not columns:
        raise InputDataError(
            f"{_source(rfm)}: expected 'ID' and numeric RFM columns (customer_rfm from the "
            "transactions pipeline); got columns "
            f"{list(rfm.columns)}. Run `kedro run --pipelines transactions` first."
        )
    out = rfm[columns].astype("float64")
    out.insert(0, "ID", rfm["ID"].astype("int64"))
    return out.reset_index(drop=True)


def derive_joined_features(
    joined: pd.DataFrame,
    ref_date: pd.Timestamp,
    education_levels: Sequence[str],
    partner_statuses: Sequence[str],
    prefix: str = "log_",
) -> pd.DataFrame:
    """Customer features of a customer table joined to its log (the "both" mode).

    The customer-table features, then the log's RFM columns (``prefix``-ed, as
    ``core.features.transactions.join_customer_rfm`` writes them) and ``has_transactions`` (0/1).
    """
    out = derive_customer_features(joined, ref_date, education_levels, partner_statuses)
    log_columns = _numeric_columns(joined, prefix)
    if not log_columns or "has_transactions" not in joined.columns:
        raise InputDataError(
            f"{_source(joined)}: no '{prefix}*' RFM columns or 'has_transactions' flag; expected "
            "primary_customers joined to customer_rfm (node join_customer_transactions)."
        )
    log = joined[log_columns].astype("float64").reset_index(drop=True)
    log["has_transactions"] = joined["has_transactions"].astype("int64").to_numpy()
    return pd.concat([out, log], axis=1)
