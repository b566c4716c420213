"""Stop `kedro run` at random moments with SIGKILL, SIGTERM or SIGINT; after each stop, check that
the current outputs are one published run's, whole and consistent, and that the next run (a
scoring run) removes what the stopped run left and uses the published model.

    python benchmarks/kill_loop.py --kills 30 [--seed 0] [--folder /tmp/kill_loop]

Runs alternate between k = 3 and k = 5 (fixed), so a report and a model from different runs would
disagree on k. One line per kill; exit status 1 when any check fails. docs/runs.md.
"""

import argparse
import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from tests.project_copy import copy_project  # noqa: E402

SIGNALS = (signal.SIGKILL, signal.SIGTERM, signal.SIGINT)
SCORING_OUTPUTS = {"new_customer_segments", "run_manifest"}
ENV = {**os.environ, "KEDRO_DISABLE_TELEMETRY": "true", "MPLBACKEND": "Agg"}


def _params(k: int) -> list[str]:
    return ["--params", f"clustering.selection.rule=fixed,clustering.selection.fixed_k={k}"]


def _kedro(project: Path, *args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "kedro", *args]
    return subprocess.run(
        command, check=False, cwd=project, env=ENV, capture_output=True, text=True
    )


def problems(project: Path) -> list[str]:
    """What is wrong with the published outputs (empty when they are one consistent run)."""
    current = project / "data" / "current"
    publication = json.loads((current / "publication.json").read_text())
    found = []
    # The training run that made the report made every table; a scoring run (this loop scores
    # after each stop) publishes only its own outputs beside them.
    trained = publication["datasets"]["segmentation_report"]["version"]
    for name, entry in publication["datasets"].items():
        path = current / entry["path"]
        scoring = name.startswith("scoring.") or name in SCORING_OUTPUTS
        if entry["version"] != trained and not scoring:
            found.append(f"{name} is from run {entry['version']}, the report from {trained}")
        if hashlib.sha256(path.read_bytes()).hexdigest() != entry["sha256"]:
            found.append(f"{name}: the file is not the one published")
    decision = json.loads((current / "06_models/k_selection_decision.json").read_text())
    summary = json.loads((current / "08_reporting/segmentation_summary.json").read_text())
    if summary["run"]["id"] != trained:
        found.append(f"report of run {summary['run']['id']} published as run {trained}'s")
    membership = (current / "08_reporting/segment_membership.csv").read_text().splitlines()
    segments = {line.split(",")[1] for line in membership[1:]}
    if len(segments) != decision["chosen_k"]:
        found.append(f"CRM export has {len(segments)} segments, the model {decision['chosen_k']}")
    scoring = _kedro(project, "run", "--pipelines", "scoring")
    if scoring.returncode != 0:
        found.append(f"scoring failed: {scoring.stderr[-300:]}")
    else:
        scored = (current / "07_model_output/new_customer_segments.csv").read_text().splitlines()
        ids = {int(line.split(",")[1]) for line in scored[1:]}
        if not ids <= set(range(1, decision["chosen_k"] + 1)):
            found.append(f"scoring placed customers in segments {sorted(ids)}")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--folder", type=Path, default=Path("/tmp/kill_loop"))
    args = parser.parse_args()
    rng = random.Random(args.seed)
    project = copy_project(args.folder / f"project-{os.getpid()}")
    started = time.monotonic()
    first = _kedro(project, "run", *_params(3))
    if first.returncode != 0:
        print(first.stderr[-2000:])
        return 1
    length = time.monotonic() - started
    failures = 0
    for kill in range(1, args.kills + 1):
        stop, moment = rng.choice(SIGNALS), rng.uniform(1.0, length * 1.1)
        command = [sys.executable, "-m", "kedro", "run", *_params(3 + 2 * (kill % 2))]
        run = subprocess.Popen(
            command, cwd=project, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(moment)
        run.send_signal(stop)
        run.wait()
        found = problems(project)
        failures += bool(found)
        verdict = "ok" if not found else "; ".join(found)
        print(f"{kill:3d} {stop.name:7s} at {moment:5.1f} s (exit {run.returncode:4d}): {verdict}")
    print(f"{failures} of {args.kills} stops left inconsistent outputs")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
