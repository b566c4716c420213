"""The one-pass Calinski-Harabasz and Davies-Bouldin indices equal scikit-learn's."""

import numpy as np
import pytest
from sklearn.datasets import make_blobs
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score

from customer_segmentation.core.clustering.hierarchy import build_hierarchy
from customer_segmentation.core.clustering.kselection import (
    calinski_harabasz_davies_bouldin,
    group_sums,
    score_k_range,
)

TWO_STAGE = {
    "linkage_method": "ward",
    "exact_max_customers": 500,
    "distance_matrix_max_customers": 500,
    "micro_clusters": 60,
    "micro_batch_size": 1024,
    "micro_n_init": 3,
    "micro_threads": 1,
    "random_state": 42,
}


def scores(matrix: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """The two indices of a partition, centroids from the rows themselves."""
    columns = np.ascontiguousarray(matrix.T)
    counts, sums = group_sums(labels, columns)
    return calinski_harabasz_davies_bouldin(columns, labels, counts, sums / counts)


@pytest.mark.parametrize("k", [2, 3, 7])
def test_scores_equal_scikit_learn(k):
    matrix, labels = make_blobs(3_000, n_features=4, centers=k, cluster_std=2.5, random_state=k)
    calinski, davies = scores(matrix, labels)
    assert calinski == pytest.approx(calinski_harabasz_score(matrix, labels), rel=1e-10)
    assert davies == pytest.approx(davies_bouldin_score(matrix, labels), rel=1e-10)


def test_k_scores_from_micro_cluster_sums_equal_scikit_learn():
    # On the two-stage path the centroids of every k come from per-micro-cluster sums.
    matrix, _ = make_blobs(3_000, n_features=4, centers=4, cluster_std=2.0, random_state=5)
    hierarchy = build_hierarchy(matrix, TWO_STAGE)
    assert hierarchy.path == "two_stage"
    table = score_k_range(matrix, hierarchy, [2, 3, 4, 5], np.arange(0, 3_000, 3), 250)
    for row in table.itertuples():
        labels = hierarchy.labels(row.k)
        assert row.calinski_harabasz == pytest.approx(
            calinski_harabasz_score(matrix, labels), rel=1e-10
        )
        assert row.davies_bouldin == pytest.approx(davies_bouldin_score(matrix, labels), rel=1e-10)


def test_identical_points_in_each_cluster():
    matrix = np.repeat([[0.0, 0.0], [3.0, 4.0]], 5, axis=0)
    labels = np.repeat([0, 1], 5)
    assert scores(matrix, labels) == (1.0, 0.0)
    assert calinski_harabasz_score(matrix, labels) == 1.0
    assert davies_bouldin_score(matrix, labels) == 0.0
