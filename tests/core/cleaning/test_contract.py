"""The declared schema (core.cleaning.contract): roles, lookups, refusals of bad declarations."""

import pytest

from customer_segmentation.core.cleaning.contract import CustomerSchema
from customer_segmentation.errors import InputDataError


def test_the_default_schema_finds_each_role_of_the_marketing_layout(schema):
    assert schema.id == "ID"
    assert schema.role("enrolment_date") == "Dt_Customer"
    assert schema.products["gold"] == "MntGoldProds"
    assert list(schema.channels) == ["web", "catalog", "store"]
    assert schema.groups()["campaigns"] == [f"AcceptedCmp{n}" for n in range(1, 6)]
    assert schema.role("age") is None  # a birth year, not an age
    assert "Z_Revenue" not in schema.required


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        ([{"name": "Income", "role": "income"}], "no column has role id"),
        ([{"name": "ID", "role": "key"}], "role 'key'"),
        ([{"name": "ID", "role": "id", "type": "text"}], "type 'text'"),
        ([{"name": "ID", "role": "id", "colour": 1}], "unknown key"),
        ([{"name": "ID", "role": "id"}, {"name": "ID", "role": "income"}], "more than once"),
        (
            [
                {"name": "ID", "role": "id"},
                {"name": "A", "role": "age"},
                {"name": "B", "role": "age"},
            ],
            "role age is played by",
        ),
        ([{"name": "ID", "role": "id"}, {"name": "Wine", "role": "spend"}], "needs `item`"),
        ([], "empty or missing"),
    ],
)
def test_a_bad_declaration_is_refused_with_what_to_change(columns, message):
    with pytest.raises(InputDataError, match=message):
        CustomerSchema.from_config({"columns": columns})


def test_ignored_columns_are_declared_but_not_parsed():
    schema = CustomerSchema.from_config(
        {"columns": [{"name": "ID", "role": "id"}, {"name": "Notes", "role": "ignore"}]}
    )

    assert schema.ignored == ("Notes",)
    assert [spec.name for spec in schema.columns] == ["ID"]
