"""Run hooks and refusals: ParallelRunner, missing inputs and the nodes' refusals of tables too
small for the k range stop before anything is written; a calm console."""

import json
import re
import shutil

from customer_segmentation.cli import input_problem
from tests.bad_inputs.corpus import (
    EVERYTHING,
    GUARDED_LAYERS,
    HEADER,
    RAW,
    ROWS,
    Case,
    Refused,
    files_under,
    run,
    tsv,
)
from tests.project_copy import GENERATED_LAYERS, copy_project

from .conftest import kedro


def test_parallel_runner_is_refused_with_the_real_reason(full_run, tmp_path):
    project = tmp_path / "project"
    shutil.copytree(full_run, project, symlinks=True)

    result = kedro(project, "run", "--runner", "ParallelRunner", check=False)

    assert result.returncode != 0
    assert "ParallelRunner cannot run this project" in result.stdout + result.stderr
    assert "CachedDataset" in result.stdout + result.stderr


def test_the_console_says_each_result_once_and_where_the_report_is(full_run):
    console = (full_run.parent / "console.txt").read_text()
    errors = (full_run.parent / "console_errors.txt").read_text()
    quality = json.loads((full_run / "data/current/02_intermediate/data_quality.json").read_text())
    decision = json.loads(
        (full_run / "data/current/06_models/k_selection_decision.json").read_text()
    )
    lines = console.splitlines()

    assert "WARNING" not in console + errors and "Running node" not in console + errors
    # Nothing from the project or Kedro on stderr (with the tracking extra, mlflow and
    # kedro-mlflow print their own warnings there, before or outside this project's code).
    assert "customer_segmentation" not in errors and "kedro." not in errors
    # One line per node result, each step once, and no line said twice.
    steps = ("cleaning:", "features:", "clustering:", "eda:", "stability:", "segment history:")
    for step in steps:
        assert sum(line.startswith(step) for line in lines) == 1, step
    assert len(set(lines)) == len(lines)
    assert f"{quality['rows_in']:,} rows in: {quality['rows_kept']:,} kept" in console
    # Every rejection reason is counted in the line, and the counts add up.
    cleaning = next(line for line in lines if line.startswith("cleaning:"))
    by_rule = re.findall(r"(\d+) by `(\w+)`", cleaning)
    assert {rule for _, rule in by_rule} == {
        rule["rule"] for rule in quality["rules"] if rule["rows_rejected"]
    }
    assert sum(int(count) for count, _ in by_rule) == quality["rows_rejected"] > 0
    assert f"k = {decision['chosen_k']}:" in console
    assert lines[-1].startswith("Done in ")
    assert lines[-1].endswith(
        " s. Open the report: data/current/08_reporting/segmentation_report.html"
    )


def test_scoring_before_training_stops_before_writing_anything(tmp_path):
    project = copy_project(tmp_path / "project")

    result = kedro(project, "run", "--pipelines", "scoring", check=False)

    assert result.returncode != 0
    assert "This run cannot start: inputs are missing." in result.stderr
    assert "segmentation_model (data/06_models/segmentation_model.skops)" in result.stderr
    assert "run `kedro run`" in result.stderr
    written = [p for layer in GENERATED_LAYERS for p in (project / "data" / layer).rglob("*")]
    assert written == []


def test_customers_differing_only_in_id_stop_the_run_before_its_outputs(tmp_path):
    # Not exact duplicates (the IDs differ), so cleaning keeps all 40: the cleaning node refuses
    # them, so none of its outputs is saved.
    copies = [[str(1000 + i), *ROWS[0][1:]] for i in range(40)]
    case = Case("same_customer_40_ids", lambda: tsv(HEADER, copies), Refused(()), EVERYTHING)

    project, error, before = run(case, tmp_path)

    problem = str(input_problem(error))
    assert problem.startswith(f"data/01_raw/{RAW.name}: 40 customers kept after cleaning, but ")
    assert "only 1 differ" in problem and "provide more customers" in problem
    assert files_under(project, GUARDED_LAYERS) == before
    assert not (project / "data/current/02_intermediate/data_quality.json").exists()


def test_the_training_cleaning_refuses_too_few_customers_for_the_k_range(tmp_path):
    # The cleaning node checks the k range (clustering.k_range.max = 10) whatever pipelines run:
    # three customers are refused before any of its outputs is saved.
    three = Case("three_customers", lambda: tsv(HEADER, ROWS[:3]), Refused(()))

    project, error, before = run(three, tmp_path)  # the case's default pipelines: data_processing

    problem = str(input_problem(error))
    assert problem.startswith(f"data/01_raw/{RAW.name}: only ")
    assert "customer(s) kept after cleaning" in problem and "k_range.max = 10" in problem
    assert files_under(project, GUARDED_LAYERS) == before
    assert not (project / "data/current/02_intermediate/data_quality.json").exists()


def test_customers_alike_in_every_feature_stop_the_run_before_the_features_are_saved(tmp_path):
    # 40 customers differing in Recency (not a clustering feature) and with two incomes: cleaning
    # keeps them all, the model input has 2 distinct rows.
    income = HEADER.index("Income")
    alike = [
        [str(1000 + i), *ROWS[0][1:income], ROWS[i % 2][income], *ROWS[0][income + 1 :]]
        for i in range(40)
    ]
    for i, row in enumerate(alike):
        row[HEADER.index("Recency")] = str(i)
    case = Case("alike_in_features", lambda: tsv(HEADER, alike), Refused(()), EVERYTHING)

    project, error, before = run(case, tmp_path)

    problem = str(input_problem(error))
    assert problem.startswith(f"data/01_raw/{RAW.name}: 40 customers, but only 2 distinct rows")
    assert "k_range.max = 10 needs at least 11" in problem
    later = [layer for layer in GUARDED_LAYERS if not layer.endswith("03_primary")]
    assert files_under(project, later) == {k: v for k, v in before.items() if "03_primary" not in k}
