"""Shared test fixtures: small, deterministic, in-memory data in the project's internal shapes."""

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from filelock import FileLock

from tests.runs import default_run, kedro, real_file_run
from tools.synthetic.schema import (
    CAMPAIGN_COLUMNS,
    CHANNEL_COLUMNS,
    EDUCATION_LEVELS,
    MARITAL_STATUSES,
    SPEND_COLUMNS,
)

# The longest modules start first, so that the two workers finish together: pytest-xdist hands
# out whole modules (--dist=loadscope) in collection order (--no-loadscope-reorder; its default
# order, by number of tests, left the single long end-to-end tests to the end on one worker).
# The first two are independent (the default run; the log modes' own runs), so neither worker
# waits for the other's `kedro run`. Every other module follows in collection order.
LONGEST_FIRST = [
    "tests/e2e/test_kedro_run.py",
    "tests/e2e/test_modes.py",
    "tests/core/analysis/test_claims_on_runs.py",
    "tests/e2e/test_stepwise.py",
    "tests/e2e/test_own_layouts.py",
    "tests/e2e/test_starter_paste.py",
    "tests/test_tracking.py",
    "tests/e2e/test_partial_runs.py",
    "tests/e2e/test_publication_runs.py",
    "tests/e2e/test_mall.py",
    "tests/e2e/test_run_hooks.py",
    "tests/e2e/test_notebook.py",
    "tests/e2e/test_kedro_viz.py",
    "tests/test_spark.py",
    "tests/bad_inputs/test_corpus.py",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        module = item.nodeid.split("::")[0]
        return LONGEST_FIRST.index(module) if module in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)  # stable: tests keep their order within a module


def make_primary_customers(n: int = 300, seed: int = 0) -> pd.DataFrame:
    """Build a `primary_customers`-shaped frame with two planted groups (affluent / budget)."""
    rng = np.random.default_rng(seed)
    affluent = rng.random(n) < 0.4
    income = np.where(affluent, rng.normal(75_000, 8_000, n), rng.normal(32_000, 7_000, n)).round()
    kids = np.where(affluent, rng.binomial(1, 0.1, n), rng.binomial(2, 0.45, n))
    frame = pd.DataFrame(
        {
            "ID": np.arange(1, n + 1, dtype="int64") * 7,
            "Year_Birth": rng.integers(1945, 1996, n),
            "Education": rng.choice(list(EDUCATION_LEVELS), n, p=[0.03, 0.09, 0.5, 0.16, 0.22]),
            "Marital_Status": rng.choice(
                list(MARITAL_STATUSES), n, p=[0.22, 0.26, 0.38, 0.1, 0.04]
            ),
            "Income": income.clip(2_000, None),
            "Kidhome": kids,
            "Teenhome": rng.binomial(1, 0.45, n),
            "Dt_Customer": pd.Timestamp("2012-07-30")
            + pd.to_timedelta(rng.integers(0, 700, n), unit="D"),
            "Recency": rng.integers(0, 100, n),
        }
    )
    scale = np.where(affluent, 1.0, 0.08)
    for base, column in zip([300, 26, 166, 37, 27, 44], SPEND_COLUMNS, strict=True):
        frame[column] = rng.poisson(base * scale * rng.gamma(2.0, 0.5, n)).astype("int64")
    for base, column in zip(
        [2.3, 4.1, 2.7, 5.8], ("NumDealsPurchases", *CHANNEL_COLUMNS), strict=True
    ):
        frame[column] = rng.poisson(base * np.where(affluent, 1.4, 0.6)).astype("int64")
    frame["NumWebVisitsMonth"] = rng.poisson(np.where(affluent, 3.0, 6.5)).astype("int64")
    for column in CAMPAIGN_COLUMNS:
        frame[column] = rng.binomial(1, np.where(affluent, 0.15, 0.03)).astype("int64")
    frame["Complain"] = rng.binomial(1, 0.01, n).astype("int64")
    frame["Response"] = rng.binomial(1, np.where(affluent, 0.25, 0.08)).astype("int64")
    frame["Dt_Customer"] = frame["Dt_Customer"].astype("datetime64[ns]")
    return frame


@pytest.fixture
def primary_customers() -> pd.DataFrame:
    """300 customers in the `primary_customers` shape."""
    return make_primary_customers()


def _shared(name: str, make, tmp_path_factory, worker_id: str) -> Path:
    """What ``make(folder)`` returns, made once per test session.

    Under pytest-xdist every worker runs session fixtures on its own; the workers share the
    parent of their temporary folders, so the first makes the run there (under a file lock) and
    the others reuse it, as pytest-xdist's documentation suggests.
    """
    if worker_id == "master":  # no xdist: this process is the session
        return make(tmp_path_factory.mktemp(name))
    folder = tmp_path_factory.getbasetemp().parent / name
    with FileLock(f"{folder}.lock"):
        done = folder / "done"
        if not done.exists():
            folder.mkdir(exist_ok=True)
            project = make(folder)
            done.write_text(str(project))
        return Path(done.read_text())


@pytest.fixture(scope="session")
def full_run(tmp_path_factory, worker_id) -> Path:
    """A project copy on which the default `kedro run` has completed (console in ../console.txt)."""
    return _shared("default_run", default_run, tmp_path_factory, worker_id)


@pytest.fixture(scope="session")
def real_run(tmp_path_factory, worker_id) -> Path:
    """A project copy on which `kedro run` on the real marketing_campaign.csv has completed."""
    return _shared("real_run", real_file_run, tmp_path_factory, worker_id)


@pytest.fixture(scope="session")
def second_run(full_run, tmp_path_factory, worker_id) -> Path:
    """A copy of ``full_run`` on which a second `kedro run` at a fixed k = 3 has completed: the
    next month's run for segment history and run tracking (console in ../console.txt)."""

    def run_again(folder: Path) -> Path:
        project = folder / "project"
        shutil.copytree(full_run, project, symlinks=True)
        params = "clustering.selection.rule=fixed,clustering.selection.fixed_k=3"
        result = kedro(project, "run", "--params", params)
        (folder / "console.txt").write_text(result.stdout)
        return project

    return _shared("second_run", run_again, tmp_path_factory, worker_id)
