"""Fixtures of the reporting core tests."""

from tests.fixtures.cluster_analysis import *  # noqa: F403  (fixtures shared with tests/pipelines/cluster_analysis)
