"""The segment_history nodes: a re-run whose segments are numbered differently gets the
reference's ids and names back, and its snapshot carries them to the next run."""

import numpy as np
import pandas as pd

from customer_segmentation.pipelines.segment_history import nodes

SETTINGS = {"features": ["income", "total_spend"], "revenue": "total_spend", "max_distance": 0.5}


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


def test_renumbered_segments_get_the_reference_ids_and_names_back():
    first = month(1)
    reference = nodes.start_segment_history(
        pd.DataFrame({"ID": first["ID"], "segment": first["group"] + 1}),
        first,
        names({1: "Budget", 2: "Mid-income", 3: "Affluent"}),
        SETTINGS,
    )
    second = month(2)
    renumbered = pd.DataFrame({"ID": second["ID"], "segment": 3 - second["group"]})  # 3, 2, 1
    identities, moves, snapshot = nodes.track_segments(
        reference, renumbered, second, names({1: "A", 2: "B", 3: "C"}), SETTINGS
    )
    assert {s["segment"]: (s["stable_id"], s["name"]) for s in identities["segments"]} == {
        1: (3, "Affluent"),
        2: (2, "Mid-income"),
        3: (1, "Budget"),
    }
    assert moves[["from_segment", "to_segment", "customers"]].values.tolist() == [
        [1, 1, 100],
        [2, 2, 100],
        [3, 3, 100],
    ]
    assert moves["revenue"].sum() == second["total_spend"].sum()
    assert snapshot["customers"]["segment"] == (second["group"] + 1).tolist()
    assert [s["name"] for s in snapshot["segments"]] == ["Budget", "Mid-income", "Affluent"]
