"""A project's catalog as `kedro run` builds it: globals resolved, dataset factories applied."""

import os
from pathlib import Path

import pandas as pd
from kedro.framework.session import KedroSession
from kedro.framework.startup import bootstrap_project
from kedro.io import DataCatalog
from kedro_datasets.pandas import CSVDataset, ParquetDataset

from customer_segmentation.hooks import dataset_file


def project_catalog(project: Path, env: str = "base") -> DataCatalog:
    """The resolved catalog of ``project`` in ``env`` (``base``: no local overrides)."""
    bootstrap_project(project)
    with KedroSession.create(project_path=project, env=env) as session:
        return session.load_context().catalog


def output_file(catalog: DataCatalog, name: str, project: Path) -> str | None:
    """The file a dataset writes, relative to ``project``; None for a memory dataset."""
    path = dataset_file(catalog, name)
    return None if path is None else os.path.relpath(path, project)


def load_table(path: Path) -> pd.DataFrame:
    """A published table (``data/current/...``) read as its catalog dataset reads it."""
    dataset = {".parquet": ParquetDataset, ".csv": CSVDataset}[path.suffix]
    return dataset(filepath=str(path)).load()


def published_outputs(project: Path, outputs: str = "data") -> dict[str, Path]:
    """Every published output file (``<outputs>/current``) by its path under the outputs."""
    current = project / outputs / "current"
    return {
        path.relative_to(current).as_posix(): path
        for path in sorted(current.rglob("*"))
        if path.is_file() and path.name != "publication.json"
    }
