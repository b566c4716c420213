"""Smoke test of benchmarks/run_benchmarks.py at 300 customers: it runs, and the common approach
(scikit-learn refitted per k) gives our partition. No timing is asserted (benchmarks/ holds the
speed targets).
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


def test_the_benchmark_runs_and_the_common_approach_finds_our_partition(report):
    results, table = report
    size = results["results"][0]
    common = size["common_approach"]
    assert [r["customers"] for r in results["results"]] == [300]
    assert common["clustering_path"] == "exact"
    assert common["adjusted_rand_index"] == 1.0  # exact path: the very same partition
    assert common["our_approach"]["chosen_k"] == common["chosen_k"]
    assert common["our_approach"]["ari_vs_common"] == 1.0
    assert "`kedro run` end to end" in table and "| 300 |" in table


def test_time_report_parsing():
    assert parse_wall_seconds("1:02:03") == 3723
    assert parse_wall_seconds("0:02.46") == pytest.approx(2.46)
    stderr = (
        "\tUser time (seconds): 50.25\n"
        "\tSystem time (seconds): 4.50\n"
        "\tElapsed (wall clock) time (h:mm:ss or m:ss): 1:05.50\n"
        "\tMaximum resident set size (kbytes): 2048\n"
        "\tMinor (reclaiming a frame) page faults: 1234\n"
    )
    assert parse_time_report(stderr) == {
        "wall_s": 65.5,
        "cpu_s": 54.75,
        "system_s": 4.5,
        "page_faults": 1234,
        "peak_mib": 2.0,
    }
