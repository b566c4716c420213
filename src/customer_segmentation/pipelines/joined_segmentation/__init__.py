"""joined_segmentation: customer table and log joined on ID (conf/both/run.yml)."""

from customer_segmentation.pipelines.joined_segmentation.pipeline import create_pipeline

__all__ = ["create_pipeline"]
