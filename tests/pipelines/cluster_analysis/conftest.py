"""Fixtures of the cluster_analysis pipeline tests."""

from tests.fixtures.cluster_analysis import *  # noqa: F403  (fixtures shared with tests/core/analysis)
