"""Run guard: one run at a time per output folder, a manifest of every run, clear refusals.

- A file lock (``filelock``) on the environment's output folder: a second ``kedro run`` in the
  same project and environment stops at once with a message instead of silently interleaving
  its files with the first run's.
- ``run_manifest.json`` in the output folder: run id, input files with their SHA-256, parameters
  given on the command line, start and end time, status (running / succeeded / failed). The
  report shows the run id and input hash from it.
- When a run fails, a report left by an earlier run is stamped as stale: the outputs beside it
  may already describe the failed run's input.
- ``ParallelRunner`` is refused with the real reason (the raw table is cached in this process).
- Pre-flight refusals before anything is written: missing inputs, an output folder that cannot
  be written, and (``after_node_run``, which Kedro calls before it saves the node's outputs) too
  few or too few distinct customers for ``clustering.k_range`` (core/clustering/preflight.py).

Also here: the run keeps the memory its nodes free, for the next nodes (``KeepFreedMemory``,
memory.py), and a short console summary of every run (``RunSummary``).
"""

import hashlib
import json
import logging
import os
import re
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout
from kedro.framework.hooks import hook_impl
from kedro.io import SharedMemoryDataCatalog

from customer_segmentation.core.cleaning.contract import CustomerSchema
from customer_segmentation.core.clustering.preflight import (
    require_customers_for_k,
    require_distinct_model_input,
)
from customer_segmentation.errors import InputDataError
from customer_segmentation.memory import keep_freed_memory

LOGGER = logging.getLogger(__name__)
MANIFEST = "run_manifest.json"
# The catalog dataset of that file: written by RunGuard before any node runs, so never a missing
# or hashed input of the run itself.
MANIFEST_DATASET = "run_manifest"
REPORT = Path("08_reporting") / "segmentation_report.html"
STALE_BANNER_ID = "stale-report-banner"
GENERATED_LAYER = re.compile(r"/0[2-8]_[a-z_]+/")


class RunRefusedError(InputDataError):
    """This run cannot start: another run holds the outputs, or the runner cannot be used."""


