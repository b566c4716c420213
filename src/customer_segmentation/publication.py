"""Publication: a run's outputs become current together, only when the run succeeds.

Every file a run writes under the output folder (``${globals:outputs}``) is a Kedro versioned
dataset, saved under the run's one save version (Kedro's layout ``<file>/<version>/<file>``).
Nothing a run writes is current until it is published:

    <outputs>/.published/<version>/publication.json   which version of every dataset is current,
                                                      with each file's SHA-256
    <outputs>/.published/<version>/<layer>/<file>     a link to that version's file
    <outputs>/current -> .published/<version>         the switch: one symlink, replaced atomically

People open ``<outputs>/current/08_reporting/segmentation_report.html``; Kedro readers outside a
run (notebooks, kedro-viz) load the versions ``publication.json`` names (context.py); a run
starts by removing what unfinished runs left (``remove_unpublished``), so the latest version of
every dataset is then the published one, the version Kedro loads by default.

Publishing fsyncs every new file and folder before the switch, so a published run survives a
power cut. A run killed at any moment (SIGKILL, out of memory) leaves ``current`` untouched.
"""

import hashlib
import json
import os
import re
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

PUBLISHED = ".published"
CURRENT = "current"
# The run records (hooks.py): versioned like the outputs, but every run's is kept.
RECORDS = "runs"
PUBLICATION = "publication.json"
# Kedro's save versions (kedro.io.core.generate_timestamp): UTC time to the millisecond.
VERSION = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}\.\d{2}\.\d{2}\.\d{3}Z$")
# Files a write in progress leaves beside its target (the project's atomic datasets, DuckDB).
UNFINISHED_WRITE = re.compile(r"^(\..+\.partial|tmp_.+)$")


def version_file(filepath: Path, version: str) -> Path:
    """The file of one version of a versioned dataset (Kedro's layout)."""
    return filepath / version / filepath.name


def sha256(path: Path, sync: bool = False, chunk_bytes: int = 1 << 22) -> str:
    """SHA-256 of a file's bytes, read once in 4 MiB chunks (about 2 s per GB); with ``sync``
    the file is also flushed to disk (fsync)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(chunk_bytes):
            digest.update(chunk)
        if sync:
            os.fsync(handle.fileno())
    return digest.hexdigest()


def sync_folder(folder: Path) -> None:
    """fsync a folder, so the names created in it (renames included) survive a power cut."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def write_synced(path: Path, text: str) -> None:
    """Write a file whole or not at all, flushed to disk: a synced sibling renamed into place."""
    partial = path.with_name(f".{path.name}.partial")
    with partial.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)
    sync_folder(path.parent)


def current_publication(outputs: Path) -> dict[str, Any] | None:
    """The published run's ``publication.json`` (None before the first published run)."""
    path = outputs / CURRENT / PUBLICATION
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def retained(outputs: Path) -> list[str]:
    """Versions of the published runs kept on disk, oldest first, up to the current one.

    A publication folder newer than ``current`` belongs to a run killed while it published: it
    never became current, so it is not a published run.
    """
    folder = outputs / PUBLISHED
    current = current_publication(outputs)
    if current is None or not folder.is_dir():
        return []
    versions = sorted(
        child.name
        for child in folder.iterdir()
        if VERSION.match(child.name) and (child / PUBLICATION).is_file()
    )
    return [version for version in versions if version <= current["version"]]


def _referenced(outputs: Path, versions: Iterable[str]) -> set[tuple[str, str]]:
    """(dataset file relative to ``outputs``, version) of every file the publications name."""
    referenced = set()
    for version in versions:
        publication = json.loads(
            (outputs / PUBLISHED / version / PUBLICATION).read_text(encoding="utf-8")
        )
        for entry in publication["datasets"].values():
            referenced.add((entry["path"], entry["version"]))
    return referenced


@dataclass(frozen=True)
class Removed:
    """What ``remove_unpublished`` deleted: version folders, stray files, bytes, run versions."""

    folders: int = 0
    files: int = 0
    bytes: int = 0
    versions: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.folders or self.files)

    def describe(self) -> str:
        """'3 files, 1.2 MB' for a console line."""
        return f"{self.folders + self.files} file(s), {self.bytes / 1e6:.1f} MB"


def _size(path: Path) -> int:
    if path.is_symlink() or path.is_file():
        return path.lstat().st_size
    return sum(child.lstat().st_size for child in path.rglob("*") if child.is_file())


