"""Every step written in Ibis gives on Spark (local mode) what it gives on DuckDB: the
transaction log's RFM table and the segment profiles (run in CI). One module, so that one test
worker starts one Spark."""

import ibis
import numpy as np
import pandas as pd
import pytest

from customer_segmentation.core import engine
from customer_segmentation.core.analysis import profiling, value
from customer_segmentation.core.features import transactions as tx
from customer_segmentation.pipelines.cluster_analysis.nodes import profile_segments
from tests.fixtures.cluster_analysis import *  # noqa: F403  (the profiled customers)
from tests.fixtures.schema import SCHEMA_CONFIG
from tests.fixtures.transactions import *  # noqa: F403  (tiny_log)
from tests.fixtures.transactions import CANONICAL_MAP, RULES
from tools.synthetic import transactions as synthetic_log
from tools.synthetic.generator import generate_frame

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def spark():
    """One local Spark, stopped afterwards."""
    session = engine.spark_session(
        {
            "master": "local[2]",
            "conf": {"spark.sql.shuffle.partitions": 2, "spark.ui.enabled": "false"},
        }
    )
    yield session
    session.stop()


@pytest.fixture(scope="module")
def small_log_path(tmp_path_factory) -> str:
    """A synthetic log (about 6,000 lines, with dirt) written as Parquet."""
    customers, _ = generate_frame(200, seed=11)
    settings = {"missing_customer_id_rate": 0.01, "zero_price_rate": 0.01}
    log = synthetic_log.generate_log(customers, seed=5, settings=settings)
    path = tmp_path_factory.mktemp("log") / "log.parquet"
    log.to_parquet(path)
    return str(path)


def _both(path: str, spark_session, column_map: dict):
    results = []
    for con in (engine.connect({"backend": "duckdb"}), ibis.pyspark.connect(spark_session)):
        results.append(tx.rfm_from_log(con.read_parquet(path), column_map, RULES, source=path))
    return results


def test_duckdb_and_spark_agree(spark, small_log_path, tmp_path, tiny_log):
    tiny_path = tmp_path / "tiny.parquet"
    tiny_log.to_parquet(tiny_path)
    synthetic_map = {**CANONICAL_MAP, "channel": "channel"}
    for path, column_map in ((str(tiny_path), CANONICAL_MAP), (small_log_path, synthetic_map)):
        (rfm_duck, quality_duck, rejected_duck), (rfm_spark, quality_spark, rejected_spark) = _both(
            path, spark, column_map
        )
        assert quality_duck == quality_spark
        assert len(rfm_duck) > 0
        # equal up to the order in which the engines add up floating-point amounts
        pd.testing.assert_frame_equal(rfm_duck, rfm_spark, rtol=1e-9)
        pd.testing.assert_frame_equal(rejected_duck, rejected_spark, rtol=1e-9)


def test_connect_builds_a_spark_backend_from_settings(spark):
    con = engine.connect({"backend": "pyspark", "master": "local[2]"})
    assert con.name == "pyspark"
    assert con._session.sparkContext.master == "local[2]"


def test_segment_profiles_on_spark_equal_duckdbs(
    spark, customer_segments, customer_features, primary_customers, analysis_params
):
    preprocessing = project_parameters()["feature_engineering"]["preprocessing"]  # noqa: F405
    inputs = (customer_segments, customer_features, primary_customers)
    profile = analysis_params["profile"]
    on = {
        name: profile_segments(
            *inputs, profile, SCHEMA_CONFIG, preprocessing=preprocessing, engine=name
        )
        for name in ("duckdb", "pyspark")
    }
    for duck, spark_table in zip(on["duckdb"], on["pyspark"], strict=True):
        assert len(duck) > 0
        # equal up to the order in which the engines add up floating-point values
        pd.testing.assert_frame_equal(duck, spark_table, rtol=1e-9)


def test_segment_rows_quantiles_and_campaign_sums_on_spark_equal_duckdbs(
    spark, customer_segments, customer_features, primary_customers
):
    columns = {
        "contact_cost": "Z_CostContact",
        "response": "Response",
        "response_revenue": "Z_Revenue",
    }
    primary = primary_customers.assign(Z_CostContact=3, Z_Revenue=11)
    results = []
    for name in ("duckdb", "pyspark"):
        con = engine.connect(name)
        table = profiling.segment_table(
            engine.table(con, customer_segments, "segments"),
            [
                (engine.table(con, customer_features, "features"), ["income", "age"], "features"),
                (engine.table(con, primary, "primary"), list(columns.values()), "primary"),
            ],
        )
        results.append(
            [
                profiling.rows_at(table, np.array([5, 0, 5, 99])),
                profiling.segment_statistic(table, ["income", "age"], "median"),
                profiling.segment_quantiles(table, "income", [0.05, 0.25, 0.5, 0.75, 0.95]),
                value.campaign_return(table, columns),
            ]
        )
    for duck, spark_table in zip(*results, strict=True):
        pd.testing.assert_frame_equal(duck, spark_table, check_dtype=False, rtol=1e-9)
