"""The transactions pipeline on in-memory datasets, and its configuration per environment."""

from pathlib import Path

import ibis
import pandas as pd
import pytest
from kedro.config import OmegaConfigLoader
from kedro.io import DataCatalog, MemoryDataset
from kedro.runner import SequentialRunner

from customer_segmentation.pipelines.transactions import create_pipeline
from tests.fixtures.transactions import CANONICAL_MAP, RULES

REPO_ROOT = Path(__file__).resolve().parents[3]


def test_pipeline_runs_on_a_lazy_ibis_table(tiny_log):
    params = {
        "source_label": "tiny_log",
        "column_map": CANONICAL_MAP,
        "rules": RULES,
        "reference_date": None,
    }
    catalog = DataCatalog(
        {
            "raw_transactions": MemoryDataset(ibis.memtable(tiny_log), copy_mode="assign"),
            "params:transactions": MemoryDataset(params),
            "customer_rfm": MemoryDataset(),
            "transaction_line_quality": MemoryDataset(),
            "rejected_transaction_summary": MemoryDataset(),
        }
    )
    SequentialRunner().run(create_pipeline(), catalog)
    rfm = catalog.load("customer_rfm")
    quality = catalog.load("transaction_line_quality")
    assert rfm["ID"].tolist() == ["1", "2", "x7"]
    assert quality["source"] == "tiny_log"
    assert quality["rows_in"] == len(tiny_log)
    assert catalog.load("rejected_transaction_summary")["lines"].sum() == quality["rows_rejected"]
    assert all("transactions" in node.tags for node in create_pipeline().nodes)


@pytest.mark.parametrize("env", ["base", "retail"])
def test_environment_maps_every_required_column(env):
    loader = OmegaConfigLoader(str(REPO_ROOT / "conf"), base_env="base", default_run_env=env)
    catalog = loader["catalog"]["raw_transactions"]
    params = loader["parameters"]["transactions"]
    assert catalog["type"] == "ibis.FileDataset"
    assert catalog["connection"]["backend"] == "duckdb"  # the default engine
    assert {"customer_id", "timestamp", "quantity", "unit_price"} <= set(params["column_map"])
    if env == "retail":
        assert catalog["filepath"].endswith("online_retail.parquet")
        assert params["column_map"]["customer_id"] == "CustomerID"


def test_one_runtime_parameter_switches_every_engine_step_to_spark():
    loader = OmegaConfigLoader(
        str(REPO_ROOT / "conf"),
        base_env="base",
        default_run_env="retail",
        runtime_params={"engine": "pyspark"},
    )
    assert loader["catalog"]["raw_transactions"]["connection"]["backend"] == "pyspark"
    assert loader["parameters"]["engine"] == "pyspark"  # the segment profiles'


def test_customer_rfm_is_saved_as_parquet_with_text_id(tmp_path, tiny_log):
    from kedro_datasets.pandas import ParquetDataset  # noqa: PLC0415

    from customer_segmentation.core.features import transactions as tx  # noqa: PLC0415

    rfm = tx.rfm_from_log(ibis.memtable(tiny_log), CANONICAL_MAP, RULES)[0]
    dataset = ParquetDataset(filepath=str(tmp_path / "customer_rfm.parquet"))
    dataset.save(rfm)
    pd.testing.assert_frame_equal(dataset.load(), rfm)
