"""Two-stage path past `micro_fit_max_customers`: micro-clusters fitted on a seeded sample."""

from dataclasses import replace

import numpy as np
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score

from customer_segmentation.core.clustering.hierarchy import build_hierarchy
from tests.fixtures.clustering import clustering_settings

SETTINGS = clustering_settings(
    exact_max_customers=1_000,
    distance_matrix_max_customers=1_000,
    micro_clusters=100,
    micro_fit_max_customers=None,
)


def _blobs():
    return make_blobs(20_000, n_features=5, centers=5, cluster_std=1.0, random_state=3)


def test_sampled_fit_finds_the_planted_segments_like_the_full_fit():
    matrix, truth = _blobs()
    full = build_hierarchy(matrix, replace(SETTINGS, micro_fit_max_customers=None))
    sampled = build_hierarchy(matrix, replace(SETTINGS, micro_fit_max_customers=4_000))
    assert sampled.path == "two_stage"
    assert len(sampled.leaf_of_row) == len(matrix)  # every row joined a micro-cluster
    assert adjusted_rand_score(truth, sampled.labels(5)) > 0.95
    assert adjusted_rand_score(full.labels(5), sampled.labels(5)) > 0.95


def test_sampled_fit_is_reproducible_and_unused_below_the_limit():
    matrix, _ = _blobs()
    settings = replace(SETTINGS, micro_fit_max_customers=4_000)
    first, second = build_hierarchy(matrix, settings), build_hierarchy(matrix, settings)
    np.testing.assert_array_equal(first.labels(5), second.labels(5))
    below = build_hierarchy(matrix, replace(SETTINGS, micro_fit_max_customers=len(matrix)))
    unset = build_hierarchy(matrix, SETTINGS)
    np.testing.assert_array_equal(below.linkage, unset.linkage)