def file_sha256(path: Path, chunk_bytes: int = 1 << 22) -> str:
    """SHA-256 of a file's bytes, read in 4 MiB chunks (a 1 GB file takes about 2 s)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(chunk_bytes):
            digest.update(chunk)
    return digest.hexdigest()


def _filepath(description: dict[str, Any]) -> str | None:
    if "filepath" in description:
        return str(description["filepath"])
    inner = description.get("dataset")
    return _filepath(inner) if isinstance(inner, dict) else None


def dataset_file(catalog, name: str) -> str | None:
    """The file behind a catalog dataset (CachedDataset: its wrapped dataset's), or None."""
    return _filepath(catalog.get(name)._describe())


def _write_text(path: Path, text: str) -> None:
    """Write a file whole or not at all (temporary sibling, then rename), as the datasets do."""
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def stamp_stale(report: Path, manifest: dict) -> None:
    """Put a banner at the top of an earlier run's report: a later run failed after it."""
    html = report.read_text(encoding="utf-8")
    if STALE_BANNER_ID in html:
        return
    banner = (
        f'<div id="{STALE_BANNER_ID}" style="background:#b00020;color:#fff;padding:12px 16px;'
        'font:600 15px sans-serif">Stale report: a later run '
        f"({manifest['run_id']}, started {manifest['started']}) failed. The tables beside this "
        "report may already describe that run's input. Fix the error it printed and run again."
        "</div>"
    )
    _write_text(report, html.replace("<body>", f"<body>{banner}", 1))


def data_inputs(pipeline, catalog) -> list[str]:
    """The catalog datasets the run reads and does not write: no parameters, and not the run
    manifest (RunGuard writes it before any node runs)."""
    return [
        name
        for name in sorted(pipeline.inputs())
        if not name.startswith("params:")
        and name not in ("parameters", MANIFEST_DATASET)
        and name in catalog
    ]


def refuse_missing_inputs(pipeline, catalog) -> None:
    """Stop before anything is written when an input of the run is missing.

    A partial run (``--pipelines scoring``, ``--pipelines clustering``...) reads what an earlier
    run left; without it Kedro would fail deep in a node after writing the first outputs.
    """
    missing = [name for name in data_inputs(pipeline, catalog) if not catalog.exists(name)]
    if not missing:
        return
    lines = []
    for name in missing:
        path = dataset_file(catalog, name) or name
        # Layers 02-08 are written by the project's own runs; anything else is an input file.
        fix = (
            "written by the training run: run `kedro run` (or the pipeline that writes it) first"
            if GENERATED_LAYER.search(Path(path).as_posix())
            else "an input file: put it in place, or point the dataset at it in "
            "conf/local/catalog.yml"
        )
        lines.append(f"  - {name} ({os.path.relpath(path)}): {fix}")
    raise RunRefusedError(
        "This run cannot start: inputs are missing.\n"
        + "\n".join(lines)
        + "\nNothing was written. Provide them, then run this command again."
    )


def _blocker(folder: Path) -> str | None:
    """Why files cannot be created in ``folder`` (or a parent it needs), or None if they can."""
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        return f"'{os.path.relpath(existing)}' is a file, not a folder"
    if not os.access(existing, os.W_OK):
        return f"'{os.path.relpath(existing)}' is not writable by this user"
    return None


def refuse_unwritable_outputs(pipeline, catalog) -> None:
    """Stop before anything is written when a folder the run writes to cannot be written.

    Without it the run fails at the first save into that folder, after the earlier layers were
    written (and Kedro's message blames versioning).
    """
    problems: dict[str, list[str]] = {}
    for name in sorted(pipeline.all_outputs()):
        path = dataset_file(catalog, name) if name in catalog else None
        if path is None or "://" in path:  # in memory, or remote storage: not a local folder
            continue
        blocker = _blocker(Path(path).parent)
        if blocker is not None:
            problems.setdefault(blocker, []).append(name)
    if not problems:
        return
    lines = [
        f"  - {why} (needed by {len(names)} output(s): {', '.join(names[:3])}"
        + (", ...)" if len(names) > 3 else ")")
        for why, names in problems.items()
    ]
    raise RunRefusedError(
        "This run cannot start: output folders cannot be written.\n"
        + "\n".join(lines)
        + "\nNothing was written. Remove the file standing in the folder's place (or give this "
        "user write access to the folder), then run this command again."
    )


class KeepFreedMemory:
    """Kedro hook: from the start of a run, the process reuses the memory its nodes free."""

    @hook_impl
    def before_pipeline_run(self) -> None:
        keep_freed_memory()


class RunGuard:
    """Kedro hooks: lock, manifest and stale-report stamp around every pipeline run."""

    def __init__(self) -> None:
        self._project: Path | None = None
        self._env: str | None = None
        self._outputs: Path | None = None
        self._lock: FileLock | None = None
        self._manifest: dict[str, Any] = {}
        self._k_max: int | None = None  # clustering.k_range.max when the run clusters
        self._id_column: str | None = None

    @hook_impl
    def after_context_created(self, context) -> None:
        self._project, self._env = Path(context.project_path), context.env
        self._outputs = self._project / context.config_loader["globals"].get("outputs", "data")

    @hook_impl
    def before_pipeline_run(self, run_params: dict[str, Any], pipeline, catalog) -> None:
        if isinstance(catalog, SharedMemoryDataCatalog):
            raise RunRefusedError(
                "ParallelRunner cannot run this project: the raw table and the main tables are "
                "Kedro CachedDatasets, kept in this process's memory so each file is read once, "
                "and ParallelRunner's worker processes cannot share them. Run without --runner "
                "(SequentialRunner), or with --runner ThreadRunner."
            )
        assert self._outputs is not None, "after_context_created sets the output folder"
        refuse_missing_inputs(pipeline, catalog)
        refuse_unwritable_outputs(pipeline, catalog)
        clusters = "params:clustering" in pipeline.inputs()
        self._k_max = catalog.load("params:clustering")["k_range"]["max"] if clusters else None
        # The customer table's ID column (runs that read the table), for the k-range checks.
        self._id_column = (
            CustomerSchema.from_config(catalog.load("params:schema")).id
            if "params:schema" in pipeline.inputs()
            else None
        )
        self._outputs.mkdir(parents=True, exist_ok=True)
        self._lock = FileLock(self._outputs / ".run.lock")
        try:
            self._lock.acquire(timeout=0)
        except Timeout:
            self._lock = None
            running = self._outputs / MANIFEST
            raise RunRefusedError(
                f"Another `kedro run` is writing to '{self._outputs}' right now (its details: "
                f"{running}). Wait for it to finish and run again; runs on another source use "
                "their own environment (--env) and folder."
            ) from None
        self._manifest = {
            "run_id": run_params["run_id"],
            "status": "running",
            "started": datetime.now(UTC).isoformat(timespec="seconds"),
            "finished": None,
            "env": self._env,
            "pipelines": run_params.get("pipeline_names"),
            "runtime_params": run_params.get("runtime_params") or {},
            "inputs": self._input_hashes(pipeline, catalog),
        }
        _write_text(self._outputs / MANIFEST, json.dumps(self._manifest, indent=2, default=str))

    @hook_impl(tryfirst=True)  # before RunSummary reports the outputs as written
    def after_node_run(self, outputs: dict[str, Any]) -> None:
        """Refuse too few (distinct) customers for the k range: Kedro calls this hook after a
        node ran and before it saves the node's outputs, so the refused tables are not written.

        The cleaning node is the first that knows the kept customers; the feature node the first
        that knows the model input (03_primary is written by then).
        """
        if self._k_max is None:
            return
        if "primary_customers" in outputs:
            customers = outputs["primary_customers"]
            inputs = [column for column in customers.columns if column != self._id_column]
            rejected: Counter[str] = Counter()
            for rule in outputs["data_quality"]["rules"]:
                rejected[rule["rule"]] += rule["rows_rejected"]
            source = str(customers.attrs.get("source") or self._input_files())
            require_customers_for_k(customers, inputs, self._k_max, source, rejected)
        if "model_input" in outputs:
            source = self._input_files()
            require_distinct_model_input(outputs["model_input"], self._k_max, source)

    def _input_files(self) -> str:
        """The run's input files (not those earlier runs wrote), for messages about its data."""
        paths = [entry["path"] for entry in self._manifest["inputs"].values()]
        return ", ".join(p for p in paths if not GENERATED_LAYER.search(f"/{p}")) or "the input"

    def _input_hashes(self, pipeline, catalog) -> dict[str, dict[str, str]]:
        """Path and SHA-256 of every input file the pipeline reads (not produced by it)."""
        hashes = {}
        for name in data_inputs(pipeline, catalog):
            path = dataset_file(catalog, name)
            if path and Path(path).is_file():
                inside = Path(path).resolve().is_relative_to(self._project.resolve())
                # Relative inside the project, so manifests and reports match on every machine.
                shown = os.path.relpath(path, self._project) if inside else path
                hashes[name] = {"path": shown, "sha256": file_sha256(Path(path))}
        return hashes

    def _finish(self, status: str, error: BaseException | None = None) -> None:
        if self._lock is None:  # refused before it started: nothing of ours to finish
            return
        assert self._outputs is not None
        self._manifest |= {
            "status": status,
            "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        if error is not None:
            self._manifest["error"] = f"{type(error).__name__}: {error}"[:2000]
            report = self._outputs / REPORT
            if report.is_file() and report.stat().st_mtime < _started_epoch(self._manifest):
                stamp_stale(report, self._manifest)
        _write_text(self._outputs / MANIFEST, json.dumps(self._manifest, indent=2, default=str))
        self._lock.release()
        self._lock = None

    @hook_impl
    def after_pipeline_run(self) -> None:
        self._finish("succeeded")

    @hook_impl
    def on_pipeline_error(self, error: BaseException) -> None:
        self._finish("failed", error)


def _started_epoch(manifest: dict[str, Any]) -> float:
    return datetime.fromisoformat(manifest["started"]).timestamp()


SUMMARY = logging.getLogger("customer_segmentation.run")


def _path(catalog, name: str) -> str:
    """Where ``name`` is written, relative to the working directory when inside it."""
    path = dataset_file(catalog, name) or name
    return os.path.relpath(path) if os.path.isabs(path) else path


def _rows_line(quality: dict, rejected_at: str) -> str:
    return (
        f"{quality['rows_in']:,} rows in: {quality['rows_kept']:,} kept, "
        f"{quality['rows_rejected']:,} rejected, each with a reason ({rejected_at})"
    )


def _k_line(decision: dict) -> str:
    """k and why in plain words, then how firm the segments are (when the decision says)."""
    statement = (decision.get("structure") or {}).get("statement", "")
    why = decision.get("explanation") or decision["reasoning"].split(". ")[0]
    return f"k = {decision['chosen_k']}: {why.rstrip('.')}.\n{statement}".rstrip()


def _features_line(report: dict) -> str:
    columns = len(report["model_input_columns"])
    variance = report.get("explained_variance_total")
    kept = f" keeping {variance:.0%} of the variance" if variance else ""
    return f"{len(report['features_requested'])} customer features -> {columns} model inputs{kept}"


def _history_line(identities: dict) -> str:
    """The segment history in a sentence: first run, or what was kept, new and dissolved."""
    if identities["reference"] is None:
        return "no earlier run; the next run is compared with this one"
    statuses = Counter(s["status"] for s in identities["segments"])
    return (
        f"compared with run {identities['reference']['run_id']}: {statuses['kept']} kept, "
        f"{statuses['new']} new, {len(identities['dissolved'])} dissolved"
    )


class RunSummary:
    """Kedro hooks: one console line per pipeline with its key result, and a closing summary.

    Kedro's own per-node lines go to info.log (conf/logging.yml); these lines are what a person
    reads on the console.
    """

    def __init__(self) -> None:
        self._results: dict[str, Any] = {}
        self._started = 0.0

    @hook_impl
    def before_pipeline_run(self) -> None:
        self._results = {}
        self._started = datetime.now(UTC).timestamp()

    @hook_impl
    def after_node_run(self, outputs: dict[str, Any], catalog) -> None:
        for name, value in outputs.items():
            prefix, _, key = name.rpartition(".")
            step = f"{prefix} " if prefix else ""
            if key == "data_quality":
                rejected = _path(catalog, name.replace("data_quality", "rejected_customers"))
                self._results[name] = _rows_line(value, rejected)
                SUMMARY.info("%scleaning: %s", step, self._results[name])
            elif name == "feature_report":
                SUMMARY.info("features: %s", _features_line(value))
            elif name == "eda_summary":
                SUMMARY.info(
                    "eda: %s customers, tables and figures in %s",
                    f"{value['n_customers']:,}",
                    os.path.dirname(_path(catalog, "eda_key_metrics")),
                )
            elif name == "k_selection_decision":
                self._results["k"] = _k_line(value)
                SUMMARY.info("clustering: %s", self._results["k"])
            elif name == "segment_stability":
                self._results["stability"] = (
                    f"Stability: mean adjusted Rand index {value['ari_mean']:.2f} "
                    f"(sd {value['ari_sd']:.2f}, min {value['ari_min']:.2f}) over "
                    f"{value['n_resamples']} bootstrap resamples"
                )
            elif name == "segment_identities":
                SUMMARY.info("segment history: %s", _history_line(value))
            elif name == "segmentation_report":
                self._results["report"] = _path(catalog, name)
                SUMMARY.info("cluster_analysis: report written to %s", self._results["report"])
            elif name == "new_customer_segments":
                SUMMARY.info(
                    "scoring: %s new customers placed, in %s",
                    f"{len(value):,}",
                    _path(catalog, name),
                )

    @hook_impl
    def after_pipeline_run(self) -> None:
        seconds = datetime.now(UTC).timestamp() - self._started
        lines = [f"Done in {seconds:.1f} s."]
        if "data_quality" in self._results:
            lines.append(self._results["data_quality"].capitalize() + ".")
        lines += [self._results[key] for key in ("k", "stability") if key in self._results]
        if "report" in self._results:
            lines.append(f"Open the report: {self._results['report']}")
        SUMMARY.info("\n".join(lines))
