"""Wiring of the scoring_model pipeline (in the default run, after clustering).

A package of its own: the clustering pipeline runs on model_input alone, and this node also
needs the preprocessor that feature_engineering fitted.
"""

from kedro.pipeline import Node, Pipeline

from customer_segmentation.pipelines.scoring_model import nodes


def create_pipeline(**kwargs) -> Pipeline:
    """preprocessor + segmentation_model -> scoring_model_json."""
    return Pipeline(
        [
            Node(
                nodes.export_scoring_model,
                ["preprocessor", "segmentation_model"],
                "scoring_model_json",
                name="export_scoring_model",
            )
        ],
        tags="scoring",
    )
