"""data_processing: raw customers -> typed (intermediate) -> clean primary customers."""

from kedro.pipeline import Node, Pipeline

from customer_segmentation.pipelines.data_processing import nodes


def create_pipeline(use_training_statistics: bool = False, **kwargs) -> Pipeline:
    """Parse and validate first (so bad input fails before any output), then clean and report.

    With `use_training_statistics` (new customers) the cleaning reads `cleaning_statistics`, the
    imputation values and age reference of the training run, instead of deriving its own.
    """
    cleaning_inputs = {
        "customers_typed": "customers_typed",
        "invalid_rows": "invalid_customer_rows",
        "parse_summary": "parse_summary",
        "settings": "params:data_processing",
        "schema": "params:schema",
    }
    if use_training_statistics:
        cleaning_inputs["training_statistics"] = "cleaning_statistics"
    else:  # the training run: refuse too few customers for the k range before saving them
        cleaning_inputs["k_range"] = "params:clustering.k_range"
    return Pipeline(
        [
            Node(
                nodes.parse_raw_customers,
                inputs=["raw_customers", "params:data_processing", "params:schema"],
                outputs=["customers_typed", "invalid_customer_rows", "parse_summary"],
                name="parse_raw_customers",
                tags=["cleaning"],
            ),
            Node(
                nodes.apply_cleaning_rules,
                inputs=cleaning_inputs,
                outputs=[
                    "primary_customers",
                    "customer_rejections",
                    "data_quality",
                    "applied_cleaning_statistics"
                    if use_training_statistics
                    else "cleaning_statistics",
                ],
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
