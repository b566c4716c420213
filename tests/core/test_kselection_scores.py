"""The one-pass Calinski-Harabasz and Davies-Bouldin indices equal scikit-learn's."""

import numpy as np
import pytest
from sklearn.datasets import make_blobs
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score

from customer_segmentation.core.kselection import calinski_harabasz_davies_bouldin


@pytest.mark.parametrize("k", [2, 3, 7])
def test_scores_equal_scikit_learn(k):
    matrix, labels = make_blobs(3_000, n_features=4, centers=k, cluster_std=2.5, random_state=k)
    calinski, davies = calinski_harabasz_davies_bouldin(matrix, labels)
    assert calinski == pytest.approx(calinski_harabasz_score(matrix, labels), rel=1e-10)
    assert davies == pytest.approx(davies_bouldin_score(matrix, labels), rel=1e-10)


def test_labels_need_not_be_numbered_from_zero():
    matrix, labels = make_blobs(500, n_features=3, centers=3, random_state=1)
    shifted = calinski_harabasz_davies_bouldin(matrix, labels * 10 - 5)
    assert shifted == pytest.approx(calinski_harabasz_davies_bouldin(matrix, labels), rel=1e-12)


def test_identical_points_in_each_cluster():
    matrix = np.repeat([[0.0, 0.0], [3.0, 4.0]], 5, axis=0)
    labels = np.repeat([0, 1], 5)
    assert calinski_harabasz_davies_bouldin(matrix, labels) == (1.0, 0.0)
    assert calinski_harabasz_score(matrix, labels) == 1.0
    assert davies_bouldin_score(matrix, labels) == 0.0
