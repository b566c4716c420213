"""The feature_engineering pipeline end to end on an in-memory catalog."""

import numpy as np
import pandas as pd
from kedro.io import DataCatalog, MemoryDataset
from kedro.runner import SequentialRunner
from kedro_datasets.pandas import ParquetDataset
from kedro_datasets.pickle import PickleDataset

from customer_segmentation.pipelines.feature_engineering import create_pipeline
from tests.fixtures.schema import SCHEMA_CONFIG

K_RANGE = {"min": 2, "max": 10}  # clustering.k_range as conf/base sets it

OUTPUTS = ["model_input", "feature_report"]


def test_pipeline_produces_consistent_outputs(primary_customers, fe_params, tmp_path):
    catalog = DataCatalog(
        {
            "primary_customers": MemoryDataset(primary_customers),
            "params:feature_engineering": MemoryDataset(fe_params),
            "params:schema": MemoryDataset(SCHEMA_CONFIG),
            "params:clustering.k_range": MemoryDataset(K_RANGE),
            **{name: MemoryDataset() for name in OUTPUTS},
            # Persisted as in the project (the runner releases in-memory intermediates).
            "preprocessor": PickleDataset(filepath=str(tmp_path / "preprocessor.pkl")),
            "customer_features": ParquetDataset(filepath=str(tmp_path / "features.parquet")),
        }
    )
    SequentialRunner().run(create_pipeline(), catalog)
    features = catalog.load("customer_features")
    model_input = catalog.load("model_input")
    preprocessor = catalog.load("preprocessor")
    report = catalog.load("feature_report")

    assert features["ID"].tolist() == model_input["ID"].tolist() == primary_customers["ID"].tolist()
    assert features["age"].iloc[0] == 2014 - primary_customers["Year_Birth"].iloc[0]
    assert np.isfinite(model_input.drop(columns="ID").to_numpy()).all()
    again = preprocessor.transform(primary_customers)
    pd.testing.assert_frame_equal(model_input, again, check_exact=True)
    assert report["reference_date"] == "2014-06-29"
    assert report["model_input_columns"] == list(model_input.columns[1:])
    assert report["date_warnings"] == []
    assert all(node.tags == {"features"} for node in create_pipeline().nodes)
