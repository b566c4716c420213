"""docs/performance.md's seventh- and eighth-round figures are the ones the benchmark scripts wrote
(docs/measurements/2026-12-03 and 2026-12-03-round8), not typed by hand."""

import json
import re
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
MEASURED = REPO_ROOT / "docs/measurements/2026-12-03"
DOC = (REPO_ROOT / "docs/performance.md").read_text(encoding="utf-8")
SECTION = DOC[DOC.index("### Seventh round") : DOC.index("### Sixth round")]


def _json(name: str, folder: Path = MEASURED) -> dict:
    return json.loads((folder / name).read_text(encoding="utf-8"))


def _row(first_cell: str) -> list[str]:
    """The cells of the section's table row that starts with ``first_cell``."""
    for line in SECTION.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if cells[0] == first_cell:
            return cells
    raise AssertionError(f"no row '{first_cell}' in the seventh round")


def _near(cell: str, value: float) -> bool:
    """The cell shows ``value`` rounded to one decimal."""
    return cell.split(maxsplit=1)[0].replace(",", "") == f"{value:.1f}"


def _number(cell: str) -> float:
    return float(re.sub(r"[^\d.]", "", cell.split(maxsplit=1)[0]))


def test_per_node_rows_are_node_times_output():
    measured = _json("node_times_10M.json")
    nodes = [name for name in measured["nodes"] if f"| {name} |" in SECTION]
    assert len(nodes) >= 12
    for name in nodes:
        cells, phases, usage = _row(name), measured["nodes"][name], measured["system"][name]
        assert _near(cells[1], sum(phases.values())), name
        for cell, phase in zip(cells[2:5], ("load", "run", "save"), strict=True):
            assert not cell or _near(cell, phases[phase]), (name, phase)
        assert _near(cells[-2], usage["system_s"]), name
        assert _number(cells[-1]) == usage["page_faults"], name
    total = _row("**all 52 nodes**")
    assert _number(total[-1]) == sum(cells["page_faults"] for cells in measured["system"].values())


def test_end_to_end_rows_are_the_benchmark_results():
    second = _json("run_10M_second.json")["results"][0]["end_to_end"]
    cells = _row("`kedro run`, 10M, second run")
    assert _near(cells[1], second["wall_s"])
    assert _near(cells[2], second["cpu_s"] - second["system_s"])
    assert _near(cells[3], second["system_s"])
    assert _number(cells[4]) == second["page_faults"]
    first = _json("run_10M_first.json")["results"][0]["end_to_end"]
    assert _near(_row("`kedro run`, 10M, first run on the machine")[1], first["wall_s"])
    small = {r["customers"]: r for r in _json("run_20k_1M.json")["results"]}
    for label, size in (("`kedro run`, 1M", 1_000_000), ("`kedro run`, 20k", 20_000)):
        cells, run = _row(label), small[size]["end_to_end"]
        assert _near(cells[1], run["wall_s"]), label
        assert _near(cells[2], run["cpu_s"] - run["system_s"]), label
        assert _near(cells[3], run["system_s"]), label
        assert _number(cells[4]) == run["page_faults"], label


def test_common_approach_ratio_is_the_measured_one():
    common = _json("run_20k_1M.json")["results"][0]["common_approach"]
    assert f"**{common['time_ratio']}× faster**" in SECTION
    assert f"bare harness {common['bare_time_ratio']}× faster" in SECTION
    assert common["time_ratio"] >= 15


def _seconds(value: float) -> str:
    return f"{value:.1f} s"


def _before_after(after_file: str, node: str) -> dict[str, list[str]]:
    """Figures of the first per-node run and of ``after_file``, as the section writes them."""
    runs = [_json("node_times_10M.json"), _json(after_file)]
    return {
        "node": [f"{sum(run['nodes'][node].values()):.1f} s" for run in runs],
        "system": [f"{run['system'][node]['system_s']:.1f} s" for run in runs],
        "faults": [f"{run['system'][node]['page_faults']:,}" for run in runs],
        "wall": [f"{run['wall_s']:.1f} s" for run in runs],
        "every_node": [
            f"{sum(sum(n.values()) for n in run['nodes'].values()):.1f} s" for run in runs
        ],
        "all_system": [
            f"{sum(n['system_s'] for n in run['system'].values()):.1f} s" for run in runs
        ],
    }


