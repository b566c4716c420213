"""The node of the joined_segmentation run: the customer table joined to its log's RFM."""

from typing import Any

import pandas as pd

from customer_segmentation.core.features.transactions import join_customer_rfm


def join_customer_transactions(
    primary: pd.DataFrame, customer_rfm: pd.DataFrame, params: dict[str, Any]
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Every kept customer with the RFM of their log (none: no activity).

    Returns (customers_with_transactions, transaction_join_summary): the counts matched / without
    a log / log customers missing from the table, so no customer is lost without a record.
    """
    joined, counts = join_customer_rfm(primary, customer_rfm, prefix=params["prefix"])
    joined.attrs = dict(primary.attrs)
    return joined, counts
