"""Wiring of the transactions pipeline (run with ``kedro run --pipeline transactions``)."""

from kedro.pipeline import Node, Pipeline

from customer_segmentation.pipelines.transactions.nodes import aggregate_transactions


def create_pipeline(**kwargs) -> Pipeline:
    """Raw line-item log -> customer_rfm + transaction_line_quality + rejected summary."""
    return Pipeline(
        [
            Node(
                aggregate_transactions,
                inputs=["raw_transactions", "params:transactions"],
                outputs=[
                    "customer_rfm",
                    "transaction_line_quality",
                    "rejected_transaction_summary",
                ],
                name="aggregate_transactions",
                tags=["transactions"],
            )
        ]
    )
