"""The row rules of core.cleaning.cleaning, one by one and in their order."""

import copy

import pandas as pd
import pytest

from customer_segmentation.core.cleaning.cleaning import (
    check_settings,
    clean_customers,
    to_primary,
)
from customer_segmentation.core.cleaning.contract import CustomerSchema, primary_schema
from customer_segmentation.core.cleaning.parsing import parse_customers
from customer_segmentation.core.cleaning.rules import apply_statistical_outliers, fill_missing
from customer_segmentation.core.ids import in_id_order
from customer_segmentation.errors import InputDataError
from tests.fixtures.data_processing import DEFAULT_SCHEMA, RUN_DATE
from tests.fixtures.schema import SCHEMA_CONFIG


def _clean(raw, settings, schema=DEFAULT_SCHEMA):
    parsed = parse_customers(raw, settings, schema)
    return clean_customers(
        parsed.typed,
        parsed.invalid_rows,
        settings,
        schema,
        run_date=RUN_DATE,
        source=parsed.summary["source"],
    )


def _with_income_limits(limits) -> CustomerSchema:
    """The default layout with other (or no) limits on its income column."""
    config = copy.deepcopy(SCHEMA_CONFIG)
    for entry in config["columns"]:
        if entry["role"] == "income":
            entry.pop("limits", None)
            if limits is not None:
                entry["limits"] = limits
    return CustomerSchema.from_config(config)


def test_limits_belong_to_the_layout_that_declares_them(raw_customers, settings):
    # The same file under a layout that declares no limits: the sample layout's cap is not
    # applied; under the sample layout it rejects the row, saying why.
    raw_customers.loc[0, "Income"] = "666666"

    declared = _clean(raw_customers, settings)
    undeclared = _clean(raw_customers, settings, _with_income_limits(None))

    assert "value_range: Income 666666.0 is above the allowed maximum 200,000" in _reasons(
        declared
    ).get(1, "")
    assert undeclared.rejections.empty
    assert not [rule for rule in undeclared.rules if rule["rule"] == "value_range"]


def test_limits_that_reject_everyone_say_where_they_are_set(raw_customers, settings):
    with pytest.raises(InputDataError) as refused:
        _clean(raw_customers, settings, _with_income_limits({"max": 10, "action": "reject"}))

    message = str(refused.value)
    assert "no customer left" in message and "value_range (Income)" in message
    assert "the column's `limits` in schema.columns" in message


def test_limits_are_checked_and_the_old_setting_is_refused_with_its_new_place(settings):
    with pytest.raises(InputDataError, match="limits action 'drop'; use reject or cap"):
        _with_income_limits({"max": 1, "action": "drop"})
    with pytest.raises(InputDataError, match="use min and/or max"):
        _with_income_limits({"action": "cap"})
    settings["value_ranges"] = [{"role": "income", "max": 200000, "action": "reject"}]
    with pytest.raises(InputDataError, match="Give the column its limits in schema.columns"):
        check_settings(settings, DEFAULT_SCHEMA)


def _reasons(result) -> dict[int, str]:
    return result.rejections.set_index("_row_number")["reject_reason"].to_dict()


def _rule(result, rule, column=None):
    return next(e for e in result.rules if e["rule"] == rule and e["column"] == column)


def test_clean_table_keeps_every_row_and_the_constant_campaign_prices(raw_customers, settings):
    result = _clean(raw_customers, settings)

    assert len(result.kept) == 200
    assert result.rejections.empty
    # Constant (3 and 11), but the cost of a contact and the revenue of a response.
    assert result.dropped_columns == []
    assert result.kept["Z_CostContact"].eq(3).all() and result.kept["Z_Revenue"].eq(11).all()


def test_a_constant_optional_column_of_another_role_is_dropped_with_its_value(
    raw_customers, settings, schema_config
):
    for entry in schema_config["columns"]:
        if entry["name"] in ("Z_CostContact", "Z_Revenue"):
            entry["role"] = "numeric"

    result = _clean(raw_customers, settings, CustomerSchema.from_config(schema_config))

    assert result.dropped_columns == [
        {"column": "Z_CostContact", "reason": "constant (3)"},
        {"column": "Z_Revenue", "reason": "constant (11)"},
    ]
    assert "Z_Revenue" not in result.kept.columns


