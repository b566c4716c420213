"""feature_engineering for the two other sources: the log alone and the log joined to the table."""

import numpy as np
import pandas as pd
import pytest
from kedro.io import DataCatalog, MemoryDataset
from kedro.runner import SequentialRunner

from customer_segmentation.core.features.features import derive_rfm_features
from customer_segmentation.core.features.preprocessing import RfmPreprocessor
from customer_segmentation.errors import InputDataError
from customer_segmentation.pipelines.feature_engineering import create_pipeline
from tests.fixtures.schema import SCHEMA_CONFIG


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


def test_rfm_features_are_the_aggregates_as_floats():
    rfm = make_rfm(np.array([5, 7, 9]))
    features = derive_rfm_features(rfm)
    assert features["ID"].dtype == "int64" and features["ID"].tolist() == [5, 7, 9]
    assert (features.dtypes.drop("ID") == "float64").all()
    assert features["frequency"].tolist() == rfm["frequency"].astype(float).tolist()
    with pytest.raises(InputDataError, match="customer_rfm"):
        derive_rfm_features(rfm.drop(columns="ID"))


def test_rfm_preprocessor_logs_and_scales_and_refits_nothing():
    rfm = make_rfm(np.arange(1, 201))
    settings = {
        "features": ["recency_days", "frequency", "monetary", "tenure_days"],
        "log_features": ["frequency", "monetary"],
        "scaler": "standard",
    }
    preprocessor = RfmPreprocessor(**settings).fit(rfm)
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


def test_transactions_source_feeds_customer_rfm(fe_params):
    rfm = make_rfm(np.arange(10, 310))
    pipeline = create_pipeline(source="transactions")
    assert pipeline.inputs() == {"customer_rfm", "params:feature_engineering"}
    catalog = run(pipeline, {"customer_rfm": rfm, "params:feature_engineering": fe_params})
    model_input = catalog.load("model_input")
    assert model_input["ID"].tolist() == rfm["ID"].tolist()
    assert list(model_input.columns[1:]) == fe_params["rfm_preprocessing"]["features"]
    assert np.isfinite(model_input.drop(columns="ID").to_numpy()).all()
    assert catalog.load("feature_report")["reference_date"] is None
    assert all(node.tags == {"features"} for node in pipeline.nodes)


def test_both_source_joins_on_id_and_keeps_every_customer(primary_customers, fe_params):
    ids = primary_customers["ID"].to_numpy()
    # 250 of the 300 customers in the log, plus 5 log customers the table does not have.
    rfm = make_rfm(np.concatenate([ids[:250], ids.max() + np.arange(1, 6)]))
    pipeline = create_pipeline(source="both")
    catalog = run(
        pipeline,
        {
            "primary_customers": primary_customers,
            "customer_rfm": rfm,
            "params:feature_engineering": fe_params,
            "params:schema": SCHEMA_CONFIG,
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
    assert requested == fe_params["joined_preprocessing"]["features"]


def test_unknown_source_is_refused():
    with pytest.raises(ValueError, match="feature_engineering source"):
        create_pipeline(source="shop")
