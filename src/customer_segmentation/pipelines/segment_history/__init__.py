"""Segment history: stable segment ids across runs and who moved between segments."""

from customer_segmentation.pipelines.segment_history.pipeline import create_pipeline

__all__ = ["create_pipeline"]
