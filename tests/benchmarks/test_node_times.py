"""benchmarks/node_times.py charges each interval between Kedro events to its node and phase,
with the system time and page faults of the process over the same interval, and its peak."""

import mmap
import sys
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT / "benchmarks"))
from node_times import NodeTimer, table  # noqa: E402


class _Node:
    def __init__(self, name: str) -> None:
        self.name = name


def test_memory_touched_in_a_node_is_charged_to_it_and_the_table_sums_every_node():
    timer = NodeTimer()
    timer.before_pipeline_run()
    timer.before_node_run(_Node("touches"))
    # 128 MiB of a new anonymous mapping, written: fresh pages (a freed array's memory that the
    # allocator hands back would fault less), at least one fault per 2 MiB huge page.
    touched = np.frombuffer(mmap.mmap(-1, 2**27), dtype=np.float64)
    touched[:] = 1.0
    timer.after_node_run(_Node("touches"))
    timer.before_node_run(_Node("idle"))
    timer.after_node_run(_Node("idle"))
    timer.after_pipeline_run()

    assert touched.sum() == 2**24
    assert timer.system["touches"]["page_faults"] >= 64
    assert timer.system["touches"]["page_faults"] > timer.system["idle"]["page_faults"]
    assert timer.peak_mib["touches"] >= 128
    assert timer.peak_mib["idle"] >= timer.peak_mib["touches"]
    rendered = table(timer.seconds, timer.system, timer.peak_mib, top=10)
    assert "| system s | page faults | peak MiB |" in rendered
    total_faults = sum(cells["page_faults"] for cells in timer.system.values())
    peak = max(timer.peak_mib.values())
    assert rendered.splitlines()[-1].endswith(f"| {total_faults:,} | {peak:,} |")
