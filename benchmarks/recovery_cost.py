"""Cost of the structure check in the clustering step: the select_k node and its parts.

On N planted 6-dimensional customers (scikit-learn blobs, 5 centres) the clustering nodes run in
turn: the hierarchy, the k scores, then, repeatedly, the structure check alone
(``stability.reference_scores``: Ward trees of a seeded sample and of structureless copies) and
the whole ``select_k`` node (the check, the 'reference' rule and the verdict). Repeating both in
one process keeps the comparison fair on a machine shared with other jobs.

Usage:
    python benchmarks/recovery_cost.py [--customers 1000000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from sklearn.datasets import make_blobs

from customer_segmentation.core.clustering import stability
from customer_segmentation.core.clustering.hierarchy import model_input_matrix
from customer_segmentation.core.clustering.parameters import ClusteringSettings
from customer_segmentation.pipelines.clustering import nodes

PARAMETERS = Path(__file__).resolve().parents[1] / "conf/base/parameters_clustering.yml"


def _timed(function, *args):
    started = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    clustering = yaml.safe_load(PARAMETERS.read_text())["clustering"]
    matrix, _ = make_blobs(args.customers, n_features=6, centers=5, random_state=0)
    model_input = pd.DataFrame(matrix, columns=[f"f{i}" for i in range(6)])
    model_input.insert(0, "ID", np.arange(args.customers))
    hierarchy, build_s = _timed(nodes.build_segmentation_hierarchy, model_input, clustering)
    table, score_s = _timed(nodes.score_k_range, model_input, hierarchy, clustering)
    print(f"{args.customers} customers: hierarchy {build_s:.1f} s, k scores {score_s:.1f} s")
    settings = ClusteringSettings.from_params(clustering)
    _, sorted_matrix = model_input_matrix(model_input)
    for _ in range(args.repeats):
        _, check_s = _timed(
            stability.reference_scores, sorted_matrix, settings.reference_max_k, settings
        )
        decision, node_s = _timed(nodes.select_k, model_input, table, hierarchy, clustering)
        print(
            f"structure check {check_s:.2f} s; select_k node {node_s:.2f} s "
            f"(k={decision['chosen_k']}, natural segments: "
            f"{decision['structure']['natural_segments']})",
            flush=True,
        )


if __name__ == "__main__":
    main()
