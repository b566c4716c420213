"""`kedro run --pipelines segment_history_start`: saves this run's segments, ids as numbered,
as the first `segment_snapshot`, the reference of the next `segment_history` run. A package of
its own so that `kedro run --pipelines` finds it (Kedro loads only the packages named)."""

from kedro.pipeline import Node, Pipeline

from customer_segmentation.pipelines.segment_history import nodes


def create_pipeline(**kwargs) -> Pipeline:
    """This run's segments -> the first segment_snapshot."""
    return Pipeline(
        [
            Node(
                nodes.start_segment_history,
                [
                    "customer_segments",
                    "customer_features",
                    "segment_names",
                    "params:segment_history",
                ],
                "segment_snapshot",
                name="start_segment_history",
            )
        ],
        tags="analysis",
    )
