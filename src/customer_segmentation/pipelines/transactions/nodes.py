"""Kedro nodes of the transactions pipeline: thin wrappers around ``core.transactions``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from customer_segmentation.core import transactions as tx

if TYPE_CHECKING:  # pragma: no cover
    import ibis.expr.types as ir


def aggregate_transactions(
    raw_transactions: ir.Table, params: dict[str, Any]
) -> tuple[pd.DataFrame, dict[str, Any], pd.DataFrame]:
    """Classify the log's lines and aggregate the valid ones per customer, in the log's engine.

    ``raw_transactions`` is a lazy Ibis table (DuckDB or Spark, as the catalog connects it);
    only the per-customer aggregates and the line counts come back as pandas.
    Returns ``(customer_rfm, transaction_line_quality, rejected_transaction_summary)``.
    """
    return tx.rfm_from_log(
        raw_transactions,
        column_map=params["column_map"],
        rules=params["rules"],
        reference_date=params.get("reference_date"),
        source=params["source_label"],
    )
