"""Fixtures of the analysis core tests."""

from tests.fixtures.cluster_analysis import *  # noqa: F403  (fixtures shared with tests/pipelines/cluster_analysis)
