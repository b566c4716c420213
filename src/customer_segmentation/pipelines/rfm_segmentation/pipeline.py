"""The log alone: transactions -> the same features, clustering and analysis on customer_rfm.

No customer table, so no data_processing or eda: the log's per-customer RFM table takes the
customers' place (Kedro's input mapping), described by the environment's schema and parameters
(conf/retail). A package of its own (not only a registry entry) so that `kedro run --pipelines
rfm_segmentation` finds it: Kedro 1.7 loads only the packages named on the command line.
"""

from kedro.pipeline import Pipeline, pipeline

from customer_segmentation.pipelines import (
    clustering,
    feature_engineering,
    transactions,
)
from customer_segmentation.pipelines.cluster_analysis.pipeline import (
    analysis_pipeline,
    reporting_pipeline,
)

# What the summary gives of the input: the log's line accounting (no exploration figures).
LOG_INPUTS = ["transaction_line_quality", "rejected_transaction_summary"]


def create_pipeline(**kwargs) -> Pipeline:
    """transactions, then feature_engineering, clustering and cluster_analysis on customer_rfm."""
    segmentation = (
        feature_engineering.create_pipeline()
        + clustering.create_pipeline()
        + analysis_pipeline(cleaned=False)
        + reporting_pipeline(LOG_INPUTS, eda_figures=[])
    )
    return transactions.create_pipeline() + pipeline(
        segmentation, inputs={"primary_customers": "customer_rfm"}
    )
