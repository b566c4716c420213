"""data_processing: raw customers -> typed (intermediate) -> clean primary customers."""

from kedro.pipeline import Node, Pipeline

from customer_segmentation.pipelines.data_processing import nodes


def create_pipeline(**kwargs) -> Pipeline:
    """Parse and validate first (so bad input fails before any output), then clean and report."""
    return Pipeline(
        [
            Node(
                nodes.parse_raw_customers,
                inputs=["raw_customers", "params:data_processing"],
                outputs=["customers_typed", "invalid_customer_rows", "parse_summary"],
                name="parse_raw_customers",
                tags=["cleaning"],
            ),
            Node(
                nodes.apply_cleaning_rules,
                inputs=[
                    "customers_typed",
                    "invalid_customer_rows",
                    "parse_summary",
                    "params:data_processing",
                ],
                outputs=["primary_customers", "customer_rejections", "data_quality"],
                name="apply_cleaning_rules",
                tags=["cleaning"],
            ),
            Node(
                nodes.collect_rejected_customers,
                inputs=["raw_customers", "customer_rejections"],
                outputs="rejected_customers",
                name="collect_rejected_customers",
                tags=["cleaning"],
            ),
        ]
    )
