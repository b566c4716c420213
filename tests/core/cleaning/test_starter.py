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
