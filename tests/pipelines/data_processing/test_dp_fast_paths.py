"""The shortcuts taken for speed at millions of rows give what the general code gives."""

import pandas as pd

from customer_segmentation.contract import _schema_violations, find_contract_violations
from customer_segmentation.core.cleaning import clean_customers, reject_exact_duplicates
from customer_segmentation.core.parsing import parse_customers


def test_plain_integer_column_parses_like_one_needing_the_general_path(raw_customers, settings):
    plain = parse_customers(raw_customers, settings).typed
    padded_raw = raw_customers.copy()
    # One padded value sends the whole column through trimming and float parsing.
    padded_raw.loc[0, "MntWines"] = f"  {padded_raw.loc[0, 'MntWines']} "
    padded = parse_customers(padded_raw, settings).typed

    pd.testing.assert_series_equal(plain["MntWines"], padded["MntWines"], check_exact=True)
    assert plain["MntWines"].dtype == "Int64"


def test_integer_column_with_a_marker_or_a_fraction_still_reports_them(raw_customers, settings):
    raw = raw_customers.copy()
    raw.loc[3, "Kidhome"] = "NA"
    raw.loc[5, "Kidhome"] = "1.5"

    parsed = parse_customers(raw, {**settings, "max_invalid_share": 0.5})

    assert pd.isna(parsed.typed.loc[3, "Kidhome"])
    assert pd.isna(parsed.typed.loc[5, "Kidhome"])
    reasons = parsed.invalid_rows.set_index("_row_number")["reject_reason"].to_dict()
    assert reasons == {6: "invalid_value: Kidhome '1.5' is not a whole number"}


def test_vectorised_contract_check_equals_the_pandera_schema(raw_customers, settings):
    typed = parse_customers(raw_customers, settings).typed.copy()  # Income's buffer is Arrow's
    typed.loc[[2, 7], "Kidhome"] = -1
    typed.loc[4, "Complain"] = 2
    typed.loc[9, "Education"] = "Alone"
    typed.loc[11, "Income"] = -5.0

    fast = find_contract_violations(typed)
    columns = [name for name in typed.columns if name != "_row_number"]

    pd.testing.assert_frame_equal(fast, _schema_violations(typed, columns), check_exact=True)
    assert fast["index"].tolist() == [9, 11, 2, 7, 4]


def test_exact_duplicates_need_every_column_equal_not_only_the_id(raw_customers, settings):
    typed = parse_customers(raw_customers, settings).typed
    rows = pd.concat([typed.iloc[:3], typed.iloc[[0]], typed.iloc[[1]]], ignore_index=True)
    rows.loc[4, "Recency"] = rows.loc[4, "Recency"] + 1  # same ID as row 2, other content
    rows["_row_number"] = range(1, len(rows) + 1)

    outcome = reject_exact_duplicates(rows)

    assert outcome.rejected.to_dict() == {3: "exact_duplicate: exact duplicate of row 1"}


def test_kept_rows_come_in_id_order(raw_customers, settings):
    parsed = parse_customers(raw_customers.iloc[::-1], settings)

    result = clean_customers(parsed.typed, parsed.invalid_rows, settings)

    assert result.kept["ID"].is_monotonic_increasing
    assert len(result.kept) == len(raw_customers)
