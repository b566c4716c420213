"""The README and docs stay true: quick start, CI command, outputs map, generated blocks, links."""

import re
from pathlib import Path

import yaml

from tools import headline
from tools.contract_reference import update_contract
from tools.parameter_reference import update_reference

REPO_ROOT = Path(__file__).resolve().parents[1]
README = REPO_ROOT / "README.md"
DOCS = REPO_ROOT / "docs"
LINK = re.compile(r"\]\(([^)\s]+)\)")


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


def test_every_catalog_dataset_is_in_the_outputs_map():
    catalog = yaml.safe_load((REPO_ROOT / "conf" / "base" / "catalog.yml").read_text())
    outputs_map = (DOCS / "outputs.md").read_text()
    undocumented = [name for name in catalog if f"`{name}`" not in outputs_map]  # factories too
    assert undocumented == []


def test_parameter_reference_is_up_to_date():
    page = DOCS / "parameters.md"
    assert page.read_text() == update_reference(page, REPO_ROOT / "conf"), (
        "stale parameter reference: run `python -m tools.parameter_reference`"
    )


def test_data_contract_is_generated_from_the_declared_schemas():
    page = DOCS / "data_contract.md"
    assert page.read_text() == update_contract(page, REPO_ROOT / "conf"), (
        "stale data contract: run `python -m tools.contract_reference`"
    )


def test_readme_headline_is_what_a_fresh_run_on_the_real_file_gives(real_run):
    assert README.read_text() == headline.update_readme(README, real_run), (
        "stale headline: run `python -m tools.headline <project of a real run>`"
    )


def _anchor(heading: str) -> str:
    """GitHub's anchor for a Markdown heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_every_link_in_the_readme_and_docs_points_somewhere():
    broken = []
    for page in [README, *sorted(DOCS.glob("*.md"))]:
        for target in LINK.findall(page.read_text()):
            if target.startswith(("http://", "https://", "mailto:")):
                continue
            path, _, anchor = target.partition("#")
            linked = (page.parent / path).resolve() if path else page
            if not linked.exists():
                broken.append(f"{page.name}: {target}")
            elif anchor and linked.suffix == ".md":
                headings = re.findall(r"^#+ (.*)$", linked.read_text(), flags=re.MULTILINE)
                if anchor not in {_anchor(h) for h in headings}:
                    broken.append(f"{page.name}: {target}")
    assert broken == []


def test_readme_is_short_enough_for_a_newcomer():
    assert len(README.read_text().splitlines()) <= 180
