"""k range checks, silhouette sampling, the knee and the selection rules."""

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_blobs
from sklearn.metrics import silhouette_samples, silhouette_score

from customer_segmentation.core.clustering.hierarchy import build_hierarchy
from customer_segmentation.core.clustering.kselection import (
    K_SELECTION_COLUMNS,
    find_knee,
    k_values,
    sample_silhouettes,
    score_k_range,
    select_k,
    silhouette_sample,
)

SELECTION = {
    "rule": "combined",
    "knee_sensitivity": 1.0,
    "knee_window": 1,
    "silhouette_margin": 0.02,
    "silhouette_floor": 0.10,
    "silhouette_noise": 0.005,
    "fixed_k": 4,
}
# A clear elbow at k=4; silhouette best at k=2.
WCSS = [1000.0, 600.0, 300.0, 270.0, 245.0, 225.0, 210.0, 200.0, 192.0]
KS = list(range(2, 11))


def table(silhouettes: list[float]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "k": KS,
            "wcss": WCSS,
            "silhouette": silhouettes,
            "calinski_harabasz": 1.0,
            "davies_bouldin": 1.0,
        }
    )


def test_k_values_checks_range_and_size():
    assert k_values({"min": 2, "max": 10}, 11) == KS
    with pytest.raises(ValueError, match="need 2 <= min <= max"):
        k_values({"min": 1, "max": 10}, 100)
    with pytest.raises(ValueError, match="need 2 <= min <= max"):
        k_values({"min": 6, "max": 5}, 100)
    with pytest.raises(ValueError, match="integer min and max"):
        k_values({"min": 2, "max": "ten"}, 100)
    with pytest.raises(ValueError, match="8 customers but clustering.k_range goes up to k=10"):
        k_values({"min": 2, "max": 10}, 8)


def test_silhouette_sample_is_seeded_and_bounded():
    assert np.array_equal(silhouette_sample(50, 100, 0), np.arange(50))
    first, again = silhouette_sample(10_000, 500, 3), silhouette_sample(10_000, 500, 3)
    assert np.array_equal(first, again) and len(np.unique(first)) == 500
    assert not np.array_equal(first, silhouette_sample(10_000, 500, 4))


def test_score_k_range_numbers():
    matrix, _ = make_blobs(400, n_features=4, centers=3, random_state=2)
    hierarchy = build_hierarchy(
        matrix,
        {
            "linkage_method": "ward",
            "exact_max_customers": 1000,
            "distance_matrix_max_customers": 1000,
        },
    )
    sample = silhouette_sample(len(matrix), 150, 0)
    scores = score_k_range(matrix, hierarchy, [2, 3, 4], sample, chunk_rows=64)
    assert list(scores.columns) == K_SELECTION_COLUMNS and scores["k"].dtype == "int64"
    labels = hierarchy.labels(3)
    assert scores.loc[1, "silhouette"] == pytest.approx(
        silhouette_score(matrix[sample], labels[sample])
    )
    assert scores["wcss"].is_monotonic_decreasing
    assert scores.loc[scores["silhouette"].idxmax(), "k"] == 3


def test_sample_silhouettes_equal_scikit_learn():
    rng = np.random.default_rng(4)
    points = rng.normal(size=(230, 3))
    partitions = [rng.integers(0, k, 230) for k in (2, 5, 9)]
    partitions[2][:3] = [20, 21, 22]  # singletons score 0, as in scikit-learn
    values = sample_silhouettes(points, partitions, chunk_rows=50)
    for labels, ours in zip(partitions, values, strict=True):
        np.testing.assert_allclose(ours, silhouette_samples(points, labels), atol=1e-10)


def test_find_knee_on_a_clear_elbow():
    assert find_knee(np.array(KS), np.array(WCSS), 1.0) == 4
    assert find_knee(np.array([2, 3]), np.array([5.0, 1.0]), 1.0) is None


def test_combined_keeps_the_knee_over_a_better_k2():
    # The shape seen on customer data: silhouette best at k=2, a clear elbow at k=4.
    sil = [0.29, 0.184, 0.174, 0.168, 0.16, 0.12, 0.11, 0.10, 0.10]
    decision = select_k(table(sil), SELECTION)
    assert decision["chosen_k"] == 4 and decision["knee_k"] == 4
    assert decision["best_silhouette_k"] == 2
    assert "the knee stands" in decision["reasoning"]
    assert "best silhouette overall is 0.290 at k=2" in decision["reasoning"]


def test_combined_moves_to_a_clearly_better_neighbour():
    sil = [0.40, 0.31, 0.30, 0.33, 0.29, 0.28, 0.27, 0.26, 0.25]
    decision = select_k(table(sil), SELECTION)
    assert decision["chosen_k"] == 5
    assert "neighbour k=5 beats it by more than the margin 0.02" in decision["reasoning"]
    # k=3 is within the margin; with a window of 0 the knee is kept.
    assert select_k(table(sil), {**SELECTION, "knee_window": 0})["chosen_k"] == 4


def test_combined_falls_back_to_silhouette_below_the_floor():
    sil = [0.30, 0.06, 0.05, 0.06, 0.04, 0.04, 0.03, 0.03, 0.03]
    decision = select_k(table(sil), SELECTION)
    assert decision["chosen_k"] == 2
    assert "below the floor 0.1" in decision["reasoning"]


def test_silhouette_rule_settles_noise_sized_differences_by_the_knee():
    sil = [0.400, 0.380, 0.397, 0.30, 0.29, 0.28, 0.27, 0.26, 0.25]
    tied = select_k(table(sil), {**SELECTION, "rule": "silhouette"})
    assert tied["chosen_k"] == 4 and "within the sampling noise" in tied["reasoning"]
    clear = select_k(table(sil), {**SELECTION, "rule": "silhouette", "silhouette_noise": 0.001})
    assert clear["chosen_k"] == 2


def test_elbow_fixed_and_invalid_rules():
    sil = [0.40, 0.37, 0.30, 0.30, 0.29, 0.28, 0.27, 0.26, 0.25]
    assert select_k(table(sil), {**SELECTION, "rule": "elbow"})["chosen_k"] == 4
    assert select_k(table(sil), {**SELECTION, "rule": "fixed", "fixed_k": 7})["chosen_k"] == 7
    with pytest.raises(ValueError, match="fixed_k=12 is outside the k range 2..10"):
        select_k(table(sil), {**SELECTION, "rule": "fixed", "fixed_k": 12})
    with pytest.raises(
        ValueError, match="use one of reference, combined, silhouette, elbow, fixed"
    ):
        select_k(table(sil), {**SELECTION, "rule": "gap"})


def test_without_a_knee_the_silhouette_decides():
    straight = table([0.30, 0.35, 0.32, 0.30, 0.29, 0.28, 0.27, 0.26, 0.25])
    straight["wcss"] = np.linspace(1000, 200, len(KS))
    decision = select_k(straight, SELECTION)
    assert decision["knee_k"] is None and decision["chosen_k"] == 3
    assert "no knee" in decision["reasoning"]
