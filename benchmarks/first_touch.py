"""What this machine charges for memory a process touches for the first time.

A virtual machine with free page reporting (Firecracker, for one) hands memory that the guest has
freed back to its host; the next first touch of it is a page fault that the host must serve, and
under nested virtualisation that can cost more than the work done on the memory. A `kedro run` at
10M customers allocates and frees many gigabytes, so this cost multiplies its wall time. Run this
script next to a benchmark to tell the machine's share from the project's.

Allocates ``--gib`` GiB in 256 MiB numpy arrays and writes one byte per 4 KiB page (first touch),
frees them, then does the same again in the same process (memory the allocator may reuse).

Usage:
    python benchmarks/first_touch.py [--gib 4]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time

import numpy as np

CHUNK_BYTES = 256 * 2**20
PAGE_BYTES = 4096


def touch(gib: float) -> dict:
    """Seconds, system seconds and minor page faults to allocate and first-touch ``gib`` GiB."""
    before, started = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    chunks = []
    for _ in range(round(gib * 2**30 / CHUNK_BYTES)):
        chunk = np.empty(CHUNK_BYTES, dtype=np.uint8)
        chunk[::PAGE_BYTES] = 1
        chunks.append(chunk)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "seconds_per_gib": round(wall / gib, 2),
        "system_s": round(after.ru_stime - before.ru_stime, 2),
        "page_faults": after.ru_minflt - before.ru_minflt,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gib", type=float, default=4.0)
    args = parser.parse_args(argv)
    print(f"first touch of {args.gib} GiB: {touch(args.gib)}")
    print(f"again, same process: {touch(args.gib)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
