"""In-memory fixtures for the clustering pipeline: planted segments and the real parameters."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from kedro.io import DataCatalog, MemoryDataset
from sklearn.datasets import make_blobs

PARAMETERS = Path(__file__).parents[3] / "conf/base/parameters_clustering.yml"


class KeptDataset(MemoryDataset):
    """A MemoryDataset the runner does not empty, so tests can read intermediate outputs."""

    def _release(self) -> None:
        pass


@pytest.fixture
def clustering_params() -> dict:
    return yaml.safe_load(PARAMETERS.read_text())["clustering"]


def make_model_input(n: int = 1200, centers: int = 4, seed: int = 3) -> pd.DataFrame:
    """A model_input frame: ID (int64, not in row order) + float64 features, planted blobs."""
    matrix, _ = make_blobs(n, n_features=6, centers=centers, cluster_std=2.0, random_state=seed)
    frame = pd.DataFrame(matrix, columns=[f"feature_{i}" for i in range(6)])
    ids = np.random.default_rng(seed).permutation(n).astype("int64") * 5 + 1000
    frame.insert(0, "ID", ids)
    return frame


@pytest.fixture
def model_input() -> pd.DataFrame:
    return make_model_input()


def make_catalog(inputs: dict, outputs: list[str]) -> DataCatalog:
    """Inputs as MemoryDatasets, outputs as kept in-memory datasets."""
    return DataCatalog(
        {name: MemoryDataset(value) for name, value in inputs.items()}
        | {name: KeptDataset() for name in outputs}
    )
