"""The scoring model without pickles: the fitted preprocessor and centroids as JSON."""

from customer_segmentation.pipelines.scoring_model.pipeline import create_pipeline

__all__ = ["create_pipeline"]