def _remove(path: Path) -> int:
    size = _size(path)
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()
    return size


def remove_unpublished(
    outputs: Path, keep_runs: int | None = None, keep: Iterable[str] = ()
) -> Removed:
    """Delete every version, publication folder and half-written file that no kept publication
    names: the last ``keep_runs`` published runs (all when None), and the versions in ``keep``
    (a run in progress).

    Called with the run lock held: at the start of a run it removes what unfinished runs left;
    after a publication it prunes the runs past the retention.
    """
    if not outputs.is_dir():
        return Removed()
    kept_runs = retained(outputs)[-keep_runs:] if keep_runs else retained(outputs)
    referenced = _referenced(outputs, kept_runs)
    keep = set(keep) | set(kept_runs)
    folders = files = size = 0
    versions: set[str] = set()
    published = outputs / PUBLISHED
    for child in sorted(published.iterdir()) if published.is_dir() else []:
        if child.name not in keep:
            size += _remove(child)
            folders += 1
            versions.add(child.name)
    for folder, subfolders, names in os.walk(outputs):
        here = Path(folder)
        if here == outputs:
            subfolders[:] = [n for n in subfolders if n not in (PUBLISHED, CURRENT, RECORDS)]
        relative = here.relative_to(outputs).as_posix()
        version_folders = [name for name in subfolders if VERSION.match(name)]
        # A dataset's version folders are kept or removed whole, never walked into.
        subfolders[:] = [name for name in subfolders if name not in version_folders]
        for name in version_folders:
            if (relative, name) not in referenced and name not in keep:
                size += _remove(here / name)
                folders += 1
                versions.add(name)
        for name in names:
            if UNFINISHED_WRITE.match(name):
                size += _remove(here / name)
                files += 1
        if version_folders and not any(here.iterdir()):
            here.rmdir()  # a dataset folder whose versions were all removed
    return Removed(folders, files, size, tuple(sorted(versions)))


def publish(
    outputs: Path,
    version: str,
    run_id: str,
    written: Mapping[str, Path],
    stale: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Make this run's files current together with the still-current files of earlier runs.

    ``written``: dataset name -> its file path (the versioned dataset's ``filepath``) for every
    versioned dataset this run saved under ``version``. Datasets it did not write stay at the
    version the current publication names. ``stale``: dataset name -> banner HTML for a report
    that the run made out of date without rewriting it (a partial run): the published folder
    holds a copy with the banner instead of a link, in this and later publications, until a
    run writes the report again. Returns the new ``publication.json``.
    """
    previous = current_publication(outputs)
    datasets: dict[str, dict[str, str]] = dict(previous["datasets"]) if previous else {}
    for name, filepath in sorted(written.items()):
        target = version_file(filepath, version)
        relative = filepath.relative_to(outputs).as_posix()
        digest = sha256(target, sync=True)
        datasets[name] = {"path": relative, "version": version, "sha256": digest}
        sync_folder(target.parent)
        sync_folder(target.parent.parent)
    for name, banner in (stale or {}).items():
        datasets[name] = {**datasets[name], "stale": banner}
    publication = {
        "version": version,
        "run_id": run_id,
        "published": datetime.now(UTC).isoformat(timespec="seconds"),
        "datasets": datasets,
    }
    folder = outputs / PUBLISHED
    folder.mkdir(parents=True, exist_ok=True)
    building = folder / f".{version}.partial"
    if building.exists():
        shutil.rmtree(building)
    for entry in datasets.values():
        link = building / entry["path"]
        link.parent.mkdir(parents=True, exist_ok=True)
        target = version_file(outputs / entry["path"], entry["version"])
        if "stale" in entry:
            html = target.read_text(encoding="utf-8")
            link.write_text(html.replace("<body>", f"<body>{entry['stale']}", 1), encoding="utf-8")
        else:
            link.symlink_to(os.path.relpath(target, link.parent))
    write_synced(building / PUBLICATION, json.dumps(publication, indent=2))
    final = folder / version
    os.replace(building, final)
    sync_folder(folder)
    switch = outputs / f".{CURRENT}.partial"
    if switch.is_symlink() or switch.exists():
        switch.unlink()
    switch.symlink_to(Path(PUBLISHED) / version)
    os.replace(switch, outputs / CURRENT)  # the one atomic step
    sync_folder(outputs)
    return publication
