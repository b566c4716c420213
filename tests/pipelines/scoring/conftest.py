"""Fixtures for the scoring pipeline: raw text files built from the shared primary fixture."""

from pathlib import Path

import pandas as pd
import pytest
import yaml

from tests.conftest import make_primary_customers
from tests.fixtures.schema import SCHEMA_CONFIG

CONF = Path(__file__).parents[3] / "conf/base"


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
    """The shipped parameters of the training pipelines, keyed like the catalog."""
    names = ["data_processing", "feature_engineering", "clustering"]
    shipped = {
        name: yaml.safe_load((CONF / f"parameters_{name}.yml").read_text())[name] for name in names
    }
    return {
        **{f"params:{name}": value for name, value in shipped.items()},
        "params:clustering.k_range": shipped["clustering"]["k_range"],
        "params:schema": SCHEMA_CONFIG,
    }


@pytest.fixture(scope="module")
def training_raw() -> pd.DataFrame:
    return to_raw_text(make_primary_customers(300, seed=0), "train/customers.tsv")


@pytest.fixture(scope="module")
def new_raw() -> pd.DataFrame:
    new = make_primary_customers(80, seed=9)
    new["ID"] = new["ID"] + 100_000
    return to_raw_text(new, "new/new_customers.tsv")
