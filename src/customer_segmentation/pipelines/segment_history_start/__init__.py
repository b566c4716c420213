"""The first snapshot of segment history, for a project that has none yet."""

from customer_segmentation.pipelines.segment_history_start.pipeline import create_pipeline

__all__ = ["create_pipeline"]
