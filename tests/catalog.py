"""A project's catalog as `kedro run` builds it: globals resolved, dataset factories applied."""

import os
from pathlib import Path

import pandas as pd
from kedro.framework.session import KedroSession
from kedro.framework.startup import bootstrap_project
from kedro.io import DataCatalog, Version
from kedro_datasets.pandas import CSVDataset, ParquetDataset

from customer_segmentation.hooks import dataset_file
from tests.project_copy import GENERATED_LAYERS


def project_catalog(project: Path, env: str = "base") -> DataCatalog:
    """The resolved catalog of ``project`` in ``env`` (``base``: no local overrides)."""
    bootstrap_project(project)
    with KedroSession.create(project_path=project, env=env) as session:
        return session.load_context().catalog


def output_file(catalog: DataCatalog, name: str, project: Path) -> str | None:
    """The file a dataset writes, relative to ``project``; None for a memory dataset."""
    path = dataset_file(catalog, name)
    return None if path is None else os.path.relpath(path, project)


def load_latest(path: Path) -> pd.DataFrame:
    """The latest version of a versioned table (``versioned: true``), found as Kedro finds it."""
    dataset = {".parquet": ParquetDataset, ".csv": CSVDataset}[path.suffix]
    return dataset(filepath=str(path), version=Version(None, None)).load()


def latest_outputs(project: Path) -> dict[str, Path]:
    """Every output file by its dataset path; of a versioned dataset (Kedro's layout
    ``<path>/<version>/<name>``, versions sorting by time) the latest version's."""
    files = {}
    for layer in GENERATED_LAYERS:
        # Sorted, so a later version of a versioned dataset replaces an earlier one.
        for path in sorted((project / "data" / layer).rglob("*")):
            versioned = path.parent.parent.name == path.name
            files[str((path.parent.parent if versioned else path).relative_to(project))] = path
    return {name: path for name, path in files.items() if path.is_file()}
