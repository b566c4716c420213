"""Fixtures of the eda pipeline tests."""

from tests.fixtures.eda import *  # noqa: F403  (fixtures shared with tests/core/eda)
