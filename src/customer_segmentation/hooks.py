"""Run guard: one run at a time per output folder, a record of every run, publication at the end.

The project's only Kedro hooks; they do what needs the whole run, never a table's content.

- A file lock (``filelock``) on the environment's output folder: a second ``kedro run`` waits
  for the first (``run_guard.lock_wait_seconds``), saying which run it waits for, instead of
  interleaving its files with the first run's.
- Publication (publication.py): every file a run writes is a new version; only a run that
  succeeds makes its versions current, all together, with one atomic switch of
  ``<outputs>/current``. A run that ends any other way (an error, Ctrl-C, SIGTERM, SIGKILL, out
  of memory) publishes nothing: its versions are removed when it fails, or at the next start.
  After publishing, versions only older runs used are pruned (``run_guard.keep_published_runs``).
- A record of every run (``run_manifest``, one version per run, never rewritten by another run):
  run id, status, parameters given on the command line, the SHA-256 of the bytes each input file
  had while it was read (a file replaced during the read stops the run), and, once published,
  the SHA-256 of every file the run published. A published file a later run reads (the scoring
  run's model) must still have that hash.
- Refusals before anything is written, which need the whole pipeline: ``ParallelRunner`` (the
  raw table is cached in this process), missing inputs, an output folder that cannot be written.
- A closing console line: the wall time, and where the report is when the run published one.

Checks on a table's content (too few customers for ``clustering.k_range``) are made by the nodes
that produce the table (data_processing, feature_engineering): a node that raises is not saved.
"""

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

from customer_segmentation import publication
from customer_segmentation.errors import InputDataError

LOGGER = logging.getLogger(__name__)
# The run record: a versioned JSON file, one version per run (runs/run.json/<run id>/run.json),
# written by RunGuard before any node runs, so never a missing input of the run itself. Records
# are kept, never pruned (a few KB each).
MANIFEST_DATASET = "run_manifest"
REPORT_DATASET = "segmentation_report"
STALE_BANNER_ID = "stale-report-banner"
GENERATED_LAYER = re.compile(r"/0[2-8]_[a-z_]+/")
OWNER = ".run.owner"  # who holds the lock: run id, process, start, pipelines
DEFAULT_SETTINGS = {"lock_wait_seconds": 600, "keep_published_runs": 6}


class RunRefusedError(InputDataError):
    """This run cannot start: another run holds the outputs, or the runner cannot be used."""


class InputChangedError(InputDataError):
    """An input file changed while the run read it, or a published file was edited."""


def _description(catalog, name: str) -> dict[str, Any]:
    description = catalog.get(name)._describe()
    inner = description.get("dataset")  # a CachedDataset: its wrapped dataset's
    return inner if isinstance(inner, dict) else description


def dataset_file(catalog, name: str) -> str | None:
    """The file behind a catalog dataset (CachedDataset: its wrapped dataset's), or None."""
    filepath = _description(catalog, name).get("filepath")
    return None if filepath is None else str(filepath)


def versioned_file(catalog, name: str) -> Path | None:
    """The file path of a versioned file dataset (its version folders' parent), else None."""
    description = _description(catalog, name)
    if description.get("version") is None or description.get("filepath") is None:
        return None
    return Path(str(description["filepath"]))


def _identity(path: Path) -> tuple[int, int, int, int]:
    """What changes when a file is replaced or written to: device, inode, size, mtime (ns)."""
    status = path.stat()
    return status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns


