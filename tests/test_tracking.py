"""Run history in MLflow (the `tracking` extra): what each run logs, and two runs read back."""

import json

import pandas as pd
import pytest
from kedro.io import DataCatalog

from customer_segmentation.tracking import (
    prune_artifacts,
    run_metrics,
    saved_file,
    settle_killed_runs,
)


def test_k_scores_are_logged_per_k_and_missing_scores_skipped():
    table = pd.DataFrame(
        {
            "k": [1, 2, 3],
            "wcss": [9.0, 5.0, 3.0],
            "silhouette": [float("nan"), 0.4, 0.3],
            "calinski_harabasz": [float("nan"), 10.0, 12.0],
            "davies_bouldin": [float("nan"), 0.9, 1.1],
        }
    )

    metrics = run_metrics("k_selection", table)

    assert ("k_wcss", 9.0, 1) in metrics and ("k_silhouette", 0.3, 3) in metrics
    assert not [m for m in metrics if m[2] == 1 and m[0] != "k_wcss"]


def test_segment_sizes_are_logged_per_segment_without_the_overall_row():
    profiles = pd.DataFrame({"segment": [1, 2, 0], "customers": [70, 30, 100]})

    assert run_metrics("segment_profiles", profiles) == [
        ("segment_customers", 70.0, 1),
        ("segment_customers", 30.0, 2),
    ]


def test_segment_history_is_logged_after_a_first_run():
    first = {"reference": None, "segments": [{"status": "first"}], "dissolved": []}
    later = {
        "reference": {"run_id": "2026-01-01T00.00.00.000Z"},
        "segments": [{"status": "kept"}, {"status": "new"}, {"status": "kept"}],
        "dissolved": [{"segment": 4, "name": "Gone"}],
    }

    assert run_metrics("segment_identities", first) == []
    assert run_metrics("segment_identities", later) == [
        ("segments_kept", 2.0, 0),
        ("segments_new", 1.0, 0),
        ("segments_dissolved", 1.0, 0),
    ]


def test_the_artifact_of_a_versioned_dataset_is_this_run_s_file(tmp_path):
    catalog = DataCatalog.from_config(
        {
            "plain": {"type": "pandas.CSVDataset", "filepath": str(tmp_path / "a.csv")},
            "kept": {
                "type": "pandas.CSVDataset",
                "filepath": str(tmp_path / "b.csv"),
                "versioned": True,
            },
        },
        save_version="2026-01-02T03.04.05.678Z",
    )
    for name in ("plain", "kept"):
        catalog.save(name, pd.DataFrame({"x": [1]}))

    assert saved_file(catalog, "plain") == str(tmp_path / "a.csv")
    kept = saved_file(catalog, "kept")
    assert kept == str(tmp_path / "b.csv/2026-01-02T03.04.05.678Z/b.csv")
    assert pd.read_csv(kept)["x"].tolist() == [1]


def test_other_datasets_log_nothing():
    assert run_metrics("customer_segments", pd.DataFrame({"ID": [1]})) == []


def test_two_runs_with_different_params_are_read_back_from_mlflow(full_run, second_run):
    pytest.importorskip("kedro_mlflow", reason="the tracking extra is not installed")
    from mlflow.tracking import MlflowClient  # noqa: PLC0415 - the optional extra

    # second_run's MLflow store holds the default run (rule 'reference') and the second run
    # (rule 'fixed', k = 3); the data folder holds both runs' k decisions as versions.
    client = MlflowClient(f"sqlite:///{second_run / 'mlruns' / 'mlflow.db'}")
    experiment = client.get_experiment_by_name("customer_segmentation")
    runs = client.search_runs([experiment.experiment_id])

    by_rule = {run.data.params["clustering.selection.rule"]: run for run in runs}
    assert sorted(by_rule) == ["fixed", "reference"]
    assert by_rule["fixed"].data.metrics["chosen_k"] == 3
    first_k = json.loads(
        (full_run / "data/current/06_models/k_selection_decision.json").read_text()
    )
    assert by_rule["reference"].data.metrics["chosen_k"] == first_k["chosen_k"]
    for run in runs:
        metrics = run.data.metrics
        assert metrics["rows_in"] == metrics["rows_kept"] + metrics["rows_rejected"]
        history = client.get_metric_history(run.info.run_id, "k_wcss")
        assert sorted(m.step for m in history) == list(range(2, 11))  # k_range 2..10
        artifacts = {a.path for a in client.list_artifacts(run.info.run_id)}
        assert {"segmentation_report.html", "k_selection.csv", "segment_profiles.csv"} <= artifacts
    # The second run is compared with the first: its migration table is logged too.
    second = by_rule["fixed"].info.run_id
    assert "segment_migration.csv" in {a.path for a in client.list_artifacts(second)}


def test_killed_runs_are_marked_failed_and_pruned_runs_lose_their_artifacts(tmp_path):
    mlflow = pytest.importorskip("mlflow")
    client = mlflow.MlflowClient(tracking_uri=f"sqlite:///{tmp_path / 'mlflow.db'}")
    experiment = client.create_experiment("x", artifact_location=str(tmp_path / "artifacts"))

    def kedro_run(run_id: str, status: str) -> str:
        run = client.create_run(experiment, tags={"run_id": run_id})
        report = tmp_path / f"{run_id}.html"
        report.write_text("<html></html>")
        client.log_artifact(run.info.run_id, str(report))
        if status != "RUNNING":
            client.set_terminated(run.info.run_id, status=status)
        return run.info.run_id

    old, kept, killed, active = (
        kedro_run("old", "FINISHED"),
        kedro_run("kept", "FINISHED"),
        kedro_run("killed", "RUNNING"),
        kedro_run("active", "RUNNING"),
    )

    assert settle_killed_runs(client, experiment, active) == [killed]
    assert client.get_run(killed).info.status == "FAILED"
    assert client.get_run(active).info.status == "RUNNING"
    client.set_terminated(active)
    assert prune_artifacts(client, experiment, {"kept", "active"}) == 2  # old and killed

    assert client.list_artifacts(old) == [] and client.list_artifacts(killed) == []
    assert len(client.list_artifacts(kept)) == 1 and len(client.list_artifacts(active)) == 1
    assert client.get_run(old).data.tags["run_id"] == "old"  # the run itself stays
