"""data_processing on an in-memory catalog: outputs, row accounting, no partial outputs."""

import json

import pandas as pd
import pytest
from kedro.io import DataCatalog, MemoryDataset
from kedro.runner import SequentialRunner

from customer_segmentation.core.cleaning.contract import primary_schema
from customer_segmentation.core.ids import in_id_order
from customer_segmentation.errors import InputDataError
from customer_segmentation.pipelines.data_processing import create_pipeline
from tests.fixtures.schema import DEFAULT_SCHEMA, SCHEMA_CONFIG

K_RANGE = {"min": 2, "max": 10}  # clustering.k_range as conf/base sets it

OUTPUTS = ["customers_typed", "rejected_customers", "data_quality", "primary_customers"]


def run_pipeline(raw: pd.DataFrame, settings: dict, *node_names: str) -> DataCatalog:
    """Run data_processing (or some of its nodes) on MemoryDatasets; returns the catalog."""
    catalog = DataCatalog(
        {
            "raw_customers": MemoryDataset(raw),
            "params:data_processing": MemoryDataset(settings),
            "params:schema": MemoryDataset(SCHEMA_CONFIG),
            "params:clustering.k_range": MemoryDataset(K_RANGE),
            **{name: MemoryDataset() for name in OUTPUTS},
        }
    )
    pipeline = create_pipeline()
    SequentialRunner().run(pipeline.only_nodes(*node_names) if node_names else pipeline, catalog)
    return catalog


@pytest.fixture
def messy_raw(raw_customers):
    """The clean table plus one case of each row rule."""
    raw = pd.concat([raw_customers, raw_customers.iloc[[2]]], ignore_index=True)  # duplicate
    raw.loc[5, "Income"] = ""  # imputed
    raw.loc[6, "Year_Birth"] = "1893"  # age
    raw.loc[7, "Income"] = "666666"  # income cap
    raw.loc[8, "Recency"] = ""  # missing, rejected
    raw.loc[9, "Kidhome"] = "many"  # invalid (1 of 201 rows, under the 1% tolerance)
    raw.loc[10, "Marital_Status"] = "Absurd"  # mapped
    return raw


def test_pipeline_accounts_for_every_row(messy_raw, settings):
    catalog = run_pipeline(messy_raw, settings)

    quality = catalog.load("data_quality")
    rejected = catalog.load("rejected_customers")
    primary = catalog.load("primary_customers")
    assert quality["rows_in"] == 201
    assert quality["rows_in"] == quality["rows_kept"] + quality["rows_rejected"]
    assert quality["rows_kept"] == len(primary) == 196
    assert quality["rows_rejected"] == len(rejected) == 5
    assert rejected["reject_reason"].str.len().gt(0).all()
    assert sum(rule["rows_rejected"] for rule in quality["rules"]) == 5
    assert rejected["_row_number"].tolist() == [7, 8, 9, 10, 201]
    assert rejected["reject_reason"].str.split(":").str[0].tolist() == [
        "age_range",
        "value_range",
        "missing_value",
        "invalid_value",
        "exact_duplicate",
    ]


def test_rejected_rows_are_the_original_text(messy_raw, settings):
    rejected = run_pipeline(messy_raw, settings).load("rejected_customers")

    row = rejected.set_index("_row_number").loc[10]
    assert row["Kidhome"] == "many"
    assert row.drop("reject_reason").to_dict() == messy_raw.iloc[9].to_dict()


def test_outputs_have_the_documented_shapes(messy_raw, settings):
    # The runner releases customers_typed once the next node has read it: run the first node alone.
    typed = run_pipeline(messy_raw, settings, "parse_raw_customers").load("customers_typed")
    primary = run_pipeline(messy_raw, settings).load("primary_customers")
    assert len(typed) == 201 and typed.columns[0] == "_row_number"
    primary_schema(DEFAULT_SCHEMA, list(primary.columns)).validate(primary)
    assert primary["Z_CostContact"].eq(3).all()  # constant, kept for its role (contact_cost)
    assert in_id_order(primary["ID"])
    assert primary.loc[primary["ID"] == "110", "Marital_Status"].item() == "Single"


def test_data_quality_is_json_and_identical_on_a_rerun(messy_raw, settings):
    first = run_pipeline(messy_raw, settings).load("data_quality")
    second = run_pipeline(messy_raw.copy(), settings).load("data_quality")

    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)
    assert first["source"] == "test/customers.tsv"


def test_bad_input_fails_in_the_first_node_and_saves_nothing(raw_customers, settings):
    raw_customers["Income"] = "unknown"
    catalog = DataCatalog(
        {
            "raw_customers": MemoryDataset(raw_customers),
            "params:data_processing": MemoryDataset(settings),
            "params:schema": MemoryDataset(SCHEMA_CONFIG),
            "params:clustering.k_range": MemoryDataset(K_RANGE),
            **{name: MemoryDataset() for name in OUTPUTS},
        }
    )

    with pytest.raises(InputDataError, match="column 'Income': 200 of 200 values"):
        SequentialRunner().run(create_pipeline(), catalog)

    for name in OUTPUTS:
        assert not catalog.exists(name), f"{name} was saved"
