"""The starter schema an undeclared table is refused with (core.cleaning.starter)."""

import pandas as pd
import pytest
import yaml

from customer_segmentation.core.cleaning.contract import CustomerSchema
from customer_segmentation.core.cleaning.parsing import parse_customers
from customer_segmentation.core.cleaning.starter import starter_schema
from customer_segmentation.errors import InputDataError
from tests.fixtures.schema import DEFAULT_SCHEMA


def _raw(columns: dict[str, list[str]]) -> pd.DataFrame:
    frame = pd.DataFrame({name: pd.array(values, dtype="str") for name, values in columns.items()})
    frame.attrs["source"] = "their/export.csv"
    return frame


EXPORT = {
    "Client Key": ["1001", "1002", "1003", "1004"],
    "Signed up": ["31.01.2020", "01.02.2021", "15.12.2019", "02.03.2022"],
    "Yearly Salary": ["45000,50", "38000,00", "61000,25", "52000,75"],
    "MntBooks": ["12", "0", "40", "7"],
    "NumShopOrders": ["3", "1", "0", "5"],
    "Loyalty Score": ["0.5", "0.9", "0.1", "0.7"],
    "Tier": ["gold", "silver", "gold", "bronze"],
    "Comment": ["", "", "", ""],
}


def test_each_column_gets_a_guessed_role_from_its_name_and_values():
    columns = yaml.safe_load(starter_schema(_raw(EXPORT)))["schema"]["columns"]

    assert columns == [
        {"name": "Client Key", "role": "id"},
        {"name": "Signed up", "role": "enrolment_date", "formats": ["%d.%m.%Y"]},
        {"name": "Yearly Salary", "role": "income", "decimal": ",", "min": 0},
        {"name": "MntBooks", "role": "spend", "item": "books", "type": "integer", "min": 0},
        {"name": "NumShopOrders", "role": "purchases", "item": "shop", "min": 0},
        {"name": "Loyalty Score", "role": "numeric", "feature": "loyalty_score", "min": 0},
        {"name": "Tier", "role": "category", "values": ["bronze", "gold", "silver"]},
        {"name": "Comment", "role": "ignore"},
    ]


def test_the_starter_is_a_valid_declaration_that_reads_the_file(settings):
    raw = _raw(EXPORT)
    schema = CustomerSchema.from_config(yaml.safe_load(starter_schema(raw))["schema"])

    typed = parse_customers(raw, settings, schema).typed

    assert typed["Yearly Salary"].tolist() == [45000.5, 38000.0, 61000.25, 52000.75]
    assert typed["Signed up"].iloc[0] == pd.Timestamp("2020-01-31")


def test_an_undeclared_layout_is_refused_with_its_columns_and_the_starter(settings):
    raw = _raw(EXPORT)

    with pytest.raises(InputDataError) as error:
        parse_customers(raw, settings, DEFAULT_SCHEMA)

    message = str(error.value)
    assert "Columns found: 'Client Key', 'Signed up'" in message
    assert "conf/local/parameters.yml" in message
    assert message.endswith(starter_schema(raw))


def _entries(raw: pd.DataFrame, **kwargs) -> dict[str, dict]:
    """The starter's column entries by name (the pasted YAML, comments dropped)."""
    columns = yaml.safe_load(starter_schema(raw, **kwargs))["schema"]["columns"]
    return {column["name"]: column for column in columns}


def _comment_above(text: str, name: str) -> str:
    """The comment line just above a column's entry in the starter."""
    lines = text.splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith(f"    - {{name: {name},"))
    return lines[index - 1].strip() if lines[index - 1].strip().startswith("#") else ""


CRM = {
    "customer_ref": ["501", "502", "503", "504", "505", "506"],
    "orders_12m": ["3", "0", "12", "7", "1", "4"],
    "web_orders_12m": ["1", "0", "10", "2", "1", "3"],
    "store_orders_12m": ["2", "0", "2", "5", "0", "1"],
    "support_calls_12m": ["0", "2", "1", "0", "5", "1"],
    "spend_ytd": ["120.5", "0", "980.25", "300", "15", "210"],
    "online_share": ["0.3", "0", "0.83", "0.29", "1", "0.75"],
    "newsletter_opt_in": ["1", "0", "0", "1", "1", "0"],
    "region": ["North", "north", " NORTH ", "South", "south", "South"],
    "days_since_last_order": ["10", "400", "3", "45", "90", "12"],
}


