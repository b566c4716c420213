"""The project's k selection + clustering in the same bare harness as common_approach.py.

Same input handling as the common approach (read ``model_input``, sort by ID, record the peak so
far as the baseline), then the core API the clustering nodes call: one hierarchy
(``build_hierarchy``), every k scored on one seeded silhouette sample (``score_k_range``), the k
chosen by the configured rule (``select_k``, with the structure check's ``reference_scores``) and
the tree cut at that k. Without Kedro's start-up and the other pipelines' imports, the two
processes differ only by the method, so their wall time and peak memory compare the methods.
Writes the labels at the chosen k to a ``.npz`` file; run in its own process under
``/usr/bin/time -v``.

Usage:
    python benchmarks/our_approach.py <model_input.parquet> <parameters_clustering.yml> <labels.npz>
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from customer_segmentation.core.clustering import kselection, stability
from customer_segmentation.core.clustering.hierarchy import build_hierarchy
from customer_segmentation.core.clustering.parameters import ClusteringSettings


def main(model_input: str, parameters: str, output: str) -> None:
    """Build, score, choose k and cut; print one JSON line with the timings and the decision."""
    clustering = yaml.safe_load(Path(parameters).read_text(encoding="utf-8"))["clustering"]
    settings = ClusteringSettings.from_params(clustering)
    frame = pd.read_parquet(model_input).sort_values("ID")
    ids = frame["ID"].to_numpy()
    matrix = frame.drop(columns="ID").to_numpy(dtype=float)
    # Peak so far: interpreter, imports and the data; the rest of the peak is the method's own.
    baseline_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    hierarchy = build_hierarchy(matrix, settings)
    fit_s = time.perf_counter() - started
    started = time.perf_counter()
    sample = kselection.seeded_sample(
        len(matrix), settings.silhouette_sample_size, settings.random_state
    )
    index_sample = kselection.seeded_sample(
        len(matrix), kselection.INDEX_SAMPLE_SIZE, settings.random_state
    )
    table = kselection.score_k_range(matrix, hierarchy, settings.ks, sample, index_sample)
    reference = stability.reference_scores(matrix, settings.reference_max_k, settings)
    decision = kselection.select_k(table, reference, settings)
    labels = hierarchy.labels(decision["chosen_k"])
    scoring_s = time.perf_counter() - started
    np.savez(output, ids=ids, labels=labels)
    print(
        json.dumps(
            {
                "fit_s": fit_s,
                "scoring_s": scoring_s,
                "chosen_k": decision["chosen_k"],
                "clustering_path": hierarchy.path,
                "silhouette": dict(
                    zip(table["k"].tolist(), table["silhouette"].tolist(), strict=True)
                ),
                "baseline_mib": baseline_mib,
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3])
