"""Parsing and validation of the raw table against the data contract (core.cleaning.parsing)."""

import pandas as pd
import pytest

from customer_segmentation.core.cleaning.contract import CustomerSchema
from customer_segmentation.core.cleaning.parsing import parse_customers
from customer_segmentation.errors import InputDataError
from tests.fixtures.data_processing import DEFAULT_SCHEMA


def test_types_follow_the_contract_and_row_numbers_start_at_one(raw_customers, settings):
    typed = parse_customers(raw_customers, settings, DEFAULT_SCHEMA).typed

    assert typed["_row_number"].tolist() == list(range(1, 201))
    declared = {spec.name: spec.typed_dtype for spec in DEFAULT_SCHEMA.columns}
    assert {name: str(typed[name].dtype) for name in declared} == declared
    assert str(typed["ID"].dtype) == "str"  # IDs are kept as text
    assert str(typed["Kidhome"].dtype) == "Int8"
    assert str(typed["Income"].dtype) == "float64"
    assert str(typed["Dt_Customer"].dtype) == "datetime64[ns]"
    assert typed["ID"].iloc[0] == "10"


def test_dates_are_read_day_first_and_in_alternative_day_first_formats(raw_customers, settings):
    raw_customers.loc[0, "Dt_Customer"] = "04-09-2012"
    raw_customers.loc[1, "Dt_Customer"] = "2013-01-02"
    raw_customers.loc[2, "Dt_Customer"] = "05/06/2013"

    parsed = parse_customers(raw_customers, settings, DEFAULT_SCHEMA)

    assert parsed.typed["Dt_Customer"].iloc[:3].tolist() == [
        pd.Timestamp("2012-09-04"),
        pd.Timestamp("2013-01-02"),
        pd.Timestamp("2013-06-05"),
    ]
    dates = next(rule for rule in parsed.summary["rules"] if rule["rule"] == "parse_dates")
    assert dates["values_fixed"] == 2


def test_categories_are_trimmed_case_normalised_and_mapped(raw_customers, settings):
    raw_customers.loc[0, "Education"] = "  phd "
    raw_customers.loc[1, "Education"] = "2N  CYCLE"
    raw_customers.loc[2, "Marital_Status"] = "YOLO"
    raw_customers.loc[3, "Marital_Status"] = " alone"

    parsed = parse_customers(raw_customers, settings, DEFAULT_SCHEMA)

    assert parsed.typed["Education"].iloc[:2].tolist() == ["PhD", "2n Cycle"]
    assert parsed.typed["Marital_Status"].iloc[2:4].tolist() == ["Single", "Single"]
    rules = {(rule["rule"], rule["column"]): rule for rule in parsed.summary["rules"]}
    assert rules[("standardise_categories", "Education")]["values_fixed"] == 2
    assert rules[("category_map", "Marital_Status")]["values_fixed"] == 2
    assert parsed.invalid_rows.empty


def test_numbers_are_coerced_and_missing_markers_become_missing(raw_customers, settings):
    raw_customers.loc[0, "Income"] = " 58138.0 "
    raw_customers.loc[1, "Income"] = "NA"
    raw_customers.loc[2, "Income"] = ""

    typed = parse_customers(raw_customers, settings, DEFAULT_SCHEMA).typed

    assert typed["Income"].iloc[0] == 58138.0
    assert typed["Income"].iloc[1:3].isna().all()


def test_invalid_values_within_tolerance_reject_their_rows_with_a_reason(raw_customers, settings):
    settings["max_invalid_share"] = 0.05
    raw_customers.loc[4, "Income"] = "abc"
    raw_customers.loc[5, "Kidhome"] = "1.5"
    raw_customers.loc[6, "AcceptedCmp1"] = "2"
    raw_customers.loc[7, "Education"] = "Doctorate"
    raw_customers.loc[7, "Income"] = "xyz"  # second problem on a row: the first column wins

    parsed = parse_customers(raw_customers, settings, DEFAULT_SCHEMA)

    reasons = parsed.invalid_rows.set_index("_row_number")["reject_reason"].to_dict()
    assert reasons == {
        5: "invalid_value: Income 'abc' is not a number",
        6: "invalid_value: Kidhome '1.5' is not a whole number",
        7: "invalid_value: AcceptedCmp1 '2' is outside the allowed values (0 or 1)",
        8: "invalid_value: Education 'Doctorate' is outside the allowed values "
        "(Basic, 2n Cycle, Graduation, Master, PhD)",
    }
    assert pd.isna(parsed.typed.loc[4, "Income"])


