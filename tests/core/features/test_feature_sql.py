"""The customer features as SQL on the raw file: DuckDB, given the file's own columns as text,
computes every feature exactly as derive_customer_features computes it from the cleaned table."""

import duckdb
import numpy as np
import pandas as pd
import pytest

from customer_segmentation.core.cleaning.contract import CustomerSchema
from customer_segmentation.core.features.feature_sql import (
    column_sql,
    feature_sql,
    fill_values,
    id_column,
    quoted,
)
from customer_segmentation.core.features.features import derive_customer_features
from tests.conftest import make_primary_customers
from tests.fixtures.schema import SCHEMA_CONFIG

REFERENCE = "2014-06-29"
MISSING = {"columns": [{"role": "income", "strategy": "group_median", "group_by": "Education"}]}
STATISTICS = {
    "imputation": {"Income": {"groups": {"Basic": 12456.0, "PhD": 59663.5}, "overall": 5e4}}
}


def as_raw_text(primary: pd.DataFrame) -> pd.DataFrame:
    """The cleaned table as its file holds it: every value text, day-first dates, category
    labels in other case and spacing, mapped labels, missing incomes; the ID column renamed."""
    raw = primary.astype(str).rename(columns={"ID": "CustomerNo"})
    raw["Dt_Customer"] = primary["Dt_Customer"].dt.strftime("%d-%m-%Y")
    raw.loc[::3, "Dt_Customer"] = primary["Dt_Customer"].dt.strftime("%d.%m.%Y")
    raw.loc[1::3, "Dt_Customer"] = primary["Dt_Customer"].dt.strftime("%Y-%m-%d")
    raw.loc[::7, "Education"] = "  " + primary["Education"].str.upper() + " "
    raw.loc[::5, "Marital_Status"] = primary["Marital_Status"].str.lower()
    raw.loc[3, "Marital_Status"] = "YOLO"  # the map: Single
    raw.loc[::11, "Income"] = "NA"
    raw.loc[::13, "Kidhome"] = " " + raw["Kidhome"] + " "
    return raw


def cleaned(primary: pd.DataFrame) -> pd.DataFrame:
    """What the cleaning makes of ``as_raw_text(primary)``: YOLO is Single, missing incomes are
    the group medians of STATISTICS (the overall one for other groups)."""
    table = primary.copy()
    table.loc[3, "Marital_Status"] = "Single"
    groups = STATISTICS["imputation"]["Income"]
    fill = table["Education"].map(groups["groups"]).fillna(groups["overall"])
    table.loc[::11, "Income"] = fill[::11]
    return table


@pytest.fixture(scope="module")
def declared() -> CustomerSchema:
    config = {
        "columns": [
            {**entry, "name": "CustomerNo"} if entry["role"] == "id" else entry
            for entry in SCHEMA_CONFIG["columns"]
        ]
    }
    config["columns"].append(
        {"name": "Segment_Hint", "role": "category", "values": ["a", "b"], "required": False}
    )
    return CustomerSchema.from_config(config)


def run_features(raw: pd.DataFrame, declared: CustomerSchema) -> pd.DataFrame:
    """Every feature_sql expression evaluated by DuckDB on ``raw``, in ``raw``'s order."""
    fills = fill_values(STATISTICS, MISSING, declared)
    columns = column_sql(declared, fills)
    present = {name: sql for name, sql in columns.items() if name in raw.columns}
    features = feature_sql(declared, REFERENCE)
    key = quoted(id_column(declared))
    connection = duckdb.connect()
    connection.register("customers", raw)
    read = ", ".join([key, *(f"{sql} AS {quoted(name)}" for name, sql in present.items())])
    derived = ", ".join([key, *(f"{sql} AS {quoted(name)}" for name, sql in features.items())])
    return connection.sql(
        f"WITH cleaned AS (SELECT {read} FROM customers) SELECT {derived} FROM cleaned"
    ).df()


def test_every_feature_from_the_raw_text_equals_the_pipelines(declared):
    primary = make_primary_customers(n=400, seed=3)
    # Zero totals: no spend, no purchases (deals only), nothing at all.
    spend = [c for c in primary if c.startswith("Mnt")]
    channels = ["NumWebPurchases", "NumCatalogPurchases", "NumStorePurchases"]
    primary.loc[[1, 2], spend] = 0
    primary.loc[[2, 4], channels] = 0
    primary.loc[4, "NumDealsPurchases"] = 2
    expected = derive_customer_features(
        cleaned(primary), pd.Timestamp(REFERENCE), CustomerSchema.from_config(SCHEMA_CONFIG)
    )
    got = run_features(as_raw_text(primary), declared)

    assert got["CustomerNo"].tolist() == primary["ID"].astype(str).tolist()  # kept as it is
    assert set(got.columns) - {"CustomerNo"} == set(expected.columns) - {"ID"}
    for feature in expected.columns.drop("ID"):
        assert np.array_equal(
            got[feature].to_numpy(dtype="float64"), expected[feature].to_numpy(dtype="float64")
        ), feature


def test_a_database_that_typed_the_columns_gives_the_same_features(declared):
    primary = make_primary_customers(n=60, seed=4)
    typed = primary.rename(columns={"ID": "CustomerNo"})  # numbers and real dates
    expected = derive_customer_features(
        primary, pd.Timestamp(REFERENCE), CustomerSchema.from_config(SCHEMA_CONFIG)
    )
    got = run_features(typed, declared)
    for feature in ("age", "tenure_days", "income", "education_level", "lives_with_partner"):
        assert np.array_equal(got[feature].to_numpy(), expected[feature].to_numpy()), feature


def test_fills_follow_the_missing_value_settings(declared):
    fills = fill_values(STATISTICS, MISSING, declared)
    assert fills == {
        "Income": {
            "overall": 5e4,
            "groups": {"Basic": 12456.0, "PhD": 59663.5},
            "group_by": "Education",
        }
    }
    # A whole-number column's fill is rounded half to even, as the cleaning rounds it.
    statistics = {"imputation": {"Recency": {"overall": 12.5}}}
    assert fill_values(statistics, {"columns": []}, declared) == {"Recency": {"overall": 12.0}}
    assert fill_values(None, MISSING, declared) == {}
