"""Line-item transaction logs for synthetic customers, consistent with their customer table.

For each customer (``ID``, ``Mnt*`` spend per category, ``Num*Purchases`` per channel,
``Dt_Customer``, ``Recency``) the log holds one invoice per purchase counted in the table, dated
between enrolment and the last purchase (``reference_date - Recency`` days; the latest invoice is
on that day), and line items whose values add up to the table's spend per category (to the cent
after rounding the unit price). So the RFM aggregated from the log roughly reproduces the table:
frequency = purchases, monetary = total spend, recency = Recency (+1 by the "day after the log"
convention of ``core.features.transactions``). Optional cancellations and dirt exercise the line
rules.

Vectorised per chunk of customers; chunk ``c`` draws from ``SeedSequence(seed, spawn_key=(c,))``,
so a log depends on ``(customers, seed, chunk_customers, settings)`` only.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from tools.synthetic.schema import CHANNEL_COLUMNS, SPEND_COLUMNS

CATEGORY_CODES = ("WINE", "FRUIT", "MEAT", "FISH", "SWEET", "GOLD")  # one per SPEND_COLUMNS entry
CHANNEL_NAMES = ("web", "catalog", "store")
DATE_FORMAT = "%d-%m-%Y"  # Dt_Customer as written in the raw customer file
SECONDS_PER_DAY = 86_400

DEFAULT_SETTINGS: dict[str, Any] = {
    "mean_line_value": 25.0,  # currency units per line item, before the per-category split
    "max_lines_per_category": 40,  # per customer
    "max_quantity": 6,
    "products_per_category": 500,
    "opening_hours": [8, 20],  # invoice times fall in [start, end) hours of the day
    "cancellation_rate": 0.02,  # share of line items later cancelled (invoice "C" + number)
    "missing_customer_id_rate": 0.0,  # dirt: lines whose customer ID is blanked
    "zero_price_rate": 0.0,  # dirt: lines whose unit price is set to 0
}
LOG_SCHEMA = pa.schema(
    [
        ("customer_id", pa.int64()),
        ("invoice", pa.string()),
        ("timestamp", pa.timestamp("s")),
        ("quantity", pa.int64()),
        ("unit_price", pa.float64()),
        ("product", pa.string()),
        ("channel", pa.string()),
    ]
)


@dataclass(frozen=True)
class LogStats:
    """What a written log holds."""

    path: Path
    customers: int
    lines: int


def _days(values: pd.Series) -> np.ndarray:
    """Dates (datetime or dd-mm-yyyy text) as whole days since 1970-01-01."""
    dates = (
        values
        if pd.api.types.is_datetime64_any_dtype(values)
        else pd.to_datetime(values, format=DATE_FORMAT)
    )
    return (dates.to_numpy(dtype="datetime64[D]")).astype("int64")


def _repeat_ranks(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For groups of sizes ``counts``: each element's group index and rank inside its group."""
    group = np.repeat(np.arange(counts.size), counts)
    starts = np.cumsum(counts) - counts
    return group, np.arange(group.size) - starts[group]


