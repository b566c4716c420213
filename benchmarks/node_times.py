"""Where a `kedro run` spends its time: per node, its loads, its run, the hooks and its saves.

Runs the project's default pipeline (or ``--pipelines``) in this process through a
``KedroSession``, with a hook that timestamps every node and dataset event. Each interval between
two consecutive events is charged to the node it belongs to:

- ``load``: reading the node's inputs (``before_dataset_loaded`` .. ``after_dataset_loaded``);
- ``run``: the node's function (``before_node_run`` .. ``after_node_run``);
- ``hooks``: the project's ``after_node_run`` hooks (pre-flight checks, run summary);
- ``save``: writing its outputs (``before_dataset_saved`` .. ``after_dataset_saved``);
- ``other``: whatever lies between those (Kedro's own bookkeeping, releasing datasets).

Each node also gets the system CPU time and the minor page faults of the process over the same
intervals (``getrusage``): on a virtual machine that hands freed memory back to its host, first
touches of memory are costly faults, and these columns show which nodes pay for them. The last
column is the process's peak resident memory when the node ended: the nodes that raise it are the
ones that touch new memory.

The project's ``before_pipeline_run`` hooks (run guard: input hashes, checks) and the time before
the first node are reported as ``(start)``, the time after the last as ``(end)``.

Usage:
    python benchmarks/node_times.py <project dir> [--pipelines a,b] [--top 25] [--json out.json]
    python benchmarks/node_times.py --compare before.json after.json [--top 25]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from collections import defaultdict
from pathlib import Path

from kedro.framework.hooks import hook_impl
from kedro.framework.session import KedroSession
from kedro.framework.startup import bootstrap_project

PHASES = ("load", "run", "hooks", "save", "other")
USAGE = ("system_s", "page_faults")  # of the process (getrusage), charged like the phases


class NodeTimer:
    """Kedro hook: a timestamp at every node and dataset event, charged to the current node."""

    def __init__(self) -> None:
        self.seconds: dict[str, dict[str, float]] = defaultdict(lambda: dict.fromkeys(PHASES, 0.0))
        self._node = "(start)"
        self._phase = "other"
        self.system: dict[str, dict[str, float]] = defaultdict(lambda: dict.fromkeys(USAGE, 0))
        self._last = time.perf_counter()
        self._last_usage = resource.getrusage(resource.RUSAGE_SELF)
        self.peak_mib: dict[str, int] = defaultdict(int)

    def _mark(self, node: str, next_phase: str) -> None:
        """Charge the time since the last event to the current node and phase, then switch."""
        now, usage = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
        self.seconds[self._node][self._phase] += now - self._last
        self.system[self._node]["system_s"] += usage.ru_stime - self._last_usage.ru_stime
        self.system[self._node]["page_faults"] += usage.ru_minflt - self._last_usage.ru_minflt
        self.peak_mib[self._node] = max(self.peak_mib[self._node], usage.ru_maxrss // 1024)
        self._node, self._phase, self._last, self._last_usage = node, next_phase, now, usage

    # trylast on every "before" hook and tryfirst on every "after" hook: the project's own hooks
    # fall outside the load/run/save intervals, into "hooks" or "other".
    @hook_impl(trylast=True)
    def before_pipeline_run(self) -> None:
        self._mark("(start)", "other")

    @hook_impl(trylast=True)
    def before_dataset_loaded(self, node) -> None:
        self._mark(node.name, "load")

    @hook_impl(tryfirst=True)
    def after_dataset_loaded(self, node) -> None:
        self._mark(node.name, "other")

    @hook_impl(trylast=True)
    def before_node_run(self, node) -> None:
        self._mark(node.name, "run")

    @hook_impl(tryfirst=True)
    def after_node_run(self, node) -> None:
        self._mark(node.name, "hooks")

    @hook_impl(trylast=True)
    def before_dataset_saved(self, node) -> None:
        self._mark(node.name, "save")

    @hook_impl(tryfirst=True)
    def after_dataset_saved(self, node) -> None:
        self._mark(node.name, "other")

    @hook_impl(trylast=True)
    def after_pipeline_run(self) -> None:
        self._mark("(end)", "other")


def table(
    seconds: dict[str, dict[str, float]],
    system: dict[str, dict],
    peak_mib: dict[str, int],
    top: int,
) -> str:
    """Markdown table of the ``top`` nodes by total time, with the total of all of them."""
    totals = {name: sum(phases.values()) for name, phases in seconds.items()}
    lines = [
        "| node | total s | " + " | ".join(PHASES) + " | system s | page faults | peak MiB |",
        "| --- | ---: |" + " ---: |" * (len(PHASES) + 3),
    ]

    def usage(cells: dict) -> str:
        return f"{cells['system_s']:.2f} | {cells['page_faults']:,}"

    for name in sorted(totals, key=totals.get, reverse=True)[:top]:
        cells = " | ".join(f"{seconds[name][phase]:.2f}" for phase in PHASES)
        lines.append(
            f"| {name} | {totals[name]:.2f} | {cells} | {usage(system[name])} | "
            f"{peak_mib[name]:,} |"
        )
    summed = " | ".join(f"{sum(p[phase] for p in seconds.values()):.2f}" for phase in PHASES)
    overall = {key: sum(cells[key] for cells in system.values()) for key in USAGE}
    lines.append(
        f"| **all {len(totals)}** | **{sum(totals.values()):.2f}** | {summed} | {usage(overall)} "
        f"| {max(peak_mib.values()):,} |"
    )
    return "\n".join(lines)


def comparison(before: dict, after: dict, top: int) -> str:
    """Markdown table of two ``--json`` results: the ``top`` nodes by their time before."""
    totals = [
        {name: sum(phases.values()) for name, phases in run["nodes"].items()}
        for run in (before, after)
    ]
    lines = [
        "| node | before s | after s | before: load / run / hooks / save | after: same |",
        "| --- | ---: | ---: | --- | --- |",
    ]

    def phases(run: dict, name: str) -> str:
        found = run["nodes"].get(name)
        return " / ".join(f"{found[p]:.1f}" for p in PHASES[:4]) if found else "-"

    for name in sorted(totals[0], key=totals[0].get, reverse=True)[:top]:
        lines.append(
            f"| {name} | {totals[0][name]:.1f} | {totals[1].get(name, 0.0):.1f} | "
            f"{phases(before, name)} | {phases(after, name)} |"
        )
    lines.append(
        f"| **all nodes** | **{sum(totals[0].values()):.1f}** | "
        f"**{sum(totals[1].values()):.1f}** | | |"
    )
    lines.append(
        f"| process, Kedro start-up included | {before['wall_s']:.1f} | {after['wall_s']:.1f} | | |"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("project", type=Path, nargs="?")
    parser.add_argument("--pipelines", default=None, help="comma-separated; default: __default__")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--compare", type=Path, nargs=2, metavar=("BEFORE", "AFTER"))
    args = parser.parse_args(argv)
    if args.compare:
        before, after = (json.loads(path.read_text()) for path in args.compare)
        print(comparison(before, after, args.top))
        return 0
    started = time.perf_counter()
    bootstrap_project(args.project.resolve())
    timer = NodeTimer()
    with KedroSession.create(project_path=args.project.resolve()) as session:
        # A benchmark-only hook: registered on this session, not in the project's settings.
        session._hook_manager.register(timer)  # noqa: SLF001
        pipelines = args.pipelines.split(",") if args.pipelines else None
        session.run(pipeline_names=pipelines)
    wall = time.perf_counter() - started
    print(table(timer.seconds, timer.system, timer.peak_mib, args.top))
    print(f"\nprocess wall time {wall:.1f} s (Kedro start-up included)")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "wall_s": wall,
                    "nodes": timer.seconds,
                    "system": timer.system,
                    "peak_mib": timer.peak_mib,
                },
                indent=2,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
