"""Process memory for a run: keep the memory a node frees for the next node's tables.

A run allocates and frees many large arrays: one float64 column of 10M customers is 80 MB.
glibc's ``malloc`` serves every block above its ``mmap`` threshold (32 MiB at most, by default)
with a fresh ``mmap`` and hands it back with ``munmap`` when freed, so the next table of the same
size is faulted in and zeroed by the kernel again. On a virtual machine whose host reclaims the
memory its guest frees (free page reporting, ballooning), each such first touch is a fault the
host serves: about 9 s of system time per GiB on the machine of docs/performance.md, against
0.13 s for memory the process reuses. Serving large blocks from the heap, and trimming it only
when 2 GiB at its top are free, makes a run reuse its own memory: the process keeps (nearly) its
peak until it exits, as a batch run may.
A notebook kernel that ran a pipeline keeps it until the kernel restarts; to opt out, take
``KeepFreedMemory()`` out of ``HOOKS`` in settings.py.

Arrow's buffers (the raw text, Parquet and CSV reads and writes) come from Arrow's own pool,
mimalloc, which returns freed pages to the system 10 ms after a free: the same first touches
again. mimalloc reads its settings from the environment once, when pyarrow loads, so the package
sets ``MIMALLOC_PURGE_DELAY=-1`` (never return) on import, before anything loads pyarrow
(``keep_arrow_freed_memory``); to opt out, set ``MIMALLOC_PURGE_DELAY`` yourself (10 is
mimalloc's default).
"""

import ctypes
import os
import platform
import sys

# mimalloc's setting: milliseconds after a free before the pages go back to the system (-1: never).
ARROW_PURGE_DELAY = "MIMALLOC_PURGE_DELAY"
# glibc's mallopt parameters (malloc.h).
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
# The largest value mallopt takes (a C int): blocks up to 2 GiB come from the heap, and the
# heap is trimmed only when 2 GiB at its top are free.
_LARGEST_SETTING = 2**31 - 1


def runs_on_glibc() -> bool:
    """True on Linux with glibc, the C library whose ``malloc`` settings this module changes."""
    return platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"


def keep_freed_memory() -> bool:
    """Make this process's ``malloc`` keep freed memory for reuse instead of returning it.

    Applies to the whole process from the call on: numpy and pandas allocate through
    ``malloc``. Arrow's buffers come from its own pool and are not affected.

    Returns:
        True when applied (Linux with glibc); False on other C libraries (macOS, musl,
        Windows), where nothing changes.
    """
    if not runs_on_glibc():
        return False
    mallopt = ctypes.CDLL(None).mallopt
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    applied = mallopt(_M_MMAP_THRESHOLD, _LARGEST_SETTING)
    applied &= mallopt(_M_TRIM_THRESHOLD, _LARGEST_SETTING)
    return bool(applied)


def keep_arrow_freed_memory() -> bool:
    """Make Arrow's memory pool (mimalloc) keep the memory its buffers free, for reuse.

    Sets ``MIMALLOC_PURGE_DELAY=-1`` unless the variable is set already (a user's own value
    wins). mimalloc reads it when pyarrow loads, so this must run before anything imports
    pyarrow: the package's ``__init__`` calls it, and ``kedro run`` imports the package before
    pandas.

    Returns:
        True when Arrow will keep freed memory: pyarrow is not loaded yet and the variable is
        (now) -1; False otherwise, and then nothing changes.
    """
    if "pyarrow" in sys.modules:
        return False
    return os.environ.setdefault(ARROW_PURGE_DELAY, "-1") == "-1"
