"""Stable segment identities across runs, and who moved between segments.

A run's segments are summarised in a *snapshot*: the features' means and standard deviations
over its customers (its feature space), each segment's stable id, name, size and centroid in
those standardised units, and the run it comes from; its *members* table holds every
customer's stable segment. A later run is placed in the reference snapshot's space (its
customers standardised with the reference's means and deviations), and its segments are
matched one to one to the reference's by the optimal assignment on centroid distance
(``scipy.optimize.linear_sum_assignment``). A matched pair within ``max_distance`` keeps the
reference's id and name; any other new segment is "new" (with a fresh id), and an unmatched
reference segment is "dissolved". Without a reference (the first run) every segment starts the
history under its own number and name.

Distances are root-mean-square over the features, in the reference's standard deviations: a
distance of 0.5 means centroids half a standard deviation apart per feature on average,
whatever the number of features.
"""

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from scipy.spatial.distance import cdist

from customer_segmentation.core.analysis.profiling import ID, SEGMENT, attach_segments
from customer_segmentation.errors import InputDataError

MIGRATION_COLUMNS = ["from_segment", "to_segment", "customers", "revenue"]


def _values(frame: pd.DataFrame, features: Sequence[str]) -> np.ndarray:
    values = frame[list(features)].to_numpy(dtype="float64")
    if np.isnan(values).any():
        raise InputDataError(
            "customer_features: missing values in the segment-history features; list only "
            "complete columns in segment_history.features."
        )
    return values


