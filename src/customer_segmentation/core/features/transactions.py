"""Line-item transaction log -> one row of RFM aggregates per customer, written once in Ibis.

The classification of line items and the per-customer group-by are Ibis expressions, so the same
code runs where the log lives: embedded DuckDB by default, Spark (local or a cluster) by
configuration. Only the per-customer aggregates and a few counts are brought into pandas.

Conventions (docs/transactions.md):

- A line is ``rejected`` for the first rule it breaks (``REJECT_RULES`` order), otherwise a
  ``cancellation`` when its invoice starts with the cancellation prefix, otherwise ``valid``.
- Reference date: ``reference_date`` if given, else the calendar day after the last non-rejected
  line's timestamp (the log is taken as closed at midnight after its last day).
- Recency and tenure are whole calendar days from the last / first purchase day to the reference
  date (a purchase on the log's last day has recency 1). Mean days between purchases is the span
  first-to-last purchase timestamp divided by (invoices - 1); for a single purchase it is defined
  as the tenure (the gap is at least that long), never 0 or missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from customer_segmentation.core.ids import id_order
from customer_segmentation.errors import InputDataError

if TYPE_CHECKING:  # pragma: no cover
    import ibis.expr.types as ir

REQUIRED_COLUMNS = ("customer_id", "timestamp", "quantity", "unit_price")
OPTIONAL_COLUMNS = ("invoice", "product", "country", "channel")
VALID, CANCELLATION, REJECTED = "valid", "cancellation", "rejected"

# Rejection rules in the order they are tested; a line carries the first one it breaks.
REJECT_RULES: dict[str, str] = {
    "missing_customer_id": "customer ID empty",
    "invalid_customer_id": "customer ID stored as a number with a fraction",
    "unparseable_timestamp": "timestamp empty or not a date-time",
    "missing_invoice": "invoice number empty",
    "non_positive_unit_price": "unit price empty, zero or negative (not a cancellation)",
    "non_positive_quantity": "quantity empty, zero or negative (not a cancellation)",
}
RFM_COLUMNS = (
    "recency_days",
    "frequency",
    "monetary",
    "tenure_days",
    "avg_basket",
    "cancellation_share",
    "distinct_products",
    "mean_days_between_purchases",
)
_SECONDS_PER_DAY = 86_400.0


# ------------------------------------------------------------------ line classification


def canonicalise(
    log: ir.Table, column_map: Mapping[str, str], source: str = "transactions"
) -> ir.Table:
    """Rename mapped source columns to canonical names and give them canonical types (lazily).

    ``column_map`` maps canonical name -> source column. Unmapped optional columns, and those
    mapped to ``None`` (how an environment says its log lacks a column the base maps), are absent.
    """
    import ibis  # noqa: PLC0415 - takes 1 s to import; only runs that read a log need it

    column_map = {name: column for name, column in column_map.items() if column is not None}

    unknown = set(column_map) - set(REQUIRED_COLUMNS) - set(OPTIONAL_COLUMNS)
    missing_required = [name for name in REQUIRED_COLUMNS if name not in column_map]
    absent = [src for src in column_map.values() if src not in log.columns]
    if unknown or missing_required or absent:
        raise InputDataError(
            f"{source}: column mapping does not fit the log (unknown canonical names "
            f"{sorted(unknown)}, unmapped required names {missing_required}, source columns "
            f"not in the file {absent}; the file has {list(log.columns)}). Fix "
            "transactions.column_map in conf/<env>/parameters_transactions.yml."
        )
    raw = {name: log[src] for name, src in column_map.items()}
    customer = raw["customer_id"]
    customer_missing = customer.isnull()
    # The ID as text (core.ids), as the customer table keeps it: a log storing IDs as numbers
    # gives their digits (17850.0 -> "17850"; a fraction is invalid), a text log its trimmed text.
    not_whole = ibis.literal(False)
    if customer.type().is_floating():
        customer_missing = customer_missing | customer.isnan()
        not_whole = ~customer_missing & (customer.floor() != customer)
        customer = ibis.ifelse(not_whole, ibis.null("float64"), customer).cast("int64")
    customer = customer.cast("string").strip()
    customer_missing = customer_missing | (customer == "")
    customer_id = ibis.ifelse(customer_missing | not_whole, ibis.null("string"), customer)
    columns = {
        "customer_id": customer_id,
        "_customer_missing": customer_missing,
        "_customer_invalid": not_whole,
        "timestamp": _as_timestamp(raw["timestamp"]),
        "quantity": _as_float(raw["quantity"]),
        "unit_price": _as_float(raw["unit_price"]),
    }
    for name in OPTIONAL_COLUMNS:
        if name in raw:  # kept as written (no trimming: it costs a pass over every string)
            columns[name] = raw[name] if raw[name].type().is_string() else raw[name].cast("string")
    return log.select(**columns)


def _as_float(column: ir.Column) -> ir.Column:
    return column.cast("float64") if column.type().is_numeric() else column.try_cast("float64")


def _as_timestamp(column: ir.Column) -> ir.Column:
    if column.type().is_timestamp():
        return column
    if column.type().is_date():
        return column.cast("timestamp")
    # ISO 8601 text ("YYYY-MM-DD[ HH:MM:SS]"); anything else becomes NULL and is rejected.
    return column.cast("string").strip().try_cast("timestamp")


def classify_lines(lines: ir.Table, rules: Mapping[str, Any]) -> ir.Table:
    """Add ``line_status`` (valid / cancellation / rejected) and ``reject_reason`` to lines.

    ``rules["cancellation_invoice_prefix"]``: invoices starting with it are cancellations.
    Without an invoice column, ``rules["negative_quantity_is_cancellation"]`` decides instead.
    """
    import ibis  # noqa: PLC0415 - takes 1 s to import; only runs that read a log need it

    has_invoice = "invoice" in lines.columns
    prefix = rules.get("cancellation_invoice_prefix")
    if has_invoice and prefix:
        is_cancellation = lines.invoice.startswith(prefix).fill_null(False)
    elif rules.get("negative_quantity_is_cancellation", False):
        is_cancellation = (lines.quantity < 0).fill_null(False)
    else:
        is_cancellation = ibis.literal(False)
    tests = {
        "missing_customer_id": lines._customer_missing,
        "invalid_customer_id": lines._customer_invalid,
        "unparseable_timestamp": lines.timestamp.isnull(),
        "missing_invoice": (lines.invoice.isnull() | (lines.invoice == ""))
        if has_invoice
        else ibis.literal(False),
        "non_positive_unit_price": ~is_cancellation
        & (lines.unit_price.isnull() | (lines.unit_price <= 0)),
        "non_positive_quantity": ~is_cancellation
        & (lines.quantity.isnull() | (lines.quantity <= 0)),
    }
    reason = ibis.cases(*((tests[rule], rule) for rule in REJECT_RULES), else_=ibis.null("string"))
    status = ibis.cases((reason.notnull(), REJECTED), (is_cancellation, CANCELLATION), else_=VALID)
    if not has_invoice:  # one invoice per customer and timestamp
        lines = lines.mutate(
            invoice=lines.customer_id.cast("string") + "@" + lines.timestamp.cast("string")
        )
    return lines.mutate(line_status=status, reject_reason=reason).drop(
        "_customer_missing", "_customer_invalid"
    )


# ------------------------------------------------------------------ aggregation


def aggregate_customers(classified: ir.Table) -> ir.Table:
    """Per-customer aggregates of the lines with a customer ID (lazy Ibis expression).

    Rejected lines only count in ``kept_lines`` (= 0 for a customer with only rejected lines).
    Distinct invoices are counted by a two-level group-by (invoices, then customers): a plain
    hash aggregation, a little faster on DuckDB than ``COUNT(DISTINCT ...)`` and cheaper to
    shuffle on Spark.
    """
    lines = classified.filter(classified.customer_id.notnull())
    invoices = lines.group_by(["customer_id", "invoice", "line_status"]).aggregate(
        lines=lines.count(),
        first_line=lines.timestamp.min(),
        last_line=lines.timestamp.max(),
        value=(lines.quantity * lines.unit_price).sum(),
    )
    valid = invoices.line_status == VALID
    not_rejected = invoices.line_status != REJECTED
    per_customer = invoices.group_by("customer_id").aggregate(
        kept_lines=invoices.lines.sum(where=not_rejected).fill_null(0),
        first_purchase=invoices.first_line.min(where=valid),
        last_purchase=invoices.last_line.max(where=valid),
        last_line=invoices.last_line.max(where=not_rejected),
        frequency=invoices.count(where=valid),
        monetary=invoices.value.sum(where=valid),
        cancelled_invoices=invoices.count(where=invoices.line_status == CANCELLATION),
    )
    if "product" not in lines.columns:
        return per_customer
    bought = lines.filter(lines.line_status == VALID).select("customer_id", "product").distinct()
    products = bought.group_by("customer_id").aggregate(distinct_products=bought["product"].count())
    joined = per_customer.left_join(products, "customer_id")
    return joined.select(
        *per_customer.columns, distinct_products=joined.distinct_products.fill_null(0)
    )


def derive_rfm(aggregates: pd.DataFrame, reference_date: pd.Timestamp) -> pd.DataFrame:
    """Turn per-customer aggregates into the RFM table (customers with >= 1 purchase), by ID."""
    bought = aggregates[aggregates["frequency"] > 0]
    bought = bought.take(id_order(bought["customer_id"]))
    reference_day = reference_date.normalize()
    first = pd.to_datetime(bought["first_purchase"])
    last = pd.to_datetime(bought["last_purchase"])
    frequency = bought["frequency"].to_numpy(dtype="int64")
    tenure = (reference_day - first.dt.normalize()).dt.days.to_numpy(dtype="int64")
    span_days = (last - first).dt.total_seconds().to_numpy(dtype="float64") / _SECONDS_PER_DAY
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_gap = np.where(frequency > 1, span_days / (frequency - 1), tenure.astype("float64"))
    monetary = bought["monetary"].to_numpy(dtype="float64")
    cancelled = bought["cancelled_invoices"].to_numpy(dtype="int64")
    products = (
        bought["distinct_products"].to_numpy(dtype="int64")
        if "distinct_products" in bought
        else np.full(len(bought), np.nan)
    )
    return pd.DataFrame(
        {
            "ID": bought["customer_id"].to_numpy(),
            "recency_days": (reference_day - last.dt.normalize()).dt.days.to_numpy(dtype="int64"),
            "frequency": frequency,
            "monetary": monetary,
            "tenure_days": tenure,
            "avg_basket": monetary / frequency,
            "cancellation_share": cancelled / (frequency + cancelled),
            "distinct_products": products,
            "mean_days_between_purchases": mean_gap,
        }
    ).reset_index(drop=True)


def resolve_reference_date(aggregates: pd.DataFrame, reference_date: str | None) -> pd.Timestamp:
    """The given date, else the day after the last non-rejected line of the log."""
    if reference_date is not None:
        return pd.Timestamp(reference_date).normalize()
    last = pd.to_datetime(aggregates["last_line"]).max()
    if pd.isna(last):
        raise InputDataError(
            "transactions: no usable line in the log (every line was rejected), so there is no "
            "reference date and no customer; check transaction_line_quality and the column map."
        )
    return last.normalize() + pd.Timedelta(days=1)


# ------------------------------------------------------------------ accounting


def line_counts(classified: ir.Table) -> pd.DataFrame:
    """Lines, value and customers per (status, reason): a handful of rows, from the engine."""
    keys = ["line_status", "reject_reason"]
    per_customer = classified.group_by([*keys, "customer_id"]).aggregate(
        lines=classified.count(), value=(classified.quantity * classified.unit_price).sum()
    )
    counts = (
        per_customer.group_by(keys)
        .aggregate(
            lines=per_customer.lines.sum(),
            customers=per_customer.customer_id.count(),  # non-NULL IDs, one row each
            value=per_customer.value.sum(),
        )
        .to_pandas()
    )
    return counts.sort_values(["line_status", "reject_reason"], na_position="first").reset_index(
        drop=True
    )


def quality_report(
    counts: pd.DataFrame, aggregates: pd.DataFrame, rfm: pd.DataFrame, reference_date: pd.Timestamp
) -> dict[str, Any]:
    """The JSON accounting: every line in is valid, a cancellation or rejected for one reason."""
    by_status = counts.groupby("line_status")["lines"].sum()
    rejected = counts[counts["line_status"] == REJECTED].set_index("reject_reason")["lines"]
    rows_in = int(counts["lines"].sum())
    report = {
        "rows_in": rows_in,
        "rows_valid": int(by_status.get(VALID, 0)),
        "rows_cancellation": int(by_status.get(CANCELLATION, 0)),
        "rows_rejected": int(by_status.get(REJECTED, 0)),
        "rejected_by_reason": {rule: int(rejected.get(rule, 0)) for rule in REJECT_RULES},
        "reference_date": reference_date.date().isoformat(),
        # Customers (distinct valid IDs) = with purchases + only cancellations + only rejected.
        "customers_in_log": int(len(aggregates)),
        "customers_with_purchases": int(len(rfm)),
        "customers_only_cancellations": int(
            ((aggregates["frequency"] == 0) & (aggregates["kept_lines"] > 0)).sum()
        ),
        "customers_only_rejected_lines": int((aggregates["kept_lines"] == 0).sum()),
    }
    if report["rows_valid"] + report["rows_cancellation"] + report["rows_rejected"] != rows_in:
        raise AssertionError("transaction accounting does not add up")  # cannot happen by design
    return report


def rejected_summary(counts: pd.DataFrame) -> pd.DataFrame:
    """One row per rejection rule (all rules listed, zero when unused) with lines and value."""
    rejected = counts[counts["line_status"] == REJECTED].set_index("reject_reason")
    total = max(int(counts["lines"].sum()), 1)
    lines = rejected["lines"].reindex(list(REJECT_RULES), fill_value=0).astype("int64")
    return pd.DataFrame(
        {
            "reject_reason": list(REJECT_RULES),
            "detail": list(REJECT_RULES.values()),
            "lines": lines.to_numpy(),
            "share_of_lines": lines.to_numpy() / total,
            "customers": rejected["customers"]
            .reindex(list(REJECT_RULES), fill_value=0)
            .astype("int64")
            .to_numpy(),
            "value": rejected["value"]
            .reindex(list(REJECT_RULES), fill_value=0.0)
            .fillna(0.0)
            .astype("float64")
            .to_numpy(),
        }
    )


def rfm_from_log(
    log: ir.Table,
    column_map: Mapping[str, str],
    rules: Mapping[str, Any],
    reference_date: str | None = None,
    source: str = "transactions",
) -> tuple[pd.DataFrame, dict[str, Any], pd.DataFrame]:
    """Classify and aggregate a log: ``(customer_rfm, line_quality, rejected_summary)``."""
    classified = classify_lines(canonicalise(log, column_map, source), rules)
    aggregates = aggregate_customers(classified).to_pandas()
    reference = resolve_reference_date(aggregates, reference_date)
    rfm = derive_rfm(aggregates, reference)
    counts = line_counts(classified)
    quality = {"source": source, **quality_report(counts, aggregates, rfm, reference)}
    return rfm, quality, rejected_summary(counts)


# ------------------------------------------------------------------ joining to the customer table


def join_customer_rfm(
    customers: pd.DataFrame, rfm: pd.DataFrame, prefix: str = "log_"
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Left-join ``customer_rfm`` onto a customer table by ``ID`` (the "both" mode).

    RFM columns get ``prefix`` (the table has its own recency). A customer absent from the log
    gets no activity: counts, amounts and shares 0; recency, tenure and mean gap the log's span
    (the largest tenure in ``rfm``: no purchase in the whole log). ``has_transactions`` flags who
    was found. Also returns the counts matched / without log / log customers not in the table.
    """
    renamed = rfm.rename(columns={name: prefix + name for name in RFM_COLUMNS})
    joined = customers.merge(renamed, on="ID", how="left", validate="one_to_one")
    found = joined[prefix + "frequency"].notna()
    span = float(rfm["tenure_days"].max()) if len(rfm) else 0.0
    fills = {name: 0.0 for name in RFM_COLUMNS} | {
        "recency_days": span,
        "tenure_days": span,
        "mean_days_between_purchases": span,
    }
    for name, fill in fills.items():
        joined[prefix + name] = joined[prefix + name].fillna(fill)
    joined["has_transactions"] = found.to_numpy()
    counts = {
        "customers": len(customers),
        "matched": int(found.sum()),
        "without_transactions": int((~found).sum()),
        "log_customers_not_in_table": int((~rfm["ID"].isin(customers["ID"])).sum()),
    }
    return joined, counts
