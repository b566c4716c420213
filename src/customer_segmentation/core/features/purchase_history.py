"""A log's purchase history per customer in the buy-till-you-die (BTYD) convention, on the engine.

The models of ``core.analysis.clv`` (BG/NBD and Gamma-Gamma) read one row per customer. Its
columns follow the convention of the BTYD literature (Fader, Hardie & Lee 2005) and of
pymc-marketing, with the **day** as time unit:

- a *purchase* is a calendar day with at least one valid invoice of the customer (several
  invoices on one day count once: the models describe how often a customer comes back);
- ``frequency``: repeat purchases, i.e. purchase days - 1 (0 for a one-time buyer);
- ``recency``: days from the first to the last purchase day (0 for a one-time buyer);
- ``T``: days from the first purchase day to the end of the period (the period's end is
  exclusive: a first purchase on its last day has ``T`` = 1);
- ``monetary_value``: mean value of the repeat purchase days (Σ quantity × unit price of the
  day), the first purchase day left out; 0 for a one-time buyer.

Three periods share one pass over the log. The *full* period ends at the reference date (the
transactions pipeline's: the day after the log's last line). The *calibration* period ends at
the split date, ``holdout_days`` before the reference date; the *holdout* period is
[split date, reference date). Columns with the suffix ``_cal`` describe the calibration period
(defined for customers whose first purchase is before the split, ``in_calibration``);
``purchases_holdout`` and ``value_holdout`` count the purchase days and their value in the holdout
period (what the calibrated model is checked against).

The classification of lines is ``core.features.transactions``'; the day table and the
per-customer group-by are Ibis expressions (DuckDB embedded, or Spark), and only the
per-customer aggregates come into pandas, where the day arithmetic is done.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from customer_segmentation.core.features import transactions as tx
from customer_segmentation.core.ids import id_order
from customer_segmentation.errors import InputDataError

if TYPE_CHECKING:  # pragma: no cover
    import ibis.expr.types as ir

# The per-customer table's columns (docs/transactions.md, "Purchase history").
HISTORY_COLUMNS = (
    "ID",
    "frequency",
    "recency",
    "T",
    "monetary_value",
    "in_calibration",
    "frequency_cal",
    "recency_cal",
    "T_cal",
    "monetary_value_cal",
    "purchases_holdout",
    "value_holdout",
)


def purchase_days(classified: ir.Table) -> ir.Table:
    """One row per customer and calendar day with a valid line: ``customer_id``, ``day``
    (date), ``value`` (Σ quantity × unit price of that day's valid lines). Lazy."""
    valid = classified.filter(
        (classified.line_status == tx.VALID) & classified.customer_id.notnull()
    )
    return valid.group_by(["customer_id", valid.timestamp.date().name("day")]).aggregate(
        value=(valid.quantity * valid.unit_price).sum()
    )


def aggregate_periods(days: ir.Table, split: pd.Timestamp) -> ir.Table:
    """Per customer (lazy): first and last purchase day, purchase days and value over all days,
    the value of the first purchase day, and the same before ``split`` (calibration) and from it
    on (holdout). ``days``: ``purchase_days``."""
    import ibis  # noqa: PLC0415 - takes 1 s to import; only runs that read a log need it

    first = days.group_by("customer_id").aggregate(first_day=days.day.min())
    joined = days.join(first, "customer_id")
    calibration = joined.day < ibis.literal(split.date())
    return joined.group_by("customer_id").aggregate(
        first_day=joined.first_day.min(),
        last_day=joined.day.max(),
        purchase_days=joined.count(),
        value=joined.value.sum(),
        first_value=joined.value.sum(where=joined.day == joined.first_day),
        last_day_cal=joined.day.max(where=calibration),
        purchase_days_cal=joined.count(where=calibration),
        value_cal=joined.value.sum(where=calibration),
        purchases_holdout=joined.count(where=~calibration),
        value_holdout=joined.value.sum(where=~calibration).fill_null(0.0),
    )


def _days_between(later: pd.Series | pd.Timestamp, earlier: pd.Series) -> np.ndarray:
    """Whole days from ``earlier`` to ``later`` (dates or timestamps at midnight)."""
    return (pd.to_datetime(later) - pd.to_datetime(earlier)).dt.days.to_numpy(dtype="float64")


def _repeat_mean(value: np.ndarray, first_value: np.ndarray, repeats: np.ndarray) -> np.ndarray:
    """Mean value of the repeat purchase days: (value - first day's value) / repeats; 0 without
    a repeat purchase."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(repeats > 0, (value - first_value) / repeats, 0.0)


def btyd_table(
    aggregates: pd.DataFrame, split: pd.Timestamp, reference: pd.Timestamp
) -> pd.DataFrame:
    """The per-customer BTYD table (``HISTORY_COLUMNS``, one row per customer with a purchase,
    by ``ID``) from ``aggregate_periods``' rows; ``split`` and ``reference`` are midnight
    timestamps (calibration = days before ``split``, full period = days before ``reference``)."""
    rows = aggregates.take(id_order(aggregates["customer_id"])).reset_index(drop=True)
    first = pd.to_datetime(rows["first_day"])
    frequency = rows["purchase_days"].to_numpy(dtype="int64") - 1
    value = rows["value"].to_numpy(dtype="float64")
    first_value = rows["first_value"].to_numpy(dtype="float64")
    in_calibration = (first < split).to_numpy()
    frequency_cal = np.where(in_calibration, rows["purchase_days_cal"].to_numpy() - 1, np.nan)
    value_cal = rows["value_cal"].astype("float64").fillna(0.0).to_numpy()
    return pd.DataFrame(
        {
            "ID": rows["customer_id"].to_numpy(),  # as the log holds it (core.ids)
            "frequency": frequency,
            "recency": _days_between(rows["last_day"], first),
            "T": _days_between(pd.Series(reference, index=rows.index), first),
            "monetary_value": _repeat_mean(value, first_value, frequency),
            "in_calibration": in_calibration,
            "frequency_cal": frequency_cal,
            "recency_cal": np.where(
                in_calibration, _days_between(rows["last_day_cal"], first), np.nan
            ),
            "T_cal": np.where(
                in_calibration, _days_between(pd.Series(split, index=rows.index), first), np.nan
            ),
            "monetary_value_cal": np.where(
                in_calibration, _repeat_mean(value_cal, first_value, frequency_cal), np.nan
            ),
            "purchases_holdout": rows["purchases_holdout"].to_numpy(dtype="int64"),
            "value_holdout": rows["value_holdout"].to_numpy(dtype="float64"),
        }
    )


def split_date(reference: pd.Timestamp, holdout_days: int, first_day: pd.Timestamp) -> pd.Timestamp:
    """The first day of the holdout period: ``holdout_days`` before the reference date. Refused
    when it leaves less than a holdout's length of calibration (the log is too short)."""
    split = reference.normalize() - pd.Timedelta(days=int(holdout_days))
    if holdout_days < 1 or split - first_day.normalize() < pd.Timedelta(days=int(holdout_days)):
        raise InputDataError(
            f"value_forecast.holdout_days = {holdout_days}: the log runs from {first_day.date()} "
            f"to {reference.date()} (exclusive), which leaves less calibration than holdout; set "
            "a holdout of at most half the log's span in conf/<env>/parameters_value_forecast.yml."
        )
    return split


def periods(history: pd.DataFrame, reference_date: str, holdout_days: int) -> dict[str, str]:
    """The three periods' bounds as ISO dates: ``start`` (the first purchase day in
    ``history``), ``split`` (the holdout's first day) and ``end`` (the reference date,
    exclusive)."""
    end = pd.Timestamp(reference_date).normalize()
    start = end - pd.Timedelta(days=int(history["T"].max())) if len(history) else end
    split = end - pd.Timedelta(days=int(holdout_days))
    return {
        key: day.date().isoformat()
        for key, day in (("start", start), ("split", split), ("end", end))
    }


def purchase_history_from_log(
    log: ir.Table,
    column_map: Mapping[str, str],
    rules: Mapping[str, Any],
    reference_date: str,
    holdout_days: int,
    *,
    source: str = "transactions",
) -> pd.DataFrame:
    """Classify a log's lines (``core.features.transactions``) and aggregate the valid ones per
    customer and period on the engine: the ``btyd_table`` of the purchase days before
    ``reference_date`` (the transactions pipeline's, ISO), split ``holdout_days`` before it."""
    classified = tx.classify_lines(tx.canonicalise(log, column_map, source), rules)
    reference = pd.Timestamp(reference_date).normalize()
    days = purchase_days(classified)
    days = days.filter(days.day < reference.date())
    first = days.day.min().to_pyarrow().as_py()
    if first is None:
        raise InputDataError(f"{source}: no valid purchase before {reference.date()}.")
    split = split_date(reference, holdout_days, pd.Timestamp(first))
    return btyd_table(aggregate_periods(days, split).to_pandas(), split, reference)
