"""End-to-end fixtures: a throw-away copy of the project on which `kedro run` really runs."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from kedro.framework.project import configure_project
from kedro.pipeline import Pipeline

from customer_segmentation.pipeline_registry import register_pipelines

REPO_ROOT = Path(__file__).resolve().parents[2]
# What a fresh clone holds that a run needs; generated layers start empty.
PROJECT_ITEMS = [
    "pyproject.toml",
    ".telemetry",
    "src",
    "conf/base",
    "conf/local/README.md",
    "data/01_raw",
]
GENERATED_LAYERS = [
    "02_intermediate",
    "03_primary",
    "04_feature",
    "05_model_input",
    "06_models",
    "07_model_output",
    "08_reporting",
]


def copy_project(destination: Path) -> Path:
    """Copy the project's configuration and raw data to `destination`, as a fresh clone has them."""
    for item in PROJECT_ITEMS:
        source = REPO_ROOT / item
        target = destination / item
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target)
    for layer in GENERATED_LAYERS:
        (destination / "data" / layer).mkdir(parents=True, exist_ok=True)
    return destination


def kedro(project: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run a `kedro` command in `project`; on failure show what it printed."""
    env = {**os.environ, "KEDRO_DISABLE_TELEMETRY": "true", "MPLBACKEND": "Agg", "COLUMNS": "200"}
    result = subprocess.run(
        [sys.executable, "-m", "kedro", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if check and result.returncode != 0:
        output = f"{result.stdout[-6000:]}\n{result.stderr[-6000:]}"
        pytest.fail(f"kedro {' '.join(args)} failed:\n{output}")
    return result


@pytest.fixture(scope="session")
def full_run(tmp_path_factory) -> Path:
    """A project copy on which the default `kedro run` has completed."""
    project = copy_project(tmp_path_factory.mktemp("project"))
    kedro(project, "run")
    return project


@pytest.fixture(scope="session")
def registered_pipelines() -> dict[str, Pipeline]:
    """The project's pipelines, as `kedro run` sees them."""
    configure_project("customer_segmentation")
    return register_pipelines()
