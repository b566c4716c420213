"""Parameter reference (docs/parameters.md), generated from the commented `parameters_*.yml` files:
conf/base's, then the keys each committed environment overrides (conf/retail, conf/both, ...).

`python -m tools.parameter_reference` rewrites the docs/parameters.md block
between the `<!-- parameters:start -->` and `<!-- parameters:end -->` markers; a test fails when
it is stale.
"""

import json
import re
import sys
from pathlib import Path

import yaml

from customer_segmentation.config import LOCAL_ENV
from tools.doc_blocks import replace_block

# A mapping key (plain, possibly with spaces, or quoted) followed by a colon and a space or the end.
KEY_LINE = re.compile(
    r"^(?P<indent>\s*)"
    r"(?P<key>\"[^\"]*\"|'[^']*'|[^\s#:\"'-][^#:]*?)"
    r":(?=\s|$)(?P<rest>.*)$"
)
MERGE_KEY = "<<"  # a YAML merge (`<<: *anchor`) copies another block: its keys are listed there
LONGEST_DEFAULT = 2000  # characters of a default shown in the table (schema.columns is longer)
INLINE_COMMENT = re.compile(r"\s+#\s?(?P<text>.*)$")


def comments_by_path(text: str) -> dict[str, str]:
    """Map each dotted key path to its comments (the block above it, then the inline one)."""
    found: dict[str, str] = {}
    stack: list[tuple[int, str]] = []
    pending: list[str] = []
    list_indent = -1  # keys inside a list item belong to the list's value, not to the tree
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            pending.append(stripped.lstrip("#").strip())
            continue
        indent = len(line) - len(line.lstrip())
        if stripped.startswith("- "):
            list_indent = indent
        match = KEY_LINE.match(line)
        if not match or (list_indent >= 0 and indent >= list_indent) or match["key"] == MERGE_KEY:
            pending = []
            continue
        list_indent = -1
        while stack and stack[-1][0] >= indent:
            stack.pop()
        stack.append((indent, match["key"].strip("\"'")))
        inline = INLINE_COMMENT.search(match["rest"])
        parts = [*pending, inline["text"]] if inline else pending
        found[".".join(key for _, key in stack)] = " ".join(part for part in parts if part)
        pending = []
    return found


def value_at(values: dict, path: str) -> object:
    """The value at a dotted key path."""
    for key in path.split("."):
        values = values[key]
    return values


def render_file(path: Path) -> str:
    """A Markdown table of one parameters file, in file order: a row per group and per value."""
    text = path.read_text()
    values = yaml.safe_load(text)
    rows = []
    for name, comment in comments_by_path(text).items():
        value = value_at(values, name)
        if isinstance(value, dict) and value and not comment:
            continue
        shown = json.dumps(value)
        if isinstance(value, dict) and value:
            default = "(group)"
        elif len(shown) > LONGEST_DEFAULT:  # e.g. schema.columns: the file shows it best
            default = f"(list of {len(value)}, see the file)"
        else:
            default = f"`{shown}`"
        rows.append(f"| `{name}` | {default} | {comment.replace('|', chr(92) + '|')} |")
    env = path.parent.name
    title = f"**`conf/{env}/{path.name}`**"
    if env != "base":
        title += f" (`--env {env}`: these keys override conf/base's)"
    header = f"{title}\n\n| parameter | default | effect |\n| --- | --- | --- |"
    return "\n".join([header, *rows])


def render(conf_dir: Path) -> str:
    """The whole reference: one table per parameters file of conf/base, in name order, then of
    each committed environment (conf/local is machine-specific, never committed: left out)."""
    envs = sorted(path for path in conf_dir.iterdir() if path.is_dir() and path.name != LOCAL_ENV)
    envs.sort(key=lambda path: path.name != "base")
    files = [path for env in envs for path in sorted(env.glob("parameters*.yml"))]
    return "\n\n".join(render_file(path) for path in files if yaml.safe_load(path.read_text()))


def update_reference(page: Path, conf_dir: Path) -> str:
    """The page's text with the reference block regenerated."""
    return replace_block(page.read_text(), "parameters", render(conf_dir))


def main() -> None:
    """Rewrite docs/parameters.md's reference in place (run from the project root)."""
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path.cwd()
    page = root / "docs" / "parameters.md"
    page.write_text(update_reference(page, root / "conf"))


if __name__ == "__main__":
    main()
