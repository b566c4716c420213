"""Run a command under ``/usr/bin/time -v`` and read its wall time, CPU time and peak memory.

CPU time (user + system, every thread) moves much less than wall time when other jobs share the
cores, so before/after comparisons on a busy machine report both. System time and the count of
page faults are kept apart: on a virtual machine that hands freed memory back to its host (free
page reporting), every first touch of memory is a costly fault, and system time shows it.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

TIME = "/usr/bin/time"
_WALL = re.compile(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)")
_PEAK = re.compile(r"Maximum resident set size \(kbytes\): (\d+)")
_CPU = re.compile(r"(?:User|System) time \(seconds\): ([\d.]+)")
_FAULTS = re.compile(r"Minor \(reclaiming a frame\) page faults: (\d+)")


class CommandFailed(RuntimeError):
    """A measured command exited with an error; the message holds the end of its output."""


def parse_wall_seconds(text: str) -> float:
    """``h:mm:ss`` or ``m:ss.ss`` (GNU time's format) -> seconds."""
    seconds = 0.0
    for part in text.split(":"):
        seconds = seconds * 60 + float(part)
    return seconds


def parse_time_report(stderr: str) -> dict:
    """Wall seconds, CPU seconds (user + system, and system alone), minor page faults and peak
    RSS (MiB) from the report ``/usr/bin/time -v`` appends to stderr."""
    wall, peak, cpu = _WALL.findall(stderr), _PEAK.findall(stderr), _CPU.findall(stderr)
    faults = _FAULTS.findall(stderr)
    if not wall or not peak or len(cpu) < 2:
        raise CommandFailed(f"no /usr/bin/time report in:\n{stderr[-2000:]}")
    return {
        "wall_s": round(parse_wall_seconds(wall[-1]), 2),
        "cpu_s": round(sum(float(seconds) for seconds in cpu[-2:]), 2),
        "system_s": round(float(cpu[-1]), 2),
        "page_faults": int(faults[-1]) if faults else None,
        "peak_mib": round(int(peak[-1]) / 1024, 1),
    }


def measured_run(command: list[str], cwd: Path, env: dict | None = None) -> dict:
    """Run ``command`` in ``cwd`` under ``/usr/bin/time -v``; wall_s, peak_mib and its stdout."""
    full_env = {**os.environ, **(env or {})}
    result = subprocess.run(
        [TIME, "-v", *command], cwd=cwd, env=full_env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise CommandFailed(
            f"{' '.join(command)} (in {cwd}) exited with {result.returncode}:\n"
            f"{result.stdout[-3000:]}\n{result.stderr[-5000:]}"
        )
    return {**parse_time_report(result.stderr), "stdout": result.stdout}
