"""Recovery suite: does the real pipeline find the planted segments, and say when there are none?

Every table of the suite (benchmarks/recovery_generators.py: three generator families with 3-6
planted segments, well separated and overlapping, plus three structureless controls) is written in
the raw marketing_campaign schema into a throw-away project copy and run in-process through the
real pipelines (data_processing -> feature_engineering -> clustering, KedroSession, default
parameters). Per table:

- planted k, chosen k, ARI of the delivered segments against the planted ones;
- oracle ARI: Ward (the pipeline's own hierarchy code) at the planted k on the same model_input;
- the structure verdict of ``k_selection_decision["structure"]`` with its stability and the null
  reference's;
- the chosen k for every ``clustering.k_range.max`` from 6 to 12 (the k-scoring and k-selection
  nodes rerun on the saved hierarchy with that override) and whether it stays the same;
- run time of the three pipelines.

Usage (the default suite takes about 10 minutes on 2 busy cores):
    python benchmarks/recovery.py [--with-1m] [--only NAME[,NAME]] [--workdir /tmp/recovery]
        [--markdown docs/recovery.md] [--compare key=value ...]

Each ``--compare`` runs the suite once more with that parameter override (as ``kedro run
--params``), e.g. ``--compare feature_engineering.preprocessing.scaler=robust``, and adds its table.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from kedro.framework.session import KedroSession
from kedro.framework.startup import bootstrap_project
from sklearn.metrics import adjusted_rand_score

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import recovery_generators as gen  # noqa: E402

from customer_segmentation.core.clustering.hierarchy import cluster_labels, model_input_matrix  # noqa: E402
from tests.project_copy import copy_project  # noqa: E402
from tools.doc_blocks import replace_block  # noqa: E402

REAL_FILE = Path(__file__).resolve().parents[2] / "shared" / "data" / "marketing_campaign.csv"
RAW_PATH = "data/01_raw/customers_synthetic.csv"
PIPELINES = ["data_processing", "feature_engineering", "clustering"]
# The nodes that depend on k_range.max, rerun on the saved hierarchy for every value checked.
K_NODES = ["score_k_range", "select_k"]
K_MAX_CHECK = range(6, 13)


@dataclass(frozen=True)
class Table:
    """One table of the suite: how to make it and what it covers."""

    name: str
    family: str
    make: Callable[[], tuple[pd.DataFrame, pd.Series]]
    planted_k: int | None  # None: a structureless control
    description: str


def suite(with_1m: bool) -> list[Table]:
    """The tables, smallest first; the 1M-customer table only on request."""
    tables = [
        Table("personas-3", "personas", lambda: gen.personas(2_000, 3, 1), 3, "well separated"),
        Table(
            "personas-4",
            "personas",
            lambda: gen.personas(20_000, 4, 2, uneven=0.5),
            4,
            "well separated, unequal sizes",
        ),
        Table(
            "personas-5-overlap",
            "personas",
            lambda: gen.personas(5_000, 5, 3, noise=1.8),
            5,
            "overlapping",
        ),
        Table(
            "personas-6",
            "personas",
            lambda: gen.personas(10_000, 6, 4, uneven=0.3),
            6,
            "well separated, unequal sizes",
        ),
        Table(
            "personas-4-200k",
            "personas",
            lambda: gen.personas(200_000, 4, 5, uneven=0.4),
            4,
            "two-stage path, unequal sizes",
        ),
        Table(
            "latent-3",
            "latent",
            lambda: gen.latent(3_000, 3, 6, separation=5.0),
            3,
            "well separated",
        ),
        Table(
            "latent-4-overlap",
            "latent",
            lambda: gen.latent(8_000, 4, 7, separation=3.0),
            4,
            "overlapping",
        ),
        Table(
            "latent-5",
            "latent",
            lambda: gen.latent(20_000, 5, 8, separation=5.0, uneven=0.4),
            5,
            "well separated, unequal sizes",
        ),
        Table("project-5", "project", lambda: gen.project(2_240, 42), 5, "project generator"),
        Table(
            "project-5-50k",
            "project",
            lambda: gen.project(50_000, 43),
            5,
            "project generator, two-stage path",
        ),
        Table(
            "independent", "control", lambda: gen.independent(5_000, 9), None, "independent columns"
        ),
        Table("gaussian", "control", lambda: gen.latent(5_000, 1, 10), None, "one Gaussian"),
        Table(
            "shuffled-real",
            "control",
            lambda: gen.shuffled_real(REAL_FILE, 11),
            None,
            "real file, columns shuffled",
        ),
        Table("real", "real", _real, None, "marketing_campaign.csv"),
    ]
    if with_1m:
        tables.append(
            Table(
                "personas-5-1m",
                "personas",
                lambda: gen.personas(1_000_000, 5, 12, uneven=0.3),
                5,
                "1M customers, unequal sizes",
            )
        )
    return tables


def _real() -> tuple[pd.DataFrame, pd.Series]:
    """The real file as it is (no truth: only the verdict and the k-range check apply)."""
    raw = pd.read_csv(REAL_FILE, sep="\t", dtype=str, keep_default_na=False)
    return raw, pd.Series(0, index=raw["ID"].astype(int).to_numpy(), name="segment")


def _nested(overrides: list[str]) -> dict:
    """``a.b.c=value`` strings -> a nested runtime_params dict (values parsed as YAML)."""
    params: dict = {}
    for item in overrides:
        key, value = item.split("=", 1)
        *parents, leaf = key.split(".")
        node = params
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = yaml.safe_load(value)
    return params


def _merge(base: dict, extra: dict) -> dict:
    """Deep merge of two nested dicts (extra wins)."""
    merged = dict(base)
    for key, value in extra.items():
        merged[key] = (
            _merge(merged[key], value)
            if isinstance(value, dict) and isinstance(merged.get(key), dict)
            else value
        )
    return merged


def _session(project: Path, params: dict) -> KedroSession:
    session = KedroSession.create(project_path=project, runtime_params=params or None)
    for name in ("kedro", "customer_segmentation", "py.warnings"):
        logging.getLogger(name).setLevel(logging.ERROR)
    return session


def run_table(project: Path, table: Table, params: dict) -> dict:
    """Run the pipelines on one table and measure what the suite reports."""
    raw, truth = table.make()
    raw.to_csv(project / RAW_PATH, sep="\t", index=False)
    started = time.perf_counter()
    with _session(project, params) as session:
        session.run(pipeline_names=PIPELINES)
        seconds = time.perf_counter() - started
        catalog = session.load_context().catalog
        model_input = catalog.load("model_input")
        decision = catalog.load("k_selection_decision")
        segments = catalog.load("customer_segments")
        clustering = session.load_context().params["clustering"]
    ids, matrix = model_input_matrix(model_input)
    # Segments carry the IDs as the file's text; the generators index the truth by number.
    planted = truth.set_axis(truth.index.astype(str)).reindex(ids).to_numpy()
    known = ~np.isnan(planted.astype(float))
    if table.planted_k is not None and not known.any():
        raise ValueError(f"{table.name}: no segmented customer has a planted segment (IDs differ)")
    delivered = segments.set_index("ID")["segment"].reindex(ids).to_numpy()
    row = {
        "table": table.name,
        "family": table.family,
        "what": table.description,
        "customers": len(ids),
        "planted_k": table.planted_k,
        "chosen_k": int(decision["chosen_k"]),
        "ari": None,
        "oracle_ari": None,
    }
    if table.planted_k is not None:
        oracle = cluster_labels(matrix, table.planted_k, clustering)
        row["ari"] = adjusted_rand_score(planted[known], delivered[known])
        row["oracle_ari"] = adjusted_rand_score(planted[known], oracle[known])
    structure = decision["structure"]
    row.update(
        best_silhouette_k=decision["best_silhouette_k"],
        stability=structure["stability_mean"],
        stability_sd=structure["stability_sd"],
        null_stability=structure["null_stability_mean"],
        natural=structure["natural_segments"],
        seconds=seconds,
    )
    ks, knees = {}, {}
    for k_max in K_MAX_CHECK:
        override = _merge(params, {"clustering": {"k_range": {"max": k_max}}})
        with _session(project, override) as session:
            session.run(node_names=K_NODES)
            checked = session.load_context().catalog.load("k_selection_decision")
        ks[k_max], knees[k_max] = int(checked["chosen_k"]), checked["knee_k"]
    row["k_by_k_max"] = " ".join(str(ks[m]) for m in K_MAX_CHECK)
    # kneed's knee on each range (the former rule's starting point), for comparison.
    row["knee_by_k_max"] = " ".join(_cell(knees[m]) for m in K_MAX_CHECK)
    row["k_stable"] = len(set(ks.values())) == 1
    return row


def _cell(value) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.2f}" if abs(value) < 100 else f"{value:.0f}"
    return str(value)


COLUMNS = {
    "table": "table",
    "what": "built",
    "customers": "customers",
    "planted_k": "planted k",
    "chosen_k": "chosen k",
    "ari": "ARI",
    "oracle_ari": "oracle ARI",
    "stability": "stability",
    "stability_sd": "sd",
    "null_stability": "null stability",
    "natural": "natural segments",
    "k_by_k_max": "k for k_max 6..12",
    "knee_by_k_max": "kneed knee for k_max 6..12",
    "best_silhouette_k": "best silhouette k",
    "seconds": "run s",
}


def markdown(rows: list[dict]) -> str:
    """The suite's table in GitHub markdown."""
    lines = ["| " + " | ".join(COLUMNS.values()) + " |", "|" + " --- |" * len(COLUMNS)]
    lines += ["| " + " | ".join(_cell(row[key]) for key in COLUMNS) + " |" for row in rows]
    return "\n".join(lines)


