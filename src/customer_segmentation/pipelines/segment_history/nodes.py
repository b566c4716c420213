"""Nodes of the segment_history pipeline: thin wrappers over ``core.analysis.segment_history``."""

import pandas as pd

from customer_segmentation.core.analysis import segment_history
from customer_segmentation.core.analysis.profiling import ID, SEGMENT


def track_segments(
    reference_segment_snapshot: dict,
    customer_segments: pd.DataFrame,
    customer_features: pd.DataFrame,
    segment_names: dict,
    settings: dict,
) -> tuple[dict, pd.DataFrame, dict]:
    """This run's segments matched to the reference's (ids and names kept within
    ``settings.max_distance``, others new, unmatched reference segments dissolved), the
    migration of customers present in both runs, and this run's snapshot under stable ids."""
    reference = reference_segment_snapshot
    ids, centroids = segment_history.centroids_in_reference_space(
        reference, customer_segments, customer_features
    )
    matched = segment_history.match_segments(reference, ids, centroids, settings["max_distance"])
    own_names = {int(item["segment"]): item["name"] for item in segment_names["segments"]}
    for item in matched["segments"]:
        item["name"] = item["name"] or own_names[item["segment"]]
    stable = {item["segment"]: item["stable_id"] for item in matched["segments"]}
    revenue = settings["revenue"]
    current = customer_segments[[ID, SEGMENT]].assign(
        stable_id=customer_segments[SEGMENT].map(stable)
    )
    current = current.merge(
        customer_features[[ID, revenue]].rename(columns={revenue: "revenue"}),
        on=ID,
        validate="1:1",
    )
    moves = segment_history.migration(reference, current)
    next_reference = segment_history.snapshot(
        current[[ID, "stable_id"]].rename(columns={"stable_id": SEGMENT}),
        customer_features,
        settings["features"],
        {item["stable_id"]: item["name"] for item in matched["segments"]},
        revenue,
    )
    return matched, moves, next_reference


def start_segment_history(
    customer_segments: pd.DataFrame,
    customer_features: pd.DataFrame,
    segment_names: dict,
    settings: dict,
) -> dict:
    """The first snapshot: this run's segments under their own ids and names."""
    return segment_history.snapshot(
        customer_segments,
        customer_features,
        settings["features"],
        {int(item["segment"]): item["name"] for item in segment_names["segments"]},
        settings["revenue"],
    )
