"""Kedro nodes of the scoring pipeline: the trained preprocessor and segmentation model, reused."""

import pandas as pd

from customer_segmentation.core.assignment import NearestCentroidSegmenter
from customer_segmentation.core.preprocessing import CustomerPreprocessor


def transform_new_customers(
    preprocessor: CustomerPreprocessor, primary_customers: pd.DataFrame
) -> pd.DataFrame:
    """Model input of the new customers by the training preprocessor (nothing refitted)."""
    return preprocessor.transform(primary_customers)


def score_new_customers(
    segmentation_model: NearestCentroidSegmenter, model_input: pd.DataFrame
) -> pd.DataFrame:
    """Segment of every new customer (same numbering as customer_segments)."""
    segments = segmentation_model.predict(model_input, source="new_customers")
    return pd.DataFrame({"ID": model_input["ID"].to_numpy(dtype="int64"), "segment": segments})
