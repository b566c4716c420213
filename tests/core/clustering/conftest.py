"""Fixtures of the clustering core tests (the stability tests use the analysis stand-ins)."""

from tests.fixtures.cluster_analysis import *  # noqa: F403