def test_exact_duplicates_keep_the_first_and_name_it(raw_customers, settings):
    raw = pd.concat([raw_customers, raw_customers.iloc[[3, 3, 7]]], ignore_index=True)

    result = _clean(raw, settings)

    assert _reasons(result) == {
        201: "exact_duplicate: exact duplicate of row 4",
        202: "exact_duplicate: exact duplicate of row 4",
        203: "exact_duplicate: exact duplicate of row 8",
    }


def test_duplicates_compare_standardised_values(raw_customers, settings):
    copy = raw_customers.iloc[[5]].copy()
    copy["Education"] = " " + copy["Education"].str.upper() + " "
    raw = pd.concat([raw_customers, copy], ignore_index=True)

    assert _reasons(_clean(raw, settings)) == {201: "exact_duplicate: exact duplicate of row 6"}


@pytest.fixture
def repeated_id_raw(raw_customers):
    """Rows 1 and 201 share ID 10 with different content; row 1 enrolled later than row 201."""
    other = raw_customers.iloc[[0]].copy()
    other["Income"] = "1234"
    other["Dt_Customer"] = "01-01-2013"
    raw = pd.concat([raw_customers, other], ignore_index=True)
    raw.loc[0, "Dt_Customer"] = "01-01-2014"
    return raw


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("reject_all", {1: "ID 10 is on 2 rows", 201: "ID 10 is on 2 rows"}),
        ("keep_first", {201: "row 1 was kept (rule keep_first)"}),
        ("keep_last", {1: "row 201 was kept (rule keep_last)"}),
        ("keep_latest_enrolment", {201: "row 1 was kept (rule keep_latest_enrolment)"}),
    ],
)
def test_repeated_ids_follow_the_configured_rule(repeated_id_raw, settings, rule, expected):
    settings["repeated_ids"] = rule

    result = _clean(repeated_id_raw, settings)

    reasons = _reasons(result)
    assert sorted(reasons) == sorted(expected)
    for row, text in expected.items():
        assert reasons[row].startswith("repeated_id: ") and text in reasons[row]
    assert result.kept["ID"].is_unique


def test_age_rule_rejects_by_age_at_the_latest_enrolment(raw_customers, settings):
    latest_year = (
        parse_customers(raw_customers, settings, DEFAULT_SCHEMA).typed["Dt_Customer"].max().year
    )
    raw_customers.loc[0, "Year_Birth"] = str(latest_year - 101)  # 101 years old: out
    raw_customers.loc[1, "Year_Birth"] = str(latest_year - 100)  # 100: in
    raw_customers.loc[2, "Year_Birth"] = str(latest_year - 15)  # 15: out

    result = _clean(raw_customers, settings)

    assert sorted(_reasons(result)) == [1, 3]
    assert _reasons(result)[1].startswith(f"age_range: Year_Birth {latest_year - 101} gives an age")
    assert _rule(result, "age_range", "Year_Birth")["rows_rejected"] == 2


def test_age_rule_can_cap_instead(raw_customers, settings):
    settings["age"] = {
        "reference": "2014-12-31",
        "min_years": 16,
        "max_years": 100,
        "action": "cap",
    }
    raw_customers.loc[0, "Year_Birth"] = "1893"

    result = _clean(raw_customers, settings)

    assert result.rejections.empty
    assert result.kept.loc[0, "Year_Birth"] == 1914
    assert _rule(result, "age_range", "Year_Birth")["values_fixed"] == 1


@pytest.mark.parametrize(
    ("date", "reason"),
    [
        ("04-09-2099", "Dt_Customer 2099-09-04 is after the run date 2026-01-01"),
        ("31-12-2025", "Dt_Customer 2025-12-31 is more than 365 days after the 99.9% quantile"),
    ],
)
def test_an_implausible_enrolment_is_rejected_and_does_not_move_the_age_reference(
    raw_customers, settings, date, reason
):
    reference = _clean(raw_customers, settings).statistics["age_reference_date"]
    raw_customers.loc[0, "Dt_Customer"] = date

    result = _clean(raw_customers, settings)

    assert list(_reasons(result)) == [1]
    assert _reasons(result)[1].startswith("enrolment_date: " + reason)
    # The test table's dates end in 2014: one typo moves neither the reference nor other rows.
    assert result.statistics["age_reference_date"] == reference < "2015"
    assert _rule(result, "enrolment_date", "Dt_Customer")["rows_rejected"] == 1


