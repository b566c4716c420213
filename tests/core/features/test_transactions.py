"""Line rules, accounting and every aggregate on a hand-made log (DuckDB)."""

import ibis
import numpy as np
import pandas as pd
import pytest

from customer_segmentation.core import engine
from customer_segmentation.core.features import transactions as tx
from customer_segmentation.errors import InputDataError
from tests.fixtures.transactions import CANONICAL_MAP, RULES


def _run(log: pd.DataFrame, **kwargs):
    return tx.rfm_from_log(ibis.memtable(log), CANONICAL_MAP, RULES, **kwargs)


def test_each_line_gets_its_status_and_first_broken_rule(tiny_log, expected_status):
    lines = tx.classify_lines(tx.canonicalise(ibis.memtable(tiny_log), CANONICAL_MAP), RULES)
    got = lines.to_pandas()
    status = got["reject_reason"].fillna(got["line_status"]).tolist()
    assert sorted(status) == sorted(expected_status)
    by_invoice = dict(zip(got["invoice"].fillna("<none>"), got["line_status"], strict=False))
    assert by_invoice["C102"] == by_invoice["C300"] == "cancellation"


def test_accounting_adds_up_and_counts_every_rule(tiny_log):
    _, quality, rejected = _run(tiny_log)
    assert quality["rows_in"] == 12
    assert quality["rows_valid"] == 5
    assert quality["rows_cancellation"] == 2
    assert quality["rows_rejected"] == 5
    assert quality["rows_in"] == (
        quality["rows_valid"] + quality["rows_cancellation"] + quality["rows_rejected"]
    )
    assert quality["rejected_by_reason"] == {
        **dict.fromkeys(tx.REJECT_RULES, 1),
        "invalid_customer_id": 0,
    }
    assert rejected["lines"].tolist() == [
        0 if rule == "invalid_customer_id" else 1 for rule in tx.REJECT_RULES
    ]
    assert rejected["lines"].sum() == quality["rows_rejected"]
    # customers 1..4 and x7: 1, 2 and x7 bought, 3 only cancelled, 4 only has a rejected line
    assert quality["customers_in_log"] == 5
    assert quality["customers_with_purchases"] == 3
    assert quality["customers_only_cancellations"] == 1
    assert quality["customers_only_rejected_lines"] == 1


def test_aggregates_of_each_customer(tiny_log):
    rfm, quality, _ = _run(tiny_log)
    # last non-rejected line 2021-01-20 15:30 -> reference date is the next day
    assert quality["reference_date"] == "2021-01-21"
    assert rfm["ID"].tolist() == ["1", "2", "x7"]  # the IDs as text, in ID order
    assert rfm["ID"].dtype == "str"
    one, two = rfm.iloc[0], rfm.iloc[1]
    assert one["recency_days"] == 10  # last purchase 2021-01-11
    assert one["tenure_days"] == 20  # first purchase 2021-01-01
    assert one["frequency"] == 2
    assert one["monetary"] == pytest.approx(25.0)  # 2*5 + 1*10 + 1*5
    assert one["avg_basket"] == pytest.approx(12.5)
    assert one["cancellation_share"] == pytest.approx(1 / 3)  # 1 cancelled of 3 invoices
    assert one["distinct_products"] == 2
    assert one["mean_days_between_purchases"] == pytest.approx(10.0)
    # single purchase: the mean gap is defined as the tenure
    assert (two["recency_days"], two["tenure_days"], two["frequency"]) == (1, 1, 1)
    assert two["monetary"] == pytest.approx(6.0)
    assert two["cancellation_share"] == 0.0
    assert two["mean_days_between_purchases"] == pytest.approx(1.0)
    assert list(rfm.columns) == ["ID", *tx.RFM_COLUMNS]


def test_reference_date_parameter_overrides_the_log(tiny_log):
    rfm, quality, _ = _run(tiny_log, reference_date="2021-02-01")
    assert quality["reference_date"] == "2021-02-01"
    assert rfm["recency_days"].tolist() == [21, 12, 25]
    assert rfm["mean_days_between_purchases"].tolist() == pytest.approx([10.0, 12.0, 25.0])