def test_the_correlation_change_is_measured_before_and_after():
    figures = _before_after("node_times_10M_after.json", "compute_correlations")
    assert "`compute_correlations` {} → {}".format(*figures["node"]) in SECTION
    assert "(system time {} → {}".format(*figures["system"]) in SECTION
    assert "page faults {} → {})".format(*figures["faults"]) in SECTION
    assert "from {} to {}".format(*figures["wall"]) in SECTION


def test_the_segment_history_change_is_measured_before_and_after():
    figures = _before_after("node_times_10M_after_history.json", "track_segments")
    assert "every node together {} → {}".format(*figures["every_node"]) in SECTION
    assert (
        "`track_segments` {} →\n{} (system time {} → {})".format(
            *figures["node"], *figures["system"]
        )
        in SECTION
    )
    assert "over the nodes {} → {}".format(*figures["all_system"]) in SECTION
    assert "the process {} → {}.".format(*figures["wall"]) in SECTION


# The eighth round: its tables are rendered here from the measurements and must appear verbatim.
MEASURED_8 = REPO_ROOT / "docs/measurements/2026-12-03-round8"
SECTION_8 = DOC[DOC.index("### Eighth round") : DOC.index("### Seventh round")]
NODES_8 = [
    "parse_raw_customers",
    "apply_cleaning_rules",
    "engineer_features",
    "profile_segments",
    "track_segments",
    "build_segmentation_hierarchy",
    "plot_segment_attributes",
    "compute_group_trends",
    "assess_segment_stability",
    "score_k_range",
    "export_segment_membership",
]
RUNS_8 = {  # label -> measurement file (before: 833453f, the code before issue 13's work)
    "before, 1M": "run_before_1000000.json",
    "after, 1M": "run_after_1000000.json",
    "before, 10M": "run_before_10000000.json",
    "after, 10M": "run_after_10000000.json",
    "after, 10M, second pair (after first)": "run_after_10000000_second.json",
    "before, 10M, second pair": "run_before_10000000_second.json",
}


