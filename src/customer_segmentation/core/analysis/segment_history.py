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

import ibis.expr.types as ir
import numpy as np
import pandas as pd
from ibis import BaseBackend
from scipy.optimize import linear_sum_assignment
from scipy.spatial.distance import cdist

from customer_segmentation.core import engine
from customer_segmentation.core.analysis.profiling import ID, SEGMENT, segment_table
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


def _check_complete(table: ir.Table, features: Sequence[str]) -> None:
    """Refuse missing values in the features that place segments (counted on the engine)."""
    values = {feature: table[feature].cast("float64") for feature in features}
    missing = {
        name: (value.isnull() | value.isnan()).cast("int64").sum() for name, value in values.items()
    }
    if engine.aggregates(table, {"missing": missing})["missing"].fillna(0).to_numpy().sum():
        raise InputDataError(
            "customer_features: missing values in the features that place segments in the "
            "segment history (feature_engineering.preprocessing.features); fill them in "
            "data_processing.missing_values."
        )


def _feature_statistics(
    table: ir.Table, features: Sequence[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """On the engine, over the customers of ``table``: the features' ``mean`` and ``scale``
    (population standard deviation; 1 for a constant feature), ``(d,)`` each, and per segment
    the ids (sorted), raw means and sizes: ``(k,)``, ``(k, d)`` and ``(k,)``."""
    values = {feature: table[feature].cast("float64") for feature in features}
    means = {name: value.mean() for name, value in values.items()}
    overall = engine.aggregates(
        table,
        {"mean": means, "std": {name: value.std(how="pop") for name, value in values.items()}},
    )
    mean = overall["mean"].to_numpy(dtype="float64")[0]
    scale = overall["std"].to_numpy(dtype="float64")[0]
    by_segment = engine.aggregates(
        table, {"mean": means, "rows": {"customers": table.count()}}, by=SEGMENT
    )
    return (
        mean,
        np.where(scale == 0, 1.0, scale),
        by_segment["rows"].index.to_numpy(dtype="int64"),
        by_segment["mean"].to_numpy(dtype="float64"),
        by_segment["rows"]["customers"].to_numpy(dtype="int64"),
    )


def _summary(
    features: Sequence[str],
    mean: np.ndarray,
    scale: np.ndarray,
    segments: Sequence[tuple[int, str, int, np.ndarray]],
    run: Mapping,
) -> dict:
    """The JSON-ready part of a snapshot: ``run``, ``features``, ``mean`` and ``scale`` per
    feature, and per segment (``segments``: stable id, name, customers, raw mean ``(d,)``):
    ``segment``, ``name``, ``customers`` and ``centroid`` in those standardised units."""
    return {
        "run": dict(run),
        "features": list(features),
        "mean": mean.tolist(),
        "scale": scale.tolist(),
        "segments": [
            {
                "segment": int(segment),
                "name": name,
                "customers": int(size),
                "centroid": ((raw - mean) / scale).tolist(),
            }
            for segment, name, size, raw in sorted(segments, key=lambda item: item[0])
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


def migration(current: ir.Table, reference_members: ir.Table, revenue: str | None) -> pd.DataFrame:
    """Customers in both runs, by (reference segment, this run's stable segment): ``from``,
    ``to``, ``customers`` and ``revenue`` (this run's revenue of those customers; no such column
    when ``revenue`` is None, a table without revenue), joined and counted on the engine.

    ``current``: this run's customers (``ID``, ``stable``, the ``revenue`` column);
    ``reference_members``: ``ID``, ``segment``. IDs are compared as text: a snapshot written
    before IDs were kept as text holds numbers."""
    this_run = current.select(
        _id=current[ID].cast("string"),
        to_segment=current["stable"],
        **({} if revenue is None else {"revenue": current[revenue].cast("float64")}),
    )
    earlier = reference_members.select(
        _id=reference_members[ID].cast("string"), from_segment=reference_members[SEGMENT]
    )
    both = this_run.inner_join(earlier, "_id")
    metrics = {"customers": both.count()}
    if revenue is not None:
        metrics["revenue"] = both["revenue"].sum()
    moves = both.group_by(["from_segment", "to_segment"]).aggregate(**metrics)
    moves = moves.order_by(["from_segment", "to_segment"]).execute()
    columns = [c for c in MIGRATION_COLUMNS if c in moves.columns]
    return moves.astype({"from_segment": "int64", "to_segment": "int64", "customers": "int64"})[
        columns
    ].reset_index(drop=True)


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
    con: BaseBackend | None = None,
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
    # One join of this run's segments and features, on the engine, serves the match, the
    # migration and the snapshot; only per-segment figures and the members come back.
    con = con or engine.connect()
    table = segment_table(
        engine.table(con, customer_segments, "customer_segments"),
        [(engine.table(con, customer_features, "customer_features"), columns, "customer_features")],
    )
    _check_complete(table, features)
    mean, scale, segment_ids, raw_means, sizes = _feature_statistics(table, features)
    if reference is None:
        matched = _first_identities(segment_ids, settings["max_distance"])
    else:
        _check_members(reference, reference_members)
        centroids = (raw_means - np.asarray(reference["mean"])) / np.asarray(reference["scale"])
        matched = match_segments(reference, segment_ids, centroids, settings["max_distance"])
    for item in matched["segments"]:
        item["name"] = names[item["segment"]]
    stable_of = {item["segment"]: item["stable_id"] for item in matched["segments"]}
    stable = table[SEGMENT].cases(*stable_of.items())
    current = table.mutate(stable=stable)
    if reference is None:  # no customer is in both runs: the table is empty
        kept = MIGRATION_COLUMNS if revenue else MIGRATION_COLUMNS[:-1]
        moves = pd.DataFrame(
            {c: pd.Series(dtype="float64" if c == "revenue" else "int64") for c in kept}
        )
    else:
        moves = migration(
            current, engine.table(con, reference_members, "reference_members"), revenue
        )
    summary = {
        **_summary(
            features,
            mean,
            scale,
            [
                (stable_of[segment], item_name, size, raw)
                for segment, size, raw, item_name in zip(
                    segment_ids,
                    sizes,
                    raw_means,
                    [names[segment] for segment in segment_ids],
                    strict=True,
                )
            ],
            run,
        ),
        "source": dict(source),
    }
    text = current[ID].cast("string")  # members in segment, then ID order (core/ids.py)
    members = (
        current.order_by([current[SEGMENT], text.length(), text])
        .select(ID, stable=current["stable"])
        .execute()
        .rename(columns={"stable": SEGMENT})
    )
    members[SEGMENT] = members[SEGMENT].astype("int64")
    identities = {
        "reference": None if reference is None else reference["run"],
        "not_compared": not_compared,
        **matched,
    }
    return identities, moves, summary, members
