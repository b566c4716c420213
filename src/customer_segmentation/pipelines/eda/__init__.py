"""The eda pipeline: key metrics, distributions, trends and cleaning summary in 08_reporting."""

from customer_segmentation.pipelines.eda.pipeline import create_pipeline

__all__ = ["create_pipeline"]
