"""The synthetic log generator: deterministic, chunked, and consistent with its customer table."""

import ibis
import pandas as pd
import pyarrow.parquet as pq
import pytest

from customer_segmentation.core.features import transactions as tx
from tools.synthetic import transactions as synthetic_log
from tools.synthetic.dirt import DirtSettings
from tools.synthetic.generator import generate_frame

NO_DIRT = DirtSettings(**dict.fromkeys(DirtSettings.__dataclass_fields__, 0.0))
COLUMN_MAP = {name: name for name in synthetic_log.LOG_SCHEMA.names}


@pytest.fixture(scope="module")
def customers() -> pd.DataFrame:
    return generate_frame(600, seed=3, dirt=NO_DIRT)[0]


def test_same_seed_same_log_and_other_seed_other_log(customers):
    first = synthetic_log.generate_log(customers, seed=1)
    pd.testing.assert_frame_equal(first, synthetic_log.generate_log(customers, seed=1))
    assert not first.equals(synthetic_log.generate_log(customers, seed=2))
    assert list(first.columns) == synthetic_log.LOG_SCHEMA.names


def test_rfm_of_the_log_matches_the_table(customers):
    log = synthetic_log.generate_log(customers, seed=1)
    rfm, quality, _ = tx.rfm_from_log(
        ibis.memtable(log), COLUMN_MAP, {"cancellation_invoice_prefix": "C"}
    )
    table = customers.set_index(customers["ID"].astype(str))  # the log's IDs come back as text
    spend = table[list(synthetic_log.SPEND_COLUMNS)].sum(axis=1)
    purchases = table[list(synthetic_log.CHANNEL_COLUMNS)].sum(axis=1)
    buyers = table[(spend > 0) & (purchases > 0)]
    assert rfm["ID"].tolist() == sorted(buyers.index, key=lambda text: (len(text), text))
    rfm = rfm.set_index("ID")
    assert (rfm["frequency"] == purchases[rfm.index]).all()  # one invoice per purchase
    # a customer with Recency 0 puts the log's last day on the table's reference date,
    # so the "day after the log" convention adds one day to every recency
    assert (rfm["recency_days"] == table.loc[rfm.index, "Recency"] + 1).all()
    relative_gap = (rfm["monetary"] / spend[rfm.index] - 1).abs()
    assert relative_gap.median() < 0.001  # cents rounding of unit prices only
    assert relative_gap.max() < 0.05
    assert quality["rows_cancellation"] > 0
    assert quality["rows_rejected"] == 0


def test_dirt_rates_produce_rejected_lines(customers):
    settings = {"missing_customer_id_rate": 0.05, "zero_price_rate": 0.05}
    log = synthetic_log.generate_log(customers, seed=1, settings=settings)
    _, quality, _ = tx.rfm_from_log(
        ibis.memtable(log), COLUMN_MAP, {"cancellation_invoice_prefix": "C"}
    )
    share = quality["rows_rejected"] / quality["rows_in"]
    assert 0.05 < share < 0.15
    assert quality["rejected_by_reason"]["missing_customer_id"] > 0
    assert quality["rejected_by_reason"]["non_positive_unit_price"] > 0


def test_written_in_chunks_to_one_parquet_file(customers, tmp_path):
    chunks = synthetic_log.iter_log_chunks(customers, None, seed=1, chunk_customers=250)
    stats = synthetic_log.write_log(chunks, tmp_path / "log.parquet", customers=len(customers))
    metadata = pq.read_metadata(stats.path)
    assert metadata.num_row_groups == 3  # 250 + 250 + 100 customers
    assert metadata.num_rows == stats.lines > len(customers)
    assert pq.read_schema(stats.path).names == synthetic_log.LOG_SCHEMA.names


def test_cli_writes_a_log_from_a_raw_customer_file(customers, tmp_path):
    raw = tmp_path / "customers.csv"
    customers.to_csv(raw, sep="\t", index=False)
    synthetic_log.main([str(raw), str(tmp_path / "log.parquet"), "--seed", "4"])
    assert pq.read_metadata(tmp_path / "log.parquet").num_rows > 0
