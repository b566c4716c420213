"""memory.py: glibc's large blocks come from the heap, which a free does not shrink, and Arrow's
pool keeps the memory its buffers free."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from customer_segmentation.memory import ARROW_PURGE_DELAY, runs_on_glibc

needs_glibc = pytest.mark.skipif(not runs_on_glibc(), reason="glibc's malloc settings")
PROJECT = Path(__file__).resolve().parents[1]

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


# Three rounds of Arrow allocating, filling and freeing 320 MiB, a second apart (mimalloc
# returns freed pages after its purge delay); prints each round's minor page faults.
ARROW_PROBE = """
import resource, sys, time
if sys.argv[1] == "keep":
    import customer_segmentation  # before pyarrow, as in `kedro run`
import numpy as np
import pyarrow as pa

faults = []
for _ in range(3):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    buffers = [pa.allocate_buffer(80 * 2**20) for _ in range(4)]
    for buffer in buffers:
        np.frombuffer(buffer, dtype=np.uint8)[:] = 1
    del buffers
    faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
    time.sleep(1)
print(pa.default_memory_pool().backend_name, *faults)
"""


def _probe(mode: str, probe: str = PROBE, **environment: str) -> str:
    env = {name: value for name, value in os.environ.items() if name != ARROW_PURGE_DELAY}
    run = subprocess.run(
        [sys.executable, "-c", probe, mode],
        capture_output=True,
        text=True,
        check=True,
        env=env | environment,
    )
    return run.stdout.strip()


@needs_glibc
def test_after_the_call_a_large_block_comes_from_the_heap_and_stays_there_when_freed():
    assert _probe("keep") == "True True"


@needs_glibc
def test_by_default_glibc_maps_the_same_block_apart():
    assert _probe("default").startswith("False")


def test_arrow_refills_memory_it_freed_without_faults_once_the_package_is_imported():
    keep, default = _probe("keep", ARROW_PROBE).split(), _probe("default", ARROW_PROBE).split()
    if keep[0] != "mimalloc":
        pytest.skip(f"Arrow's pool here is {keep[0]}, not mimalloc")
    kept_faults, default_faults = int(keep[-1]), int(default[-1])
    assert default_faults > 0  # by default, freed pages went back and fault in again
    assert kept_faults * 4 < default_faults


def test_a_purge_delay_the_user_set_is_kept():
    probe = "import os, customer_segmentation; print(os.environ['MIMALLOC_PURGE_DELAY'])"
    assert _probe("-", probe) == "-1"
    assert _probe("-", probe, MIMALLOC_PURGE_DELAY="10") == "10"


def test_once_pyarrow_is_loaded_the_setting_is_left_alone():
    probe = (
        "import os, pyarrow\n"
        "from customer_segmentation.memory import keep_arrow_freed_memory\n"
        "print(keep_arrow_freed_memory(), 'MIMALLOC_PURGE_DELAY' in os.environ)"
    )
    # pyarrow loads first (the package, imported by the second line, then finds it loaded)
    assert _probe("-", probe) == "False False"


def test_kedro_imports_the_package_before_pyarrow():
    """The setting is read when pyarrow loads: Kedro's CLI must import the package first."""
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "kedro", "registry", "list"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=True,
        env=os.environ | {"KEDRO_DISABLE_TELEMETRY": "true"},
    )
    imported = [line.rsplit("|", 1)[-1].strip() for line in run.stderr.splitlines()]
    assert imported.index("customer_segmentation.memory") < imported.index("pyarrow")