def test_overflowing_numbers_and_implausible_counts_are_rejected_saying_why(
    raw_customers, settings
):
    settings["max_invalid_share"] = 0.05
    raw_customers.loc[0, "Income"] = "1e400"
    raw_customers.loc[1, "Income"] = "-inf"  # infinity written as such is not a number
    raw_customers.loc[2, "Recency"] = "99999999999999999999"  # beyond int64
    # Kidhome and Teenhome are declared 0..10, so stored as int8: 1000 cannot be stored, 50 can.
    raw_customers.loc[3, "Kidhome"] = "1000"
    raw_customers.loc[4, "NumWebVisitsMonth"] = "301"
    raw_customers.loc[5, "NumWebVisitsMonth"] = "300"  # the bound itself is allowed
    raw_customers.loc[6, "Kidhome"] = "50"
    raw_customers.loc[7, "Teenhome"] = "1000"  # Teenhome's only problem: the fast path declines

    parsed = parse_customers(raw_customers, settings, DEFAULT_SCHEMA)

    reasons = parsed.invalid_rows.set_index("_row_number")["reject_reason"].to_dict()
    assert reasons == {
        1: "invalid_value: Income '1e400' is too large: the number overflows (beyond the "
        "float64 range)",
        2: "invalid_value: Income '-inf' is not a number",
        3: "invalid_value: Recency '99999999999999999999' is too large: the number overflows "
        "(beyond 2**53 for a whole number)",
        4: "invalid_value: Kidhome '1000' is outside the allowed values (0 to 10)",
        5: "invalid_value: NumWebVisitsMonth '301' is outside the allowed values (0 to 300)",
        7: "invalid_value: Kidhome '50' is outside the allowed values (0 to 10)",
        8: "invalid_value: Teenhome '1000' is outside the allowed values (0 to 10)",
    }
    # Invalid values are missing in the typed table, whichever check found them.
    typed = parsed.typed
    assert (typed["Kidhome"].dtype, typed["Teenhome"].dtype) == ("Int8", "Int8")
    assert typed.loc[[3, 6], "Kidhome"].isna().all() and pd.isna(typed.loc[7, "Teenhome"])
    assert typed["Kidhome"].notna().sum() == len(typed) - 2
    assert pd.isna(typed.loc[4, "NumWebVisitsMonth"]) and typed.loc[5, "NumWebVisitsMonth"] == 300


def test_unparseable_column_beyond_tolerance_is_refused_naming_file_column_and_examples(
    raw_customers, settings
):
    raw_customers.loc[[3, 9, 12], "Income"] = ["58,138", "n/a?", "high"]

    with pytest.raises(InputDataError) as error:
        parse_customers(raw_customers, settings, DEFAULT_SCHEMA)

    message = str(error.value)
    assert "test/customers.tsv" in message
    assert "column 'Income': 3 of 200 values (1.5%) are invalid [is not a number]" in message
    assert "row 4: '58,138'" in message
    assert "max_invalid_share" in message


def test_required_column_missing_names_it_and_where_to_declare_columns(raw_customers, settings):
    raw_customers = raw_customers.rename(columns={"Income": "Yearly_Income"})

    with pytest.raises(InputDataError) as error:
        parse_customers(raw_customers, settings, DEFAULT_SCHEMA)

    message = str(error.value)
    assert "test/customers.tsv" in message
    assert "required column(s) 'Income' missing" in message
    assert "'Yearly_Income' looks like 'Income'" in message
    assert "schema.columns" in message


def test_a_table_declared_under_its_own_names_parses_like_the_default(
    raw_customers, settings, schema_config
):
    renamed = raw_customers.rename(columns={"Income": "Yearly_Income", "ID": "CustomerID"})
    for entry in schema_config["columns"]:
        entry["name"] = {"Income": "Yearly_Income", "ID": "CustomerID"}.get(
            entry["name"], entry["name"]
        )

    parsed = parse_customers(renamed, settings, CustomerSchema.from_config(schema_config))
    default = parse_customers(raw_customers, settings, DEFAULT_SCHEMA)

    assert parsed.typed["Yearly_Income"].equals(default.typed["Income"])
    # The ID column is called ID from parsing on, whatever the file calls it.
    assert parsed.typed["ID"].equals(default.typed["ID"])


def test_a_category_map_onto_a_value_that_is_not_allowed_is_refused(
    raw_customers, settings, schema_config
):
    education = next(e for e in schema_config["columns"] if e["name"] == "Education")
    education["map"] = {"Doctorate": "Dr"}

    with pytest.raises(InputDataError, match="maps to 'Dr', which is not an allowed Education"):
        parse_customers(raw_customers, settings, CustomerSchema.from_config(schema_config))


def test_ignored_columns_are_dropped_with_their_reason(raw_customers, settings, schema_config):
    complain = next(e for e in schema_config["columns"] if e["name"] == "Complain")
    complain["role"] = "ignore"

    parsed = parse_customers(raw_customers, settings, CustomerSchema.from_config(schema_config))

    assert "Complain" not in parsed.typed.columns
    assert {"column": "Complain", "reason": "role ignore in the schema"} in parsed.summary[
        "dropped_columns"
    ]


def test_header_only_frame_is_refused(raw_customers, settings):
    with pytest.raises(InputDataError, match="test/customers.tsv' has no data rows"):
        parse_customers(raw_customers.iloc[:0], settings, DEFAULT_SCHEMA)


def test_extra_columns_are_dropped_and_reported(raw_customers, settings):
    raw_customers["Notes"] = "x"

    parsed = parse_customers(raw_customers, settings, DEFAULT_SCHEMA)

    assert "Notes" not in parsed.typed.columns
    assert parsed.summary["dropped_columns"] == [
        {"column": "Notes", "reason": "not in the data contract"}
    ]
