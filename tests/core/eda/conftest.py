"""Fixtures of the eda core tests."""

from tests.fixtures.eda import *  # noqa: F403  (fixtures shared with tests/pipelines/eda)
