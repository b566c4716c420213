"""Scoring: place the customers of a new file into the trained segments."""

from customer_segmentation.pipelines.scoring.pipeline import create_pipeline

__all__ = ["create_pipeline"]
