"""Wiring of the feature_engineering pipeline (tag ``features``)."""

from kedro.pipeline import Node, Pipeline

from .nodes import engineer_features, report_features

PARAMS = "params:feature_engineering"


def create_pipeline(**kwargs) -> Pipeline:
    """primary_customers -> preprocessor, customer_features, model_input, feature_report.

    Another table feeds the same nodes through Kedro's input mapping (``rfm_segmentation``:
    customer_rfm; ``joined_segmentation``: customers_with_transactions); the environment's
    schema and parameters describe it.
    """
    return Pipeline(
        [
            Node(
                engineer_features,
                ["primary_customers", PARAMS, "params:schema", "params:clustering.k_range"],
                ["preprocessor", "customer_features", "model_input"],
                name="engineer_features",
            ),
            Node(
                report_features,
                inputs=["preprocessor", "customer_features", PARAMS],
                outputs="feature_report",
                name="report_features",
            ),
        ],
        tags=["features"],
    )
