"""How well segments hold under resampling, and against data without segments (bounded cost).

``resampled_stability`` (the delivered segments, used by cluster_analysis): each resample draws
``sample_size`` customers with replacement, re-clusters them with the clustering pipeline's own
method at the delivered k, and compares the new labels with the delivered segments of the same
customers:

- adjusted Rand index (ARI) of the whole partition;
- per segment, the Jaccard similarity with its best-matching new cluster (Hennig's clusterboot).

Cost: ``n_resamples`` clusterings of ``sample_size`` rows, whatever the number of customers.

``reference_scores`` (the k rule and the structure verdict of the clustering pipeline): on one
seeded sample of customers, for every k of a fixed range, the within-cluster sum of squares and
the stability of the cut at k, and the same on structureless copies of the sample (principal
components shuffled one by one: the spread of the data in every direction is kept, the way the
directions combine into groups is destroyed). Cost: 1 + n_resamples + null_copies x
(1 + null_resamples) Ward trees of at most ``sample_size`` rows (0.06 s each at 4,000 rows x 6 on
an idle core), whatever the number of customers.
"""

from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score

from customer_segmentation.core.clustering.hierarchy import Hierarchy, build_hierarchy, cut_linkage
from customer_segmentation.core.clustering.parameters import ClusteringSettings

ClusterFn = Callable[[np.ndarray, int, dict], np.ndarray]
# Rows at given positions -> (their feature matrix, their delivered segments).
RowReader = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]


def best_match_jaccard(
    reference: np.ndarray, labels: np.ndarray, segments: np.ndarray
) -> np.ndarray:
    """Per segment in ``segments``: max Jaccard with any cluster of ``labels`` (NaN if absent)."""
    ref_codes = np.searchsorted(segments, reference)
    new_values, new_codes = np.unique(labels, return_inverse=True)
    table = np.zeros((len(segments), len(new_values)))
    np.add.at(table, (ref_codes, new_codes), 1.0)
    ref_size = table.sum(axis=1, keepdims=True)
    new_size = table.sum(axis=0, keepdims=True)
    union = ref_size + new_size - table
    jaccard = np.divide(table, union, out=np.zeros_like(table), where=union > 0)
    best = jaccard.max(axis=1)
    return np.where(ref_size[:, 0] > 0, best, np.nan)


def resampled_stability(
    read_rows: RowReader,
    n_rows: int,
    segment_ids: np.ndarray,
    cluster_fn: ClusterFn,
    cluster_settings: dict,
    *,
    n_resamples: int,
    sample_size: int,
    random_state: int,
) -> dict:
    """ARI per resample and per-segment Jaccard recovery (mean and min over resamples) of
    ``n_rows`` rows read on demand: only the drawn rows are built (``read_rows``: positions ->
    their matrix and segments, read once for every resample).

    ``segment_ids``: the distinct segments of all rows, sorted.
    """
    rng = np.random.default_rng(random_state)
    k = len(segment_ids)
    size = min(sample_size, n_rows)
    # Every resample's rows are drawn first and read in one go (one pass over the customers).
    drawn = np.concatenate([rng.integers(0, n_rows, size) for _ in range(n_resamples)])
    rows, segments = read_rows(drawn)
    aris, jaccards = [], []
    for start in range(0, n_resamples * size, size):  # a bounded number of resamples
        sample, reference = rows[start : start + size], segments[start : start + size]
        labels = cluster_fn(sample, k, cluster_settings)
        aris.append(adjusted_rand_score(reference, labels))
        jaccards.append(best_match_jaccard(reference, labels, segment_ids))
    ari = np.asarray(aris)
    jaccard = np.vstack(jaccards)
    return {
        "n_resamples": int(n_resamples),
        "sample_size": int(size),
        "random_state": int(random_state),
        "n_clusters": int(k),
        "ari_mean": round(float(ari.mean()), 4),
        "ari_min": round(float(ari.min()), 4),
        "ari_max": round(float(ari.max()), 4),
        "ari_sd": round(float(ari.std(ddof=0)), 4),
        "ari_per_resample": [round(float(value), 4) for value in ari],
        "segments": [
            {
                "segment": int(segment),
                "jaccard_mean": round(float(np.nanmean(jaccard[:, i])), 4),
                "jaccard_min": round(float(np.nanmin(jaccard[:, i])), 4),
            }
            for i, segment in enumerate(segment_ids)
        ],
    }


REFERENCE_COLUMNS = [
    "k",
    "log_wcss",
    "null_log_wcss",
    "gain",
    "stability_mean",
    "stability_sd",
    "null_stability_mean",
    "null_stability_sd",
]


