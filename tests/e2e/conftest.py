"""End-to-end fixtures: a throw-away copy of the project on which `kedro run` really runs."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from kedro.framework.project import configure_project
from kedro.pipeline import Pipeline

from customer_segmentation.pipeline_registry import register_pipelines
from tests.project_copy import copy_project


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
    result = kedro(project, "run")
    (project.parent / "console.txt").write_text(result.stdout + result.stderr)
    return project


@pytest.fixture(scope="session")
def registered_pipelines() -> dict[str, Pipeline]:
    """The project's pipelines, as `kedro run` sees them."""
    configure_project("customer_segmentation")
    return register_pipelines()
