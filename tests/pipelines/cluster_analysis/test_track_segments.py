"""The track_segments node: a first run starts the history; a re-run whose segments are numbered
differently gets the reference's ids and names back, and its snapshot carries them on."""

import numpy as np
import pandas as pd
import pytest

from customer_segmentation.pipelines.cluster_analysis import nodes
from tests.fixtures.schema import SCHEMA_CONFIG

FEATURES = ["income", "total_spend"]
SETTINGS = {"revenue": "total_spend", "max_distance": 0.5, "source": None}
FILE = "data/01_raw/export_2026_01.csv"


def month(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    group = np.repeat([0, 1, 2], 100)
    return pd.DataFrame(
        {
            "ID": np.arange(300),
            "income": np.array([20_000, 50_000, 90_000])[group] + rng.normal(0, 2_000, 300),
            "total_spend": np.array([100, 600, 1_500])[group] + rng.normal(0, 30, 300),
            "group": group,
        }
    )


def names(mapping: dict[int, str]) -> dict:
    return {"segments": [{"segment": s, "name": n} for s, n in mapping.items()]}


def track(previous, segments, features, segment_names, run_id, *, source=FILE, settings=SETTINGS):
    """The node on ``previous`` (an earlier run's snapshot and members, or None), for customers
    read from ``source``."""
    reference, members = previous or (None, None)
    return nodes.track_segments(
        reference_segment_snapshot=reference,
        reference_segment_snapshot_members=members,
        customer_segments=segments,
        customer_features=features,
        segment_names=segment_names,
        run_manifest={"run_id": run_id, "started": "2026-01-01T00:00:00+00:00", "inputs": {}},
        input_quality={"source": source},
        schema=SCHEMA_CONFIG,
        clustering_features=FEATURES,
        settings=settings,
    )


def test_the_first_run_starts_the_history_under_its_own_numbers_and_names():
    first = month(1)
    segments = pd.DataFrame({"ID": first["ID"], "segment": first["group"] + 1})
    identities, moves, snapshot, members = track(
        None, segments, first, names({1: "Budget", 2: "Mid", 3: "Affluent"}), "run-1"
    )
    assert identities["reference"] is None
    assert [(s["stable_id"], s["name"], s["status"]) for s in identities["segments"]] == [
        (1, "Budget", "first"),
        (2, "Mid", "first"),
        (3, "Affluent", "first"),
    ]
    assert moves.empty and list(moves.columns) == [
        "from_segment",
        "to_segment",
        "customers",
        "revenue",
    ]
    assert snapshot["run"]["run_id"] == "run-1"
    assert dict(zip(members["ID"], members["segment"], strict=True)) == dict(
        zip(segments["ID"], segments["segment"], strict=True)
    )


def test_renumbered_segments_get_the_reference_ids_back_and_this_runs_names():
    first = month(1)
    _, _, reference, members = track(
        None,
        pd.DataFrame({"ID": first["ID"], "segment": first["group"] + 1}),
        first,
        names({1: "Budget", 2: "Mid-income", 3: "Affluent"}),
        "run-1",
    )
    second = month(2)
    renumbered = pd.DataFrame({"ID": second["ID"], "segment": 3 - second["group"]})  # 3, 2, 1
    identities, moves, snapshot, next_members = track(
        (reference, members), renumbered, second, names({1: "A", 2: "B", 3: "C"}), "run-2"
    )
    assert identities["reference"]["run_id"] == "run-1"
    assert {
        s["segment"]: (s["stable_id"], s["name"], s["previous_name"])
        for s in identities["segments"]
    } == {1: (3, "A", "Affluent"), 2: (2, "B", "Mid-income"), 3: (1, "C", "Budget")}
    assert moves[["from_segment", "to_segment", "customers"]].values.tolist() == [
        [1, 1, 100],
        [2, 2, 100],
        [3, 3, 100],
    ]
    assert moves["revenue"].sum() == pytest.approx(second["total_spend"].sum(), rel=1e-12)
    stable = dict(zip(next_members["ID"], next_members["segment"], strict=True))
    assert stable == dict(zip(second["ID"], second["group"] + 1, strict=True))
    assert [s["name"] for s in snapshot["segments"]] == ["C", "B", "A"]
    assert snapshot["run"]["run_id"] == "run-2"


def test_another_file_is_not_compared_unless_both_runs_name_the_same_source(caplog):
    first = month(1)
    segments = pd.DataFrame({"ID": first["ID"], "segment": first["group"] + 1})
    previous = track(None, segments, first, names({1: "A", 2: "B", 3: "C"}), "run-1")[2:]
    next_month = "data/01_raw/export_2026_02.csv"
    with caplog.at_level("INFO"):
        identities, moves, _, _ = track(
            previous, segments, first, names({1: "A", 2: "B", 3: "C"}), "run-2", source=next_month
        )
    assert identities["reference"] is None and moves.empty
    assert (
        "segment history: not compared with run run-1: it segmented another source "
        f"({FILE}; this run: {next_month}); give both the same segment_history.source to "
        "compare them; this run starts a new history"
    ) in caplog.text

    named = {**SETTINGS, "source": "crm_customers"}
    labels = names({1: "A", 2: "B", 3: "C"})
    first_named = track(None, segments, first, labels, "run-1", settings=named)
    identities, *_ = track(
        first_named[2:], segments, first, labels, "run-2", source=next_month, settings=named
    )
    assert identities["reference"] == {"run_id": "run-1"}
