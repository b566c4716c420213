"""How well the segments hold under resampling (seeded bootstrap, bounded cost).

Each resample draws ``sample_size`` customers with replacement, re-clusters them with the
clustering pipeline's own method at the delivered k, and compares the new labels with the
delivered segments of the same customers:

- adjusted Rand index (ARI) of the whole partition;
- per segment, the Jaccard similarity with its best-matching new cluster (Hennig's clusterboot).

Cost: ``n_resamples`` clusterings of ``sample_size`` rows, whatever the number of customers.
"""

from collections.abc import Callable

import numpy as np
from sklearn.metrics import adjusted_rand_score

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
    ``n_rows`` rows read on demand: only the drawn rows are built.

    ``segment_ids``: the distinct segments of all rows, sorted.
    """
    rng = np.random.default_rng(random_state)
    k = len(segment_ids)
    size = min(sample_size, n_rows)
    aris, jaccards = [], []
    for _ in range(n_resamples):  # a bounded number of resamples, each vectorised
        sample, reference = read_rows(rng.integers(0, n_rows, size))
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
