"""Wall time and peak memory of `kedro run` at several sizes, against the common approach.

For each size N (customers) the script:

1. copies the project's configuration into a throw-away project (``<workdir>/n<N>``) and writes N
   synthetic customers there with ``python -m tools.synthetic --rows N --seed 42``;
2. runs every pipeline of the default run in order (``kedro run --pipelines <name>``, each reading
   what the previous one left), then the whole default ``kedro run`` end to end, each under
   ``/usr/bin/time -v`` (wall clock, peak resident memory), default parameters;
3. measures the I/O floor (benchmarks/io_floor.py: read the raw file as ``raw_customers`` does,
   write the ID -> segment table to Parquet, nothing else) and the fixed start-up costs (importing
   kedro and the project; ``kedro registry list``, which imports every pipeline);
4. when N <= --common-max-customers, runs the common approach (benchmarks/common_approach.py:
   scikit-learn ``AgglomerativeClustering(linkage="ward")`` refitted for every k of the clustering
   k range, ``silhouette_score`` over all points) on the same ``model_input``, compares it with the
   clustering pipeline (k selection + clustering) and checks that the labels at the chosen k are
   the same partition (adjusted Rand index 1); runs the project's own k selection + clustering
   in the same bare harness (benchmarks/our_approach.py: core API, no Kedro) so that the two
   processes differ only by the method, and checks its labels against both.

Usage:
    python benchmarks/run_benchmarks.py --sizes 20000,1000000 [--common-max-customers 20000]
        [--workdir /tmp/cs_benchmarks] [--output benchmarks/results/benchmarks.json] [--keep]
        [--no-per-pipeline]

Results: a JSON file (default benchmarks/results/benchmarks.json) and a Markdown table, printed
and written next to it (.md). The throw-away projects are deleted unless --keep.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from measure import measured_run  # noqa: E402

from tests.catalog import load_table  # noqa: E402
from tests.project_copy import copy_project  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = Path(__file__).resolve().parent
# The default run's pipelines, in the order their inputs appear.
PIPELINES = ["data_processing", "feature_engineering", "clustering", "eda", "cluster_analysis"]
RAW_FILE = "data/01_raw/customers_synthetic.csv"
SEED = 42
ENV = {"KEDRO_DISABLE_TELEMETRY": "true", "MPLBACKEND": "Agg", "COLUMNS": "200"}


def kedro(project: Path, *args: str) -> dict:
    """`python -m kedro <args>` in the project, measured (and logged, for long runs)."""
    run = measured_run([sys.executable, "-m", "kedro", *args], project, ENV)
    print(f"    kedro {' '.join(args)}: {_cell(run)}", flush=True)
    return run


def startup_costs(project: Path) -> dict:
    """Fixed costs paid by every `kedro run`, whatever the data size."""
    return {
        "python_import_kedro_and_project": measured_run(
            [sys.executable, "-c", "import kedro.framework.session, customer_segmentation"],
            project,
            ENV,
        ),
        "kedro_registry_list": kedro(project, "registry", "list"),
    }


def _run_script(project: Path, script: str, *args: str) -> tuple[dict, dict]:
    """A benchmark script in its own measured process; its run and the JSON line it prints."""
    run = measured_run([sys.executable, str(BENCH_DIR / script), *args], project, ENV)
    return run, json.loads(run.pop("stdout").strip().splitlines()[-1])


def our_approach(project: Path, segments: pd.Series, theirs: Mapping[str, np.ndarray]) -> dict:
    """The project's core API in the common approach's bare harness (same imports of data, IO).

    Its labels must be the clustering pipeline's partition (same k, ARI 1) and, on the exact
    path, the common approach's labels at that k.
    """
    labels_file = project / "our_approach_labels.npz"
    run, detail = _run_script(
        project,
        "our_approach.py",
        str(project / "data/current/05_model_input/model_input.parquet"),
        str(project / "conf/base/parameters_clustering.yml"),
        str(labels_file),
    )
    saved = np.load(labels_file)
    ours = pd.Series(saved["labels"], index=saved["ids"])
    chosen_k = detail["chosen_k"]
    common = pd.Series(theirs[f"k{chosen_k}"], index=theirs["ids"]).loc[ours.index]
    return {
        **run,
        "fit_s": round(detail["fit_s"], 2),
        "scoring_s": round(detail["scoring_s"], 2),
        "chosen_k": chosen_k,
        "clustering_path": detail["clustering_path"],
        "baseline_mib": round(detail["baseline_mib"], 1),
        "working_mib": round(run["peak_mib"] - detail["baseline_mib"], 1),
        "ari_vs_pipeline": round(
            float(adjusted_rand_score(segments.loc[ours.index], ours.to_numpy())), 6
        ),
        "ari_vs_common": round(float(adjusted_rand_score(common, ours.to_numpy())), 6),
    }


def common_approach(project: Path, ours: dict, startup: dict) -> dict:
    """scikit-learn refit per k + full silhouette on the run's model_input, against ours.

    Ours twice: the `kedro run --pipelines clustering` process (Kedro start-up and every
    pipeline's imports included) and our_approach.py, the same method in the common approach's
    bare harness.
    """
    parameters = project / "conf/base/parameters_clustering.yml"
    import yaml  # noqa: PLC0415 - only needed here

    k_range = yaml.safe_load(parameters.read_text())["clustering"]["k_range"]
    labels_file = project / "common_approach_labels.npz"
    run, detail = _run_script(
        project,
        "common_approach.py",
        str(project / "data/current/05_model_input/model_input.parquet"),
        str(k_range["min"]),
        str(k_range["max"]),
        str(labels_file),
    )
    decision_file = project / "data/current/06_models/k_selection_decision.json"
    decision = json.loads(decision_file.read_text())
    chosen_k = decision["chosen_k"]
    saved = np.load(labels_file)
    theirs = pd.Series(saved[f"k{chosen_k}"], index=saved["ids"])
    segments = load_table(project / "data/current/07_model_output/customer_segments.parquet")
    mine = segments.set_index("ID")["segment"]
    bare = our_approach(project, mine, saved)
    working = run["peak_mib"] - detail["baseline_mib"]
    return {
        **run,
        "fit_s": round(detail["fit_s"], 2),
        "silhouette_s": round(detail["silhouette_s"], 2),
        "silhouette": {int(k): round(v, 4) for k, v in detail["silhouette"].items()},
        "chosen_k": chosen_k,
        "clustering_path": decision.get("clustering_path"),
        "adjusted_rand_index": round(float(adjusted_rand_score(theirs.loc[mine.index], mine)), 6),
        "time_ratio": round(run["wall_s"] / ours["wall_s"], 1),
        "memory_ratio": round(ours["peak_mib"] / run["peak_mib"], 3),
        # Peak above what the process holds before the method runs (interpreter, imports, data):
        # theirs measured in the script, ours against `kedro registry list` (kedro + every
        # pipeline imported).
        "baseline_mib": round(detail["baseline_mib"], 1),
        "working_mib": round(working, 1),
        "ours_baseline_mib": startup["peak_mib"],
        "ours_working_mib": round(ours["peak_mib"] - startup["peak_mib"], 1),
        "working_memory_ratio": round((ours["peak_mib"] - startup["peak_mib"]) / working, 3),
        # The same method in the same bare harness: the apples-to-apples comparison.
        "our_approach": bare,
        "bare_time_ratio": round(run["wall_s"] / bare["wall_s"], 1),
        "bare_memory_ratio": round(bare["peak_mib"] / run["peak_mib"], 3),
        "bare_working_memory_ratio": round(bare["working_mib"] / working, 3),
    }


def benchmark_size(size: int, workdir: Path, args: argparse.Namespace) -> dict:
    """Every measurement at one size, in its own throw-away project."""
    project = copy_project(workdir / f"n{size}", with_raw_data=False)
    result: dict = {"customers": size}
    result["generate"] = measured_run(
        [
            sys.executable,
            "-m",
            "tools.synthetic",
            "--rows",
            str(size),
            "--seed",
            str(SEED),
            "--output",
            str(project / RAW_FILE),
        ],
        REPO_ROOT,  # tools/ is not part of the installed package
        ENV,
    )
    result["generate"].pop("stdout")
    result["raw_file_mib"] = round((project / RAW_FILE).stat().st_size / 2**20, 1)
    result["pipelines"] = {}
    if args.per_pipeline:
        for name in PIPELINES:
            print(f"  n={size}: kedro run --pipelines {name}", flush=True)
            result["pipelines"][name] = kedro(project, "run", "--pipelines", name)
            result["pipelines"][name].pop("stdout")
    print(f"  n={size}: kedro run (end to end)", flush=True)
    result["end_to_end"] = kedro(project, "run")
    result["end_to_end"].pop("stdout")
    floor = measured_run(
        [
            sys.executable,
            str(BENCH_DIR / "io_floor.py"),
            str(project),
            str(project / "io_floor_segments.parquet"),
        ],
        project,
        ENV,
    )
    detail = floor.pop("stdout").strip()
    result["io_floor"] = {**floor, "detail": detail}
    result["end_to_end_over_io_floor"] = round(
        result["end_to_end"]["wall_s"] / result["io_floor"]["wall_s"], 1
    )
    result["startup"] = startup_costs(project)
    for run in result["startup"].values():
        run.pop("stdout")
    quality = json.loads((project / "data/current/02_intermediate/data_quality.json").read_text())
    result["customers_kept"] = quality["rows_kept"]
    if size <= args.common_max_customers:
        if "clustering" not in result["pipelines"]:  # measure our side the same way
            result["pipelines"]["clustering"] = kedro(project, "run", "--pipelines", "clustering")
            result["pipelines"]["clustering"].pop("stdout")
        print(f"  n={size}: common approach (scikit-learn refit per k)", flush=True)
        result["common_approach"] = common_approach(
            project, result["pipelines"]["clustering"], result["startup"]["kedro_registry_list"]
        )
    else:
        result["common_approach"] = {
            "skipped": f"more than --common-max-customers={args.common_max_customers}"
        }
    if not args.keep:
        shutil.rmtree(project)
    return result


def _registry_cell(result: dict) -> str:
    return _cell(result["startup"]["kedro_registry_list"])


def _cell(run: dict | None) -> str:
    return "" if not run else f"{run['wall_s']:.1f} s / {run['peak_mib']:.0f} MiB"


def markdown(results: list[dict]) -> str:
    """Two tables: every measured step per size, and the comparison with the common approach."""
    sizes = [r["customers"] for r in results]
    header = "| step | " + " | ".join(f"{n:,} customers" for n in sizes) + " |"
    lines = [
        "Wall time / peak resident memory (one process each, `/usr/bin/time -v`).",
        "",
        header,
        "| --- |" + " --- |" * len(sizes),
    ]
    rows = [("generate raw file (not in the run)", lambda r: _cell(r["generate"]))]
    rows += [
        (f"`kedro run --pipelines {name}`", lambda r, n=name: _cell(r["pipelines"].get(n)))
        for name in PIPELINES
        if any(name in r["pipelines"] for r in results)  # measured unless --no-per-pipeline
    ]
    rows += [
        ("**`kedro run` end to end**", lambda r: f"**{_cell(r['end_to_end'])}**"),
        ("I/O floor (read raw, write segments)", lambda r: _cell(r["io_floor"])),
        ("end to end / I/O floor", lambda r: f"{r['end_to_end_over_io_floor']}×"),
        (
            "import kedro + project",
            lambda r: _cell(r["startup"]["python_import_kedro_and_project"]),
        ),
        ("`kedro registry list` (imports all)", _registry_cell),
        ("raw file size", lambda r: f"{r['raw_file_mib']:,.0f} MiB"),
    ]
    for label, cell in rows:
        lines.append(f"| {label} | " + " | ".join(cell(r) for r in results) + " |")
    compared = [r for r in results if "skipped" not in r["common_approach"]]
    if compared:
        lines += [
            "",
            "k selection + clustering: the `clustering` pipeline against scikit-learn refit per k "
            "with silhouette over all points (same `model_input`).",
            "",
            "| customers | ours | common approach | fit / silhouette | time ratio | "
            "peak ours/common | working memory ours/common | chosen k | ARI at chosen k |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for r in compared:
            c = r["common_approach"]
            lines.append(
                f"| {r['customers']:,} | {_cell(r['pipelines']['clustering'])} | {_cell(c)} | "
                f"{c['fit_s']:.1f} s / {c['silhouette_s']:.1f} s | {c['time_ratio']}× faster | "
                f"{c['memory_ratio']:.3f} | {c['ours_working_mib']:.0f} / "
                f"{c['working_mib']:.0f} MiB = {c['working_memory_ratio']:.3f} | "
                f"{c['chosen_k']} | {c['adjusted_rand_index']} |"
            )
        lines += [
            "",
            "The same comparison with our method in the common approach's bare harness "
            "(benchmarks/our_approach.py: same reading of `model_input`, no Kedro).",
            "",
            "| customers | ours (bare) | common approach | ours: hierarchy / scores + choice | "
            "time ratio | peak ours/common | working memory ours/common | chosen k | "
            "ARI vs common | ARI vs pipeline |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for r in compared:
            c = r["common_approach"]
            b = c["our_approach"]
            lines.append(
                f"| {r['customers']:,} | {_cell(b)} | {_cell(c)} | "
                f"{b['fit_s']:.2f} s / {b['scoring_s']:.2f} s | {c['bare_time_ratio']}× faster | "
                f"{c['bare_memory_ratio']:.3f} | {b['working_mib']:.0f} / "
                f"{c['working_mib']:.0f} MiB = {c['bare_working_memory_ratio']:.3f} | "
                f"{b['chosen_k']} | {b['ari_vs_common']} | {b['ari_vs_pipeline']} |"
            )
    return "\n".join(lines) + "\n"


def machine() -> dict:
    """Where the figures come from."""
    return {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "pandas": pd.__version__,
        "numpy": np.__version__,
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="20000", help="comma-separated numbers of customers")
    parser.add_argument("--common-max-customers", type=int, default=20_000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/cs_benchmarks"))
    parser.add_argument(
        "--output", type=Path, default=REPO_ROOT / "benchmarks/results/benchmarks.json"
    )
    parser.add_argument("--keep", action="store_true", help="keep the throw-away projects")
    parser.add_argument(
        "--no-per-pipeline",
        dest="per_pipeline",
        action="store_false",
        help="only the end-to-end run (and the clustering pipeline when comparing)",
    )
    args = parser.parse_args(argv)
    args.sizes = [int(size.replace("_", "")) for size in args.sizes.split(",")]
    return args


def main(argv: list[str] | None = None) -> int:
    """Measure every size, then write and print the results."""
    args = parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    results = []
    for size in args.sizes:
        print(f"n={size:,} customers", flush=True)
        results.append(benchmark_size(size, args.workdir, args))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps({"machine": machine(), "results": results}, indent=2))
    table = markdown(results)
    args.output.with_suffix(".md").write_text(table)
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
