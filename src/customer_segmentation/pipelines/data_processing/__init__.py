"""data_processing pipeline: raw customer table -> typed, rejected rows, data quality, primary."""

from customer_segmentation.pipelines.data_processing.pipeline import create_pipeline

__all__ = ["create_pipeline"]
