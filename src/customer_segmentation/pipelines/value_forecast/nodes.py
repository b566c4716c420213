"""Kedro nodes of the value_forecast pipeline: thin wrappers around
``core.features.purchase_history`` and ``core.analysis.clv`` (pymc-marketing is imported there,
only when a forecast is fitted)."""

import logging
from typing import Any

import pandas as pd

from customer_segmentation.core.analysis import clv
from customer_segmentation.core.features import purchase_history

LOGGER = logging.getLogger(__name__)

# A lazy ``ibis.Table`` (see pipelines/transactions/nodes.py: the alias does not import Ibis).
IbisTable = Any


def summarise_purchase_history(
    raw_transactions: IbisTable,
    transaction_line_quality: dict,
    transactions: dict,
    settings: dict,
) -> pd.DataFrame:
    """Per customer, frequency / recency / T / monetary value (days; BTYD convention) for the
    full period, the calibration period and the holdout's purchases, aggregated in the log's
    engine up to the transactions pipeline's reference date."""
    return purchase_history.purchase_history_from_log(
        raw_transactions,
        column_map=transactions["column_map"],
        rules=transactions["rules"],
        reference_date=transaction_line_quality["reference_date"],
        holdout_days=settings["holdout_days"],
        source=transactions["source_label"],
    )


def forecast_customer_value(
    customer_purchase_history: pd.DataFrame, transaction_line_quality: dict, settings: dict
) -> tuple[pd.DataFrame, dict]:
    """Holdout check on the calibration period, then the forecast from the full period:
    ``(customer_value_forecast, value_forecast_fit)``; an unusable fit leaves the forecast
    columns empty and says why in the fit's ``verdict``."""
    periods = purchase_history.periods(
        customer_purchase_history,
        transaction_line_quality["reference_date"],
        settings["holdout_days"],
    )
    table, fit = clv.value_forecast(customer_purchase_history, periods, settings)
    holdout = fit["holdout"]
    LOGGER.info(
        "value forecast: predicted %.0f purchases in the last %d days, actual %.0f (%s); %s",
        holdout["predicted"],
        holdout["days"],
        holdout["actual"],
        "n/a" if holdout["error"] is None else f"{holdout['error']:+.1%}",
        "usable"
        if fit["verdict"]["usable"]
        else "withheld: " + "; ".join(fit["verdict"]["reasons"]),
    )
    return table, fit
