"""Generated blocks of the docs: the text between ``<!-- NAME:start -->`` and ``<!-- NAME:end -->``.

Figures quoted in README.md and docs/ come from runs; each generator rewrites its own block with
``replace_block`` and a test compares the block with a fresh generation.
"""


def _markers(name: str) -> tuple[str, str]:
    return f"<!-- {name}:start -->", f"<!-- {name}:end -->"


def _split(text: str, name: str) -> tuple[str, str, str]:
    """(before the start marker, the block, after the end marker)."""
    start, end = _markers(name)
    if start not in text or end not in text:
        raise ValueError(f"The page has no generated block {name!r}: add `{start}` and `{end}`.")
    before, rest = text.split(start, 1)
    block, after = rest.split(end, 1)
    return before, block.strip("\n"), after


def read_block(text: str, name: str) -> str:
    """The current content of block ``name`` in ``text`` (without its markers)."""
    return _split(text, name)[1]


def replace_block(text: str, name: str, body: str) -> str:
    """``text`` with block ``name`` replaced by ``body`` (markers kept)."""
    before, _, after = _split(text, name)
    start, end = _markers(name)
    return f"{before}{start}\n{body}\n{end}{after}"