def acceptance(rows: list[dict]) -> list[str]:
    """The three acceptance checks of issue 14, one line each."""
    structured = [r for r in rows if r["planted_k"] is not None and r["oracle_ari"] >= 0.9]
    a_fail = [r["table"] for r in structured if r["chosen_k"] != r["planted_k"] or r["ari"] < 0.9]
    b_fail = [r["table"] for r in rows if not r["k_stable"]]
    controls = [r for r in rows if r["family"] == "control"]
    c_fail = [r["table"] for r in controls if r["natural"]]

    def verdict(failed: list[str]) -> str:
        return "pass" if not failed else f"FAIL ({', '.join(failed)})"

    return [
        f"(a) planted k found with ARI >= 0.9 on the {len(structured)} tables whose oracle ARI "
        f">= 0.9: {verdict(a_fail)}",
        f"(b) chosen k the same for every k_range.max 6..12 on all {len(rows)} tables: "
        f"{verdict(b_fail)}",
        f"(c) no natural segments on the {len(controls)} structureless controls: {verdict(c_fail)}",
    ]


HEADER = """# Recovery suite

Generated by `python benchmarks/recovery.py {arguments}` (do not edit by hand). Each
table runs in-process through data_processing, feature_engineering and clustering
(`benchmarks/recovery_generators.py` builds them). ARI: delivered segments against the planted
ones; oracle ARI: Ward at the planted k on the same model_input; stability ± sd and null
stability: `k_selection_decision.structure` at the chosen k (docs/clustering.md); "k for k_max
6..12": the chosen k with `clustering.k_range.max` = 6, 7, ..., 12, and kneed's knee of each
range's WCSS curve ("–": no knee); best silhouette k on the default range 2..10; run s: the three
pipelines.
"""


