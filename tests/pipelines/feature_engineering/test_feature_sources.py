"""feature_engineering on the two other tables: a log's RFM alone (the retail environment's
declared schema) and the log joined to the customer table (the both environment), each fed to
the one pipeline by the run's input mapping (rfm_segmentation, joined_segmentation)."""

import numpy as np
import pandas as pd
import pytest
from kedro.io import DataCatalog, MemoryDataset
from kedro.runner import SequentialRunner

from customer_segmentation.core.cleaning.contract import CustomerSchema
from customer_segmentation.core.features.features import derive_customer_features
from customer_segmentation.core.features.preprocessing import CustomerPreprocessor
from customer_segmentation.errors import InputDataError
from customer_segmentation.pipelines import joined_segmentation, rfm_segmentation
from tests.fixtures.environments import environment_parameters
from tests.fixtures.schema import SCHEMA_CONFIG

K_RANGE = {"min": 2, "max": 10}  # clustering.k_range as conf/base sets it

RETAIL = environment_parameters("retail")
BOTH = environment_parameters("both")


class KeptDataset(MemoryDataset):
    """A MemoryDataset the runner does not empty, so the test can read every output."""

    def _release(self) -> None:
        pass


def make_rfm(ids: np.ndarray, seed: int = 3) -> pd.DataFrame:
    """``customer_rfm``-shaped aggregates for ``ids``."""
    rng = np.random.default_rng(seed)
    n = len(ids)
    frequency = rng.integers(1, 20, n)
    monetary = rng.lognormal(6, 1, n)
    tenure = rng.integers(30, 700, n)
    return pd.DataFrame(
        {
            "ID": ids.astype("int64"),
            "recency_days": rng.integers(1, 30, n),
            "frequency": frequency,
            "monetary": monetary,
            "tenure_days": tenure,
            "avg_basket": monetary / frequency,
            "cancellation_share": rng.uniform(0, 0.3, n),
            "distinct_products": rng.integers(1, 80, n).astype("float64"),
            "mean_days_between_purchases": tenure / frequency,
        }
    )


def run(pipeline, inputs: dict) -> DataCatalog:
    catalog = DataCatalog({name: MemoryDataset(value) for name, value in inputs.items()})
    for name in pipeline.all_outputs():
        catalog[name] = KeptDataset()
    SequentialRunner().run(pipeline, catalog)
    return catalog


def test_the_declared_rfm_table_gives_its_aggregates_as_float_features():
    rfm = make_rfm(np.array([5, 7, 9]))
    features = derive_customer_features(rfm, None, CustomerSchema.from_config(RETAIL["schema"]))
    assert list(features.columns) == list(rfm.columns)
    assert features["ID"].dtype == "int64" and features["ID"].tolist() == [5, 7, 9]
    assert (features.dtypes.drop("ID") == "float64").all()
    assert features["frequency"].tolist() == rfm["frequency"].astype(float).tolist()
    with pytest.raises(InputDataError, match="monetary"):
        derive_customer_features(
            rfm.drop(columns="monetary"), None, CustomerSchema.from_config(RETAIL["schema"])
        )


def test_preprocessor_on_the_rfm_table_logs_and_scales_and_refits_nothing():
    rfm = make_rfm(np.arange(1, 201))
    settings = {
        "features": ["recency_days", "frequency", "monetary", "tenure_days"],
        "log_features": ["frequency", "monetary"],
        "scaler": "standard",
    }
    preprocessor = CustomerPreprocessor(schema=RETAIL["schema"], **settings).fit(rfm)
    model_input = preprocessor.transform(rfm)
    assert list(model_input.columns) == ["ID", *settings["features"]]
    expected = np.log1p(rfm["monetary"])
    expected = (expected - expected.mean()) / expected.std(ddof=0)
    np.testing.assert_allclose(model_input["monetary"], expected, rtol=1e-12)
    report = preprocessor.report()
    assert report["reference_date"] is None and report["log_transformed"] == [
        "frequency",
        "monetary",
    ]
    reversed_rows = preprocessor.transform(rfm.iloc[::-1]).iloc[::-1].reset_index(drop=True)
    pd.testing.assert_frame_equal(reversed_rows, model_input)


def test_rfm_segmentation_feeds_customer_rfm_to_feature_engineering():
    rfm = make_rfm(np.arange(10, 310))
    pipeline = rfm_segmentation.create_pipeline().only_nodes_with_tags("features")
    assert pipeline.inputs() == {
        "customer_rfm",
        "params:feature_engineering",
        "params:schema",
        "params:clustering.k_range",
    }
    params = RETAIL["feature_engineering"]
    catalog = run(
        pipeline,
        {
            "customer_rfm": rfm,
            "params:feature_engineering": params,
            "params:schema": RETAIL["schema"],
            "params:clustering.k_range": K_RANGE,
        },
    )
    model_input = catalog.load("model_input")
    assert model_input["ID"].tolist() == rfm["ID"].tolist()
    assert list(model_input.columns[1:]) == params["preprocessing"]["features"]
    assert np.isfinite(model_input.drop(columns="ID").to_numpy()).all()
    assert catalog.load("feature_report")["reference_date"] is None
    pd.testing.assert_frame_equal(
        catalog.load("customer_features"), rfm.astype({c: "float64" for c in rfm.columns[1:]})
    )


def test_joined_segmentation_joins_on_id_and_keeps_every_customer(primary_customers):
    ids = primary_customers["ID"].to_numpy()
    # 250 of the 300 customers in the log, plus 5 log customers the table does not have.
    rfm = make_rfm(np.concatenate([ids[:250], ids.max() + np.arange(1, 6)]))
    pipeline = joined_segmentation.create_pipeline().only_nodes_with_tags("features")
    params = BOTH["feature_engineering"]
    catalog = run(
        pipeline,
        {
            "primary_customers": primary_customers,
            "customer_rfm": rfm,
            "params:feature_engineering": params,
            "params:joined_segmentation": BOTH["joined_segmentation"],
            "params:schema": SCHEMA_CONFIG,
            "params:clustering.k_range": K_RANGE,
        },
    )
    summary = catalog.load("transaction_join_summary")
    assert summary == {
        "customers": 300,
        "matched": 250,
        "without_transactions": 50,
        "log_customers_not_in_table": 5,
    }
    features = catalog.load("customer_features")
    assert features["ID"].tolist() == primary_customers["ID"].tolist()
    assert list(features.columns[-9:]) == params["preprocessing"]["table_features"]
    assert features["has_transactions"].dtype == "int64"
    assert features["has_transactions"].sum() == 250
    absent = features.loc[features["has_transactions"] == 0]
    assert (absent["txn_frequency"] == 0).all()
    assert (absent["txn_recency_days"] == rfm["tenure_days"].max()).all()
    present = features.set_index("ID").loc[rfm["ID"].iloc[:3]]
    assert present["txn_monetary"].tolist() == rfm["monetary"].iloc[:3].tolist()
    model_input = catalog.load("model_input")
    assert model_input["ID"].tolist() == primary_customers["ID"].tolist()
    assert np.isfinite(model_input.drop(columns="ID").to_numpy()).all()
    requested = catalog.load("feature_report")["features_requested"]
    assert requested == params["preprocessing"]["features"]


def test_a_table_feature_the_table_lacks_is_named():
    rfm = make_rfm(np.arange(1, 50))
    preprocessor = CustomerPreprocessor(
        schema=RETAIL["schema"], features=["frequency"], table_features=["txn_frequency"]
    )
    with pytest.raises(InputDataError, match=r"\['txn_frequency'\].*table_features"):
        preprocessor.fit(rfm)