def test_the_run_date_is_an_input_not_the_clock(raw_customers, settings):
    parsed = parse_customers(raw_customers, settings, DEFAULT_SCHEMA)
    latest = parsed.typed["Dt_Customer"].max()

    result = clean_customers(
        parsed.typed,
        parsed.invalid_rows,
        settings,
        DEFAULT_SCHEMA,
        run_date=latest - pd.Timedelta(days=1),
    )

    assert result.rejections["reject_reason"].str.contains("after the run date").all()
    assert len(result.rejections) == (parsed.typed["Dt_Customer"] == latest).sum()


def test_the_account_of_the_rule_does_not_change_with_the_calendar(raw_customers, settings):
    # A run on the same file a day later must write the same bytes: the detail names the binding
    # limit, and the run date only when it binds.
    parsed = parse_customers(raw_customers, settings, DEFAULT_SCHEMA)
    latest = parsed.typed["Dt_Customer"].max()

    def detail(run_date):
        result = clean_customers(
            parsed.typed, parsed.invalid_rows, settings, DEFAULT_SCHEMA, run_date=run_date
        )
        return _rule(result, "enrolment_date", "Dt_Customer")["detail"]

    assert detail(pd.Timestamp("2026-01-01")) == detail(pd.Timestamp("2030-06-30"))
    assert "2026" not in detail(pd.Timestamp("2026-01-01"))
    assert detail(latest - pd.Timedelta(days=1)).startswith("after the run date")


@pytest.mark.parametrize(("action", "rejected", "deals"), [("reject", 1, 9), ("cap", 0, 6)])
def test_deal_purchases_above_all_purchases_are_rejected_or_capped(
    raw_customers, settings, action, rejected, deals
):
    settings["purchase_consistency"]["action"] = action
    raw_customers.loc[0, ["NumWebPurchases", "NumCatalogPurchases", "NumStorePurchases"]] = "2"
    raw_customers.loc[0, "NumDealsPurchases"] = "7"  # 7 deals among 6 purchases
    raw_customers.loc[1, ["NumWebPurchases", "NumCatalogPurchases", "NumStorePurchases"]] = "3"
    raw_customers.loc[1, "NumDealsPurchases"] = "9"  # all 9 purchases on a deal: consistent
    raw_customers.loc[2, ["NumWebPurchases", "NumDealsPurchases"]] = ["", "15"]  # web unknown

    result = _clean(raw_customers, settings)

    # A missing count leaves the rule nothing to compare: the row passes it, and the
    # missing-values rule (later) decides.
    missing = {3: "missing_value: NumWebPurchases is missing"}
    assert len(result.rejections) == rejected + 1
    if action == "reject":
        assert _reasons(result) == {
            1: "purchase_consistency: NumDealsPurchases 7 is above the web + catalog + store "
            "purchases (6)",
            **missing,
        }
    else:
        assert _reasons(result) == missing
    kept = result.kept.set_index("_row_number")["NumDealsPurchases"]
    assert kept[2] == 9 and kept.get(1, deals) == deals
    rule = _rule(result, "purchase_consistency", "NumDealsPurchases")
    assert (rule["rows_rejected"], rule["values_fixed"]) == (rejected, 1 - rejected)


def test_no_customer_left_is_refused_with_the_main_reasons_and_what_to_do(raw_customers, settings):
    raw_customers["Income"] = "NA"
    raw_customers.loc[0, "Kidhome"] = "1000"  # one invalid value: rejected at parsing

    with pytest.raises(InputDataError) as error:
        _clean(raw_customers, settings)

    message = str(error.value)
    assert message.startswith(
        "Input file 'test/customers.tsv': no customer left to analyse: all 200 rows were rejected."
        " Main reasons: missing_values (Income): 199 rows, e.g. 'missing_value: Income is missing"
        " and nothing to impute it from'; invalid_values (Kidhome): 1 row,"
    )
    assert "parameters_data_processing.yml" in message


@pytest.mark.parametrize(
    ("action", "kept_value", "rejected"), [("reject", None, 1), ("cap", 200000.0, 0)]
)
def test_income_cap_rejects_or_caps(raw_customers, settings, action, kept_value, rejected):
    raw_customers.loc[0, "Income"] = "666666"

    result = _clean(raw_customers, settings, _with_income_limits({"max": 200000, "action": action}))

    assert len(result.rejections) == rejected
    if kept_value is not None:
        assert result.kept.loc[0, "Income"] == kept_value
    else:
        reason = "value_range: Income 666666.0 is above the allowed maximum 200,000"
        assert _reasons(result) == {1: reason}


