"""cluster_analysis: segment profiles, names, actions, stability, plots and the HTML report."""

from customer_segmentation.pipelines.cluster_analysis.pipeline import create_pipeline

__all__ = ["create_pipeline"]
