"""The before/after table of benchmarks/compare_benchmarks.py: sizes matched, the fastest of
repeated runs shown, ratios right."""

import json
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT / "benchmarks"))
from compare_benchmarks import by_size, table  # noqa: E402


def _result(size: int, wall: float, peak: float, floor: float) -> dict:
    return {
        "customers": size,
        "end_to_end": {"wall_s": wall, "cpu_s": wall / 2, "peak_mib": peak},
        "io_floor": {"wall_s": floor, "peak_mib": 100.0},
        "common_approach": {"skipped": "more than --common-max-customers"},
    }


def test_each_size_is_set_beside_itself_with_its_ratios(tmp_path):
    before, after = tmp_path / "before.json", tmp_path / "after.json"
    before.write_text(json.dumps({"results": [_result(1000, 40.0, 2000.0, 2.0)]}))
    # Measured in two files, size by size, as bench runs alternate the trees.
    after.write_text(json.dumps({"results": [_result(1000, 30.0, 1500.0, 2.5)]}))
    other = tmp_path / "after_10.json"
    other.write_text(json.dumps({"results": [_result(10, 9.0, 300.0, 1.0)]}))
    slower = tmp_path / "after_again.json"  # a second run of the same size, disturbed
    slower.write_text(json.dumps({"results": [_result(1000, 50.0, 1500.0, 3.0)]}))

    lines = table(by_size([before]), by_size([after, other, slower])).splitlines()

    assert lines[2] == (
        "| 1,000 | 1 / 2 | 40.0 s (CPU 20.0 s) / 2,000 MiB | 30.0 s (CPU 15.0 s) / 1,500 MiB | "
        "0.75, 0.75, 0.75 | 2.0 s / 2.5 s |"
    )
    assert len(lines) == 3  # size 10 has no "before": left out
