"""Parsing and cleaning edge cases: fast integer parsing, contract violations, kept rows."""

import numpy as np
import pandas as pd
import pytest

from customer_segmentation.core.cleaning.cleaning import clean_customers, to_primary
from customer_segmentation.core.cleaning.contract import find_contract_violations
from customer_segmentation.core.cleaning.parsing import parse_customers
from customer_segmentation.core.cleaning.rules import (
    check_purchase_consistency,
    fill_missing,
    reject_exact_duplicates,
)
from customer_segmentation.core.ids import in_id_order
from tests.fixtures.data_processing import DEFAULT_SCHEMA, RUN_DATE


def test_plain_integer_column_parses_like_one_needing_the_general_path(raw_customers, settings):
    plain = parse_customers(raw_customers, settings, DEFAULT_SCHEMA).typed
    padded_raw = raw_customers.copy()
    # One padded value sends the whole column through trimming and float parsing.
    padded_raw.loc[0, "MntWines"] = f"  {padded_raw.loc[0, 'MntWines']} "
    padded = parse_customers(padded_raw, settings, DEFAULT_SCHEMA).typed

    pd.testing.assert_series_equal(plain["MntWines"], padded["MntWines"], check_exact=True)
    assert plain["MntWines"].dtype == "Int32"  # declared 0..100,000


def test_integer_column_with_a_marker_or_a_fraction_still_reports_them(raw_customers, settings):
    raw = raw_customers.copy()
    raw.loc[3, "Kidhome"] = "NA"
    raw.loc[5, "Kidhome"] = "1.5"

    parsed = parse_customers(raw, {**settings, "max_invalid_share": 0.5}, DEFAULT_SCHEMA)

    assert pd.isna(parsed.typed.loc[3, "Kidhome"])
    assert pd.isna(parsed.typed.loc[5, "Kidhome"])
    reasons = parsed.invalid_rows.set_index("_row_number")["reject_reason"].to_dict()
    assert reasons == {6: "invalid_value: Kidhome '1.5' is not a whole number"}


def test_contract_violations_name_every_cell_outside_the_contract(raw_customers, settings):
    typed = parse_customers(
        raw_customers, settings, DEFAULT_SCHEMA
    ).typed.copy()  # Income's buffer is Arrow's
    typed.loc[[2, 7], "Kidhome"] = -1
    typed.loc[4, "Complain"] = 2
    typed.loc[9, "Education"] = "Alone"
    typed.loc[11, "Income"] = -5.0

    found = find_contract_violations(typed, DEFAULT_SCHEMA)

    assert found[["column", "index", "value"]].values.tolist() == [
        ["Education", 9, "Alone"],
        ["Income", 11, "-5.0"],
        ["Kidhome", 2, "-1"],
        ["Kidhome", 7, "-1"],
        ["Complain", 4, "2"],
    ]


def test_exact_duplicates_need_every_column_equal_not_only_the_id(raw_customers, settings):
    typed = parse_customers(raw_customers, settings, DEFAULT_SCHEMA).typed
    rows = pd.concat([typed.iloc[:3], typed.iloc[[0]], typed.iloc[[1]]], ignore_index=True)
    rows.loc[4, "Recency"] = rows.loc[4, "Recency"] + 1  # same ID as row 2, other content
    rows["_row_number"] = range(1, len(rows) + 1)

    outcome = reject_exact_duplicates(rows, {"id": "ID"})

    assert outcome.rejected.to_dict() == {3: "exact_duplicate: exact duplicate of row 1"}


def test_kept_rows_are_the_typed_rows_in_id_order(raw_customers, settings):
    parsed = parse_customers(raw_customers.iloc[::-1], settings, DEFAULT_SCHEMA)

    result = clean_customers(
        parsed.typed, parsed.invalid_rows, settings, DEFAULT_SCHEMA, run_date=RUN_DATE
    )
    primary = to_primary(result.kept, DEFAULT_SCHEMA)

    assert in_id_order(result.kept["ID"])
    assert len(primary) == len(raw_customers)
    # Each kept row is its typed row; no value is missing any more, so each integer column is
    # its plain numpy type (Int16 -> int16).
    typed = parsed.typed.set_index("_row_number").loc[result.kept["_row_number"]]
    kept = result.kept.set_index("_row_number")
    pd.testing.assert_frame_equal(kept, typed[kept.columns], check_dtype=False)
    integers = [name for name in kept.columns if DEFAULT_SCHEMA.by_name[name].kind == "integer"]
    assert [kept[name].dtype.name for name in integers] == [
        typed[name].dtype.numpy_dtype.name for name in integers
    ]
    # The primary table is the kept rows as they are, without the row numbers.
    pd.testing.assert_frame_equal(primary, kept.reset_index(drop=True)[primary.columns])


