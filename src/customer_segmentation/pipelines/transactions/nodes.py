"""Kedro nodes of the transactions pipeline: thin wrappers around ``core.features.transactions``."""

from typing import Any

import pandas as pd

from customer_segmentation.core.features import transactions as tx

# A lazy ``ibis.Table``. Ibis is imported only by runs that read a log (about 1 s), and Kedro
# evaluates every node's annotations on every command, so the alias does not import it.
IbisTable = Any


def aggregate_transactions(
    raw_transactions: IbisTable, params: dict[str, Any]
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
