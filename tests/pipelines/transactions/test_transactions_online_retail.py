"""The real UCI Online Retail log (committed in data/01_raw): the published facts."""

from pathlib import Path

import pytest

from customer_segmentation.core import engine
from customer_segmentation.core.features import transactions as tx

ONLINE_RETAIL = Path(__file__).resolve().parents[3] / "data" / "01_raw" / "online_retail.parquet"
COLUMN_MAP = {
    "customer_id": "CustomerID",
    "invoice": "InvoiceNo",
    "timestamp": "InvoiceDate",
    "quantity": "Quantity",
    "unit_price": "UnitPrice",
    "product": "StockCode",
    "country": "Country",
}


@pytest.fixture(scope="module")
def online_retail():
    con = engine.connect({"backend": "duckdb"})
    log = con.read_parquet(str(ONLINE_RETAIL))
    return tx.rfm_from_log(log, COLUMN_MAP, {"cancellation_invoice_prefix": "C"}, source="retail")


def test_every_line_is_accounted_for(online_retail):
    _, quality, rejected = online_retail
    assert quality["rows_in"] == 541_909
    assert quality["rejected_by_reason"]["missing_customer_id"] == 135_080
    # zero prices with a customer ID; the 2 negative prices ("adjust bad debt") have no ID
    assert quality["rejected_by_reason"]["non_positive_unit_price"] == 40
    # 9,288 "C" invoices, 383 of them without a customer ID (rejected for that first)
    assert quality["rows_cancellation"] == 9_288 - 383
    assert quality["rows_valid"] == 397_884
    assert quality["rows_in"] == (
        quality["rows_valid"] + quality["rows_cancellation"] + quality["rows_rejected"]
    )
    assert rejected["lines"].sum() == quality["rows_rejected"]


def test_customers_are_accounted_for(online_retail):
    rfm, quality, _ = online_retail
    assert quality["customers_in_log"] == 4_372
    assert quality["customers_only_rejected_lines"] == 1
    assert quality["customers_only_cancellations"] == 33
    assert len(rfm) == quality["customers_with_purchases"] == 4_372 - 1 - 33
    assert rfm["ID"].is_unique and rfm["ID"].is_monotonic_increasing
    assert quality["reference_date"] == "2011-12-10"


def test_aggregates_are_plausible(online_retail):
    rfm, _, _ = online_retail
    assert rfm["monetary"].sum() == pytest.approx(8_911_407.904, rel=1e-9)
    assert rfm["frequency"].sum() == 18_532  # distinct purchase invoices with a customer
    assert rfm["recency_days"].between(1, 374).all()
    assert (rfm["tenure_days"] >= rfm["recency_days"]).all()
    assert rfm["cancellation_share"].between(0, 1).all()
    assert not rfm.isna().any().any()
