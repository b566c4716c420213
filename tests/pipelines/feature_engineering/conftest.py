"""Fixtures of the feature_engineering pipeline tests."""

from tests.fixtures.feature_engineering import *  # noqa: F403  (fixtures shared with tests/core/features)
