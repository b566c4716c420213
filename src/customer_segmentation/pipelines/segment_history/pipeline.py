"""Wiring of the segment_history pipeline (not in the default run: it needs an earlier run).

`kedro run --pipelines segment_history` after a run matches that run's segments to the latest
saved snapshot (`reference_segment_snapshot`, the same versioned files as `segment_snapshot`),
so ids and names carry over; it then saves this run's snapshot as the next reference. Name an
older reference with `--load-versions reference_segment_snapshot:<version>`. The first time,
`kedro run --pipelines segment_history_start` saves the first snapshot.
"""

from kedro.pipeline import Node, Pipeline

from customer_segmentation.pipelines.segment_history import nodes


def create_pipeline(**kwargs) -> Pipeline:
    """Reference snapshot + this run's segments -> identities, migration, next snapshot."""
    return Pipeline(
        [
            Node(
                nodes.track_segments,
                [
                    "reference_segment_snapshot",
                    "customer_segments",
                    "customer_features",
                    "segment_names",
                    "params:segment_history",
                ],
                ["segment_identities", "segment_migration", "segment_snapshot"],
                name="track_segments",
            ),
        ],
        tags="analysis",
    )
