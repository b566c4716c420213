"""Segment identities across runs on planted personas: ids survive a re-run on changed data,
migration counts are exact, and a persona split in two gives one new segment."""

from collections import Counter

import ibis
import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import AgglomerativeClustering
from sklearn.preprocessing import StandardScaler

from customer_segmentation.core.analysis import segment_history
from customer_segmentation.core.cleaning.contract import CustomerSchema
from tests.fixtures.schema import DEFAULT_SCHEMA, SCHEMA_CONFIG

FEATURES = ["income", "total_spend", "children"]
# Persona centres (income, spend, children) and spreads.
PERSONAS = np.array([[80_000, 1_500, 0], [50_000, 400, 1], [30_000, 100, 2], [60_000, 800, 3]])
SPREAD = np.array([6_000, 150, 0.3])
MAX_DISTANCE = 0.5


def draw(persona: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    return PERSONAS[persona] + rng.normal(size=(len(persona), 3)) * SPREAD


def cluster(features: pd.DataFrame, k: int) -> pd.DataFrame:
    """A stand-in for the clustering pipeline: Ward on standardised features, segments
    numbered by size (largest first), as the project numbers them."""
    labels = AgglomerativeClustering(n_clusters=k).fit_predict(
        StandardScaler().fit_transform(features[FEATURES])
    )
    by_size = {label: rank + 1 for rank, label in enumerate(np.argsort(-np.bincount(labels)))}
    return pd.DataFrame({"ID": features["ID"], "segment": [by_size[x] for x in labels]})


def table(ids: np.ndarray, values: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"ID": ids, **dict(zip(FEATURES, values.T, strict=True))})


RUN = {"run_id": "2026-01-01T00.00.00.000Z"}
SETTINGS = {"features": FEATURES, "revenue": "total_spend", "max_distance": MAX_DISTANCE}
SOURCE = segment_history.source_fingerprint(DEFAULT_SCHEMA, "data/01_raw/customers.csv")


def own_names(segments: pd.DataFrame) -> dict[int, str]:
    return {int(s): f"segment {s}" for s in segments["segment"].unique()}


def _history(reference, features: pd.DataFrame, segments: pd.DataFrame):
    """``segment_history.track`` of one run against ``reference`` ((snapshot, members) or
    (None, None)), with the module's settings, run and source."""
    return segment_history.track(
        *reference,
        segments,
        features,
        names=own_names(segments),
        settings=SETTINGS,
        run=RUN,
        source=SOURCE,
    )


def reference_of(features: pd.DataFrame, segments: pd.DataFrame) -> tuple[dict, pd.DataFrame]:
    """The first run's snapshot and members (its segments under their own numbers)."""
    _, moves, summary, members = _history((None, None), features, segments)
    assert moves.empty
    return summary, members


def track(reference: tuple[dict, pd.DataFrame], features: pd.DataFrame, segments: pd.DataFrame):
    """Identities, this run's customers under their stable ids with revenue, and migration."""
    matched, moves, _, members = _history(reference, features, segments)
    current = members.rename(columns={"segment": "stable_id"}).merge(
        features[["ID", "total_spend"]].rename(columns={"total_spend": "revenue"}), on="ID"
    )
    return matched, current, moves


