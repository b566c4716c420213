"""transactions: a line-item log -> line accounting and one row of RFM aggregates per customer."""

from customer_segmentation.pipelines.transactions.pipeline import create_pipeline

__all__ = ["create_pipeline"]
