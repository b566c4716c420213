"""Wiring of the feature_engineering pipeline."""

from kedro.pipeline import Node, Pipeline

from .nodes import engineer_features, report_features


def create_pipeline(**kwargs) -> Pipeline:
    """primary_customers -> preprocessor, customer_features, model_input, feature_report."""
    return Pipeline(
        [
            Node(
                engineer_features,
                inputs=["primary_customers", "params:feature_engineering"],
                outputs=["preprocessor", "customer_features", "model_input"],
                name="engineer_features",
            ),
            Node(
                report_features,
                inputs="preprocessor",
                outputs="feature_report",
                name="report_features",
            ),
        ],
        tags=["features"],
    )