def node_table_8() -> str:
    """Per node at 10M: the seventh round's last run against this round's, same project."""
    before = _json("node_times_10M_after_history.json")
    after = _json("node_times_10M_hook.json", MEASURED_8)
    lines = [
        "| node | before s | after s | system s before / after | page faults before / after |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]

    def cells(totals: list[float], systems: list[float], faults: list[int]) -> str:
        return (
            f"{totals[0]:.1f} | {totals[1]:.1f} | {systems[0]:.1f} / {systems[1]:.1f} | "
            f"{faults[0]:,} / {faults[1]:,} |"
        )

    runs = (before, after)
    for node in NODES_8:
        lines.append(
            f"| {node} | "
            + cells(
                [sum(run["nodes"][node].values()) for run in runs],
                [run["system"][node]["system_s"] for run in runs],
                [run["system"][node]["page_faults"] for run in runs],
            )
        )
    lines.append(
        f"| **all {len(after['nodes'])} nodes** | "
        + cells(
            [sum(sum(phases.values()) for phases in run["nodes"].values()) for run in runs],
            [sum(usage["system_s"] for usage in run["system"].values()) for run in runs],
            [sum(usage["page_faults"] for usage in run["system"].values()) for run in runs],
        )
    )
    lines.append(
        f"| process, Kedro start-up included | {before['wall_s']:.1f} | {after['wall_s']:.1f} | | |"
    )
    return "\n".join(lines)


def _end_to_end_8() -> dict[str, dict]:
    """The end-to-end figures of each run of ``RUNS_8``, by its label."""
    return {
        label: _json(name, MEASURED_8)["results"][0]["end_to_end"] for label, name in RUNS_8.items()
    }


def runs_table_8() -> str:
    """`kedro run` end to end, the code before this issue's work against main, one script."""
    lines = [
        "| `kedro run` | wall | user CPU | system CPU | minor page faults | peak |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, run in _end_to_end_8().items():
        lines.append(
            f"| {label} | {run['wall_s']:.1f} s | {run['cpu_s'] - run['system_s']:.1f} s | "
            f"{run['system_s']:.1f} s | {run['page_faults']:,} | {run['peak_mib']:,.0f} MiB |"
        )
    return "\n".join(lines)


def test_eighth_round_per_node_table_is_the_measured_one():
    assert node_table_8() in SECTION_8


def test_eighth_round_before_and_after_runs_are_the_measured_ones():
    assert runs_table_8() in SECTION_8


def _time_v(path: Path) -> dict[str, float]:
    """Wall, system time, page faults and peak MiB that ``/usr/bin/time -v`` wrote into ``path``."""
    text = path.read_text(encoding="utf-8")

    def field(label: str) -> str:
        return re.search(rf"{re.escape(label)}: (\S+)", text).group(1)

    minutes, seconds = field("Elapsed (wall clock) time (h:mm:ss or m:ss)").split(":")
    return {
        "wall_s": 60 * int(minutes) + float(seconds),
        "system_s": float(field("System time (seconds)")),
        "page_faults": int(field("Minor (reclaiming a frame) page faults")),
        "peak_mib": round(int(field("Maximum resident set size (kbytes)")) / 1024),
    }


def test_eighth_round_process_figures_are_the_measured_ones():
    before = _time_v(MEASURED / "node_times_10M_after_history.txt")
    hook = _time_v(MEASURED_8 / "node_times_10M_hook.txt")
    assert (
        f"page faults {before['page_faults']:,} → {hook['page_faults']:,},\n"
        f"system time {before['system_s']:.2f} s → {hook['system_s']:.2f} s, "
        f"peak {before['peak_mib']:,} MiB → {hook['peak_mib']:,} MiB." in SECTION_8
    )
    tunables = _time_v(MEASURED_8 / "node_times_10M_glibc_env.txt")
    assert (
        f"{tunables['wall_s']:.1f} s, {tunables['page_faults']:,} page faults, "
        f"peak {tunables['peak_mib']:,} MiB" in SECTION_8
    )
    arrow = _time_v(MEASURED_8 / "node_times_10M_glibc_env_arrow_system_pool.txt")
    assert f"{arrow['wall_s']:.1f} s again, but {arrow['page_faults']:,} page faults" in SECTION_8
    assert f"peak of {arrow['peak_mib']:,} MiB" in SECTION_8
    small = _time_v(MEASURED_8 / "node_times_1M_hook.txt")
    assert f"`node_times_1M_hook.txt`: {small['wall_s']:.1f} s in all" in SECTION_8
    touch = (MEASURED_8 / "first_touch.txt").read_text(encoding="utf-8")
    per_gib = re.search(r"'seconds_per_gib': ([\d.]+)", touch)[1]
    assert f"cost {per_gib} s/GiB of system time" in SECTION_8
    assert "peak is 6,673 MiB when it ends" in SECTION_8
    nodes = _json("node_times_10M_hook.json", MEASURED_8)
    assert nodes["peak_mib"]["parse_raw_customers"] == 6673


def test_eighth_round_ratios_are_computed_from_the_runs():
    runs = _end_to_end_8()
    text = " ".join(SECTION_8.split())
    before, after = runs["before, 1M"], runs["after, 1M"]
    assert (
        f"takes {after['wall_s'] / before['wall_s']:.2f}× its wall time and "
        f"{after['cpu_s'] / before['cpu_s']:.2f}× its CPU time ({after['cpu_s']:.1f} s against "
        f"{before['cpu_s']:.1f} s)" in text
    )
    big = {
        side: [run for label, run in runs.items() if label.startswith(f"{side}, 10M")]
        for side in ("before", "after")
    }

    def span(values: list[float]) -> str:
        return f"{min(values):.1f}–{max(values):.1f} s"

    ratios = [a["wall_s"] / b["wall_s"] for a, b in zip(big["after"], big["before"], strict=True)]
    assert f"{min(ratios):.2f}–{max(ratios):.2f}× its wall time" in text
    for measure, written in (
        (lambda run: run["cpu_s"], "the same CPU time ({} against {})"),
        (lambda run: run["cpu_s"] - run["system_s"], "more user time ({} against {})"),
        (lambda run: run["system_s"], "less system time ({} against {})"),
    ):
        spans = [span([measure(run) for run in big[side]]) for side in ("after", "before")]
        assert written.format(*spans) in text
