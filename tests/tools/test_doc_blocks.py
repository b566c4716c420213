"""Generated blocks of the docs: replaced between their markers, nothing else touched."""

import pytest

from tools.doc_blocks import read_block, replace_block

PAGE = "# Title\n\ntext\n<!-- table:start -->\nold\n<!-- table:end -->\nafter\n"


def test_only_the_named_block_changes():
    new = replace_block(PAGE, "table", "| a |\n| 1 |")
    assert new == "# Title\n\ntext\n<!-- table:start -->\n| a |\n| 1 |\n<!-- table:end -->\nafter\n"
    assert read_block(new, "table") == "| a |\n| 1 |"
    assert replace_block(new, "table", "old") == PAGE


def test_a_page_without_the_block_names_the_missing_markers():
    with pytest.raises(ValueError, match="<!-- other:start -->"):
        replace_block(PAGE, "other", "x")
