"""Run guard: one run at a time per output folder, a manifest of every run, clear refusals.

The project's only Kedro hooks; they do what needs the whole run, never a table's content.

- A file lock (``filelock``) on the environment's output folder: a second ``kedro run`` in the
  same project and environment stops at once with a message instead of silently interleaving
  its files with the first run's.
- ``run_manifest.json`` in the output folder: run id, input files with their SHA-256, parameters
  given on the command line, start and end time, status (running / succeeded / failed). The
  report shows the run id and input hash from it.
- When a run fails, a report left by an earlier run is stamped as stale: the outputs beside it
  may already describe the failed run's input.
- Refusals before anything is written, which need the whole pipeline: ``ParallelRunner`` (the
  raw table is cached in this process), missing inputs, an output folder that cannot be written.
- A closing console line: the wall time, and where the report is when the run wrote one.

Checks on a table's content (too few customers for ``clustering.k_range``) are made by the nodes
that produce the table (data_processing, feature_engineering): a node that raises is not saved.
"""

import hashlib
import json
import logging
import os
import re
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout
from kedro.framework.hooks import hook_impl
from kedro.io import SharedMemoryDataCatalog

from customer_segmentation.errors import InputDataError

LOGGER = logging.getLogger(__name__)
MANIFEST = "run_manifest.json"
# The catalog dataset of that file: written by RunGuard before any node runs, so never a missing
# or hashed input of the run itself.
MANIFEST_DATASET = "run_manifest"
REPORT = Path("08_reporting") / "segmentation_report.html"
REPORT_DATASET = "segmentation_report"
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


class RunGuard:
    """Kedro hooks: lock, manifest and stale-report stamp around every pipeline run."""

    def __init__(self) -> None:
        self._project: Path | None = None
        self._env: str | None = None
        self._outputs: Path | None = None
        self._lock: FileLock | None = None
        self._manifest: dict[str, Any] = {}
        self._report: str | None = None  # the report file, when the run writes it
        self._started = 0.0  # time.monotonic() at the start of the run

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
        writes_report = REPORT_DATASET in pipeline.all_outputs() and REPORT_DATASET in catalog
        self._report = dataset_file(catalog, REPORT_DATASET) if writes_report else None
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
        self._started = time.monotonic()
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
        report = f" Open the report: {_shown(self._report)}" if self._report else ""
        LOGGER.info("Done in %.1f s.%s", time.monotonic() - self._started, report)

    @hook_impl
    def on_pipeline_error(self, error: BaseException) -> None:
        self._finish("failed", error)


def _started_epoch(manifest: dict[str, Any]) -> float:
    return datetime.fromisoformat(manifest["started"]).timestamp()


def _shown(path: str) -> str:
    """A file path as a person types it: relative to the working directory when inside it."""
    return os.path.relpath(path) if os.path.isabs(path) else path
