"""Nodes of the data_processing pipeline: thin wrappers around core.cleaning (parsing, cleaning)."""

import logging
from collections import Counter
from typing import Any

import pandas as pd

from customer_segmentation.core.cleaning.cleaning import (
    check_settings,
    clean_customers,
    quality_report,
    rejections_by_rule,
    to_primary,
)
from customer_segmentation.core.cleaning.contract import CustomerSchema
from customer_segmentation.core.cleaning.parsing import REJECT_REASON, ROW_NUMBER, parse_customers
from customer_segmentation.core.clustering.preflight import require_customers_for_k

LOGGER = logging.getLogger(__name__)


def parse_raw_customers(
    raw_customers: pd.DataFrame, settings: dict[str, Any], schema: dict[str, Any]
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """Parse and validate the raw table against the declared schema (fails here, before anything
    is saved, on bad input or settings).

    Returns the typed table, the rows with invalid values (with reasons) and a parse summary.
    """
    declared = CustomerSchema.from_config(schema)
    check_settings(settings, declared)
    parsed = parse_customers(raw_customers, settings, declared)
    return parsed.typed, parsed.invalid_rows, parsed.summary


def apply_cleaning_rules(
    customers_typed: pd.DataFrame,
    invalid_rows: pd.DataFrame,
    parse_summary: dict[str, Any],
    settings: dict[str, Any],
    *,
    schema: dict[str, Any],
    training_statistics: dict[str, Any] | None = None,
    k_range: dict[str, int] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any], dict[str, Any]]:
    """Apply the row rules: primary customers, rejections with reasons, report, statistics used.

    The statistics (imputation values, age reference date) come from this table, or from
    `training_statistics` when new customers are cleaned like the training customers. The run
    date (enrolments after it are rejected) is `enrolment_dates.max_date`, or today when null.
    With `k_range` (clustering.k_range, the training run), too few kept customers, or too few
    that differ, for `k_range.max` raise `InputDataError` here, so none of the outputs is saved.
    """
    max_date = settings["enrolment_dates"]["max_date"]
    declared = CustomerSchema.from_config(schema)
    result = clean_customers(
        customers_typed,
        invalid_rows,
        settings,
        declared,
        training_statistics,
        run_date=pd.Timestamp(max_date) if max_date else pd.Timestamp.today().normalize(),
        source=parse_summary["source"],
    )
    report = quality_report(
        parse_summary,
        result.rules,
        result.dropped_columns,
        len(result.kept),
        len(result.rejections),
    )
    primary = to_primary(result.kept, declared)
    primary.attrs["source"] = report["source"]  # the input file, for later nodes' messages
    if k_range is not None:
        rejected: Counter[str] = Counter()
        for rule in report["rules"]:
            rejected[rule["rule"]] += rule["rows_rejected"]
        inputs = [column for column in primary.columns if column != declared.id]
        require_customers_for_k(primary, inputs, k_range["max"], report["source"], rejected)
    reasons = rejections_by_rule(report["rules"])
    LOGGER.info(
        "cleaning%s: %s rows in: %s kept, %s rejected, each with a reason%s",
        "" if training_statistics is None else " (new customers, with the training statistics)",
        f"{report['rows_in']:,}",
        f"{report['rows_kept']:,}",
        f"{report['rows_rejected']:,}",
        f" ({'; '.join(reasons)})" if reasons else "",
    )
    return primary, result.rejections, report, result.statistics


def collect_rejected_customers(
    raw_customers: pd.DataFrame, rejections: pd.DataFrame
) -> pd.DataFrame:
    """The original raw rows that were rejected, with their row number and reason, in file order."""
    rejections = rejections.sort_values(ROW_NUMBER, ignore_index=True)
    rows = raw_customers.iloc[rejections[ROW_NUMBER].to_numpy() - 1].reset_index(drop=True)
    return rows.assign(
        **{ROW_NUMBER: rejections[ROW_NUMBER], REJECT_REASON: rejections[REJECT_REASON]}
    )
