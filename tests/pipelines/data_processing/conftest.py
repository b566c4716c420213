"""Fixtures of the data_processing pipeline tests."""

from tests.fixtures.data_processing import *  # noqa: F403  (fixtures shared with tests/core/cleaning)
