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
        ([{"name": "ID", "role": "id", "type": "number"}], "type 'number'"),
        ([{"name": "ID", "role": "id", "min": 0}], r"an ID is kept as written"),
        ([{"name": "Income", "role": "income", "type": "text"}], "type 'text'"),
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


@pytest.mark.parametrize(
    ("bounds", "dtype"),
    [
        ({"min": 0, "max": 1}, "int8"),
        ({"min": -128, "max": 127}, "int8"),
        ({"min": 0, "max": 128}, "int16"),
        ({"min": 1800, "max": 2100}, "int16"),
        ({"min": 0, "max": 100_000}, "int32"),
        ({"min": -(2**31), "max": 2**31}, "int64"),
        ({"min": 0}, "int64"),  # unbounded above
        ({"max": 10}, "int64"),  # unbounded below
        ({"min": 0, "max": 1e30}, "int64"),  # beyond every integer type: int64, the widest
    ],
)
def test_an_integer_column_takes_the_narrowest_type_that_holds_its_declared_range(bounds, dtype):
    column = {"name": "N", "role": "numeric", "type": "integer", **bounds}
    schema = CustomerSchema.from_config({"columns": [{"name": "ID", "role": "id"}, column]})

    spec = schema.by_name["N"]
    assert (spec.primary_dtype, spec.typed_dtype) == (dtype, dtype.capitalize())


def test_other_types_keep_one_dtype_whatever_their_range(schema):
    dtypes = {name: schema.by_name[name].primary_dtype for name in ["Income", "Dt_Customer"]}

    assert dtypes == {"Income": "float64", "Dt_Customer": "datetime64[ns]"}
    assert schema.by_name["Education"].typed_dtype == "str"
    assert schema.by_name["AcceptedCmp1"].primary_dtype == "int8"  # a flag: 0..1 by default
