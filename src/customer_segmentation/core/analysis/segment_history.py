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

A snapshot records what was segmented (``source_fingerprint``: the input's name and a digest of
the declared schema), and a run is compared only with a reference of the same source clustered on
the same features; otherwise the history starts again and the identities say why. Names are this
run's on every run (a kept segment notes its earlier name), and a table without revenue has a
migration of customers only.
"""

import hashlib
import json
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from scipy.spatial.distance import cdist

from customer_segmentation.core.analysis.profiling import ID, SEGMENT, attach_segments
from customer_segmentation.core.cleaning.contract import CustomerSchema
from customer_segmentation.errors import InputDataError

MIGRATION_COLUMNS = ["from_segment", "to_segment", "customers", "revenue"]


def source_fingerprint(schema: CustomerSchema, name: str) -> dict:
    """What a run segments: ``name`` (the input's identity: its file, or the name the user gives
    the source) and ``schema``, a digest of the declared columns' names, roles, types and items.

    Ranges, maps and date formats are left out: a later export of the same source may refine
    them and must still be compared; a file's bytes are left out for the same reason."""
    layout = [[spec.name, spec.role, spec.kind, spec.item] for spec in schema.declared]
    digest = hashlib.sha256(json.dumps(layout).encode()).hexdigest()[:16]
    return {"name": str(name), "schema": digest}


def why_not_compared(reference: Mapping, source: Mapping, features: Sequence[str]) -> str | None:
    """None when ``reference`` (a snapshot) segmented the same ``source``
    (``source_fingerprint``) on the same ``features``; else why not, in a clause."""
    earlier = reference.get("source")
    if earlier is None:
        return "it recorded no source (it predates source fingerprints)"
    if earlier["schema"] != source["schema"]:
        return "it declared another table (other columns, roles or types in schema.columns)"
    if earlier["name"] != source["name"]:
        return (
            f"it segmented another source ({earlier['name']}; this run: {source['name']}); "
            "give both the same segment_history.source to compare them"
        )
    if list(reference["features"]) != list(features):
        return (
            f"it clustered on other features ({', '.join(reference['features'])}); "
            "compare runs made with the same feature_engineering.preprocessing.features"
        )
    return None


def _feature_values(frame: pd.DataFrame, features: Sequence[str]) -> list[np.ndarray]:
    """The features as d float64 arrays of n values (views of float64 columns, not a copy)."""
    columns = [frame[feature].to_numpy(dtype="float64") for feature in features]
    if any(np.isnan(column).any() for column in columns):
        raise InputDataError(
            "customer_features: missing values in the features that place segments in the "
            "segment history (feature_engineering.preprocessing.features); fill them in "
            "data_processing.missing_values."
        )
    return columns


