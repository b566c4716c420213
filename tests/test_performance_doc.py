"""docs/performance.md's seventh-round figures are the ones the benchmark scripts wrote
(docs/measurements/2026-12-03), not typed by hand."""

import json
import re
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
MEASURED = REPO_ROOT / "docs/measurements/2026-12-03"
DOC = (REPO_ROOT / "docs/performance.md").read_text(encoding="utf-8")
SECTION = DOC[DOC.index("### Seventh round") : DOC.index("### Sixth round")]


def _json(name: str) -> dict:
    return json.loads((MEASURED / name).read_text(encoding="utf-8"))


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
