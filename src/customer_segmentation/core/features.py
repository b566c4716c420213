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


def safe_ratio(numerator: pd.Series, denominator: pd.Series, when_zero: float = 0.0) -> np.ndarray:
    """numerator / denominator as a float64 array, with `when_zero` where the denominator is 0."""
    numerator = np.asarray(numerator.astype("float64"))
    denominator = np.asarray(denominator.astype("float64"))
    # Divide only where the denominator is not 0, so no inf/NaN is ever produced (one pass in
    # numpy instead of two pandas `where` copies).
    ratio = np.full(len(numerator), when_zero, dtype=np.float64)
    np.divide(numerator, denominator, out=ratio, where=denominator != 0)
    return ratio


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
    unknown = primary.loc[codes < 0, column]
    if len(unknown):
        raise InputDataError(
            f"{_source(primary)}: column '{column}' has value(s) "
            f"{sorted(unknown.astype(str).unique())[:10]} outside the known levels {list(levels)}. "
            f"Map them in data_processing or add them to {parameter}."
        )
    return pd.Series(codes.astype("int64"), index=primary.index, name=column)


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
    enrolled = pd.to_datetime(primary["Dt_Customer"])
    out = pd.DataFrame({"ID": primary["ID"].astype("int64")}, index=primary.index)
    # Only the birth year is known, so age is in whole years at the reference date's year.
    out["age"] = ref_date.year - primary["Year_Birth"].astype("int64")
    tenure = (ref_date - enrolled).dt.days
    if (tenure < 0).any():
        logger.warning(
            "%d customer(s) enrolled after the reference date %s: tenure_days set to 0.",
            int((tenure < 0).sum()),
            ref_date.date(),
        )
    out["tenure_days"] = tenure.clip(lower=0).astype("int64")
    out["income"] = primary["Income"].astype("float64")
    out["recency_days"] = primary["Recency"].astype("int64")

    spend = primary[list(PRODUCT_COLUMNS.values())].astype("float64")
    out["total_spend"] = spend.sum(axis=1)
    for name, column in PRODUCT_COLUMNS.items():
        out[f"spend_share_{name}"] = safe_ratio(spend[column], out["total_spend"])

    purchases = primary[list(CHANNEL_COLUMNS.values())].astype("int64")
    out["total_purchases"] = purchases.sum(axis=1)
    for name, column in CHANNEL_COLUMNS.items():
        out[f"purchase_share_{name}"] = safe_ratio(purchases[column], out["total_purchases"])
    out["avg_spend_per_purchase"] = out["total_spend"] / out["total_purchases"].clip(lower=1)
    deals = primary["NumDealsPurchases"].astype("int64")
    # Deals are a subset of the purchases; where the raw counts disagree (deals > purchases)
    # the share is capped at 1 by dividing by the larger of the two.
    out["deal_purchase_share"] = safe_ratio(deals, np.maximum(out["total_purchases"], deals))
    out["web_purchases_per_visit"] = primary["NumWebPurchases"].astype("float64") / primary[
        "NumWebVisitsMonth"
    ].clip(lower=1).astype("float64")
    out["web_visits_month"] = primary["NumWebVisitsMonth"].astype("int64")

    out["children"] = (primary["Kidhome"] + primary["Teenhome"]).astype("int64")
    out["is_parent"] = (out["children"] > 0).astype("int64")
    out["lives_with_partner"] = primary["Marital_Status"].isin(partner_statuses).astype("int64")
    out["family_size"] = 1 + out["lives_with_partner"] + out["children"]
    out["education_level"] = _ordinal(
        primary, "Education", education_levels, "feature_engineering.education_levels"
    )
    # Response (the last campaign) is kept apart, not added to the five earlier campaigns.
    out["campaigns_accepted"] = primary[CAMPAIGN_COLUMNS].sum(axis=1).astype("int64")
    out["responded_last_campaign"] = primary["Response"].astype("int64")
    out["complained"] = primary["Complain"].astype("int64")
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
    ``core.transactions.join_customer_rfm`` writes them) and ``has_transactions`` (0/1).
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