def test_rules_after_invalid_rows_see_only_the_kept_rows(raw_customers, settings):
    raw = pd.concat([raw_customers, raw_customers.iloc[[3, 3]]], ignore_index=True)
    raw.loc[3, "Kidhome"] = "x"  # invalid: the first copy of row 4 is rejected at parsing
    raw.loc[5, "Recency"] = "NA"  # missing: rejected by the missing-values rule
    raw.loc[7, "ID"] = raw.loc[8, "ID"]  # repeated ID with other content: both rejected

    parsed = parse_customers(raw, {**settings, "max_invalid_share": 0.5}, DEFAULT_SCHEMA)
    result = clean_customers(
        parsed.typed, parsed.invalid_rows, settings, DEFAULT_SCHEMA, run_date=RUN_DATE
    )

    reasons = result.rejections.set_index("_row_number")["reject_reason"].to_dict()
    assert reasons[4].startswith("invalid_value: Kidhome")
    # Row 201 is the first valid copy of row 4 now: kept; row 202 duplicates it.
    assert reasons[202] == "exact_duplicate: exact duplicate of row 201"
    assert reasons[6] == "missing_value: Recency is missing"
    assert reasons[8].startswith("repeated_id") and reasons[9].startswith("repeated_id")
    assert len(reasons) == 5
    assert 201 in set(result.kept["_row_number"])


def test_missing_markers_among_category_and_date_labels_become_missing(raw_customers, settings):
    raw_customers.loc[0, "Education"] = " NA "
    raw_customers.loc[1, "Education"] = "null"
    raw_customers.loc[2, "Education"] = " phd"
    raw_customers.loc[3, "Dt_Customer"] = " N/A"
    raw_customers.loc[4, "Dt_Customer"] = " 04-09-2012 "

    parsed = parse_customers(raw_customers, settings, DEFAULT_SCHEMA)

    typed = parsed.typed
    assert typed["Education"].iloc[:3].isna().tolist() == [True, True, False]
    assert typed.loc[2, "Education"] == "PhD"
    assert pd.isna(typed.loc[3, "Dt_Customer"])
    assert typed.loc[4, "Dt_Customer"] == pd.Timestamp("2012-09-04")
    rules = {(rule["rule"], rule["column"]): rule for rule in parsed.summary["rules"]}
    assert rules[("standardise_categories", "Education")]["values_fixed"] == 1
    assert parsed.invalid_rows.empty


def test_contract_check_skips_missing_values_and_empty_columns(raw_customers, settings):
    typed = parse_customers(raw_customers, settings, DEFAULT_SCHEMA).typed.copy()
    typed["Recency"] = pd.array([None] * len(typed), dtype="Int16")  # nothing to check
    typed.loc[5, "Income"] = np.nan
    typed.loc[6, "Income"] = -1.0
    typed.loc[8, "Year_Birth"] = 2101

    found = find_contract_violations(typed, DEFAULT_SCHEMA)

    assert found[["column", "index"]].values.tolist() == [["Year_Birth", 8], ["Income", 6]]


def test_group_median_ignores_missing_values_and_groups_without_any():
    frame = pd.DataFrame(
        {
            "Education": ["PhD", "PhD", "Basic", "Master", "Master"],
            "Income": [10.0, None, 4.0, None, None],
        }
    )

    outcome = fill_missing(
        frame,
        {"column": "Income", "strategy": "group_median", "group_by": "Education", "integer": False},
    )

    # Master has no income at all: no group median of its own, the overall median (7) fills.
    assert outcome.statistics["imputation"]["Income"] == {
        "overall": 7.0,
        "groups": {"Basic": 4.0, "PhD": 10.0},
    }
    assert outcome.updates["Income"].to_dict() == {1: 10.0, 3: 7.0, 4: 7.0}


def test_primary_refuses_a_repeated_id():
    kept = pd.DataFrame({"_row_number": [1, 2, 3], "ID": [7, 3, 7], "Recency": [1, 2, 3]})

    with pytest.raises(ValueError, match="ID twice"):
        to_primary(kept, DEFAULT_SCHEMA)


def test_purchase_totals_do_not_overflow_the_counts_narrow_type():
    # Counts declared up to 30,000 are stored as Int16, whose sum 20,000 + 20,000 would wrap.
    def counts(*values):
        return pd.array(values, dtype="Int16")

    frame = pd.DataFrame(
        {"web": counts(20_000, 1), "store": counts(20_000, 1), "deals": counts(30_000, 3)}
    )
    settings = {"deals": "deals", "channels": {"web": "web", "store": "store"}}

    outcome = check_purchase_consistency(frame, {**settings, "action": "reject"})

    # 30,000 deals among 40,000 purchases pass; 3 deals among 2 purchases do not.
    assert outcome.rejected.index.tolist() == [1]
    assert outcome.rejected.iloc[0].endswith("purchases (2)")
