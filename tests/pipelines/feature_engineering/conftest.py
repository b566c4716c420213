"""Fixtures of the feature_engineering tests: the shipped parameters."""

from pathlib import Path

import pytest
import yaml

PARAMETERS = Path(__file__).resolve().parents[3] / "conf/base/parameters_feature_engineering.yml"


@pytest.fixture
def fe_params() -> dict:
    """The feature_engineering parameters as shipped in conf/base."""
    return yaml.safe_load(PARAMETERS.read_text())["feature_engineering"]