def structureless_copy(points: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The points on their principal components, each component shuffled on its own (n x d).

    Keeps the variance along every principal direction (and each component's distribution) but
    no joint structure: a Gaussian cloud maps to an equivalent Gaussian cloud, planted groups do
    not survive as groups. Distances are rotation-invariant, so the copy stays in the PC basis.
    """
    centred = points - points.mean(axis=0)
    _, _, directions = np.linalg.svd(centred, full_matrices=False)
    return rng.permuted(centred @ directions.T, axis=0)


def _tree(points: np.ndarray, settings: ClusteringSettings) -> Hierarchy:
    """The pipeline's own linkage of a sample (exact: samples are far below the two-stage size)."""
    return build_hierarchy(points, replace(settings, exact_max_customers=len(points)))


def _log_wcss(tree: Hierarchy, points: np.ndarray, ks: list[int]) -> np.ndarray:
    """log WCSS of the tree's cut at 1 (all points) and at every k of ``ks``."""
    if tree.method == "ward":
        values = [tree.ward_wcss(k) for k in [1, *ks]]
    else:
        values = [float(np.sum((points - points.mean(axis=0)) ** 2))]
        for k in ks:
            labels = tree.labels(k)
            counts = np.bincount(labels)[:, None]
            means = np.vstack([np.bincount(labels, weights=c) for c in points.T]).T / counts
            values.append(float(np.sum((points - means[labels]) ** 2)))
    return np.log(np.maximum(values, np.finfo(float).tiny))


def _cut_stability(
    points: np.ndarray,
    tree: Hierarchy,
    ks: list[int],
    settings: ClusteringSettings,
    *,
    rng: np.random.Generator,
    n_resamples: int,
    subsample_share: float,
) -> np.ndarray:
    """ARI (n_resamples x len(ks)) between the tree's cut at k and the cut at k of a tree built
    on a random subsample (without replacement) of the points, on the subsample's points."""
    size = max(int(subsample_share * len(points)), max(ks) + 1)
    aris = np.empty((n_resamples, len(ks)))
    for row in range(n_resamples):
        rows = np.sort(rng.choice(len(points), size=size, replace=False))
        sub_tree = _tree(points[rows], settings)
        for column, k in enumerate(ks):
            full = cut_linkage(tree.linkage, k)[rows]
            aris[row, column] = adjusted_rand_score(full, cut_linkage(sub_tree.linkage, k))
    return aris


def reference_scores(matrix: np.ndarray, max_k: int, settings: ClusteringSettings) -> pd.DataFrame:
    """Per k = 2..max_k: a sample's WCSS curve and stability, and both on structureless copies.

    ``matrix``: customers x features (model_input). ``settings``: linkage method, random_state
    and ``structure`` (``sample_size``, ``n_resamples``, ``subsample_share``, ``null_copies``,
    ``null_resamples``).

    Columns (REFERENCE_COLUMNS): ``log_wcss`` of the sample's tree cut at k; ``null_log_wcss``
    its mean over the structureless copies; ``gain``: how much more the k-th segment lowers
    log WCSS than it does without structure, (log W(k-1) - log W(k)) minus the copies' same drop
    (the step of Tibshirani's gap statistic, with k=1 the whole sample); ``stability_*``: mean
    and sd over resamples of the ARI between the cut at k of the sample and of a subsample;
    ``null_stability_*``: the same over every resample of every copy.
    """
    ks = list(range(2, max_k + 1))
    reference = settings.structure
    rng = np.random.default_rng(settings.random_state)
    size = min(reference["sample_size"], len(matrix))
    rows = np.sort(rng.choice(len(matrix), size=size, replace=False))
    points = np.ascontiguousarray(matrix[rows], dtype=np.float64)
    share = reference["subsample_share"]
    tree = _tree(points, settings)
    log_wcss = _log_wcss(tree, points, ks)
    stability = _cut_stability(
        points,
        tree,
        ks,
        settings,
        rng=rng,
        n_resamples=reference["n_resamples"],
        subsample_share=share,
    )
    null_curves, null_stability = [], []
    for _ in range(reference["null_copies"]):
        copy = structureless_copy(points, rng)
        copy_tree = _tree(copy, settings)
        null_curves.append(_log_wcss(copy_tree, copy, ks))
        null_stability.append(
            _cut_stability(
                copy,
                copy_tree,
                ks,
                settings,
                rng=rng,
                n_resamples=reference["null_resamples"],
                subsample_share=share,
            )
        )
    null_log_wcss = np.mean(null_curves, axis=0)
    null_stability = np.vstack(null_stability)
    table = pd.DataFrame(
        {
            "k": ks,
            "log_wcss": log_wcss[1:],
            "null_log_wcss": null_log_wcss[1:],
            "gain": -np.diff(log_wcss) + np.diff(null_log_wcss),
            "stability_mean": stability.mean(axis=0),
            "stability_sd": stability.std(axis=0),
            "null_stability_mean": null_stability.mean(axis=0),
            "null_stability_sd": null_stability.std(axis=0),
        }
    )
    return table[REFERENCE_COLUMNS]
