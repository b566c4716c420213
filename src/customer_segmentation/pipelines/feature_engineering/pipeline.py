"""Wiring of the feature_engineering pipeline, for each source of customers."""

from kedro.pipeline import Node, Pipeline

from .nodes import (
    engineer_features,
    engineer_joined_features,
    engineer_rfm_features,
    join_customer_transactions,
    report_features,
)

SOURCES = ("customers", "transactions", "both")
OUTPUTS = ["preprocessor", "customer_features", "model_input"]
PARAMS = "params:feature_engineering"


def _engineer(source: str) -> list[Node]:
    """The node(s) that turn the source's table(s) into the features and model input."""
    if source == "customers":
        return [
            Node(
                engineer_features,
                ["primary_customers", PARAMS, "params:schema"],
                OUTPUTS,
                name="engineer_features",
            )
        ]
    if source == "transactions":
        return [
            Node(engineer_rfm_features, ["customer_rfm", PARAMS], OUTPUTS, name="engineer_features")
        ]
    return [
        Node(
            join_customer_transactions,
            ["primary_customers", "customer_rfm", PARAMS],
            ["customers_with_transactions", "transaction_join_summary"],
            name="join_customer_transactions",
        ),
        Node(
            engineer_joined_features,
            ["customers_with_transactions", PARAMS, "params:schema"],
            OUTPUTS,
            name="engineer_features",
        ),
    ]


def create_pipeline(source: str = "customers", **kwargs) -> Pipeline:
    """Source table(s) -> preprocessor, customer_features, model_input, feature_report.

    ``source``: ``customers`` (primary_customers; the default run), ``transactions``
    (customer_rfm alone) or ``both`` (primary_customers joined to customer_rfm on ID). The
    registry builds the last two into the ``rfm_segmentation`` / ``joined_segmentation`` runs.
    """
    if source not in SOURCES:
        raise ValueError(f"feature_engineering source {source!r}: use one of {SOURCES}.")
    return Pipeline(
        [
            *_engineer(source),
            Node(
                report_features,
                inputs=["preprocessor", "customer_features", PARAMS],
                outputs="feature_report",
                name="report_features",
            ),
        ],
        tags=["features"],
    )
