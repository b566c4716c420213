"""Cost of the segment history step (core.analysis.segment_history.track) per run.

Builds two "months" of N synthetic customers (the features segment history reads, k segments,
10 % of customers changed and 5 % new in the second month), then times ``track`` on the first
month (no reference: the first run) and on the second (against the first's snapshot and
members), the best of ``--repeat`` runs each. Target: well under a second at 1M customers.

Usage:
    python benchmarks/segment_history.py --customers 1000000 [--segments 5] [--repeat 3]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
import yaml

from customer_segmentation.core.analysis import segment_history
from customer_segmentation.core.cleaning.contract import CustomerSchema
from tests.project_copy import REPO_ROOT

CONF = REPO_ROOT / "conf/base"
SETTINGS = {
    **yaml.safe_load((CONF / "parameters_segment_history.yml").read_text())["segment_history"],
    # the node places segments in the clustering features
    "features": yaml.safe_load((CONF / "parameters_feature_engineering.yml").read_text())[
        "feature_engineering"
    ]["preprocessing"]["features"],
}
# Both months come from one source: the default layout's file.
SOURCE = segment_history.source_fingerprint(
    CustomerSchema.from_config(yaml.safe_load((CONF / "parameters.yml").read_text())["schema"]),
    "data/01_raw/customers_synthetic.csv",
)


def month(n: int, k: int, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """customer_features (the history's columns) and customer_segments of n customers."""
    segment = rng.integers(1, k + 1, n)
    centres = rng.normal(size=(k + 1, len(SETTINGS["features"]))) * 3
    values = centres[segment] + rng.normal(size=(n, len(SETTINGS["features"])))
    features = pd.DataFrame(values, columns=SETTINGS["features"])
    features.insert(0, "ID", np.arange(n, dtype="int64"))
    return features, pd.DataFrame({"ID": features["ID"], "segment": segment})


def best_of(repeat: int, call) -> tuple[float, tuple]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--segments", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(7)
    n, k = args.customers, args.segments
    features, segments = month(n, k, rng)
    names = {s: f"segment {s}" for s in range(1, k + 1)}
    run = {"run_id": "first"}
    first_s, first = best_of(
        args.repeat,
        lambda: segment_history.track(
            None, None, segments, features, names=names, settings=SETTINGS, run=run, source=SOURCE
        ),
    )
    changed = rng.random(n) < 0.10
    second_features = features.copy()
    second_features.loc[changed, SETTINGS["features"]] += rng.normal(size=(changed.sum(), 1))
    added, added_segments = month(n // 20, k, rng)
    added["ID"] += n
    added_segments["ID"] += n
    second_features = pd.concat([second_features, added], ignore_index=True)
    second_segments = pd.concat([segments, added_segments], ignore_index=True)
    second_s, second = best_of(
        args.repeat,
        lambda: segment_history.track(
            first[2],
            first[3],
            second_segments,
            second_features,
            names=names,
            settings=SETTINGS,
            run={"run_id": "second"},
            source=SOURCE,
        ),
    )
    print(
        f"segment history, {n:,} customers, k = {k}, {len(SETTINGS['features'])} features: "
        f"first run {first_s:.2f} s; second run (+5 % customers) {second_s:.2f} s "
        f"({int(second[1]['customers'].sum()):,} customers in both runs)"
    )


if __name__ == "__main__":
    main()
