"""The one hierarchy: exact path = scikit-learn, weighted Ward, two-stage agreement, WCSS, cuts."""

import logging
import time
from dataclasses import replace

import numpy as np
import pytest
from scipy.cluster.hierarchy import ward
from sklearn.cluster import AgglomerativeClustering
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score

from customer_segmentation.core.clustering.hierarchy import (
    build_hierarchy,
    cluster_labels,
    cut_linkage,
)
from customer_segmentation.core.clustering.kselection import within_cluster_sum_of_squares
from customer_segmentation.core.clustering.weighted_ward import weighted_ward_linkage
from tests.fixtures.clustering import base_params, clustering_settings

SETTINGS = clustering_settings()
PARAMS = base_params()  # what cluster_labels is given by other pipelines


@pytest.fixture(scope="module")
def blobs() -> np.ndarray:
    matrix, _ = make_blobs(600, n_features=5, centers=4, cluster_std=2.0, random_state=7)
    return matrix


@pytest.mark.parametrize("method", ["ward", "complete", "average", "single"])
def test_exact_path_labels_equal_scikit_learn(blobs, method):
    hierarchy = build_hierarchy(blobs, replace(SETTINGS, linkage_method=method))
    assert hierarchy.path == "exact"
    for k in range(2, 9):
        expected = AgglomerativeClustering(n_clusters=k, linkage=method).fit(blobs).labels_
        assert adjusted_rand_score(expected, hierarchy.labels(k)) == 1.0


def test_cut_gives_k_clusters_numbered_from_zero(blobs):
    linkage = ward(blobs)
    for k in (1, 2, 5, len(blobs)):
        labels = cut_linkage(linkage, k)
        assert sorted(np.unique(labels)) == list(range(k))


def test_weighted_ward_with_unit_weights_is_scipy_ward(blobs):
    np.testing.assert_allclose(
        weighted_ward_linkage(blobs, np.ones(len(blobs))), ward(blobs), rtol=1e-12, atol=1e-9
    )


def test_weighted_ward_equals_ward_on_the_expanded_points():
    rng = np.random.default_rng(3)
    points = rng.normal(size=(60, 4))
    weights = rng.integers(1, 6, size=60)
    expanded = np.repeat(points, weights, axis=0)
    weighted = weighted_ward_linkage(points, weights)
    full = ward(expanded)
    # Duplicates merge first at height 0; the remaining merges are the weighted tree's merges.
    np.testing.assert_allclose(weighted[:, 2], full[len(expanded) - len(points) :, 2], rtol=1e-9)
    np.testing.assert_array_equal(weighted[:, 3], full[len(expanded) - len(points) :, 3])
    for k in (2, 3, 7, 15):
        assert (
            adjusted_rand_score(np.repeat(cut_linkage(weighted, k), weights), cut_linkage(full, k))
            == 1.0
        )


def test_weighted_ward_merge_cost_uses_cluster_weights():
    # The true merge cost uses the cluster weights, not the number of points.
    points = np.array([[0.0], [1.0], [2.2]])
    unweighted = weighted_ward_linkage(points, np.array([1.0, 1.0, 1.0]))
    weighted = weighted_ward_linkage(points, np.array([1.0, 50.0, 1.0]))
    # Unweighted: 0 and 1 merge first (distance 1 < 1.2), then 2 joins at cost 2/3 * 1.7^2.
    assert unweighted[1, 2] == pytest.approx(np.sqrt(2 * 2 / 3 * 1.7**2))
    # Weighted: {0, 1} has weight 51 and centroid 50/51, so 2 joins at cost 51/52 * (2.2 - 50/51)^2.
    assert weighted[0, :2].tolist() == [0, 1]
    assert weighted[1, 2] == pytest.approx(np.sqrt(2 * 51 / 52 * (2.2 - 50 / 51) ** 2))


@pytest.mark.parametrize("exact_max", [40_000, 100])
def test_wcss_from_merge_heights_equals_direct_computation(exact_max):
    matrix, _ = make_blobs(3000, n_features=6, centers=5, cluster_std=2.5, random_state=1)
    hierarchy = build_hierarchy(matrix, replace(SETTINGS, exact_max_customers=exact_max))
    for k in range(2, 11):
        direct = within_cluster_sum_of_squares(matrix, hierarchy.labels(k))
        assert hierarchy.ward_wcss(k) == pytest.approx(direct, rel=1e-10)


def test_two_stage_agrees_with_exact_on_planted_segments(caplog):
    matrix, planted = make_blobs(20_000, n_features=12, centers=5, cluster_std=3.0, random_state=5)
    exact = build_hierarchy(matrix, SETTINGS)
    with caplog.at_level(logging.INFO, logger="customer_segmentation.core.clustering.hierarchy"):
        started = time.perf_counter()
        two_stage = build_hierarchy(matrix, replace(SETTINGS, exact_max_customers=10_000))
        elapsed = time.perf_counter() - started
    assert two_stage.path == "two_stage" and two_stage.n_leaves == 500
    assert (
        "two_stage" in caplog.text and "20000 customers > exact_max_customers=10000" in caplog.text
    )
    # At k up to the planted number the partitions are well defined; past it a planted blob is
    # split arbitrarily and the two paths may split it differently.
    for k in (3, 4, 5):
        assert adjusted_rand_score(exact.labels(k), two_stage.labels(k)) >= 0.9
    assert adjusted_rand_score(planted, two_stage.labels(5)) >= 0.9
    assert elapsed < 10


def test_cluster_labels_follows_the_pipeline_path(blobs):
    labels = cluster_labels(blobs, 4, PARAMS)
    assert labels.shape == (len(blobs),) and sorted(np.unique(labels)) == [0, 1, 2, 3]
    expected = AgglomerativeClustering(n_clusters=4).fit(blobs).labels_
    assert adjusted_rand_score(expected, labels) == 1.0
    small = cluster_labels(blobs, 4, {**PARAMS, "exact_max_customers": 100, "micro_clusters": 50})
    assert adjusted_rand_score(expected, small) >= 0.9
    with pytest.raises(ValueError, match="cannot split 600 rows into 601 clusters"):
        cluster_labels(blobs, 601, PARAMS)


def test_identical_customers_are_refused():
    with pytest.raises(ValueError, match="all 50 customers have identical feature values"):
        build_hierarchy(np.ones((50, 3)), SETTINGS)


def test_non_finite_values_are_refused(blobs):
    broken = blobs.copy()
    broken[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN or infinite"):
        build_hierarchy(broken, SETTINGS)


def test_matrix_methods_refuse_large_inputs(blobs):
    with pytest.raises(ValueError, match="'complete' needs an n\\^2/2 distance matrix"):
        build_hierarchy(
            blobs, replace(SETTINGS, linkage_method="complete", distance_matrix_max_customers=100)
        )
    with pytest.raises(ValueError, match="'single' has no large-n path"):
        build_hierarchy(blobs, replace(SETTINGS, linkage_method="single", exact_max_customers=100))
