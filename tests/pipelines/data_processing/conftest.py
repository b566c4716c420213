"""data_processing test fixtures: a small raw table as text, and the project's parameters."""

from copy import deepcopy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from customer_segmentation.contract import (
    CHANNEL_COLUMNS,
    CONTRACT,
    EDUCATION_LEVELS,
    MARITAL_STATUSES,
)

REPO_ROOT = Path(__file__).resolve().parents[3]
# The day of the run the tests pass to the cleaning (enrolments after it are in the future).
RUN_DATE = pd.Timestamp("2026-01-01")


def make_raw_customers(n: int = 200, seed: int = 1) -> pd.DataFrame:
    """A clean raw table in the contract's text form (dd-mm-yyyy dates, every value a string)."""
    rng = np.random.default_rng(seed)
    enrolled = pd.Timestamp("2012-07-30") + pd.to_timedelta(rng.integers(0, 700, n), unit="D")
    columns = {}
    for spec in CONTRACT:
        if spec.name == "ID":
            values = np.arange(1, n + 1) * 10
        elif spec.name == "Year_Birth":
            values = rng.integers(1945, 1995, n)
        elif spec.name == "Education":
            values = rng.choice(EDUCATION_LEVELS, n)
        elif spec.name == "Marital_Status":
            values = rng.choice(MARITAL_STATUSES, n)
        elif spec.name == "Income":
            values = rng.integers(10_000, 120_000, n)
        elif spec.name == "Dt_Customer":
            values = enrolled.strftime("%d-%m-%Y")
        elif spec.name in ("Z_CostContact", "Z_Revenue"):
            values = np.full(n, 3 if spec.name == "Z_CostContact" else 11)
        elif spec.maximum == 1:
            values = rng.integers(0, 2, n)
        else:
            values = rng.integers(0, min(60, spec.maximum) + 1, n)
        columns[spec.name] = values
    # Deal purchases are some of the channel purchases (the consistency rule).
    columns["NumDealsPurchases"] = np.minimum(
        columns["NumDealsPurchases"], sum(columns[name] for name in CHANNEL_COLUMNS)
    )
    columns = {
        name: pd.array([str(value) for value in values], dtype="str")
        for name, values in columns.items()
    }
    frame = pd.DataFrame(columns)
    frame.attrs["source"] = "test/customers.tsv"
    return frame


@pytest.fixture
def raw_customers() -> pd.DataFrame:
    """200 clean customers as raw text."""
    return make_raw_customers()


@pytest.fixture
def make_raw():
    """Factory for raw tables of other sizes or seeds."""
    return make_raw_customers


@pytest.fixture(scope="session")
def base_settings() -> dict:
    """The project's data_processing parameters, as shipped."""
    path = REPO_ROOT / "conf" / "base" / "parameters_data_processing.yml"
    return yaml.safe_load(path.read_text())["data_processing"]


@pytest.fixture
def settings(base_settings) -> dict:
    """A copy of the shipped parameters that a test may change."""
    return deepcopy(base_settings)
