"""Smoke test of benchmarks/run_benchmarks.py on a tiny size: it runs and reports every figure.

No timing is asserted (timings depend on the machine); only the report's structure and the
checks that do not depend on speed (the common approach's labels equal ours).
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = REPO_ROOT / "benchmarks" / "run_benchmarks.py"
sys.path.insert(0, str(REPO_ROOT / "benchmarks"))
from measure import parse_time_report, parse_wall_seconds  # noqa: E402

MEASURED = {"wall_s", "peak_mib"}


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> tuple[dict, str]:
    """The benchmark at 300 customers (common approach included), end to end only."""
    workdir = tmp_path_factory.mktemp("bench")
    output = workdir / "results.json"
    result = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            "--sizes",
            "300",
            "--common-max-customers",
            "300",
            "--no-per-pipeline",
            "--workdir",
            str(workdir),
            "--output",
            str(output),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return json.loads(output.read_text()), output.with_suffix(".md").read_text()


def _is_measurement(run: dict) -> bool:
    return run.keys() >= MEASURED and run["wall_s"] > 0 and run["peak_mib"] > 0


def test_report_holds_every_measurement(report):
    results = report[0]["results"]
    assert [r["customers"] for r in results] == [300]
    size = results[0]
    for step in ("generate", "end_to_end", "io_floor"):
        assert _is_measurement(size[step]), step
    assert set(size["startup"]) == {"python_import_kedro_and_project", "kedro_registry_list"}
    assert all(_is_measurement(run) for run in size["startup"].values())
    assert size["end_to_end_over_io_floor"] == pytest.approx(
        size["end_to_end"]["wall_s"] / size["io_floor"]["wall_s"], abs=0.06
    )
    assert 0 < size["customers_kept"] <= 300


def test_common_approach_finds_our_partition(report):
    size = report[0]["results"][0]
    common, ours = size["common_approach"], size["pipelines"]["clustering"]
    assert _is_measurement(common) and _is_measurement(ours)
    assert common["clustering_path"] == "exact"
    assert common["adjusted_rand_index"] == 1.0  # exact path: the very same partition
    assert sorted(map(int, common["silhouette"])) == list(range(2, 11))  # the default k range
    assert common["time_ratio"] == pytest.approx(common["wall_s"] / ours["wall_s"], abs=0.06)


def test_our_method_in_the_bare_harness_gives_the_same_partition(report):
    common = report[0]["results"][0]["common_approach"]
    bare = common["our_approach"]
    assert _is_measurement(bare)
    assert bare["chosen_k"] == common["chosen_k"]  # the same k as the clustering pipeline
    assert bare["clustering_path"] == "exact"
    assert bare["ari_vs_pipeline"] == 1.0
    assert bare["ari_vs_common"] == 1.0
    assert bare["working_mib"] == pytest.approx(bare["peak_mib"] - bare["baseline_mib"], abs=0.2)
    assert common["bare_time_ratio"] == pytest.approx(common["wall_s"] / bare["wall_s"], abs=0.06)
    assert common["bare_memory_ratio"] == pytest.approx(
        bare["peak_mib"] / common["peak_mib"], abs=0.002
    )


def test_markdown_table_lists_the_steps(report):
    table = report[1]
    for label in (
        "`kedro run` end to end",
        "I/O floor",
        "common approach",
        "ARI at chosen k",
        "ours (bare)",
        "ARI vs common",
    ):
        assert label in table
    assert "| 300 |" in table


def test_time_report_parsing():
    assert parse_wall_seconds("1:02:03") == 3723
    assert parse_wall_seconds("0:02.46") == pytest.approx(2.46)
    stderr = (
        "\tElapsed (wall clock) time (h:mm:ss or m:ss): 1:05.50\n"
        "\tMaximum resident set size (kbytes): 2048\n"
    )
    assert parse_time_report(stderr) == {"wall_s": 65.5, "peak_mib": 2.0}