def test_a_count_over_a_period_is_a_count_not_a_channel_named_after_the_period():
    entries = _entries(_raw(CRM))

    assert entries["orders_12m"] == {
        "name": "orders_12m",
        "role": "numeric",
        "feature": "orders_12m",
        "type": "integer",
        "min": 0,
    }
    assert entries["support_calls_12m"]["role"] == "numeric"
    assert entries["spend_ytd"]["role"] == "numeric"  # not a product category "ytd"
    # A channel named besides the period is a channel.
    assert entries["web_orders_12m"] == {
        "name": "web_orders_12m",
        "role": "purchases",
        "item": "web",
        "min": 0,
    }
    assert entries["store_orders_12m"]["item"] == "store"
    assert entries["days_since_last_order"]["role"] == "recency"


def test_an_id_like_column_is_the_id_with_a_note_and_a_second_one_is_left_out():
    text = starter_schema(_raw(CRM))
    assert _entries(_raw(CRM))["customer_ref"] == {"name": "customer_ref", "role": "id"}
    assert "check: guessed as the customer ID" in _comment_above(text, "customer_ref")

    plain = starter_schema(_raw({"customer_id": CRM["customer_ref"], **CRM}))
    assert _comment_above(plain, "customer_id") == ""  # the name says it plainly
    assert _entries(_raw({"customer_id": CRM["customer_ref"], **CRM}))["customer_ref"] == {
        "name": "customer_ref",
        "role": "ignore",
    }
    assert "customer_id is the ID" in _comment_above(plain, "customer_ref")

    # No column named like an ID: the first with unique values, said so.
    no_id = {
        "orders_12m": ["1", "1", "2", "2", "3", "3"],
        "score_a": ["1", "2", "3", "4", "5", "6"],
    }
    text = starter_schema(_raw(no_id))
    assert _entries(_raw(no_id))["score_a"] == {"name": "score_a", "role": "id"}
    assert "no column is named like an ID" in _comment_above(text, "score_a")


def test_category_values_are_listed_once_and_their_variants_read_as_that_value(settings):
    raw = _raw(CRM)
    text = starter_schema(raw)
    assert _entries(raw)["region"]["values"] == ["North", "South"]
    note = _comment_above(text, "region")
    assert "variants are read as the one value listed" in note
    assert "North: also 'NORTH', 'north'" in note and "South: also 'south'" in note

    schema = CustomerSchema.from_config(yaml.safe_load(text)["schema"])
    typed = parse_customers(raw, settings, schema).typed
    assert typed["region"].tolist() == ["North"] * 3 + ["South"] * 3


def test_ranges_come_from_the_whole_file_and_shares_and_flags_stop_at_1():
    raw = _raw(CRM)
    entries = _entries(raw, sample_rows=2)
    assert entries["online_share"]["max"] == 1 and entries["newsletter_opt_in"]["max"] == 1
    assert "max" not in entries["orders_12m"] and "max" not in entries["spend_ytd"]
    text = starter_schema(raw, sample_rows=2)
    # The file's own range, over every row (the role is guessed on the first two).
    assert "- {name: orders_12m, role: numeric" in text
    assert next(line for line in text.splitlines() if "name: orders_12m," in line).endswith(
        "# this file: 0 to 12"
    )


def test_a_flag_that_loses_a_single_role_is_still_left_out_of_clustering():
    # Two 0/1 columns named like deals: the second becomes a number of its own, still a flag.
    raw = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "d"],
            "orders_app": ["3", "5", "1", "0"],
            "coupons": ["1", "2", "0", "0"],
            "promo_a": ["0", "1", "0", "1"],
            "promo_b": ["1", "0", "0", "1"],
        }
    )
    block = yaml.safe_load(starter_schema(raw))
    features = block["feature_engineering"]["preprocessing"]["features"]
    assert "promo_a" not in features and "promo_b" not in features


def test_clustering_features_are_the_behavioural_columns_without_flags():
    block = yaml.safe_load(starter_schema(_raw(CRM)))
    assert block["feature_engineering"]["preprocessing"]["features"] == [
        "recency_days",
        "total_purchases",
        "purchase_share_web",
        "purchase_share_store",
        "orders_12m",
        "support_calls_12m",
        "spend_ytd",
        "online_share",
    ]
