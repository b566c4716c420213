"""Scoring pipeline: new_customers -> training cleaning -> preprocessor -> segmentation model ->
the training run's segment names and actions."""

from kedro.pipeline import Node, Pipeline

from customer_segmentation.pipelines.data_processing import create_pipeline as create_cleaning
from customer_segmentation.pipelines.scoring import nodes


def create_pipeline(**kwargs) -> Pipeline:
    """data_processing reused under the `scoring` namespace, sharing the cleaning parameters.

    Its intermediates become `scoring.*` datasets; the trained preprocessor and segmentation model,
    and the training run's segment names and actions, come in un-namespaced and the result is
    `new_customer_segments`.
    """
    placing = [
        Node(
            nodes.place_new_customers,
            [
                "preprocessor",
                "segmentation_model",
                "primary_customers",
                "segment_names",
                "segment_actions",
            ],
            "new_customer_segments",
            name="place_new_customers",
        ),
    ]
    return Pipeline(
        [create_cleaning(use_training_statistics=True), *placing],
        namespace="scoring",
        inputs={
            "raw_customers": "new_customers",
            "cleaning_statistics": "cleaning_statistics",
            "preprocessor": "preprocessor",
            "segmentation_model": "segmentation_model",
            "segment_names": "segment_names",
            "segment_actions": "segment_actions",
        },
        outputs={"new_customer_segments"},
        parameters={"params:data_processing", "params:schema"},
        tags="scoring",
    )