def stale_banner(run_id: str, changed: list[str]) -> str:
    """The banner of a report that a partial run made out of date without rewriting it."""
    shown = ", ".join(changed[:4]) + (", ..." if len(changed) > 4 else "")
    return (
        f'<div id="{STALE_BANNER_ID}" style="background:#b00020;color:#fff;padding:12px 16px;'
        f'font:600 15px sans-serif">Out of date: run {run_id} replaced what this report '
        f"describes ({shown}) without making a new report. Run `kedro run` to bring it up to "
        "date.</div>"
    )


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
    """Kedro hooks: lock, run record and publication around every pipeline run."""

    def __init__(self) -> None:
        self._project: Path | None = None
        self._env: str | None = None
        self._outputs: Path | None = None
        self._settings: dict[str, Any] = dict(DEFAULT_SETTINGS)
        self._lock: FileLock | None = None
        self._record: dict[str, Any] = {}
        self._record_file: Path | None = None
        self._written: dict[str, Path] = {}  # the versioned datasets the run writes
        self._input_files: dict[str, str] = {}  # the run's inputs that are not run outputs
        self._published: dict[str, Any] | None = None  # the publication the run started from
        self._reading: dict[str, tuple[Path, tuple, str]] = {}  # inputs being read
        self._read: set[str] = set()
        self._started = 0.0  # time.monotonic() at the start of the run

    @hook_impl
    def after_context_created(self, context) -> None:
        self._project, self._env = Path(context.project_path), context.env
        self._outputs = self._project / context.config_loader["globals"].get("outputs", "data")
        self._settings = {**DEFAULT_SETTINGS, **(context.params.get("run_guard") or {})}

    # tryfirst: a refused run stops before other hooks act (kedro-mlflow would open an MLflow
    # run for it).
    @hook_impl(tryfirst=True)
    def before_pipeline_run(self, run_params: dict[str, Any], pipeline, catalog) -> None:
        if isinstance(catalog, SharedMemoryDataCatalog):
            raise RunRefusedError(
                "ParallelRunner cannot run this project: the raw table and the main tables are "
                "Kedro CachedDatasets, kept in this process's memory so each file is read once, "
                "and ParallelRunner's worker processes cannot share them. Run without --runner "
                "(SequentialRunner), or with --runner ThreadRunner."
            )
        assert self._outputs is not None, "after_context_created sets the output folder"
        refuse_unwritable_outputs(pipeline, catalog)
        self._outputs.mkdir(parents=True, exist_ok=True)
        self._acquire_lock(run_params)
        try:
            self._remove_unfinished_runs()
            refuse_missing_inputs(pipeline, catalog)
        except BaseException:
            self._release()
            raise
        self._started = time.monotonic()
        self._published = publication.current_publication(self._outputs)
        self._written = {
            name: path
            for name in sorted(pipeline.all_outputs() | {MANIFEST_DATASET})
            if name in catalog and (path := versioned_file(catalog, name)) is not None
        }
        self._remove_older_layout()
        self._input_files = {
            name: path
            for name in data_inputs(pipeline, catalog)
            if (path := dataset_file(catalog, name)) is not None
        }
        run_id = run_params["run_id"]
        self._record_file = publication.version_file(self._written[MANIFEST_DATASET], run_id)
        self._record = {
            "run_id": run_id,
            "status": "running",
            "started": datetime.now(UTC).isoformat(timespec="seconds"),
            "finished": None,
            "env": self._env,
            "pipelines": run_params.get("pipeline_names"),
            "runtime_params": run_params.get("runtime_params") or {},
            "process": os.getpid(),
            "inputs": {},
        }
        self._write_record()

    def _acquire_lock(self, run_params: dict[str, Any]) -> None:
        assert self._outputs is not None
        lock = FileLock(self._outputs / ".run.lock")
        wait = float(self._settings["lock_wait_seconds"])
        try:
            lock.acquire(timeout=0)
        except Timeout:
            holder = self._lock_holder()
            if wait <= 0:
                raise RunRefusedError(
                    f"Another `kedro run` ({holder}) is writing to '{_shown(str(self._outputs))}'"
                    " right now. Nothing was written. Run again when it has finished, or let "
                    "this run wait for it: --params run_guard.lock_wait_seconds=600."
                ) from None
            LOGGER.info("Waiting up to %.0f s for another run to finish: %s.", wait, holder)
            try:
                lock.acquire(timeout=wait)
            except Timeout:
                raise RunRefusedError(
                    f"Another `kedro run` ({holder}) was still writing to "
                    f"'{_shown(str(self._outputs))}' after {wait:.0f} s "
                    "(run_guard.lock_wait_seconds). Nothing was written. Run again when it has "
                    "finished, or wait longer: --params run_guard.lock_wait_seconds=<seconds>."
                ) from None
        self._lock = lock
        owner = {
            "run_id": run_params["run_id"],
            "process": os.getpid(),
            "started": datetime.now(UTC).isoformat(timespec="seconds"),
            "pipelines": run_params.get("pipeline_names"),
        }
        publication.write_synced(self._outputs / OWNER, json.dumps(owner))

    def _lock_holder(self) -> str:
        assert self._outputs is not None
        try:
            owner = json.loads((self._outputs / OWNER).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return "a run that has not recorded itself yet"
        pipelines = ", ".join(owner.get("pipelines") or ["__default__"])
        return (
            f"run {owner['run_id']}, pipelines {pipelines}, process {owner['process']}, "
            f"started {owner['started']}"
        )

    def _remove_unfinished_runs(self) -> None:
        """Remove what runs that never published left, and say so in one line."""
        assert self._outputs is not None
        removed = publication.remove_unpublished(self._outputs)
        interrupted = self._mark_interrupted()
        if not removed and not interrupted:
            return
        current = publication.current_publication(self._outputs)
        still = f"still run {current['run_id']}'s" if current else "none (nothing published yet)"
        if not removed:  # stopped before its first output
            LOGGER.info(
                "Run(s) %s stopped before writing any output; the current outputs are %s.",
                ", ".join(interrupted),
                still,
            )
            return
        LOGGER.info(
            "Removed what unfinished run(s) %s left (%s); the current outputs are %s.",
            ", ".join(interrupted or removed.versions),
            removed.describe(),
            still,
        )

    def _remove_older_layout(self) -> None:
        """Outputs written before publication (a plain file where a versioned dataset keeps its
        version folders) would stop the first save: remove them, saying so in one line."""
        older = [path for path in self._written.values() if path.is_file()]
        for path in older:
            path.unlink()
        if older:
            LOGGER.info(
                "Removed %d output file(s) in the layout before publication (outputs now go "
                "under versions and data/current, docs/runs.md).",
                len(older),
            )

    def _mark_interrupted(self) -> list[str]:
        """A record still saying "running" is a killed run's (this run holds the lock)."""
        assert self._outputs is not None
        interrupted = []
        for record_file in sorted((self._outputs / publication.RECORDS).glob("*/*/*.json")):
            record = json.loads(record_file.read_text(encoding="utf-8"))
            if record.get("status") == "running":
                record["status"] = "interrupted"
                publication.write_synced(record_file, json.dumps(record, indent=2, default=str))
                interrupted.append(record["run_id"])
        return interrupted

    def _write_record(self) -> None:
        assert self._record_file is not None
        self._record_file.parent.mkdir(parents=True, exist_ok=True)
        publication.write_synced(self._record_file, json.dumps(self._record, indent=2, default=str))

    # -- reading: the bytes a run reads are the bytes it records

    @hook_impl
    def before_dataset_loaded(self, dataset_name: str) -> None:
        """Hash an input file before it is read; a published file must have its recorded hash."""
        if self._lock is None or dataset_name in self._read or dataset_name in self._written:
            return
        self._read.add(dataset_name)
        assert self._outputs is not None
        entry = (self._published or {}).get("datasets", {}).get(dataset_name)
        if entry is not None:
            path = publication.version_file(self._outputs / entry["path"], entry["version"])
        elif dataset_name in self._input_files:
            path = Path(self._input_files[dataset_name])
        else:
            return
        if not path.is_file():
            return
        identity, digest = _identity(path), publication.sha256(path)
        if entry is not None and digest != entry["sha256"]:
            raise InputChangedError(
                f"'{_shown(str(path))}' ({dataset_name}) is not the file run "
                f"{self._published['run_id']} published: its SHA-256 is {digest[:12]}, that run "
                f"recorded {entry['sha256'][:12]}. Nothing was written. A published file must "
                "not be edited: run `kedro run` to make a new one."
            )
        self._reading[dataset_name] = (path, identity, digest)

    @hook_impl
    def after_dataset_loaded(self, dataset_name: str) -> None:
        """Refuse a file that changed during the read; record the hash of the bytes read."""
        if dataset_name not in self._reading:
            return
        path, identity, digest = self._reading.pop(dataset_name)
        if not path.is_file() or _identity(path) != identity:
            raise InputChangedError(
                f"'{_shown(str(path))}' ({dataset_name}) changed while this run read it (it was "
                "replaced or written to). Nothing was published. Run again once the file is "
                "complete."
            )
        assert self._project is not None
        inside = path.resolve().is_relative_to(self._project.resolve())
        # Relative inside the project, so records and reports match on every machine.
        shown = os.path.relpath(path, self._project) if inside else str(path)
        self._record["inputs"][dataset_name] = {"path": shown, "sha256": digest}
        self._write_record()

    # -- the end of a run

    @hook_impl
    def after_pipeline_run(self, run_params: dict[str, Any]) -> None:
        assert self._outputs is not None
        run_id = run_params["run_id"]
        self._record |= {
            "status": "succeeded",
            "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        self._write_record()
        written = {
            name: path
            for name, path in self._written.items()
            if publication.version_file(path, run_id).is_file()
        }
        stale = self._stale_report(run_id, written)
        published = publication.publish(self._outputs, run_id, run_id, written, stale)
        keep = int(self._settings["keep_published_runs"])
        pruned = publication.remove_unpublished(self._outputs, keep_runs=keep)
        if pruned:
            LOGGER.info(
                "Pruned what %d older run(s) published (%s; run_guard.keep_published_runs: %d).",
                len(pruned.versions),
                pruned.describe(),
                keep,
            )
        self._release()
        report = published["datasets"].get(REPORT_DATASET)
        where = ""
        if report is not None and (REPORT_DATASET in written or stale):
            current = self._outputs / publication.CURRENT / report["path"]
            where = f" Open the report: {_shown(str(current))}"
        LOGGER.info("Done in %.1f s.%s", time.monotonic() - self._started, where)

    def _stale_report(self, run_id: str, written: dict[str, Path]) -> dict[str, str]:
        """A banner for the published report when this run replaced what the report's run
        published without writing a new report (a partial run such as ``--pipelines
        clustering``); a scoring run replaces nothing the report shows."""
        report = (self._published or {}).get("datasets", {}).get(REPORT_DATASET)
        if report is None or REPORT_DATASET in written or "stale" in report:
            return {}
        made_with = {
            name
            for name, entry in self._published["datasets"].items()
            if entry["version"] == report["version"]
        } - {MANIFEST_DATASET, REPORT_DATASET}
        changed = sorted(set(written) & made_with)
        return {REPORT_DATASET: stale_banner(run_id, changed)} if changed else {}

    @hook_impl
    def on_pipeline_error(self, error: BaseException) -> None:
        if self._lock is None:  # refused before it started: nothing of ours to finish
            return
        assert self._outputs is not None
        self._record |= {
            "status": "failed",
            "finished": datetime.now(UTC).isoformat(timespec="seconds"),
            "error": f"{type(error).__name__}: {error}"[:2000],
        }
        self._write_record()
        publication.remove_unpublished(self._outputs)
        current = publication.current_publication(self._outputs)
        if current is not None:
            LOGGER.info(
                "Nothing was published: the current outputs are still run %s's.",
                current["run_id"],
            )
        self._release()

    def _release(self) -> None:
        if self._lock is not None:
            assert self._outputs is not None
            (self._outputs / OWNER).unlink(missing_ok=True)
            self._lock.release()
            self._lock = None


def _shown(path: str) -> str:
    """A file path as a person types it: relative to the working directory when inside it."""
    return os.path.relpath(path) if os.path.isabs(path) else path
