"""Fixtures for the scoring pipeline: raw text files built from the shared primary fixture."""

import pandas as pd
import pytest

from tests.conftest import make_primary_customers
from tests.fixtures.cluster_analysis import project_parameters


def to_raw_text(primary: pd.DataFrame, source: str) -> pd.DataFrame:
    """A primary-shaped frame written back as the raw contract's text (dd-mm-yyyy dates)."""
    raw = primary.copy()
    raw["Dt_Customer"] = raw["Dt_Customer"].dt.strftime("%d-%m-%Y")
    raw["Income"] = raw["Income"].map(lambda value: f"{value:.0f}")
    raw["Z_CostContact"], raw["Z_Revenue"] = 3, 11
    raw = raw.astype(str)
    raw.attrs["source"] = source
    return raw


@pytest.fixture(scope="module")
def parameters() -> dict:
    """The shipped parameters, resolved as Kedro resolves them."""
    return project_parameters()


@pytest.fixture(scope="module")
def training_raw() -> pd.DataFrame:
    return to_raw_text(make_primary_customers(300, seed=0), "train/customers.tsv")


@pytest.fixture(scope="module")
def new_raw() -> pd.DataFrame:
    new = make_primary_customers(80, seed=9)
    new["ID"] = new["ID"] + 100_000
    return to_raw_text(new, "new/new_customers.tsv")
