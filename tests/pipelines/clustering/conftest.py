"""Fixtures of the clustering pipeline tests."""

from tests.fixtures.clustering import *  # noqa: F403  (fixtures shared with nothing else)
