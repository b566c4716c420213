"""benchmarks/first_touch.py counts the faults of the memory it touches."""

import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT / "benchmarks"))
from first_touch import touch  # noqa: E402


def test_a_quarter_gib_first_touched_faults_at_least_once_per_huge_page():
    result = touch(0.25)

    assert result["page_faults"] >= 0.25 * 2**30 / 2**21  # 2 MiB pages at the largest
    assert result["seconds_per_gib"] > 0
