"""Wiring of the value_forecast pipeline (part of the runs that read a log; not of the default)."""

from kedro.pipeline import Node, Pipeline

from customer_segmentation.pipelines.value_forecast import nodes

# What the analysis takes from this pipeline (cluster_analysis.analysis_pipeline's value inputs).
VALUE_INPUTS = ["customer_value_forecast", "value_forecast_fit"]


def create_pipeline(**kwargs) -> Pipeline:
    """Raw log (+ its reference date) -> customer_purchase_history -> customer_value_forecast
    and value_forecast_fit (all tagged ``value_forecast``)."""
    return Pipeline(
        [
            Node(
                nodes.summarise_purchase_history,
                [
                    "raw_transactions",
                    "transaction_line_quality",
                    "params:transactions",
                    "params:value_forecast",
                ],
                "customer_purchase_history",
                name="summarise_purchase_history",
            ),
            Node(
                nodes.forecast_customer_value,
                ["customer_purchase_history", "transaction_line_quality", "params:value_forecast"],
                ["customer_value_forecast", "value_forecast_fit"],
                name="forecast_customer_value",
            ),
        ],
        tags="value_forecast",
    )
