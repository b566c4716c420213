"""Fixtures of the transactions tests: a hand-made log that breaks every rule once."""

import pandas as pd
import pytest

CANONICAL_MAP = {
    name: name
    for name in ("customer_id", "invoice", "timestamp", "quantity", "unit_price", "product")
}
RULES = {"cancellation_invoice_prefix": "C", "negative_quantity_is_cancellation": False}

# customer, invoice, timestamp, quantity, unit price, product, what the line is
_LINES = [
    ("1", "100", "2021-01-01 10:00:00", 2, 5.0, "P1", "valid"),
    ("1", "100", "2021-01-01 10:00:00", 1, 10.0, "P2", "valid"),
    ("1", "101", "2021-01-11 10:00:00", 1, 5.0, "P1", "valid"),
    ("1", "C102", "2021-01-12 09:00:00", -1, 5.0, "P1", "cancellation"),
    ("1", None, "2021-01-12 09:00:00", 1, 5.0, "P1", "missing_invoice"),
    ("2", "200", "2021-01-20 15:30:00", 3, 2.0, "P3", "valid"),
    ("2", "200", "2021-01-20 15:30:00", 1, 0.0, "P4", "non_positive_unit_price"),
    ("2", "200", "2021-01-20 15:30:00", 0, 1.0, "P5", "non_positive_quantity"),
    ("3", "C300", "2021-01-05 12:00:00", -2, 4.0, "P1", "cancellation"),
    ("4", "400", "not a date", 1, 3.0, "P2", "unparseable_timestamp"),
    (None, "500", "2021-01-06 12:00:00", 5, 1.0, "P2", "missing_customer_id"),
    ("x7", "600", "2021-01-07 12:00:00", 1, 1.0, "P2", "invalid_customer_id"),
]


@pytest.fixture
def tiny_log() -> pd.DataFrame:
    """Twelve lines: 4 valid, 2 cancellations, one line for each of the 6 rejection rules."""
    columns = ["customer_id", "invoice", "timestamp", "quantity", "unit_price", "product"]
    return pd.DataFrame([line[:6] for line in _LINES], columns=columns).astype(
        {"quantity": "int64", "unit_price": "float64"}
    )


@pytest.fixture
def expected_status() -> list[str]:
    """What each line of ``tiny_log`` is (status or rejection rule), in order."""
    return [line[6] for line in _LINES]
