"""Node of the scoring_model pipeline: a thin call into ``core.clustering.assignment``."""

from customer_segmentation.core.clustering.assignment import (
    NearestCentroidSegmenter,
    scoring_model_json,
)
from customer_segmentation.core.features.preprocessing import CustomerPreprocessor


def export_scoring_model(
    preprocessor: CustomerPreprocessor, segmentation_model: NearestCentroidSegmenter
) -> dict:
    """The preprocessor's fitted values and the segment centroids, applicable without Python."""
    return scoring_model_json(preprocessor, segmentation_model)
