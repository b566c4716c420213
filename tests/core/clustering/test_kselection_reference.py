"""The 'reference' k rule and the structure verdict: planted blobs against structureless data."""

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_blobs

from customer_segmentation.core.clustering.hierarchy import build_hierarchy
from customer_segmentation.core.clustering.kselection import (
    find_knee,
    reference_elbow,
    score_k_range,
    seeded_sample,
    select_k,
    structure_verdict,
)
from customer_segmentation.core.clustering.stability import (
    REFERENCE_COLUMNS,
    reference_scores,
    structureless_copy,
)
from tests.fixtures.clustering import clustering_settings

STRUCTURE = {**clustering_settings().structure, "sample_size": 1500}  # small samples: fast tests
CLUSTERING = clustering_settings(structure=STRUCTURE)
STRUCTURE_KEYS = {
    "natural_segments",
    "statement",
    "stability_mean",
    "stability_sd",
    "null_stability_mean",
    "null_stability_sd",
    "thresholds",
}


def blobs(n: int = 1500, centers: int = 4, std: float = 1.0, seed: int = 0) -> np.ndarray:
    """Planted, well separated groups of unequal spread in 6 dimensions."""
    matrix, _ = make_blobs(
        n, n_features=6, centers=centers, cluster_std=std, center_box=(-10, 10), random_state=seed
    )
    return matrix


def decide(matrix: np.ndarray, k_max: int) -> dict:
    """The clustering pipeline's k decision for one k_range.max, from the core functions."""
    settings = clustering_settings(k_max=k_max, structure=STRUCTURE)
    hierarchy = build_hierarchy(matrix, settings)
    rows = np.arange(len(matrix))
    table = score_k_range(matrix, hierarchy, settings.ks, seeded_sample(len(matrix), 1000, 0), rows)
    reference = reference_scores(matrix, settings.reference_max_k, settings)
    return select_k(table, reference, settings)


@pytest.mark.parametrize("centers", [3, 5])
def test_planted_k_does_not_move_with_the_range(centers):
    matrix = blobs(centers=centers, seed=centers)
    chosen = {k_max: decide(matrix, k_max)["chosen_k"] for k_max in range(6, 13)}
    assert set(chosen.values()) == {centers}


def test_structured_data_has_natural_segments():
    decision = decide(blobs(), 10)
    structure = decision["structure"]
    assert decision["chosen_k"] == 4 and decision["elbow_k"] == 4
    assert set(structure) == STRUCTURE_KEYS
    assert structure["natural_segments"] is True
    assert structure["stability_mean"] > 0.9
    assert "4 distinct groups" in structure["statement"]
    assert decision["explanation"].startswith("We use 4 segments")
    assert structure["thresholds"]["min_stability"] == STRUCTURE["min_stability"]


@pytest.mark.parametrize(
    "make",
    [
        lambda rng: rng.normal(size=(1500, 6)) * [3, 2, 1.5, 1, 1, 0.5],  # one Gaussian
        lambda rng: rng.uniform(size=(1500, 5)),  # independent uniform columns
        lambda rng: np.column_stack(  # independent columns, two of them small integer counts
            [rng.poisson(1, 1500), rng.poisson(2, 1500), rng.lognormal(0, 1, (1500, 3))]
        ),
    ],
)
def test_structureless_data_has_no_natural_segments(make):
    matrix = make(np.random.default_rng(7))
    matrix = (matrix - matrix.mean(axis=0)) / matrix.std(axis=0)  # as the standard scaler does
    decision = decide(matrix, 10)
    assert decision["structure"]["natural_segments"] is False
    assert decision["structure"]["statement"].startswith("The data has no natural segments")


