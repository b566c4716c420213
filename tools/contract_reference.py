"""Data contract (docs/data_contract.md), generated from the declared schemas in conf.

`python -m tools.contract_reference` rewrites two blocks of docs/data_contract.md:
the roles a column may play (between `<!-- roles:start -->` and `<!-- roles:end -->`) and, for
each Kedro environment that declares `schema.columns` (conf/base first, then the others in name
order), its columns (between `<!-- contract-table:start -->` and `<!-- contract-table:end -->`).
A test fails when the page is stale.
"""

import sys
from pathlib import Path

import yaml

from customer_segmentation.config import LOCAL_ENV
from customer_segmentation.core.cleaning.contract import (
    INTEGER,
    ROLES,
    ColumnSpec,
    CustomerSchema,
)
from tools.doc_blocks import replace_block

BLOCKS = ("roles", "contract-table")


def _role_text(spec: ColumnSpec) -> str:
    return f"{spec.role} ({spec.item})" if spec.item else spec.role


def _type_text(spec: ColumnSpec) -> str:
    return f"{spec.kind} ({spec.primary_dtype})" if spec.kind == INTEGER else spec.kind


def contract_table_markdown(schema: CustomerSchema) -> str:
    """The declared schema as a Markdown table (docs/data_contract.md)."""
    lines = [
        "| # | column | role | meaning | type | unit | allowed values | required |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for number, spec in enumerate(schema.declared, start=1):
        if spec.role == "ignore":
            lines.append(
                f"| {number} | `{spec.name}` | ignore | {spec.meaning or '-'} | - | - | - | no |"
            )
            continue
        lines.append(
            f"| {number} | `{spec.name}` | {_role_text(spec)} | {spec.meaning or '-'} "
            f"| {_type_text(spec)} | {spec.unit or '-'} | {spec.describe_allowed()} "
            f"| {'yes' if spec.required else 'no'} |"
        )
    return "\n".join(lines)


def roles_table_markdown() -> str:
    """Every role with its default type and meaning (docs/data_contract.md)."""
    lines = ["| role | default type | meaning |", "| --- | --- | --- |"]
    lines += [
        f"| `{role}` | {kind or '-'} | {meaning} |" for role, (kind, meaning) in ROLES.items()
    ]
    return "\n".join(lines)


def declared_schemas(conf_dir: Path) -> dict[str, dict]:
    """{environment: schema block} of every committed environment that declares its columns."""
    found = {}
    # conf/local is machine-specific and never committed: not documented.
    envs = sorted(path for path in conf_dir.iterdir() if path.is_dir() and path.name != LOCAL_ENV)
    for env in sorted(envs, key=lambda path: path.name != "base"):
        for path in sorted(env.glob("parameters*.yml")):
            schema = (yaml.safe_load(path.read_text()) or {}).get("schema")
            if schema and schema.get("columns"):
                found[env.name] = schema
    return found


def render_tables(conf_dir: Path) -> str:
    """One table per environment's declared schema."""
    parts = []
    for env, schema in declared_schemas(conf_dir).items():
        run = "`kedro run`" if env == "base" else f"`kedro run --env {env}`"
        title = f"### `conf/{env}` ({run})"
        parts.append(f"{title}\n\n{contract_table_markdown(CustomerSchema.from_config(schema))}")
    return "\n\n".join(parts)


def update_contract(page: Path, conf_dir: Path) -> str:
    """The page's text with the generated blocks regenerated."""
    text = page.read_text()
    for block, content in zip(
        BLOCKS, (roles_table_markdown(), render_tables(conf_dir)), strict=True
    ):
        text = replace_block(text, block, content)
    return text


def main() -> None:
    """Rewrite docs/data_contract.md's generated blocks in place (run from the project root)."""
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path.cwd()
    page = root / "docs" / "data_contract.md"
    page.write_text(update_contract(page, root / "conf"))


if __name__ == "__main__":
    main()
