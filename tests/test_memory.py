"""memory.keep_freed_memory: large blocks come from the heap, which a free does not shrink."""

import subprocess
import sys

import pytest

from customer_segmentation.memory import runs_on_glibc

pytestmark = pytest.mark.skipif(not runs_on_glibc(), reason="glibc's malloc settings")

# Allocates a 64 MiB block (above glibc's largest default mmap threshold, 32 MiB), then frees
# it; prints whether the block lay in the process's heap and whether the heap kept its end.
PROBE = """
import sys
import numpy as np
from customer_segmentation.memory import keep_freed_memory

def heap_range():
    with open("/proc/self/maps") as maps:
        ranges = [line.split()[0] for line in maps if line.rstrip().endswith("[heap]")]
    return [int(bound, 16) for bound in ranges[0].split("-")] if ranges else [0, 0]

if sys.argv[1] == "keep":
    assert keep_freed_memory()
block = np.ones(2**26 // 8)
start, end = heap_range()
in_heap = start <= block.ctypes.data < end
del block
print(in_heap, heap_range()[1] == end)
"""


def _probe(mode: str) -> str:
    run = subprocess.run(
        [sys.executable, "-c", PROBE, mode], capture_output=True, text=True, check=True
    )
    return run.stdout.strip()


def test_after_the_call_a_large_block_comes_from_the_heap_and_stays_there_when_freed():
    assert _probe("keep") == "True True"


def test_by_default_glibc_maps_the_same_block_apart():
    assert _probe("default").startswith("False")