def test_structureless_copy_keeps_every_component_and_breaks_the_groups():
    matrix = blobs()
    copy = structureless_copy(matrix, np.random.default_rng(1))
    centred = matrix - matrix.mean(axis=0)
    components = centred @ np.linalg.svd(centred, full_matrices=False)[2].T
    np.testing.assert_allclose(np.sort(copy, axis=0), np.sort(components, axis=0))
    reference = reference_scores(matrix, 8, CLUSTERING).set_index("k")
    # Planted groups: the cut at 4 lowers WCSS far more than the copies' cut, with a clear gain.
    assert reference.loc[4, "log_wcss"] < reference.loc[4, "null_log_wcss"] - 1.0
    assert reference.loc[4, "gain"] > 0.5 > reference.loc[[5, 6, 7, 8], "gain"].abs().max()


def test_reference_scores_are_seeded_and_shaped():
    matrix = blobs(n=600)
    first = reference_scores(matrix, 12, CLUSTERING)
    again = reference_scores(matrix, 12, CLUSTERING)
    pd.testing.assert_frame_equal(first, again)
    assert list(first.columns) == REFERENCE_COLUMNS and first["k"].tolist() == list(range(2, 13))


THRESHOLDS = {
    "max_k": 8,
    "sample_size": 1000,
    "min_gain": 0.05,
    "min_stability": 0.8,
    "stability_tolerance": 0.05,
    "max_practical_k": 6,
}


def reference_rule(thresholds: dict):
    """Settings of the 'reference' rule with these structure thresholds."""
    return clustering_settings(structure={**STRUCTURE, **thresholds})


def reference_table(gains, stabilities, null_stabilities=None) -> pd.DataFrame:
    ks = list(range(2, 2 + len(gains)))
    null = null_stabilities or [0.3] * len(ks)
    return pd.DataFrame(
        {
            "k": ks,
            "log_wcss": np.log(np.linspace(100, 50, len(ks))),
            "null_log_wcss": np.log(np.linspace(110, 60, len(ks))),
            "gain": gains,
            "stability_mean": stabilities,
            "stability_sd": 0.01,
            "null_stability_mean": null,
            "null_stability_sd": 0.02,
        }
    )


def test_elbow_is_the_largest_material_gain_then_extended_while_reproducible():
    gains = [0.01, 0.2, 0.08, 0.02, 0.01, 0.03, 0.01]  # k = 2..8: material at 3 and 4
    assert reference_elbow(
        reference_table(gains, [0.99, 0.95, 0.9, 0.7, 0.6, 0.6, 0.5]), THRESHOLDS
    ) == (4, 4)
    # k=5 keeps stability (0.88 >= 0.8 and within 0.05 of 0.9): extended; k=6 drops too far.
    assert reference_elbow(
        reference_table(gains, [0.99, 0.95, 0.9, 0.88, 0.8, 0.8, 0.8]), THRESHOLDS
    ) == (4, 5)
    assert reference_elbow(reference_table([0.04] * 7, [0.9] * 7), THRESHOLDS) == (None, None)
    # A material gain beyond max_k is not looked at: the elbow cannot move with the range.
    late = reference_table(gains + [0.3, 0.01], [0.9] * 9)
    assert reference_elbow(late, THRESHOLDS)[0] == 4


def test_a_small_gain_after_a_strong_split_does_not_win_without_the_lead_back():
    # The figures of a club's members with three planted kinds: k = 3 wins a lead of 1.51 over
    # the copies; k = 4..6 lose most of it, and k = 8's gain of 0.07 leaves a lead of 0.55.
    log_wcss = [5.1295, 2.9823, 2.7934, 2.6386, 2.4864, 2.3149, 2.16]
    null = [5.1284, 4.4914, 3.964, 3.4024, 2.9311, 2.7978, 2.7105]
    table = pd.DataFrame(
        {
            "k": range(2, 9),
            "log_wcss": log_wcss,
            "null_log_wcss": null,
            "gain": [-0.0011, 1.5102, -0.3385, -0.4068, -0.3191, 0.0382, 0.0676],
            "stability_mean": [1.0, 1.0, 0.93, 0.89, 0.78, 0.84, 0.86],
            "stability_sd": 0.05,
            "null_stability_mean": 0.9,
            "null_stability_sd": 0.05,
        }
    )
    # Nor is k = 4 added: its stability (0.93) is more than 0.05 below that of k = 3 (1.0).
    assert reference_elbow(table, THRESHOLDS) == (3, 3)


