"""Wiring of the feature_engineering pipeline."""

from kedro.pipeline import Node, Pipeline

from .nodes import (
    build_customer_features,
    fit_preprocessor,
    report_features,
    transform_to_model_input,
)


def create_pipeline(**kwargs) -> Pipeline:
    """primary_customers -> preprocessor, customer_features, model_input, feature_report."""
    return Pipeline(
        [
            Node(
                fit_preprocessor,
                inputs=["primary_customers", "params:feature_engineering"],
                outputs="preprocessor",
                name="fit_preprocessor",
            ),
            Node(
                build_customer_features,
                inputs=["preprocessor", "primary_customers"],
                outputs="customer_features",
                name="build_customer_features",
            ),
            Node(
                transform_to_model_input,
                inputs=["preprocessor", "primary_customers"],
                outputs="model_input",
                name="transform_to_model_input",
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
