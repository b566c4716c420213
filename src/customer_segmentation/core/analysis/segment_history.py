"""Stable segment identities across runs, and who moved between segments.

A run's segments are summarised in a *snapshot*: the features' means and standard deviations
over its customers (its feature space), each segment's centroid in those standardised units,
its id and name, and every customer's segment and revenue. A later run is placed in the
reference snapshot's space (its customers standardised with the reference's means and
deviations), and its segments are matched one to one to the reference's by the optimal
assignment on centroid distance (``scipy.optimize.linear_sum_assignment``). A matched pair
within ``max_distance`` keeps the reference's id and name; any other new segment is "new"
(with a fresh id), and an unmatched reference segment is "dissolved".

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


def snapshot(
    customer_segments: pd.DataFrame,
    customer_features: pd.DataFrame,
    features: Sequence[str],
    names: Mapping[int, str],
    revenue: str,
) -> dict:
    """The reference a later run is matched against (JSON-serialisable).

    ``customer_segments``: ``ID``, ``segment``; ``customer_features``: ``ID``, ``features`` and
    ``revenue`` (a column of money per customer). Returns ``features``, ``mean`` and ``scale``
    (per feature; a constant feature's scale is 1), ``segments`` (``segment``, ``name``,
    ``customers``, ``centroid`` in standardised units) and ``customers`` (``ID``, ``segment``,
    ``revenue`` lists).
    """
    columns = list(dict.fromkeys([*features, revenue]))
    frame = attach_segments(customer_segments, customer_features, columns, "customer_features")
    values = frame[list(features)].to_numpy(dtype="float64")
    if np.isnan(values).any():
        raise InputDataError(
            "customer_features: missing values in the segment-history features; list only "
            "complete columns in segment_history.features."
        )
    mean = values.mean(axis=0)
    scale = values.std(axis=0)
    scale[scale == 0] = 1.0
    ids, centroids = _centroids((values - mean) / scale, frame[SEGMENT].to_numpy())
    sizes = frame[SEGMENT].value_counts()
    return {
        "features": list(features),
        "mean": mean.tolist(),
        "scale": scale.tolist(),
        "segments": [
            {
                "segment": int(segment),
                "name": names[int(segment)],
                "customers": int(sizes[segment]),
                "centroid": centroid.tolist(),
            }
            for segment, centroid in zip(ids, centroids, strict=True)
        ],
        "customers": {
            ID: frame[ID].tolist(),
            SEGMENT: frame[SEGMENT].astype(int).tolist(),
            "revenue": frame[revenue].astype(float).tolist(),
        },
    }


def _centroids(standardised: np.ndarray, segments: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Segment ids (sorted) and their mean rows: ``(k,)`` and ``(k, d)``."""
    ids, position = np.unique(segments, return_inverse=True)
    sums = np.zeros((len(ids), standardised.shape[1]))
    np.add.at(sums, position, standardised)
    return ids, sums / np.bincount(position)[:, None]


def centroids_in_reference_space(
    reference: Mapping, customer_segments: pd.DataFrame, customer_features: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray]:
    """This run's segment ids and centroids, its customers standardised with the reference's
    means and deviations: ``(k,)`` and ``(k, d)``."""
    features = list(reference["features"])
    frame = attach_segments(customer_segments, customer_features, features, "customer_features")
    values = frame[features].to_numpy(dtype="float64")
    standardised = (values - np.asarray(reference["mean"])) / np.asarray(reference["scale"])
    return _centroids(standardised, frame[SEGMENT].to_numpy())


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


def migration(reference: Mapping, current: pd.DataFrame) -> pd.DataFrame:
    """Customers in both runs, by (reference segment, this run's stable segment): ``from``,
    ``to``, ``customers`` and ``revenue`` (this run's revenue of those customers).

    ``current``: ``ID``, ``stable_id``, ``revenue`` per customer of this run."""
    before = pd.DataFrame(reference["customers"])[[ID, SEGMENT]]
    both = before.merge(current[[ID, "stable_id", "revenue"]], on=ID, how="inner", validate="1:1")
    table = (
        both.groupby([SEGMENT, "stable_id"])
        .agg(customers=(ID, "size"), revenue=("revenue", "sum"))
        .reset_index()
        .rename(columns={SEGMENT: "from_segment", "stable_id": "to_segment"})
    )
    return table.astype({"from_segment": int, "to_segment": int, "customers": int})