def _centroids(
    columns: Sequence[np.ndarray], segments: np.ndarray, mean: np.ndarray, scale: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Segment ids (sorted), centroids standardised with ``mean`` and ``scale``, and sizes:
    ``(k,)``, ``(k, d)`` and ``(k,)``. ``columns``: d arrays of n values; ``segments``: n small
    ids >= 0.

    Standardising is linear, so the k raw means are standardised, not the n x d values."""
    sizes = np.bincount(segments)
    ids = np.flatnonzero(sizes)
    sums = np.column_stack([np.bincount(segments, weights=column) for column in columns])
    return ids, (sums[ids] / sizes[ids, None] - mean) / scale, sizes[ids]


def _summary(
    columns: Sequence[np.ndarray],
    segments: np.ndarray,
    features: Sequence[str],
    names: Mapping[int, str],
    run: Mapping,
) -> dict:
    """The JSON-ready part of a snapshot: ``run``, ``features``, ``mean`` and ``scale`` per
    feature over ``columns`` (d arrays of n values; a constant feature's scale is 1) and per
    segment of ``segments`` (stable ids, n): ``segment``, ``name``, ``customers`` and
    ``centroid`` in those standardised units."""
    mean = np.array([column.mean() for column in columns])
    scale = np.array([column.std() for column in columns])
    scale[scale == 0] = 1.0
    ids, centroids, sizes = _centroids(columns, segments, mean, scale)
    return {
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


def match_segments(
    reference: Mapping, new_ids: np.ndarray, new_centroids: np.ndarray, max_distance: float
) -> dict:
    """Each new segment's stable identity: ``segments`` (per new segment: ``segment`` as this
    run numbered it, ``stable_id``, ``previous_name`` (the reference's name when kept, else
    None), ``status`` "kept" or "new", ``matched`` reference segment or None, ``distance`` to
    it) and ``dissolved`` (reference segments no new one keeps: ``segment``, ``name``)."""
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
                "previous_name": match["name"] if match else None,
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


def _as_text(ids: pd.Series | np.ndarray) -> np.ndarray:
    """IDs as text: whole numbers converted, text as it is."""
    values = pd.Series(ids, copy=False)
    return (values.astype(str) if values.dtype.kind in "iu" else values).to_numpy()


def migration(
    reference_members: pd.DataFrame,
    ids: np.ndarray,
    stable: np.ndarray,
    revenue: np.ndarray | None,
) -> pd.DataFrame:
    """Customers in both runs, by (reference segment, this run's stable segment): ``from``,
    ``to``, ``customers`` and ``revenue`` (this run's revenue of those customers; no such column
    when ``revenue`` is None, a table without revenue).

    ``reference_members``: ``ID``, ``segment``; ``ids``, ``stable``, ``revenue``: this run's
    customers (unique IDs), their stable segment and their revenue."""
    # One hash join on the unique IDs: position of each of this run's customers in the reference.
    # IDs are compared as text: a snapshot written before IDs were kept as text holds numbers.
    # Only numbers are converted (text IDs are compared as they are, at no cost).
    position = pd.Index(_as_text(reference_members[ID])).get_indexer(_as_text(ids))
    both = position >= 0
    table = pd.DataFrame(
        {
            "from_segment": reference_members[SEGMENT].to_numpy()[position[both]],
            "to_segment": stable[both],
            **({} if revenue is None else {"revenue": revenue[both]}),
        }
    )
    grouped = table.groupby(["from_segment", "to_segment"])
    moves = pd.DataFrame({"customers": grouped.size()})
    if revenue is not None:
        moves["revenue"] = grouped["revenue"].sum()
    moves = moves.reset_index()
    columns = [c for c in MIGRATION_COLUMNS if c in moves.columns]
    return moves.astype({"from_segment": "int64", "to_segment": "int64", "customers": "int64"})[
        columns
    ]


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


def _first_identities(segments: np.ndarray, max_distance: float) -> dict:
    """Identities on a first run: every segment starts the history under its own number."""
    return {
        "max_distance": max_distance,
        "segments": [
            {
                "segment": int(segment),
                "stable_id": int(segment),
                "previous_name": None,
                "status": "first",
                "matched": None,
                "distance": None,
            }
            for segment in segments
        ],
        "dissolved": [],
    }


def track(
    reference: Mapping | None,
    reference_members: pd.DataFrame | None,
    customer_segments: pd.DataFrame,
    customer_features: pd.DataFrame,
    *,
    names: Mapping[int, str],
    settings: Mapping,
    run: Mapping,
    source: Mapping,
) -> tuple[dict, pd.DataFrame, dict, pd.DataFrame]:
    """This run against the reference: identities, migration, and this run's snapshot.

    ``reference`` / ``reference_members``: an earlier run's snapshot and members, or None for
    the first run. ``customer_segments``: ``ID``, ``segment`` (this run's numbers);
    ``customer_features``: ``ID``, ``settings.features`` and ``settings.revenue`` (None: no
    revenue, the migration has no revenue column); ``names``: this run's segment number ->
    name; ``run``: this run's ``run_id``; ``source``: what this run segments
    (``source_fingerprint``). A reference of another source or other features is not compared
    (``why_not_compared``): the history starts again, as on a first run.
    Returns the identities (``reference``: the reference's run, None when there is none to
    compare with; ``not_compared``: the reference's run and the reason, when there was one;
    ``max_distance``, ``segments`` with this run's ``name``, ``dissolved``), the migration table
    (``MIGRATION_COLUMNS``, revenue only with revenue; empty without a reference), and the next
    reference: this run's snapshot (with ``source``) and members under stable ids.
    """
    if (reference is None) != (reference_members is None):
        raise InputDataError(
            "segment history: one of reference_segment_snapshot and its members is missing; "
            "load both (the same version) or neither."
        )
    features, revenue = list(settings["features"]), settings["revenue"]
    not_compared = None
    if reference is not None:
        reason = why_not_compared(reference, source, features)
        if reason is not None:
            not_compared = {"run": reference["run"], "reason": reason}
            reference, reference_members = None, None
    columns = list(dict.fromkeys([*features, *([revenue] if revenue else [])]))
    # One join of this run's segments and features serves the match, migration and snapshot.
    frame = attach_segments(customer_segments, customer_features, columns, "customer_features")
    feature_values = _feature_values(frame, features)
    segments = frame[SEGMENT].to_numpy(dtype="int64")
    if reference is None:
        matched = _first_identities(np.unique(segments), settings["max_distance"])
    else:
        _check_members(reference, reference_members)
        ids, centroids, _ = _centroids(
            feature_values,
            segments,
            np.asarray(reference["mean"]),
            np.asarray(reference["scale"]),
        )
        matched = match_segments(reference, ids, centroids, settings["max_distance"])
    for item in matched["segments"]:
        item["name"] = names[item["segment"]]
    stable_of = {item["segment"]: item["stable_id"] for item in matched["segments"]}
    stable = pd.Series(segments).map(stable_of).to_numpy(dtype="int64")
    moves = migration(
        # Without a reference no customer is in both runs: the table is empty.
        pd.DataFrame({ID: [], SEGMENT: []}) if reference is None else reference_members,
        frame[ID].to_numpy(),
        stable,
        frame[revenue].to_numpy(dtype="float64") if revenue else None,
    )
    summary = {
        **_summary(
            feature_values,
            stable,
            features,
            {item["stable_id"]: item["name"] for item in matched["segments"]},
            run,
        ),
        "source": dict(source),
    }
    members = pd.DataFrame({ID: frame[ID].to_numpy(), SEGMENT: stable})
    identities = {
        "reference": None if reference is None else reference["run"],
        "not_compared": not_compared,
        **matched,
    }
    return identities, moves, summary, members
