"""Kedro nodes of the scoring pipeline: the trained preprocessor and segmentation model, reused."""

import logging

import pandas as pd

from customer_segmentation.core.clustering.assignment import NearestCentroidSegmenter
from customer_segmentation.core.features.preprocessing import CustomerPreprocessor

logger = logging.getLogger(__name__)


def place_new_customers(
    preprocessor: CustomerPreprocessor,
    segmentation_model: NearestCentroidSegmenter,
    primary_customers: pd.DataFrame,
) -> pd.DataFrame:
    """Segment of every new customer: training preprocessor (nothing refitted), then the model.

    Segment numbers mean what they mean in `customer_segments`.
    """
    if primary_customers.empty:  # every new row was rejected: data_quality says why
        logger.warning("No new customer passed the cleaning rules; nothing to place.")
        return pd.DataFrame({"ID": pd.Series(dtype="int64"), "segment": pd.Series(dtype="int64")})
    model_input = preprocessor.transform(primary_customers)
    segments = segmentation_model.predict(model_input)
    logger.info("scoring: %s new customers placed into the segments", f"{len(segments):,}")
    return pd.DataFrame({"ID": model_input["ID"].to_numpy(dtype="int64"), "segment": segments})
