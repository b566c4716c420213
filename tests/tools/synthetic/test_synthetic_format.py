"""The raw file has exactly the real file's layout and text format."""

import re

import pandas as pd

from tools.synthetic import generate_frame, write_synthetic
from tools.synthetic.schema import CONSTANT_COLUMNS, RAW_COLUMNS, TRUTH_COLUMNS

REAL_HEADER = (
    "ID\tYear_Birth\tEducation\tMarital_Status\tIncome\tKidhome\tTeenhome\tDt_Customer\tRecency\t"
    "MntWines\tMntFruits\tMntMeatProducts\tMntFishProducts\tMntSweetProducts\tMntGoldProds\t"
    "NumDealsPurchases\tNumWebPurchases\tNumCatalogPurchases\tNumStorePurchases\t"
    "NumWebVisitsMonth\tAcceptedCmp3\tAcceptedCmp4\tAcceptedCmp5\tAcceptedCmp1\tAcceptedCmp2\t"
    "Complain\tZ_CostContact\tZ_Revenue\tResponse"
)
DATE = re.compile(r"^\d{2}-\d{2}-\d{4}$")


def test_header_and_line_format_match_the_real_file(synthetic_files):
    lines = synthetic_files[0].read_bytes().split(b"\r\n")
    assert lines[0].decode("ascii") == REAL_HEADER
    assert lines[-1] == b""  # every line, the last included, ends in CRLF
    assert len(lines) == 20_000 + 2
    assert all(line.count(b"\t") == 28 for line in lines[:-1])
    assert b'"' not in synthetic_files[0].read_bytes()


def test_values_parse_back_with_pandas(synthetic_raw):
    assert list(synthetic_raw.columns) == list(RAW_COLUMNS)
    assert synthetic_raw["Dt_Customer"].str.match(DATE).all()
    dates = pd.to_datetime(synthetic_raw["Dt_Customer"], format="%d-%m-%Y")
    assert dates.min() == pd.Timestamp("2012-07-30")
    assert dates.max() == pd.Timestamp("2014-06-29")
    for column, value in CONSTANT_COLUMNS.items():
        assert (synthetic_raw[column] == value).all()
    numeric = [c for c in RAW_COLUMNS if c not in ("Education", "Marital_Status", "Dt_Customer")]
    integers = synthetic_raw[[c for c in numeric if c != "Income"]]
    assert all(dtype.kind == "i" for dtype in integers.dtypes)
    assert (integers >= 0).all().all()


def test_integers_have_no_decimals_and_missing_income_is_empty(synthetic_files):
    text = pd.read_csv(synthetic_files[0], sep="\t", dtype=str, keep_default_na=False)
    assert not text["Income"].str.contains(".", regex=False).any()
    assert (text["Income"] == "").sum() > 0
    assert text["Income"].str.fullmatch(r"\d*").all()


def test_truth_file_has_id_and_segment_only(synthetic_files):
    truth_header = synthetic_files[1].read_text().splitlines()[0]
    assert truth_header == ",".join(TRUTH_COLUMNS)


def test_zero_rows_still_write_headers(tmp_path):
    report = write_synthetic(tmp_path / "empty.csv", 0, 1)
    assert report.customers_path.read_bytes() == (REAL_HEADER + "\r\n").encode()
    assert report.segments_path.read_bytes() == b"ID,segment\n"
    customers, segments = generate_frame(0, 1)
    assert list(customers.columns) == list(RAW_COLUMNS) and len(segments) == 0
