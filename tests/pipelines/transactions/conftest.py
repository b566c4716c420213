"""Fixtures of the transactions pipeline tests."""

from tests.fixtures.transactions import *  # noqa: F403  (fixtures shared with tests/core/features)
