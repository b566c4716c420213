"""Fixtures of the features core tests: the shipped parameters and a hand-made transaction log."""

from tests.fixtures.feature_engineering import *  # noqa: F403
from tests.fixtures.transactions import *  # noqa: F403
