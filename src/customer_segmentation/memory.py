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
"""

import ctypes
import platform

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
