"""A throw-away copy of the project as a fresh clone has it, for end-to-end runs and benchmarks."""

import shutil
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
# What a fresh clone holds that a `kedro run` needs (the package is installed editable).
PROJECT_ITEMS = [
    "pyproject.toml",
    ".telemetry",
    "src",
    "conf/base",
    "conf/logging.yml",
    "conf/local/README.md",
    "mlruns/.gitkeep",  # the tracking extra's database folder
]
RAW_LAYER = "01_raw"
GENERATED_LAYERS = [
    "02_intermediate",
    "03_primary",
    "04_feature",
    "05_model_input",
    "06_models",
    "07_model_output",
    "08_reporting",
]


def copy_project(destination: Path, with_raw_data: bool = True) -> Path:
    """Copy code and configuration (and the committed raw data) to `destination`; empty layers."""
    items = [*PROJECT_ITEMS, f"data/{RAW_LAYER}"] if with_raw_data else PROJECT_ITEMS
    for item in items:
        source, target = REPO_ROOT / item, destination / item
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(
                source, target, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
            )
        else:
            shutil.copy2(source, target)
    for layer in [RAW_LAYER, *GENERATED_LAYERS]:
        (destination / "data" / layer).mkdir(parents=True, exist_ok=True)
    return destination


def clear_outputs(project: Path, outputs: str = "data") -> None:
    """Remove everything runs wrote under ``outputs`` (layers 02-08, publications, records) and
    the MLflow store: the project as before its first run. (A copied MLflow store names the
    original project's artifact folder, which a run here would prune.)"""
    shutil.rmtree(project / "mlruns", ignore_errors=True)
    folder = project / outputs
    for name in [*GENERATED_LAYERS, ".published", "runs"]:
        shutil.rmtree(folder / name, ignore_errors=True)
    (folder / "current").unlink(missing_ok=True)
    for layer in GENERATED_LAYERS:
        (folder / layer).mkdir()
