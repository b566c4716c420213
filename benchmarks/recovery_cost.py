"""Cost of the structure check in the clustering step: select_k before and after, same process.

On N planted 6-dimensional customers (scikit-learn blobs, 5 centres) the clustering nodes run in
turn: the hierarchy, the k scores, then k selection alternately without the structure check (the
former default rule 'combined' on the k_selection table alone) and with it (the node
``select_k``: rule 'reference', reference scores on a seeded sample, verdict). Alternating in one
process keeps the comparison fair on a machine shared with other jobs.

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

from customer_segmentation.core.clustering import kselection
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
    before = {**clustering["selection"], "rule": "combined"}
    for _ in range(args.repeats):
        old, old_s = _timed(kselection.select_k, table, before)
        new, new_s = _timed(nodes.select_k, model_input, table, hierarchy, clustering)
        print(
            f"select_k before {old_s:.3f} s (k={old['chosen_k']}), after {new_s:.2f} s "
            f"(k={new['chosen_k']}, natural segments: {new['structure']['natural_segments']})",
            flush=True,
        )


if __name__ == "__main__":
    main()
