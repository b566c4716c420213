"""Compare preprocessing settings on the real customer file to justify the defaults.

For each setting (feature set x log on/off x scaler x PCA) the customers are preprocessed with
`CustomerPreprocessor`, clustered with Ward (fastcluster.linkage_vector) and the tree is cut at
k = 2..8. Reported per setting:

- silhouette at the best k and at k = 4, Calinski-Harabasz at k = 4 (all in the setting's own
  feature space, so NOT comparable across spaces);
- stability: mean adjusted Rand index between the full-data labels and the labels of ~20 seeded
  bootstrap resamples (preprocessor refitted on each resample), on the points both contain;
- business R^2 at k = 4: mean share of variance of six business variables (log spend, log income,
  children, age, deal share, web share) explained by the segments, a space-independent measure of
  how well the segments describe customers;
- smallest segment share at k = 4.

Usage (about 2 minutes on 2 cores):
    python benchmarks/feature_settings.py [--data ../shared/data/marketing_campaign.csv]
        [--primary data/current/03_primary/customers.parquet] [--bootstraps 20] [--seed 42]
        [--csv out.csv]

The raw file is parsed minimally (documented in docs/features.md): tab-separated, Dt_Customer
day-first, rows with missing Income, Year_Birth < 1900 or Income > 200000 dropped, Marital_Status
'Alone' read as 'Single' and 'Absurd'/'YOLO' rows dropped, the constant Z_ columns dropped.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

import fastcluster
import numpy as np
import pandas as pd
import yaml
from scipy.cluster.hierarchy import fcluster
from sklearn.metrics import adjusted_rand_score, calinski_harabasz_score, silhouette_score

from customer_segmentation.core.features.preprocessing import CustomerPreprocessor
from tools.doc_blocks import replace_block

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "marketing_campaign.csv"
K_RANGE = range(2, 9)
K_REFERENCE = 4

# The default ("compact") feature set and log list come from conf/base; "wide" is the alternative.
PARAMETERS = ROOT / "conf" / "base" / "parameters_feature_engineering.yml"
# The declared schema of the table (the marketing_campaign layout): the roles features come from.
SCHEMA = yaml.safe_load((ROOT / "conf" / "base" / "parameters.yml").read_text())["schema"]
FEATURE_SETS = {
    # Every derived feature (ID aside).
    "wide": [
        "age",
        "tenure_days",
        "income",
        "recency_days",
        "total_spend",
        "spend_share_wines",
        "spend_share_fruits",
        "spend_share_meat",
        "spend_share_fish",
        "spend_share_sweets",
        "spend_share_gold",
        "total_purchases",
        "purchase_share_web",
        "purchase_share_catalog",
        "purchase_share_store",
        "avg_spend_per_purchase",
        "deal_purchase_share",
        "web_purchases_per_visit",
        "web_visits_month",
        "children",
        "is_parent",
        "lives_with_partner",
        "family_size",
        "education_level",
        "campaigns_accepted",
        "responded_last_campaign",
        "complained",
    ],
}
BUSINESS_VARIABLES = [
    "total_spend",
    "income",
    "children",
    "age",
    "deal_purchase_share",
    "purchase_share_web",
]


def load_real_customers(path: Path) -> pd.DataFrame:
    """Minimal parse of marketing_campaign.csv into the primary_customers shape."""
    raw = pd.read_csv(path, sep="\t")
    raw["Dt_Customer"] = pd.to_datetime(raw["Dt_Customer"], format="%d-%m-%Y")
    raw["Marital_Status"] = raw["Marital_Status"].replace({"Alone": "Single"})
    keep = (
        raw["Income"].notna()
        & (raw["Year_Birth"] >= 1900)
        & (raw["Income"] <= 200_000)
        & ~raw["Marital_Status"].isin(["Absurd", "YOLO"])
    )
    primary = raw.loc[keep].drop(columns=["Z_CostContact", "Z_Revenue"]).reset_index(drop=True)
    return primary


def ward_labels(matrix: np.ndarray, ks: list[int]) -> dict[int, np.ndarray]:
    """Ward tree once, cut at every k."""
    tree = fastcluster.linkage_vector(matrix, method="ward")
    return {k: fcluster(tree, k, criterion="maxclust") for k in ks}


def business_r2(features: pd.DataFrame, labels: np.ndarray) -> float:
    """Mean between-segment share of variance of the business variables (amounts logged)."""
    scores = []
    for column in BUSINESS_VARIABLES:
        values = features[column].astype(float)
        if column in ("total_spend", "income"):
            values = np.log1p(values)
        means = values.groupby(labels).transform("mean")
        scores.append(((means - values.mean()) ** 2).sum() / ((values - values.mean()) ** 2).sum())
    return float(np.mean(scores))


def evaluate(primary: pd.DataFrame, setting: dict, base: dict, bootstraps: int, seed: int) -> dict:
    """All the figures of one setting."""
    make = lambda: CustomerPreprocessor(  # noqa: E731
        features=(
            base["preprocessing"]["features"]
            if setting["features"] == "compact"
            else FEATURE_SETS[setting["features"]]
        ),
        schema=SCHEMA,
        log_skewness=base["preprocessing"]["log_skewness"],
        log_features=base["preprocessing"]["log_features"],
        log_transform=setting["log"],
        scaler=setting["scaler"],
        pca=setting["pca"],
        random_state=seed,
    )
    pre = make().fit(primary)
    matrix = pre.transform(primary).drop(columns="ID").to_numpy()
    labels = ward_labels(matrix, list(K_RANGE))
    silhouettes = {k: silhouette_score(matrix, labels[k]) for k in K_RANGE}
    best_k = max(silhouettes, key=silhouettes.get)
    rng = np.random.default_rng(seed)
    ari_ref, ari_best = [], []
    for _ in range(bootstraps):
        rows = rng.integers(0, len(primary), len(primary))
        sample = primary.iloc[rows].reset_index(drop=True)
        boot = make().fit(sample)
        boot_labels = ward_labels(
            boot.transform(sample).drop(columns="ID").to_numpy(), [K_REFERENCE, best_k]
        )
        # Compare on the distinct original customers the resample contains (first occurrence).
        _, first = np.unique(rows, return_index=True)
        common = rows[first]
        ari_ref.append(
            adjusted_rand_score(labels[K_REFERENCE][common], boot_labels[K_REFERENCE][first])
        )
        ari_best.append(adjusted_rand_score(labels[best_k][common], boot_labels[best_k][first]))
    features = pre.customer_features(primary)
    sizes = np.bincount(labels[K_REFERENCE])[1:] / len(primary)
    return {
        **{k: ("off" if v is None else v) if k == "pca" else v for k, v in setting.items()},
        "dims": matrix.shape[1],
        "best_k": best_k,
        "sil_best": silhouettes[best_k],
        "sil_k4": silhouettes[K_REFERENCE],
        "ch_k4": calinski_harabasz_score(matrix, labels[K_REFERENCE]),
        "ari_k4": float(np.mean(ari_ref)),
        "ari_k4_sd": float(np.std(ari_ref)),
        "ari_best": float(np.mean(ari_best)),
        "business_r2_k4": business_r2(features, labels[K_REFERENCE]),
        "min_share_k4": float(sizes.min()),
    }


def markdown(table: pd.DataFrame) -> str:
    """A GitHub markdown table (floats to 3 decimals) without the optional tabulate package."""
    cells = table.map(lambda v: f"{v:.3f}" if isinstance(v, float) else str(v))
    lines = ["| " + " | ".join(table.columns) + " |", "|" + " --- |" * len(table.columns)]
    lines += ["| " + " | ".join(row) + " |" for row in cells.to_numpy()]
    return "\n".join(lines)


def main() -> None:
    """Run every setting and print a markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--bootstraps", type=int, default=20)
    parser.add_argument(
        "--primary",
        type=Path,
        default=None,
        help="a primary_customers Parquet file (data_processing output) used instead of --data",
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--csv", type=Path, default=None)
    parser.add_argument(
        "--update-block",
        nargs=2,
        metavar=("FILE", "NAME"),
        default=None,
        help="write the table between <!-- feature_settings:NAME:start/end --> in FILE",
    )
    args = parser.parse_args()
    params = yaml.safe_load(PARAMETERS.read_text())["feature_engineering"]
    if args.primary is not None:
        primary, source = pd.read_parquet(args.primary), args.primary
    else:
        primary, source = load_real_customers(args.data), args.data
    print(f"{len(primary)} customers from {source}")
    grid = itertools.product(
        ["compact", "wide"], [True, False], ["standard", "robust"], [None, 3, 0.9]
    )
    rows = [
        evaluate(
            primary, dict(features=f, log=lg, scaler=s, pca=p), params, args.bootstraps, args.seed
        )
        for f, lg, s, p in grid
    ]
    table = pd.DataFrame(rows)
    table.insert(0, "default", is_default(table, params["preprocessing"]))
    if args.csv:
        table.to_csv(args.csv, index=False)
    print(markdown(table))
    if args.update_block:
        path, name = Path(args.update_block[0]), args.update_block[1]
        command = " ".join(["python benchmarks/feature_settings.py", *sys.argv[1:]])
        update_block(path, name, markdown(table), command)


def is_default(table: pd.DataFrame, preprocessing: dict) -> list[str]:
    """'◀' on the row of conf/base's default setting (compact features), '' elsewhere."""
    pca = preprocessing.get("pca")
    default = (
        (table["features"] == "compact")
        & (table["log"] == bool(preprocessing.get("log_transform", True)))
        & (table["scaler"] == preprocessing["scaler"])
        & (table["pca"].astype(str) == ("off" if pca is None else str(pca)))
    )
    return ["◀" if flag else "" for flag in default]


def update_block(path: Path, name: str, table: str, command: str) -> None:
    """Put ``table`` in the page's ``feature_settings:<name>`` block (generated, not typed)."""
    body = f"<!-- generated by `{command}` -->\n{table}"
    path.write_text(replace_block(path.read_text(), f"feature_settings:{name}", body))


if __name__ == "__main__":
    main()