def chunk_log(
    customers: pd.DataFrame, reference_day: int, rng: np.random.Generator, settings: Mapping
) -> pa.Table:
    """The line items of one chunk of customers (see the module docstring)."""
    ids = customers["ID"].to_numpy(dtype="int64")
    spend = customers[list(SPEND_COLUMNS)].to_numpy(dtype="float64").clip(min=0)
    purchases = customers[list(CHANNEL_COLUMNS)].to_numpy(dtype="int64").clip(min=0)
    invoices_per_customer = purchases.sum(axis=1)
    last_day = reference_day - customers["Recency"].to_numpy(dtype="int64")
    first_day = np.minimum(_days(customers["Dt_Customer"]), last_day)

    # Invoices: one per purchase in the table; rank 0 is the customer's latest purchase.
    inv_customer, inv_rank = _repeat_ranks(invoices_per_customer)
    inv_channel = np.repeat(np.tile(np.arange(len(CHANNEL_NAMES)), len(ids)), purchases.ravel())
    span = last_day[inv_customer] - first_day[inv_customer] + 1
    inv_day = first_day[inv_customer] + (rng.random(inv_customer.size) * span).astype("int64")
    inv_day[inv_rank == 0] = last_day[inv_customer[inv_rank == 0]]
    open_hour, close_hour = settings["opening_hours"]
    inv_seconds = inv_day * SECONDS_PER_DAY + rng.integers(
        open_hour * 3600, close_hour * 3600, inv_customer.size
    )
    inv_start = np.cumsum(invoices_per_customer) - invoices_per_customer

    # Line items per (customer, category) with spend, only for customers who made a purchase.
    # At least the category's share of the customer's invoices, so every invoice gets a line.
    total_spend = spend.sum(axis=1, keepdims=True)
    share_of_invoices = np.divide(
        spend * invoices_per_customer[:, None],
        total_spend,
        out=np.zeros_like(spend),
        where=total_spend > 0,
    )
    by_value = np.clip(
        np.ceil(spend / settings["mean_line_value"]), 1, settings["max_lines_per_category"]
    )
    lines_per_cell = np.where(
        (spend > 0) & (invoices_per_customer[:, None] > 0),
        np.maximum(by_value, np.ceil(share_of_invoices)),
        0,
    ).astype("int64")
    cell, _ = _repeat_ranks(lines_per_cell.ravel())
    line_customer, line_category = np.divmod(cell, len(SPEND_COLUMNS))
    weights = rng.exponential(size=cell.size)
    value = spend.ravel()[cell] * weights / np.bincount(cell, weights, minlength=spend.size)[cell]
    quantity = rng.integers(1, settings["max_quantity"] + 1, cell.size)
    unit_price = np.maximum(np.round(value / quantity, 2), 0.01)

    # Spread a customer's lines over its invoices, covering every invoice when lines suffice.
    _, line_rank = _repeat_ranks(np.bincount(line_customer, minlength=ids.size))
    shift = rng.integers(0, np.maximum(invoices_per_customer, 1))
    n_inv = invoices_per_customer[line_customer]
    line_invoice = inv_start[line_customer] + (line_rank + shift[line_customer]) % n_inv
    product_number = rng.integers(0, settings["products_per_category"], cell.size)

    line_ids = ids[line_customer].astype("float64")
    line_ids[rng.random(cell.size) < settings["missing_customer_id_rate"]] = np.nan
    unit_price[rng.random(cell.size) < settings["zero_price_rate"]] = 0.0
    invoice_numbers = pc.binary_join_element_wise(
        pa.array(ids[inv_customer]).cast(pa.string()),
        pa.array(inv_rank).cast(pa.string()),
        "-",
    )
    lines = {
        "customer_id": line_ids,
        "invoice": pc.take(invoice_numbers, line_invoice),
        "timestamp": inv_seconds[line_invoice],
        "quantity": quantity,
        "unit_price": unit_price,
        "product": pc.binary_join_element_wise(
            pc.take(pa.array(CATEGORY_CODES), line_category),
            pc.utf8_lpad(pa.array(product_number).cast(pa.string()), 4, "0"),
            "-",
        ),
        "channel": pc.take(pa.array(CHANNEL_NAMES), inv_channel[line_invoice]),
    }
    table = _to_arrow(lines)
    cancelled = rng.random(cell.size) < settings["cancellation_rate"]
    if cancelled.any():
        table = pa.concat_tables([table, _cancellations(table, pa.array(cancelled))])
    return table


def _to_arrow(lines: dict) -> pa.Table:
    ids = lines["customer_id"]
    arrays = [
        pa.array(np.nan_to_num(ids, nan=0).astype("int64"), mask=np.isnan(ids)),
        lines["invoice"],
        pa.array(lines["timestamp"].astype("datetime64[s]")),
        pa.array(lines["quantity"]),
        pa.array(lines["unit_price"]),
        lines["product"],
        lines["channel"],
    ]
    return pa.Table.from_arrays(arrays, schema=LOG_SCHEMA)


