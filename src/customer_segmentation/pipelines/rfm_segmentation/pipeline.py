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
    value_forecast,
)
from customer_segmentation.pipelines.cluster_analysis.pipeline import (
    analysis_pipeline,
    reporting_pipeline,
)

# What the summary gives of the input: the log's line accounting (no exploration figures), and
# the value forecast's fit (holdout check, verdict).
LOG_INPUTS = ["transaction_line_quality", "rejected_transaction_summary", "value_forecast_fit"]


def create_pipeline(**kwargs) -> Pipeline:
    """transactions and value_forecast, then feature_engineering, clustering and
    cluster_analysis on customer_rfm (its value per segment from the forecast)."""
    segmentation = (
        feature_engineering.create_pipeline()
        + clustering.create_pipeline()
        + analysis_pipeline(cleaned=False, value_inputs=value_forecast.VALUE_INPUTS)
        + reporting_pipeline(LOG_INPUTS, eda_figures=[])
    )
    return (
        transactions.create_pipeline()
        + value_forecast.create_pipeline()
        + pipeline(segmentation, inputs={"primary_customers": "customer_rfm"})
    )