def test_float_customer_ids_with_nan_like_online_retail():
    log = pd.DataFrame(
        {
            "CustomerID": [12346.0, np.nan, 12.5, 12347.0],
            "InvoiceDate": ["2011-01-01 10:00:00"] * 4,
            "Quantity": [1, 1, 1, 2],
            "UnitPrice": [1.0, 1.0, 1.0, 3.0],
            "InvoiceNo": ["1", "2", "3", "4"],
        }
    )
    column_map = {
        "customer_id": "CustomerID",
        "timestamp": "InvoiceDate",
        "quantity": "Quantity",
        "unit_price": "UnitPrice",
        "invoice": "InvoiceNo",
    }
    rfm, quality, _ = tx.rfm_from_log(ibis.memtable(log), column_map, RULES)
    assert rfm["ID"].tolist() == ["12346", "12347"]  # stored as numbers: their digits
    assert quality["rejected_by_reason"]["missing_customer_id"] == 1
    assert quality["rejected_by_reason"]["invalid_customer_id"] == 1
    assert rfm["distinct_products"].isna().all()  # no product column mapped


def test_without_invoice_column_purchases_are_customer_timestamps():
    log = pd.DataFrame(
        {
            "customer_id": [1, 1, 1, 1],
            "timestamp": pd.to_datetime(
                ["2021-01-01 10:00", "2021-01-01 10:00", "2021-01-03 10:00", "2021-01-04 10:00"]
            ),
            "quantity": [1, 2, 1, -1],
            "unit_price": [1.0, 1.0, 4.0, 4.0],
        }
    )
    rules = {"cancellation_invoice_prefix": "C", "negative_quantity_is_cancellation": True}
    column_map = {name: name for name in log.columns}
    rfm, quality, _ = tx.rfm_from_log(ibis.memtable(log), column_map, rules)
    assert quality["rows_cancellation"] == 1
    assert rfm.loc[0, "frequency"] == 2
    assert rfm.loc[0, "monetary"] == pytest.approx(7.0)
    assert rfm.loc[0, "cancellation_share"] == pytest.approx(1 / 3)


def test_column_map_that_does_not_fit_names_the_problem(tiny_log):
    bad_map = {**CANONICAL_MAP, "customer_id": "CustomerID"}
    with pytest.raises(InputDataError, match="CustomerID"):
        tx.rfm_from_log(ibis.memtable(tiny_log), bad_map, RULES, source="my_log.parquet")


def test_a_log_with_no_usable_line_is_an_input_error(tiny_log):
    only_rejected = tiny_log[tiny_log["customer_id"].isna()]
    with pytest.raises(InputDataError, match="every line was rejected"):
        _run(only_rejected)


def test_unknown_backend_is_an_input_error():
    with pytest.raises(InputDataError, match="duckdb"):
        engine.connect({"backend": "oracle"})


def test_duckdb_reads_the_file_itself(tmp_path, tiny_log):
    path = tmp_path / "log.parquet"
    tiny_log.to_parquet(path)
    con = engine.connect({"backend": "duckdb"})
    from_file = tx.rfm_from_log(con.read_parquet(str(path)), CANONICAL_MAP, RULES)[0]
    pd.testing.assert_frame_equal(from_file, _run(tiny_log)[0])


def test_join_onto_the_customer_table_fills_customers_without_a_log(tiny_log):
    rfm = _run(tiny_log)[0]  # customers 1, 2 and x7; tenure 20, 1 and 14
    customers = pd.DataFrame({"ID": ["2", "5"], "Recency": [3, 40]})
    joined, counts = tx.join_customer_rfm(customers, rfm)
    assert counts == {
        "customers": 2,
        "matched": 1,
        "without_transactions": 1,
        "log_customers_not_in_table": 2,
    }
    assert joined["has_transactions"].tolist() == [True, False]
    assert joined["log_monetary"].tolist() == pytest.approx([6.0, 0.0])
    assert joined["log_recency_days"].tolist() == [1, 20]  # absent: the log's whole span
    assert joined["Recency"].tolist() == [3, 40]
