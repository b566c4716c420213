"""data_processing on the public marketing_campaign.csv (present in CI beside the clone)."""

from pathlib import Path

import pandas as pd
import pytest
from kedro.io import DataCatalog, MemoryDataset
from kedro.runner import SequentialRunner

from customer_segmentation.datasets import DelimitedTextDataset
from customer_segmentation.pipelines.data_processing import create_pipeline
from tests.fixtures.schema import SCHEMA_CONFIG

K_RANGE = {"min": 2, "max": 10}  # clustering.k_range as conf/base sets it

REPO_ROOT = Path(__file__).resolve().parents[3]
REAL_FILE = REPO_ROOT.parent / "shared" / "data" / "marketing_campaign.csv"


@pytest.mark.skipif(not REAL_FILE.exists(), reason=f"{REAL_FILE} not present")
def test_real_file_dates_span_and_row_accounting(base_settings):
    catalog = DataCatalog(
        {
            "raw_customers": DelimitedTextDataset(filepath=str(REAL_FILE), load_args={"sep": "\t"}),
            "params:data_processing": MemoryDataset(base_settings),
            "params:schema": MemoryDataset(SCHEMA_CONFIG),
            "params:clustering.k_range": MemoryDataset(K_RANGE),
            **{
                name: MemoryDataset()
                for name in ("rejected_customers", "data_quality", "primary_customers")
            },
        }
    )

    SequentialRunner().run(create_pipeline(), catalog)

    quality = catalog.load("data_quality")
    primary = catalog.load("primary_customers")
    rejected = catalog.load("rejected_customers")
    assert primary["Dt_Customer"].min() == pd.Timestamp("2012-07-30")
    assert primary["Dt_Customer"].max() == pd.Timestamp("2014-06-29")
    assert quality["rows_in"] == 2240
    assert quality["rows_in"] == quality["rows_kept"] + quality["rows_rejected"]
    assert (quality["rows_kept"], quality["rows_rejected"]) == (len(primary), len(rejected))
    rules = {(rule["rule"], rule["column"]): rule for rule in quality["rules"]}
    assert rules[("age_range", "Year_Birth")]["rows_rejected"] == 3  # born 1893, 1899, 1900
    assert rules[("value_range", "Income")]["rows_rejected"] == 1  # 666666
    assert rules[("missing_values", "Income")]["values_fixed"] == 24
    assert rules[("category_map", "Marital_Status")]["values_fixed"] == 7
    # IDs 10749, 6862 and 9931: 15 deal purchases and no web, catalogue or store purchase.
    assert rules[("purchase_consistency", "NumDealsPurchases")]["rows_rejected"] == 3
    assert rules[("enrolment_date", "Dt_Customer")]["rows_rejected"] == 0
    assert quality["rows_rejected"] == 7
    # Z_CostContact and Z_Revenue are constant (3, 11): the campaign's prices, kept for their roles.
    assert quality["dropped_columns"] == []
    assert (primary["Z_CostContact"].unique().tolist(), primary["Z_Revenue"].unique().tolist()) == (
        [3],
        [11],
    )
    assert rejected["reject_reason"].notna().all()
    assert primary["ID"].is_unique and primary["Income"].notna().all()