@pytest.mark.parametrize(
    ("elbow", "stability", "null", "natural"),
    [
        (4, 0.9, 0.5, True),
        (None, 0.9, 0.5, False),  # no segment count pays off beyond the structureless copies
        (4, 0.7, 0.2, False),  # not reproducible
        (4, 0.79, 0.2, False),  # just below min_stability
    ],
)
def test_verdict_needs_an_elbow_and_reproducibility(elbow, stability, null, natural):
    table = reference_table([0.1] * 7, [stability] * 7, [null] * 7)
    verdict = structure_verdict(table, 4, elbow, THRESHOLDS)
    assert verdict["natural_segments"] is natural
    assert verdict["stability_mean"] == stability and verdict["null_stability_mean"] == null
    assert verdict["thresholds"] == THRESHOLDS


def test_reference_rule_without_an_elbow_takes_the_knee_of_the_fixed_range():
    table = pd.DataFrame({"k": range(2, 7), "wcss": [9.0, 5, 4, 3.5, 3.2], "silhouette": 0.2})
    wcss = [1000.0, 500.0, 300.0, 280.0, 265.0, 255.0, 248.0]  # knee at 4 on k = 2..8
    reference = reference_table([0.01] * 7, [0.5] * 7).assign(log_wcss=np.log(wcss))
    decision = select_k(table, reference, reference_rule(THRESHOLDS))
    assert decision["chosen_k"] == 4 and decision["elbow_k"] is None
    assert decision["structure"]["natural_segments"] is False
    assert decision["explanation"].startswith("No number of segments stands out")
    narrow = table[table["k"] <= 3]  # k_range 2..3: the knee is clipped into the range
    assert select_k(narrow, reference, reference_rule(THRESHOLDS))["chosen_k"] == 3


@pytest.mark.parametrize("k_max", range(6, 13))
def test_without_an_elbow_a_knee_beyond_the_practical_cap_gives_the_cap_for_every_range(k_max):
    # The shuffled real file's case: no elbow, and the knee of the fixed range 2..12 lies at 7.
    wcss = [1000.0, 800, 620, 470, 350, 260, 200, 185, 175, 168, 163]  # k = 2..12
    structure = {**THRESHOLDS, "max_k": 12}
    reference = reference_table([0.01] * 11, [0.5] * 11).assign(log_wcss=np.log(wcss))
    assert find_knee(np.arange(2, 13), np.array(wcss), 1.0) == 7
    table = pd.DataFrame({"k": range(2, k_max + 1), "wcss": 1.0, "silhouette": 0.2})
    decision = select_k(table, reference, reference_rule(structure))
    assert decision["chosen_k"] == 6
    assert "capped at max_practical_k=6" in decision["reasoning"]
    assert "forces" not in decision["explanation"]


def test_an_elbow_that_does_not_come_back_is_explained_as_a_practical_number():
    # The real file's case: an elbow at 3, but the cut at 3 is not reproducible (0.73 < 0.8).
    gains = [0.01, 0.2, 0.01, 0.01, 0.01, 0.01, 0.01]  # k = 2..8
    reference = reference_table(gains, [0.9, 0.73, 0.6, 0.6, 0.6, 0.6, 0.6])
    table = pd.DataFrame({"k": range(2, 9), "wcss": 1.0, "silhouette": 0.2})
    decision = select_k(table, reference, reference_rule(THRESHOLDS))
    assert decision["chosen_k"] == 3 and decision["structure"]["natural_segments"] is False
    explanation = decision["explanation"]
    assert "does not come back reliably" in explanation and "0.73, below 0.8" in explanation
    assert "More segments would only cut existing groups" not in explanation
