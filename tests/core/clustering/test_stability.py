"""Bootstrap stability: seeded, bounded, and right on clear and on random structure."""

import numpy as np
import pytest

from customer_segmentation.core.clustering import stability
from customer_segmentation.pipelines.cluster_analysis.nodes import assess_stability
from tests.fixtures.cluster_analysis import matrix_by_segment_then_id, ward_labels


def bootstrap_in_memory(matrix, segments, cluster_fn, settings, **kwargs) -> dict:
    """The stability of a whole matrix held in memory: every row readable at once."""
    return stability.resampled_stability(
        lambda rows: (matrix[rows], segments[rows]),
        len(matrix),
        np.unique(segments),
        cluster_fn,
        settings,
        **kwargs,
    )


def test_best_match_jaccard_counts_overlaps():
    reference = np.array([1, 1, 1, 2, 2, 3])
    labels = np.array([0, 0, 1, 1, 1, 1])
    # segment 1 {0,1,2} vs cluster 0 {0,1}: 2/3; segment 2 {3,4} vs cluster 1 {2..5}: 2/4;
    # segment 3 {5} vs cluster 1: 1/4
    result = stability.best_match_jaccard(reference, labels, np.array([1, 2, 3, 4]))
    assert result[:3] == pytest.approx([2 / 3, 0.5, 0.25])
    assert np.isnan(result[3])


def test_separated_blobs_are_perfectly_stable():
    rng = np.random.default_rng(0)
    centres = np.array([[0, 0], [10, 0], [0, 10]])
    segments = np.repeat([1, 2, 3], 60)
    matrix = centres[segments - 1] + rng.normal(0, 0.5, (180, 2))
    result = bootstrap_in_memory(
        matrix, segments, ward_labels, {}, n_resamples=5, sample_size=100, random_state=1
    )
    assert result["ari_mean"] == 1.0
    assert result["sample_size"] == 100
    assert [s["jaccard_min"] for s in result["segments"]] == [1.0, 1.0, 1.0]


def test_random_labels_are_not_stable():
    rng = np.random.default_rng(0)
    matrix = rng.normal(size=(150, 3))
    segments = rng.integers(1, 4, 150)
    result = bootstrap_in_memory(
        matrix, segments, ward_labels, {}, n_resamples=5, sample_size=150, random_state=1
    )
    assert result["ari_mean"] < 0.1


def test_node_is_deterministic_and_uses_the_parameters(
    model_input, customer_segments, clustering_params, analysis_params
):
    settings = {**analysis_params["stability"], "n_resamples": 4, "sample_size": 200}
    first = assess_stability(model_input, customer_segments, clustering_params, settings)
    second = assess_stability(model_input, customer_segments, clustering_params, settings)
    assert first == second
    assert len(first["ari_per_resample"]) == 4
    assert first["sample_size"] == 200
    assert first["n_clusters"] == 3
    assert 0 < first["ari_min"] <= first["ari_mean"] <= 1
    assert [s["segment"] for s in first["segments"]] == [1, 2, 3]
    other_seed = assess_stability(
        model_input, customer_segments, clustering_params, {**settings, "random_state": 1}
    )
    assert other_seed["ari_per_resample"] != first["ari_per_resample"]


def test_node_equals_the_bootstrap_of_the_whole_matrix(
    model_input, customer_segments, clustering_params, analysis_params
):
    # The node gathers only the drawn rows; the full (segment, ID)-sorted matrix must give the
    # very same resamples, clusterings and figures.
    from customer_segmentation.core.clustering.hierarchy import cluster_labels  # noqa: PLC0415

    settings = {**analysis_params["stability"], "n_resamples": 3, "sample_size": 150}
    shuffled = customer_segments.sample(frac=1.0, random_state=3)  # row order must not matter
    matrix, segments = matrix_by_segment_then_id(model_input, customer_segments)
    expected = bootstrap_in_memory(
        matrix,
        segments,
        cluster_labels,
        clustering_params,
        n_resamples=3,
        sample_size=150,
        random_state=settings["random_state"],
    )
    for table in [customer_segments, shuffled]:
        found = assess_stability(model_input, table, clustering_params, settings)
        assert {key: found[key] for key in expected} == expected
