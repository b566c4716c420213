"""Fixtures of the cleaning core tests."""

from tests.fixtures.data_processing import *  # noqa: F403
from tests.fixtures.feature_engineering import *  # noqa: F403
