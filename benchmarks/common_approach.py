"""The common approach to choosing k: refit scikit-learn's Ward ``AgglomerativeClustering`` for
every k and score each partition with ``silhouette_score`` over all points.

Runs on the project's own ``model_input`` (rows sorted by ID, as the clustering pipeline does) and
writes the labels of every k to a ``.npz`` file so that run_benchmarks.py can compare them with
``customer_segments``. Run in its own process under ``/usr/bin/time -v``.

Usage: python benchmarks/common_approach.py <model_input.parquet> <k min> <k max> <labels.npz>
"""

from __future__ import annotations

import json
import resource
import sys
import time

import numpy as np
import pandas as pd
from sklearn.cluster import AgglomerativeClustering
from sklearn.metrics import silhouette_score


def main(model_input: str, k_min: int, k_max: int, output: str) -> None:
    """Fit and score every k; print one JSON line with the timings and silhouettes."""
    frame = pd.read_parquet(model_input).sort_values("ID")
    ids = frame["ID"].to_numpy()
    matrix = frame.drop(columns="ID").to_numpy(dtype=float)
    # Peak so far: interpreter, imports and the data; the rest of the peak is the method's own.
    baseline_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    fit_s = silhouette_s = 0.0
    labels, silhouettes = {}, {}
    for k in range(k_min, k_max + 1):
        started = time.perf_counter()
        labels[k] = AgglomerativeClustering(n_clusters=k, linkage="ward").fit_predict(matrix)
        fit_s += time.perf_counter() - started
        started = time.perf_counter()
        silhouettes[k] = float(silhouette_score(matrix, labels[k]))
        silhouette_s += time.perf_counter() - started
    np.savez(output, ids=ids, **{f"k{k}": value for k, value in labels.items()})
    print(
        json.dumps(
            {
                "fit_s": fit_s,
                "silhouette_s": silhouette_s,
                "silhouette": silhouettes,
                "baseline_mib": baseline_mib,
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