def test_iqr_and_robust_z_bounds_cap_or_reject():
    frame = pd.DataFrame({"Income": [10.0, 11, 12, 13, 14, 1000, None]})
    column = {"column": "Income", "integer": False}
    iqr = {"method": "iqr", "iqr_factor": 1.5, "action": "cap", **column}
    robust = {"method": "robust_z", "robust_z_threshold": 3.0, "action": "reject", **column}

    capped = apply_statistical_outliers(frame, iqr)
    rejected = apply_statistical_outliers(frame, robust)

    # Q1 = 11.25, Q3 = 13.75 over the six values: upper bound 13.75 + 1.5 * 2.5 = 17.5.
    assert capped.updates["Income"].to_dict() == {5: 17.5}
    # median 12.5, MAD 1.5 -> sigma 2.2239; bound 12.5 + 3 * 2.2239 = 19.17: only 1000 is out.
    assert rejected.rejected.index.tolist() == [5]


def test_missing_income_gets_its_education_group_median_with_overall_fallback():
    frame = pd.DataFrame(
        {
            "Education": ["PhD", "PhD", "PhD", "Basic", "Basic", "Master"],
            "Income": [10.0, 30.0, None, 5.0, None, None],
        }
    )

    outcome = fill_missing(
        frame,
        {"column": "Income", "strategy": "group_median", "group_by": "Education", "integer": False},
    )

    # PhD median 20; Basic median 5; Master has no income: overall median of 10, 30, 5 = 10.
    assert outcome.updates["Income"].to_dict() == {2: 20.0, 4: 5.0, 5: 10.0}
    assert outcome.values_fixed == 3


def test_training_imputation_values_replace_the_tables_own():
    frame = pd.DataFrame({"Education": ["PhD", "Basic", "PhD"], "Income": [None, None, 99.0]})
    training = {"overall": 50.0, "groups": {"PhD": 70.0, "Master": 60.0}}
    rule = {"column": "Income", "strategy": "group_median", "group_by": "Education"}

    outcome = fill_missing(frame, {**rule, "integer": False, "fitted": training})

    # PhD takes the training group median (not this table's 99); Basic has no training group.
    assert outcome.updates["Income"].to_dict() == {0: 70.0, 1: 50.0}
    assert outcome.statistics == {"imputation": {"Income": training}}
    assert "training data" in outcome.detail


def test_missing_values_in_other_columns_reject_the_row(raw_customers, settings):
    raw_customers.loc[9, "Recency"] = ""
    raw_customers.loc[10, "Income"] = ""

    result = _clean(raw_customers, settings)

    assert _reasons(result) == {10: "missing_value: Recency is missing"}
    assert _rule(result, "missing_values", "Income")["values_fixed"] == 1


def test_a_row_gets_the_reason_of_the_first_rule_only(raw_customers, settings):
    raw_customers.loc[0, "Income"] = "999999"
    raw_customers.loc[0, "Year_Birth"] = "1850"
    duplicate = raw_customers.iloc[[0]]
    raw = pd.concat([raw_customers, duplicate], ignore_index=True)

    reasons = _reasons(_clean(raw, settings))

    assert reasons[1].startswith("age_range:")
    assert reasons[201] == "exact_duplicate: exact duplicate of row 1"


def test_constant_required_column_is_kept(raw_customers, settings):
    raw_customers["Complain"] = "0"

    result = _clean(raw_customers, settings)

    assert "Complain" in result.kept.columns


def test_primary_matches_the_primary_schema_and_is_sorted_by_id(raw_customers, settings):
    raw_customers = raw_customers.iloc[::-1].reset_index(drop=True)
    raw_customers.loc[0, "Income"] = ""
    result = _clean(raw_customers, settings)

    primary = to_primary(result.kept, DEFAULT_SCHEMA)

    primary_schema(DEFAULT_SCHEMA, list(primary.columns)).validate(primary)
    assert in_id_order(primary["ID"])  # numeric IDs in numeric order, kept as text
    assert primary["ID"].iloc[:2].tolist() == ["10", "20"]


def test_an_unknown_rule_choice_is_refused_naming_the_parameter(settings):
    settings["repeated_ids"] = "keep_best"

    with pytest.raises(InputDataError, match="data_processing.repeated_ids is 'keep_best'"):
        check_settings(settings, DEFAULT_SCHEMA)
