"""Fixtures for the synthetic generator tests: one shared 20k-row sample, generated once."""

import pandas as pd
import pytest

from tools.synthetic import write_synthetic
from tools.synthetic.calibration import SAMPLE_ROWS, SAMPLE_SEED


@pytest.fixture(scope="session")
def synthetic_files(tmp_path_factory):
    """Paths of a 20k-row raw file and its truth file written with default dirt."""
    folder = tmp_path_factory.mktemp("synthetic")
    report = write_synthetic(folder / "customers.csv", SAMPLE_ROWS, SAMPLE_SEED)
    return report.customers_path, report.segments_path


@pytest.fixture(scope="session")
def synthetic_raw(synthetic_files) -> pd.DataFrame:
    """The 20k-row raw file read back the way a user would read the real one."""
    return pd.read_csv(synthetic_files[0], sep="\t")


@pytest.fixture(scope="session")
def synthetic_truth(synthetic_files) -> pd.DataFrame:
    """The truth file of the 20k-row sample."""
    return pd.read_csv(synthetic_files[1])