def run_suite(project: Path, tables: list[Table], params: dict) -> tuple[str, list[str]]:
    """Run every table; print each row as it comes; the markdown table and acceptance lines."""
    rows = []
    for table in tables:
        row = run_table(project, table, params)
        print("  ".join(f"{key}={_cell(row[key])}" for key in COLUMNS), flush=True)
        rows.append(row)
    text, checks = markdown(rows), acceptance(rows)
    print(text, *checks, sep="\n", flush=True)
    return text, checks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--with-1m", action="store_true", help="add a 1,000,000-customer table")
    parser.add_argument("--only", default=None, help="comma-separated table names")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--markdown", type=Path, default=None, help="write the tables here")
    parser.add_argument("--compare", action="append", default=[], help="key=value: one more run")
    parser.add_argument(
        "--update-block",
        type=Path,
        default=None,
        help="also replace the default-parameters table between the recovery markers of this file",
    )
    args = parser.parse_args()
    tables = suite(args.with_1m)
    if args.only:
        wanted = set(args.only.split(","))
        tables = [t for t in tables if t.name in wanted]
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="recovery_"))
    project = copy_project(workdir / "project", with_raw_data=False)
    _without_tracking(project)
    bootstrap_project(project)
    sections = []
    for override in [None, *args.compare]:
        title = "Default parameters" if override is None else f"With `{override}`"
        print(f"== {title}", flush=True)
        text, checks = run_suite(project, tables, _nested([override] if override else []))
        sections.append([f"## {title}", "", text, "", *[f"- {c}" for c in checks], ""])
    arguments = " ".join(sys.argv[1:])
    if args.markdown:
        lines = [line for section in sections for line in section]
        args.markdown.write_text("\n".join([HEADER.format(arguments=arguments), *lines]))
    if args.update_block:
        update_block(args.update_block, sections[0][2:], arguments)


def _without_tracking(project: Path) -> None:
    """Switch the tracking extra off in the throw-away project: the suite's in-process sessions
    would log the same parameter twice into one MLflow run."""
    config_file = project / "conf" / "base" / "mlflow.yml"
    if config_file.exists():
        config = yaml.safe_load(config_file.read_text())
        config["tracking"]["disable_tracking"] = {"pipelines": ["__default__", *PIPELINES]}
        config_file.write_text(yaml.safe_dump(config))


def update_block(path: Path, lines: list[str], arguments: str) -> None:
    """Put the lines in the page's ``recovery`` block (generated, not typed)."""
    note = f"<!-- generated by `python benchmarks/recovery.py {arguments}` -->"
    path.write_text(replace_block(path.read_text(), "recovery", "\n".join([note, *lines])))


if __name__ == "__main__":
    main()
