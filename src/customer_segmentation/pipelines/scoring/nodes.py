"""Kedro nodes of the scoring pipeline: the trained preprocessor and segmentation model, reused."""

import pandas as pd

from customer_segmentation.core.assignment import NearestCentroidSegmenter
from customer_segmentation.core.preprocessing import CustomerPreprocessor


def place_new_customers(
    preprocessor: CustomerPreprocessor,
    segmentation_model: NearestCentroidSegmenter,
    primary_customers: pd.DataFrame,
) -> pd.DataFrame:
    """Segment of every new customer: training preprocessor (nothing refitted), then the model.

    Segment numbers mean what they mean in `customer_segments`.
    """
    model_input = preprocessor.transform(primary_customers)
    segments = segmentation_model.predict(model_input, source="new_customers")
    return pd.DataFrame({"ID": model_input["ID"].to_numpy(dtype="int64"), "segment": segments})
