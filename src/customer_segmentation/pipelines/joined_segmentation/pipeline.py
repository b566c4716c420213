"""Both sources: the default run's cleaning and exploration, the log's RFM, joined on ID; then
the same features, clustering and analysis on the joined table.

The joined table takes the customers' place in feature_engineering and cluster_analysis (Kedro's
input mapping); the environment's parameters (conf/both) add the log's columns to the features,
profiles and names. A package of its own (not only a registry entry) so that `kedro run
--pipelines joined_segmentation` finds it: Kedro 1.7 loads only the packages named on the
command line.
"""

from kedro.pipeline import Node, Pipeline, pipeline

from customer_segmentation.pipelines import (
    clustering,
    data_processing,
    eda,
    feature_engineering,
    transactions,
    value_forecast,
)
from customer_segmentation.pipelines.cluster_analysis.pipeline import (
    EDA_FIGURES,
    TABLE_INPUTS,
    analysis_pipeline,
    reporting_pipeline,
)

from .nodes import join_customer_transactions

# What the summary gives of the input: the table's accounting, the log's line accounting and how
# the two matched, and the value forecast's fit (the report adds the table's exploration figures).
JOINED_INPUTS = [
    *TABLE_INPUTS,
    "transaction_line_quality",
    "rejected_transaction_summary",
    "transaction_join_summary",
    "value_forecast_fit",
]


def create_pipeline(**kwargs) -> Pipeline:
    """Every pipeline, features and analysis from the customers joined to their log."""
    join = Node(
        join_customer_transactions,
        ["primary_customers", "customer_rfm", "params:joined_segmentation"],
        ["customers_with_transactions", "transaction_join_summary"],
        name="join_customer_transactions",
        tags=["features"],
    )
    segmentation = (
        feature_engineering.create_pipeline()
        + clustering.create_pipeline()
        + analysis_pipeline(value_inputs=value_forecast.VALUE_INPUTS)
        + reporting_pipeline(JOINED_INPUTS, EDA_FIGURES)
    )
    return (
        data_processing.create_pipeline()
        + eda.create_pipeline()
        + transactions.create_pipeline()
        + value_forecast.create_pipeline()
        + Pipeline([join])
        + pipeline(segmentation, inputs={"primary_customers": "customers_with_transactions"})
    )
