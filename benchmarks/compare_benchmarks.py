"""Before/after table from run_benchmarks.py results of two source trees, measured alternately.

Each argument is a results JSON of run_benchmarks.py (``--output``); files given after
``--before`` describe the old tree, files after ``--after`` the new one, any number of sizes
each. The machine is shared, so the two trees are run size by size, one after the other, and the
table shows both figures with their ratio. A size measured several times is shown by its fastest
end-to-end run (other jobs only ever slow a run down), with the number of runs.

Usage:
    python benchmarks/compare_benchmarks.py --before b20k.json b1m.json --after a20k.json a1m.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def by_size(files: list[Path]) -> dict[int, dict]:
    """Every size measured in ``files``: its fastest end-to-end result, with ``runs`` (count)."""
    found: dict[int, list[dict]] = {}
    for path in files:
        for result in json.loads(path.read_text())["results"]:
            found.setdefault(result["customers"], []).append(result)
    return {
        size: {**min(results, key=lambda r: r["end_to_end"]["wall_s"]), "runs": len(results)}
        for size, results in found.items()
    }


def _run(run: dict) -> str:
    """Wall time (CPU time, when measured) and peak memory."""
    cpu = f" (CPU {run['cpu_s']:.1f} s)" if "cpu_s" in run else ""
    return f"{run['wall_s']:.1f} s{cpu} / {run['peak_mib']:,.0f} MiB"


def _ratio(old: dict, new: dict, key: str) -> str:
    return f"{new[key] / old[key]:.2f}" if key in old and key in new else "-"


def table(before: dict[int, dict], after: dict[int, dict]) -> str:
    """End to end and I/O floor per size, before and after, and the common-approach ratios."""
    sizes = sorted(set(before) & set(after))
    lines = [
        "| customers | runs | `kedro run` before | `kedro run` after "
        "| after / before (wall, CPU, peak) | I/O floor before / after |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for size in sizes:
        old, new = before[size]["end_to_end"], after[size]["end_to_end"]
        floors = before[size]["io_floor"]["wall_s"], after[size]["io_floor"]["wall_s"]
        lines.append(
            f"| {size:,} | {before[size]['runs']} / {after[size]['runs']} | "
            f"{_run(old)} | {_run(new)} | "
            f"{_ratio(old, new, 'wall_s')}, {_ratio(old, new, 'cpu_s')}, "
            f"{_ratio(old, new, 'peak_mib')} | "
            f"{floors[0]:.1f} s / {floors[1]:.1f} s |"
        )
    compared = [s for s in sizes if "skipped" not in after[s]["common_approach"]]
    if compared:
        lines += [
            "",
            "| customers | common approach | clustering pipeline before / after "
            "| faster than the common approach, before / after (pipeline; bare harness) |",
            "| ---: | ---: | ---: | ---: |",
        ]
        for size in compared:
            old, new = before[size]["common_approach"], after[size]["common_approach"]
            lines.append(
                f"| {size:,} | {_run(old)} (before), {_run(new)} (after) | "
                f"{_run(before[size]['pipelines']['clustering'])}; "
                f"{_run(after[size]['pipelines']['clustering'])} | "
                f"{old['time_ratio']}× / {new['time_ratio']}×; "
                f"{old['bare_time_ratio']}× / {new['bare_time_ratio']}× |"
            )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", type=Path, nargs="+", required=True)
    parser.add_argument("--after", type=Path, nargs="+", required=True)
    args = parser.parse_args(argv)
    print(table(by_size(args.before), by_size(args.after)), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