def _cancellations(table: pa.Table, mask: pa.Array) -> pa.Table:
    """Cancel the chosen lines one hour after their invoice ("C" + invoice, negative quantity)."""
    original = table.filter(mask)
    one_hour = pa.scalar(3600, pa.duration("s"))
    return (
        original.set_column(1, "invoice", pc.binary_join_element_wise("C", original["invoice"], ""))
        .set_column(2, "timestamp", pc.add(original["timestamp"], one_hour))
        .set_column(3, "quantity", pc.negate(original["quantity"]))
    )


def iter_log_chunks(
    customers: pd.DataFrame,
    reference_date: str | pd.Timestamp | None,
    seed: int,
    settings: Mapping[str, Any] | None = None,
    chunk_customers: int = 100_000,
) -> Iterator[pa.Table]:
    """Yield the log of ``customers`` as Arrow tables, ``chunk_customers`` customers at a time.

    ``reference_date`` (the table's "today", from which Recency counts back) defaults to the latest
    enrolment date in the table, as in feature_engineering.
    """
    settings = {**DEFAULT_SETTINGS, **(settings or {})}
    if reference_date is None:
        reference_day = int(_days(customers["Dt_Customer"]).max())
    else:
        reference_day = int(np.datetime64(pd.Timestamp(reference_date).date(), "D").astype("int64"))
    for chunk, start in enumerate(range(0, len(customers), chunk_customers)):
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(chunk,)))
        part = customers.iloc[start : start + chunk_customers]
        yield chunk_log(part, reference_day, rng, settings)


def generate_log(customers: pd.DataFrame, reference_date=None, seed: int = 0, settings=None):
    """The whole log as a pandas frame (small tables and tests)."""
    chunks = list(iter_log_chunks(customers, reference_date, seed, settings))
    table = pa.concat_tables(chunks) if chunks else LOG_SCHEMA.empty_table()
    return table.to_pandas()


def write_log(
    chunks: Iterable[pa.Table], path: str | Path, customers: int | None = None
) -> LogStats:
    """Stream log chunks into one Parquet file (one row group per chunk)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = 0
    with pq.ParquetWriter(path, LOG_SCHEMA, compression="snappy") as writer:
        for table in chunks:
            writer.write_table(table)
            lines += table.num_rows
    return LogStats(path=path, customers=customers or 0, lines=lines)


def read_customers(path: str | Path) -> pd.DataFrame:
    """The columns the log needs from a raw (tab-separated) or Parquet customer table."""
    columns = ["ID", "Dt_Customer", "Recency", *SPEND_COLUMNS, *CHANNEL_COLUMNS]
    path = Path(path)
    if path.suffix == ".parquet":
        return pd.read_parquet(path, columns=columns)
    return pd.read_csv(path, sep="\t", usecols=columns, dtype={"Dt_Customer": str})


def main(argv: list[str] | None = None) -> None:
    """CLI: ``python -m tools.synthetic.transactions CUSTOMERS OUT.parquet``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("customers", help="customer table (raw tab-separated file or Parquet)")
    parser.add_argument("output", help="Parquet file to write the line-item log to")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--reference-date", default=None, help="YYYY-MM-DD; default latest enrolment"
    )
    parser.add_argument(
        "--cancellation-rate", type=float, default=DEFAULT_SETTINGS["cancellation_rate"]
    )
    args = parser.parse_args(argv)
    customers = read_customers(args.customers)
    settings = {"cancellation_rate": args.cancellation_rate}
    chunks = iter_log_chunks(customers, args.reference_date, args.seed, settings)
    stats = write_log(chunks, args.output, customers=len(customers))
    print(f"wrote {stats.lines:,} lines for {stats.customers:,} customers to {stats.path}")


if __name__ == "__main__":  # pragma: no cover
    main()
