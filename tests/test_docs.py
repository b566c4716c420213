"""The README stays true: quick start, CI command, outputs map and parameter reference."""

import re
from pathlib import Path

import yaml

from customer_segmentation.parameter_reference import update_readme

REPO_ROOT = Path(__file__).resolve().parents[1]
README = REPO_ROOT / "README.md"


def quick_start_commands() -> list[str]:
    section = README.read_text().split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```bash\n(.*?)```", section, flags=re.DOTALL)
    return [
        line.strip()
        for block in blocks
        for line in block.splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]


def test_quick_start_has_exactly_the_two_commands():
    assert quick_start_commands() == [
        "pip install -e . && kedro run",
        'pip install -e ".[test]" && pytest',
    ]


def test_ci_runs_the_readme_test_command_verbatim():
    ci_lines = [line.strip() for line in (REPO_ROOT / ".ci" / "run").read_text().splitlines()]
    assert quick_start_commands()[1] in ci_lines


def test_every_catalog_dataset_is_in_the_readme():
    catalog = yaml.safe_load((REPO_ROOT / "conf" / "base" / "catalog.yml").read_text())
    readme = README.read_text()
    undocumented = [name for name in catalog if f"`{name}`" not in readme]  # factories too
    assert undocumented == []


def test_parameter_reference_is_up_to_date():
    expected = update_readme(README, REPO_ROOT / "conf" / "base")
    assert README.read_text() == expected, (
        "stale parameter reference: run `python -m customer_segmentation.parameter_reference`"
    )
