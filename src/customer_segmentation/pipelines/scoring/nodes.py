"""Kedro nodes of the scoring pipeline: the trained preprocessor and segmentation model, reused."""

import logging

import pandas as pd

from customer_segmentation.core.clustering.assignment import NearestCentroidSegmenter
from customer_segmentation.core.features.preprocessing import CustomerPreprocessor
from customer_segmentation.core.reporting import spreadsheet

logger = logging.getLogger(__name__)


def place_new_customers(
    preprocessor: CustomerPreprocessor,
    segmentation_model: NearestCentroidSegmenter,
    primary_customers: pd.DataFrame,
    segment_names: dict,
    segment_actions: dict,
) -> pd.DataFrame:
    """Segment of every new customer: training preprocessor (nothing refitted), then the model.

    One row per clean new customer: ``ID``, ``segment_id`` (numbered as in
    ``customer_segments``), ``segment_name`` and ``segment_action`` from the training run's
    ``segment_names`` and ``segment_actions``, as in the ``segment_membership`` export. Refuses
    names and actions of another training run than the model's.
    """
    labels = spreadsheet.segment_labels(segment_names, segment_actions)
    spreadsheet.require_same_segments(labels, segmentation_model.classes_, "segmentation_model")
    if primary_customers.empty:  # every new row was rejected: data_quality says why
        logger.warning("No new customer passed the cleaning rules; nothing to place.")
        placed = pd.DataFrame({"ID": pd.Series(dtype="str"), "segment": pd.Series(dtype="int64")})
    else:
        model_input = preprocessor.transform(primary_customers)
        segments = segmentation_model.predict(model_input)
        logger.info("scoring: %s new customers placed into the segments", f"{len(segments):,}")
        placed = pd.DataFrame({"ID": model_input["ID"].to_numpy(), "segment": segments})
    return spreadsheet.label_customers(placed, labels)
