"""Purchase history in the BTYD convention, on DuckDB, against a hand-computed log."""

import ibis
import pandas as pd
import pytest

from customer_segmentation.core.features import purchase_history as ph
from customer_segmentation.errors import InputDataError
from tests.fixtures.transactions import CANONICAL_MAP, RULES

# customer, invoice, timestamp, quantity, unit price. Reference date 2021-03-01 (exclusive end),
# holdout 20 days: the holdout starts 2021-02-09.
LINES = [
    ("1", "100", "2021-01-01 09:00:00", 1, 10.0),  # first purchase day: 10 + 5
    ("1", "101", "2021-01-01 17:00:00", 1, 5.0),  # second invoice, same day: one purchase
    ("1", "102", "2021-01-05 10:00:00", 1, 0.0),  # zero price: rejected, no purchase
    ("1", "103", "2021-01-11 10:00:00", 2, 10.0),  # repeat purchase, 20
    ("1", "104", "2021-02-15 10:00:00", 3, 10.0),  # repeat purchase in the holdout, 30
    ("2", "200", "2021-01-20 10:00:00", 1, 7.0),  # one purchase only
    ("3", "300", "2021-02-10 10:00:00", 1, 4.0),  # every purchase in the holdout
    ("3", "301", "2021-02-20 10:00:00", 2, 3.0),
    ("4", "C400", "2021-01-08 10:00:00", -1, 5.0),  # only a cancellation: no row
]


def history(holdout_days: int = 20) -> pd.DataFrame:
    log = pd.DataFrame(
        [(*line, "P1") for line in LINES],
        columns=["customer_id", "invoice", "timestamp", "quantity", "unit_price", "product"],
    )
    return ph.purchase_history_from_log(
        ibis.memtable(log), CANONICAL_MAP, RULES, "2021-03-01", holdout_days
    ).set_index("ID")


def test_full_period_frequency_recency_t_and_repeat_value():
    table = history()
    assert list(table.index) == ["1", "2", "3"]  # IDs as the log writes them
    assert table.loc["1", ["frequency", "recency", "T", "monetary_value"]].tolist() == [
        2,
        45.0,  # 2021-01-01 -> 2021-02-15
        59.0,  # 2021-01-01 -> 2021-03-01
        25.0,  # (20 + 30) / 2: the first day's 15 left out
    ]
    assert table.loc["2", ["frequency", "recency", "T", "monetary_value"]].tolist() == [
        0,
        0.0,
        40.0,
        0.0,
    ]
    assert table.loc["3", ["frequency", "recency", "T", "monetary_value"]].tolist() == [
        1,
        10.0,
        19.0,
        6.0,
    ]


def test_calibration_and_holdout_split_at_the_configured_length():
    table = history()
    assert table["in_calibration"].tolist() == [True, True, False]
    calibration = ["frequency_cal", "recency_cal", "T_cal", "monetary_value_cal"]
    assert table.loc["1", calibration].tolist() == [1.0, 10.0, 39.0, 20.0]
    assert table.loc["2", calibration].tolist() == [0.0, 0.0, 20.0, 0.0]
    # First purchase in the holdout: not in the calibration period, counted in the holdout.
    assert table.loc["3", calibration].isna().all()
    assert table["purchases_holdout"].tolist() == [1, 0, 2]
    assert table["value_holdout"].tolist() == [30.0, 0.0, 10.0]


def test_periods_and_a_holdout_longer_than_the_calibration_is_refused():
    table = history().reset_index()
    assert ph.periods(table, "2021-03-01", 20) == {
        "start": "2021-01-01",
        "split": "2021-02-09",
        "end": "2021-03-01",
    }
    with pytest.raises(InputDataError, match="holdout_days = 40"):
        history(holdout_days=40)


def test_columns_are_the_documented_ones():
    table = history().reset_index()
    assert tuple(table.columns) == ph.HISTORY_COLUMNS
    assert table["ID"].map(type).eq(str).all()  # text, as every table keyed by the ID
