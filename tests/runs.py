"""`kedro run` on throw-away project copies, shared by the end-to-end and pipeline tests."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.project_copy import REPO_ROOT, copy_project

REAL_FILE = REPO_ROOT.parent / "shared" / "data" / "marketing_campaign.csv"


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


def default_run(root: Path) -> Path:
    """A project copy under ``root`` on which the default `kedro run` has completed; what it
    printed is kept in ``root/console.txt`` (stdout) and ``root/console_errors.txt`` (stderr)."""
    project = copy_project(root / "project")
    result = kedro(project, "run")
    (root / "console.txt").write_text(result.stdout)
    (root / "console_errors.txt").write_text(result.stderr)
    return project


def real_file_run(root: Path) -> Path:
    """The same on the public marketing_campaign.csv (skips the test when it is absent)."""
    if not REAL_FILE.exists():
        pytest.skip(f"{REAL_FILE} is not here (the real marketing_campaign file)")
    project = copy_project(root / "project")
    (project / "conf/local/catalog.yml").write_text(
        "raw_customers:\n"
        "  type: customer_segmentation.datasets.DelimitedTextDataset\n"
        f"  filepath: {REAL_FILE}\n"
        "  load_args:\n"
        '    sep: "\\t"\n'
    )
    kedro(project, "run")
    return project
