"""Clustering: one agglomerative hierarchy, k by elbow + silhouette, segments, assignment model."""

from customer_segmentation.pipelines.clustering.pipeline import create_pipeline

__all__ = ["create_pipeline"]
