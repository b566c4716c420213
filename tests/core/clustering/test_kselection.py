"""Silhouette sampling, the per-k scores, the knee and the 'fixed' rule."""

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_blobs

from customer_segmentation.core.clustering.hierarchy import build_hierarchy
from customer_segmentation.core.clustering.kselection import (
    K_SELECTION_COLUMNS,
    find_knee,
    score_k_range,
    seeded_sample,
    select_k,
)
from customer_segmentation.core.clustering.stability import reference_scores
from tests.fixtures.clustering import clustering_settings

# A clear elbow at k=4; silhouette best at k=2.
WCSS = [1000.0, 600.0, 300.0, 270.0, 245.0, 225.0, 210.0, 200.0, 192.0]
KS = list(range(2, 11))


def test_silhouette_sample_is_seeded_and_bounded():
    assert np.array_equal(seeded_sample(50, 100, 0), np.arange(50))
    first, again = seeded_sample(10_000, 500, 3), seeded_sample(10_000, 500, 3)
    assert np.array_equal(first, again) and len(np.unique(first)) == 500
    assert not np.array_equal(first, seeded_sample(10_000, 500, 4))


def test_score_k_range_finds_the_planted_groups():
    matrix, _ = make_blobs(400, n_features=4, centers=3, random_state=2)
    hierarchy = build_hierarchy(matrix, clustering_settings())
    sample = seeded_sample(len(matrix), 150, 0)
    scores = score_k_range(matrix, hierarchy, [2, 3, 4], sample, np.arange(len(matrix)))
    assert list(scores.columns) == K_SELECTION_COLUMNS and scores["k"].dtype == "int64"
    assert scores["wcss"].is_monotonic_decreasing
    best = scores.set_index("k")
    assert best["silhouette"].idxmax() == best["calinski_harabasz"].idxmax() == 3
    assert best["davies_bouldin"].idxmin() == 3


def test_a_sample_holding_one_cluster_has_no_silhouette():
    # 300 customers in one tight group and 2 far away: a sample of the first rows sees one cluster.
    rng = np.random.default_rng(0)
    matrix = np.vstack([rng.normal(size=(300, 2)), [[100.0, 100.0], [101.0, 100.0]]])
    hierarchy = build_hierarchy(matrix, clustering_settings())
    scores = score_k_range(matrix, hierarchy, [2], np.arange(50), np.arange(len(matrix)))
    assert np.isnan(scores.loc[0, "silhouette"]) and scores.loc[0, "calinski_harabasz"] > 0


def test_find_knee_on_a_clear_elbow():
    assert find_knee(np.array(KS), np.array(WCSS), 1.0) == 4
    assert find_knee(np.array([2, 3]), np.array([5.0, 1.0]), 1.0) is None


def test_fixed_rule_takes_fixed_k_and_still_judges_the_structure():
    table = pd.DataFrame(
        {
            "k": KS,
            "wcss": WCSS,
            "silhouette": [0.40, 0.37, 0.30, 0.30, 0.29, 0.28, 0.27, 0.26, 0.25],
            "calinski_harabasz": 1.0,
            "davies_bouldin": 1.0,
        }
    )
    reference = pd.DataFrame(
        {
            "k": range(2, 13),
            "log_wcss": np.log(np.linspace(100, 50, 11)),
            "null_log_wcss": np.log(np.linspace(110, 60, 11)),
            "gain": [0.01, 0.01, 0.3] + [0.01] * 8,  # an elbow at k=4
            "stability_mean": 0.9,
            "stability_sd": 0.01,
            "null_stability_mean": 0.3,
            "null_stability_sd": 0.02,
        }
    )
    decision = select_k(table, reference, clustering_settings(rule="fixed", fixed_k=7))
    assert decision["rule"] == "fixed" and decision["chosen_k"] == 7
    assert decision["knee_k"] == 4 and decision["best_silhouette_k"] == 2
    assert decision["silhouette_at_chosen_k"] == 0.28 and decision["elbow_k"] == 4
    assert decision["explanation"] == (
        "The number of segments was set by the 'fixed' rule: k fixed by parameter at 7."
    )
    assert decision["structure"]["natural_segments"] is True
    assert "7 distinct groups" in decision["structure"]["statement"]
    assert len(decision["reference_scores"]) == 11


@pytest.mark.parametrize("rule", ["reference", "fixed"])
def test_both_rules_report_the_same_fields(rule):
    matrix, _ = make_blobs(500, n_features=4, centers=3, random_state=4)
    small = {**clustering_settings().structure, "sample_size": 300}  # a fast structure check
    settings = clustering_settings(rule=rule, fixed_k=5, structure=small)
    hierarchy = build_hierarchy(matrix, settings)
    rows = np.arange(len(matrix))
    table = score_k_range(matrix, hierarchy, settings.ks, rows, rows)
    decision = select_k(
        table, reference_scores(matrix, settings.reference_max_k, settings), settings
    )
    assert decision["chosen_k"] == (3 if rule == "reference" else 5)
    assert set(decision) == {
        "rule",
        "chosen_k",
        "knee_k",
        "best_silhouette_k",
        "silhouette_at_chosen_k",
        "best_silhouette",
        "reasoning",
        "elbow_k",
        "structure",
        "explanation",
        "reference_scores",
    }