def _centroids(standardised: np.ndarray, segments: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Segment ids (sorted), their mean rows and sizes: ``(k,)``, ``(k, d)`` and ``(k,)``."""
    ids, position = np.unique(segments, return_inverse=True)
    sizes = np.bincount(position)
    sums = np.column_stack(
        [np.bincount(position, weights=column, minlength=len(ids)) for column in standardised.T]
    )
    return ids, sums / sizes[:, None], sizes


def snapshot(
    customer_segments: pd.DataFrame,
    customer_features: pd.DataFrame,
    features: Sequence[str],
    names: Mapping[int, str],
    run: Mapping,
) -> tuple[dict, pd.DataFrame]:
    """The reference a later run is matched against: a JSON-ready summary and the members.

    ``customer_segments``: ``ID``, ``segment`` (stable ids); ``customer_features``: ``ID`` and
    ``features``; ``names``: stable id -> name; ``run``: the run's ``run_id``.
    The summary holds ``features``, ``mean`` and ``scale`` per feature (a constant feature's
    scale is 1), ``segments`` (``segment``, ``name``, ``customers``, ``centroid`` in
    standardised units) and ``run``; the members table ``ID`` and ``segment`` per customer.
    """
    frame = attach_segments(customer_segments, customer_features, features, "customer_features")
    values = _values(frame, features)
    mean = values.mean(axis=0)
    scale = values.std(axis=0)
    scale[scale == 0] = 1.0
    ids, centroids, sizes = _centroids((values - mean) / scale, frame[SEGMENT].to_numpy())
    summary = {
        "run": dict(run),
        "features": list(features),
        "mean": mean.tolist(),
        "scale": scale.tolist(),
        "segments": [
            {
                "segment": int(segment),
                "name": names[int(segment)],
                "customers": int(size),
                "centroid": centroid.tolist(),
            }
            for segment, centroid, size in zip(ids, centroids, sizes, strict=True)
        ],
    }
    members = frame[[ID, SEGMENT]].astype({SEGMENT: "int64"}).reset_index(drop=True)
    return summary, members


def centroids_in_reference_space(
    reference: Mapping, customer_segments: pd.DataFrame, customer_features: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray]:
    """This run's segment ids and centroids, its customers standardised with the reference's
    means and deviations: ``(k,)`` and ``(k, d)``."""
    features = list(reference["features"])
    frame = attach_segments(customer_segments, customer_features, features, "customer_features")
    standardised = (_values(frame, features) - np.asarray(reference["mean"])) / np.asarray(
        reference["scale"]
    )
    ids, centroids, _ = _centroids(standardised, frame[SEGMENT].to_numpy())
    return ids, centroids


def match_segments(
    reference: Mapping, new_ids: np.ndarray, new_centroids: np.ndarray, max_distance: float
) -> dict:
    """Each new segment's stable identity: ``segments`` (per new segment: ``segment`` as this
    run numbered it, ``stable_id``, ``name`` (the reference's when kept, else None),
    ``status`` "kept" or "new", ``matched`` reference segment or None, ``distance`` to it) and
    ``dissolved`` (reference segments no new one keeps: ``segment``, ``name``)."""
    previous = reference["segments"]
    reference_centroids = np.array([s["centroid"] for s in previous], dtype="float64")
    if reference_centroids.shape[1] != new_centroids.shape[1]:
        raise ValueError("segment history: centroids in different feature spaces.")
    # Root-mean-square distance per feature, in reference standard deviations.
    distance = cdist(new_centroids, reference_centroids) / np.sqrt(new_centroids.shape[1])
    rows, columns = linear_sum_assignment(distance)
    kept = {
        int(row): int(column)
        for row, column in zip(rows, columns, strict=True)
        if distance[row, column] <= max_distance
    }
    fresh = iter(range(max(s["segment"] for s in previous) + 1, 10**9))
    segments = []
    for row, segment in enumerate(new_ids):
        match = previous[kept[row]] if row in kept else None
        nearest = kept.get(row, int(distance[row].argmin()))
        segments.append(
            {
                "segment": int(segment),
                "stable_id": match["segment"] if match else next(fresh),
                "name": match["name"] if match else None,
                "status": "kept" if match else "new",
                "matched": match["segment"] if match else None,
                "distance": float(distance[row, nearest]),
            }
        )
    used = {previous[column]["segment"] for column in kept.values()}
    return {
        "max_distance": max_distance,
        "segments": segments,
        "dissolved": [
            {"segment": s["segment"], "name": s["name"]}
            for s in previous
            if s["segment"] not in used
        ],
    }


def migration(reference_members: pd.DataFrame, current: pd.DataFrame) -> pd.DataFrame:
    """Customers in both runs, by (reference segment, this run's stable segment): ``from``,
    ``to``, ``customers`` and ``revenue`` (this run's revenue of those customers).

    ``reference_members``: ``ID``, ``segment``; ``current``: ``ID``, ``stable_id``, ``revenue``
    per customer of this run."""
    both = reference_members[[ID, SEGMENT]].merge(
        current[[ID, "stable_id", "revenue"]], on=ID, how="inner", validate="1:1"
    )
    table = (
        both.groupby([SEGMENT, "stable_id"])
        .agg(customers=(ID, "size"), revenue=("revenue", "sum"))
        .reset_index()
        .rename(columns={SEGMENT: "from_segment", "stable_id": "to_segment"})
    )
    return table.astype({"from_segment": "int64", "to_segment": "int64", "customers": "int64"})


def _check_members(reference: Mapping, members: pd.DataFrame) -> None:
    """The members table must be the snapshot's own (both are pinned separately)."""
    expected = {s["segment"]: s["customers"] for s in reference["segments"]}
    found = members[SEGMENT].value_counts().to_dict()
    if {int(k): int(v) for k, v in found.items()} != expected:
        raise InputDataError(
            "reference_segment_snapshot_members does not belong to reference_segment_snapshot "
            "(segment sizes differ): load the same version of both, e.g. --load-versions "
            "reference_segment_snapshot:<version>,reference_segment_snapshot_members:<version>."
        )


def track(
    reference: Mapping | None,
    reference_members: pd.DataFrame | None,
    customer_segments: pd.DataFrame,
    customer_features: pd.DataFrame,
    *,
    names: Mapping[int, str],
    settings: Mapping,
    run: Mapping,
) -> tuple[dict, pd.DataFrame, dict, pd.DataFrame]:
    """This run against the reference: identities, migration, and this run's snapshot.

    ``reference`` / ``reference_members``: an earlier run's snapshot and members, or None for
    the first run. ``customer_segments``: ``ID``, ``segment`` (this run's numbers);
    ``customer_features``: ``ID``, ``settings.features`` and ``settings.revenue``; ``names``:
    this run's segment number -> name; ``run``: this run's ``run_id``.
    Returns the identities (``reference``: the reference's run, None on a first run;
    ``max_distance``, ``segments``, ``dissolved``), the migration table (``MIGRATION_COLUMNS``;
    empty on a first run), and the next reference: this run's snapshot and members under
    stable ids.
    """
    if (reference is None) != (reference_members is None):
        raise InputDataError(
            "segment history: one of reference_segment_snapshot and its members is missing; "
            "load both (the same version) or neither."
        )
    revenue = settings["revenue"]
    ids = np.sort(customer_segments[SEGMENT].unique())
    if reference is None:
        matched = {
            "max_distance": settings["max_distance"],
            "segments": [
                {
                    "segment": int(segment),
                    "stable_id": int(segment),
                    "name": None,
                    "status": "first",
                    "matched": None,
                    "distance": None,
                }
                for segment in ids
            ],
            "dissolved": [],
        }
    else:
        _check_members(reference, reference_members)
        ids, centroids = centroids_in_reference_space(
            reference, customer_segments, customer_features
        )
        matched = match_segments(reference, ids, centroids, settings["max_distance"])
    kept_names = {item["name"] for item in matched["segments"] if item["name"]}
    for item in matched["segments"]:
        if item["name"] is None:
            own = names[item["segment"]]
            # This run's name of a new segment may be an earlier segment's kept name.
            item["name"] = f"{own} (new {item['stable_id']})" if own in kept_names else own
    stable = {item["segment"]: item["stable_id"] for item in matched["segments"]}
    current = customer_segments[[ID]].assign(
        stable_id=customer_segments[SEGMENT].map(stable).to_numpy()
    )
    if reference is None:
        moves = pd.DataFrame({column: pd.Series(dtype="int64") for column in MIGRATION_COLUMNS})
        moves = moves.astype({"revenue": "float64"})
    else:
        current = current.merge(
            customer_features[[ID, revenue]].rename(columns={revenue: "revenue"}),
            on=ID,
            validate="1:1",
        )
        moves = migration(reference_members, current)
    summary, members = snapshot(
        current[[ID, "stable_id"]].rename(columns={"stable_id": SEGMENT}),
        customer_features,
        settings["features"],
        {item["stable_id"]: item["name"] for item in matched["segments"]},
        run,
    )
    identities = {"reference": None if reference is None else reference["run"], **matched}
    return identities, moves, summary, members