@pytest.fixture(scope="module")
def months():
    """Month 1 (2,000 customers of four personas) and month 2: the same customers, 10% of them
    redrawn from another persona, and 5% new customers."""
    rng = np.random.default_rng(11)
    n = 2_000
    persona = rng.integers(0, 4, n)
    first = table(np.arange(n), draw(persona, rng))
    second_persona = persona.copy()
    changed = rng.choice(n, size=n // 10, replace=False)
    second_persona[changed] = (persona[changed] + rng.integers(1, 4, len(changed))) % 4
    values = first[FEATURES].to_numpy().copy()
    values[changed] = draw(second_persona[changed], rng)
    added = rng.integers(0, 4, n // 20)
    second = pd.concat(
        [table(np.arange(n), values), table(np.arange(n, n + len(added)), draw(added, rng))],
        ignore_index=True,
    )
    return first, second


def test_a_rerun_on_changed_data_keeps_every_id_and_counts_moves_exactly(months):
    first, second = months
    reference = reference_of(first, cluster(first, 4))
    segments = cluster(second, 4)
    matched, current, moves = track(reference, second, segments)

    assert [s["status"] for s in matched["segments"]] == ["kept"] * 4
    assert matched["dissolved"] == []
    # Kept ids follow the customers: each new segment's stable id is the reference segment most
    # of its returning customers came from.
    before = dict(zip(reference[1]["ID"], reference[1]["segment"], strict=True))
    for s in matched["segments"]:
        members = segments.loc[segments["segment"] == s["segment"], "ID"]
        origin = Counter(before[i] for i in members if i in before).most_common(1)[0][0]
        assert s["stable_id"] == origin
        # This run's name, refreshed; the earlier one is noted.
        assert (s["name"], s["previous_name"]) == (f"segment {s['segment']}", f"segment {origin}")

    # The matrix, counted customer by customer in plain Python.
    after = dict(zip(current["ID"], current["stable_id"], strict=True))
    revenue = dict(zip(current["ID"], current["revenue"], strict=True))
    expected = Counter((before[i], after[i]) for i in before if i in after)
    got = {(r.from_segment, r.to_segment): r.customers for r in moves.itertuples()}
    assert got == dict(expected)
    assert moves["customers"].sum() == 2_000  # the 100 added customers are in no reference
    for r in moves.itertuples():
        cell = sum(
            revenue[i] for i in before if after[i] == r.to_segment and before[i] == r.from_segment
        )
        assert r.revenue == pytest.approx(cell, rel=1e-12)


def test_a_persona_split_in_two_gives_one_new_segment():
    rng = np.random.default_rng(5)
    n = 1_500
    persona = rng.integers(0, 3, n)
    first = table(np.arange(n), draw(persona, rng))
    reference = reference_of(first, cluster(first, 3))
    # Month 2: persona 0 (affluent, no children) splits by income into two clear groups.
    values = draw(persona, rng)
    split = (persona == 0) & (rng.random(n) < 0.5)
    values[persona == 0, 0] -= 9_000
    values[split, 0] += 18_000
    second = table(np.arange(n), values)
    matched, _, moves = track(reference, second, cluster(second, 4))

    statuses = Counter(s["status"] for s in matched["segments"])
    assert statuses == {"kept": 3, "new": 1}
    assert matched["dissolved"] == []
    [new] = [s for s in matched["segments"] if s["status"] == "new"]
    assert new["stable_id"] == 4
    # Every segment has this run's own name.
    assert new["name"] == f"segment {new['segment']}"
    assert len({s["name"] for s in matched["segments"]}) == 4
    assert moves["customers"].sum() == n


def test_segments_too_far_from_the_reference_are_new_and_the_reference_dissolves():
    rng = np.random.default_rng(2)
    persona = rng.integers(0, 2, 600)
    first = table(np.arange(600), draw(persona, rng))
    reference = reference_of(first, cluster(first, 2))
    second = table(np.arange(600), draw(persona + 2, rng))  # two other personas entirely
    matched, _, _ = track(reference, second, cluster(second, 2))
    assert [s["status"] for s in matched["segments"]] == ["new", "new"]
    assert sorted(s["stable_id"] for s in matched["segments"]) == [3, 4]
    assert sorted(s["segment"] for s in matched["dissolved"]) == [1, 2]


def test_a_missing_feature_value_is_refused_with_where_to_fill_it():
    rng = np.random.default_rng(3)
    features = table(np.arange(1, 41), draw(rng.integers(0, 4, 40), rng))
    segments = cluster(features, 4)
    features.loc[5, "children"] = np.nan

    with pytest.raises(ValueError, match="missing values in the features .*missing_values"):
        reference_of(features, segments)


@pytest.fixture(scope="module")
def two_runs():
    """A first run's snapshot and members, and the next month's customers and segments."""
    rng = np.random.default_rng(7)
    persona = rng.integers(0, 3, 900)
    first = table(np.arange(900), draw(persona, rng))
    second = table(np.arange(900), draw(persona, rng))
    return reference_of(first, cluster(first, 3)), second, cluster(second, 3)


def rerun(two_runs, source: dict, settings: dict = SETTINGS):
    reference, features, segments = two_runs
    return segment_history.track(
        *reference,
        segments,
        features,
        names=own_names(segments),
        settings=settings,
        run={"run_id": "2026-02-01T00.00.00.000Z"},
        source=source,
    )


def test_the_snapshot_records_its_source_and_the_same_source_is_compared(two_runs):
    (summary, _), _, _ = two_runs
    assert summary["source"] == SOURCE
    # Ranges, maps and formats may change from one export to the next: still the same source.
    refined = {
        "columns": [{**c, "max": 10**9} if "max" in c else c for c in SCHEMA_CONFIG["columns"]]
    }
    source = segment_history.source_fingerprint(
        CustomerSchema.from_config(refined), "data/01_raw/customers.csv"
    )
    identities, moves, _, _ = rerun(two_runs, source)
    assert identities["reference"] == RUN and identities["not_compared"] is None
    assert moves["customers"].sum() == 900


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("file", "another source (data/01_raw/customers.csv; this run: other.csv)"),
        ("schema", "another table"),
        ("features", "other features"),
    ],
)
def test_another_source_or_other_features_are_not_compared_and_say_why(two_runs, change, reason):
    schema = DEFAULT_SCHEMA
    if change == "schema":  # a column of another role: another table
        columns = [
            {**c, "role": "numeric"} if c["name"] == "Recency" else c
            for c in SCHEMA_CONFIG["columns"]
        ]
        schema = CustomerSchema.from_config({"columns": columns})
    name = "other.csv" if change == "file" else "data/01_raw/customers.csv"
    settings = {**SETTINGS, "features": FEATURES[:2]} if change == "features" else SETTINGS
    identities, moves, snapshot, members = rerun(
        two_runs, segment_history.source_fingerprint(schema, name), settings
    )
    assert identities["reference"] is None
    assert identities["not_compared"]["run"] == RUN
    assert reason in identities["not_compared"]["reason"]
    assert moves.empty
    assert {s["status"] for s in identities["segments"]} == {"first"}
    assert snapshot["source"]["name"] == name  # the next run compares with this one


def test_a_table_without_revenue_has_a_migration_of_customers_only(two_runs):
    identities, moves, _, _ = rerun(two_runs, SOURCE, {**SETTINGS, "revenue": None})
    assert identities["reference"] == RUN
    assert list(moves.columns) == ["from_segment", "to_segment", "customers"]
    assert moves["customers"].sum() == 900


def test_a_snapshot_with_numeric_ids_meets_this_runs_text_ids():
    # Snapshots written before IDs were kept as text hold numbers; the same customers match.
    reference = pd.DataFrame({"ID": np.array([7, 8, 9], dtype="int64"), "segment": [1, 1, 2]})
    ids = np.array(["7", "9", "C10"], dtype=object)

    current = ibis.memtable({"ID": ids, "stable": [1, 2, 2]})

    moves = segment_history.migration(current, ibis.memtable(reference), revenue=None)

    assert moves.to_dict("records") == [
        {"from_segment": 1, "to_segment": 1, "customers": 1},
        {"from_segment": 2, "to_segment": 2, "customers": 1},
    ]
