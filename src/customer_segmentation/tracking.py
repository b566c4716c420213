"""Run history in MLflow: what a marketing team compares between monthly runs.

Active only with the optional extra (``pip install -e ".[tracking]"``, kedro-mlflow): kedro-mlflow
opens an MLflow run around every ``kedro run`` and logs the parameters (conf/base/mlflow.yml);
this hook adds, as the datasets are saved:

- metrics: data-quality counts, the chosen k, every k-selection score by k (``step`` = k), the
  bootstrap stability, and each segment's size (``step`` = segment);
- metrics: the segment history's kept, new and dissolved segments (after a first run);
- artifacts: the report, the k-selection table and decision, the segment profiles, the
  migration since the last run.

It also keeps MLflow in step with the run guard (docs/runs.md): once this run holds the output
folder's lock, MLflow runs left RUNNING by killed runs are marked FAILED; after a published run,
the artifacts of runs whose outputs were pruned (``run_guard.keep_published_runs``) are deleted
(their parameters and metrics stay).
"""

import importlib.util
from pathlib import Path, PurePosixPath
from typing import Any

from kedro.framework.hooks import hook_impl
from kedro.io import AbstractVersionedDataset

from customer_segmentation import publication
from customer_segmentation.hooks import DEFAULT_SETTINGS, dataset_file

K_SCORES = ("wcss", "silhouette", "calinski_harabasz", "davies_bouldin")
ARTIFACTS = (
    "segmentation_report",
    "k_selection",
    "k_selection_decision",
    "segment_profiles",
    "segment_migration",
)


def tracking_installed() -> bool:
    """Whether the ``tracking`` extra (kedro-mlflow) is installed."""
    return importlib.util.find_spec("kedro_mlflow") is not None


Metric = tuple[str, float, int]  # (metric, value, step)


def _k_scores(table: Any) -> list[Metric]:
    return [
        (f"k_{score}", float(row[score]), int(row["k"]))
        for _, row in table.iterrows()
        for score in K_SCORES
        if score in table and row[score] == row[score]  # NaN (no silhouette at k=1) is skipped
    ]


def _segment_sizes(profiles: Any) -> list[Metric]:
    segments = profiles[profiles["segment"] > 0]
    return [
        ("segment_customers", float(row.customers), int(row.segment))
        for row in segments.itertuples()
    ]


def _history(identities: dict) -> list[Metric]:
    """Kept, new and dissolved segments; nothing on a first run (nothing to compare with)."""
    if identities["reference"] is None:
        return []
    statuses = [s["status"] for s in identities["segments"]]
    return [
        ("segments_kept", float(statuses.count("kept")), 0),
        ("segments_new", float(statuses.count("new")), 0),
        ("segments_dissolved", float(len(identities["dissolved"])), 0),
    ]


METRICS = {
    "data_quality": lambda data: [
        (key, float(data[key]), 0) for key in ("rows_in", "rows_kept", "rows_rejected")
    ],
    "k_selection_decision": lambda data: [("chosen_k", float(data["chosen_k"]), 0)],
    "k_selection": _k_scores,
    "segment_stability": lambda data: [
        (f"stability_{key}", float(data[key]), 0) for key in ("ari_mean", "ari_sd", "ari_min")
    ],
    "segment_identities": _history,
    "segment_profiles": _segment_sizes,
}


def run_metrics(dataset_name: str, data: Any) -> list[Metric]:
    """``(metric, value, step)`` triples to log for a saved dataset (none for most)."""
    metrics = METRICS.get(dataset_name)
    return [] if metrics is None else metrics(data)


def saved_file(catalog, name: str) -> str:
    """The file a dataset saved in this run: a versioned one's is under this run's version
    (Kedro's layout ``<filepath>/<version>/<file name>``)."""
    path = dataset_file(catalog, name)
    dataset = catalog.get(name)
    version = (
        dataset.resolve_save_version() if isinstance(dataset, AbstractVersionedDataset) else None
    )
    if version is None:
        return path
    return str(PurePosixPath(path) / version / PurePosixPath(path).name)


def settle_killed_runs(client, experiment_id: str, active_run_id: str) -> list[str]:
    """Mark FAILED the MLflow runs still RUNNING but the active one (called with the output
    folder's lock held, so no other run of this project is alive); return their ids."""
    killed = client.search_runs([experiment_id], filter_string="attributes.status = 'RUNNING'")
    settled = [run.info.run_id for run in killed if run.info.run_id != active_run_id]
    for run_id in settled:
        client.set_terminated(run_id, status="FAILED")
    return settled


def prune_artifacts(client, experiment_id: str, kept_run_ids: set[str]) -> int:
    """Delete the artifacts of finished MLflow runs whose Kedro run (tag ``run_id``) is not among
    ``kept_run_ids``; their parameters and metrics stay. Return how many runs were pruned."""
    from mlflow.store.artifact.artifact_repository_registry import (  # noqa: PLC0415
        get_artifact_repository,
    )

    pruned = 0
    for run in client.search_runs([experiment_id], filter_string="attributes.status != 'RUNNING'"):
        if run.data.tags.get("run_id") in kept_run_ids or run.data.tags.get("artifacts_pruned"):
            continue
        get_artifact_repository(run.info.artifact_uri).delete_artifacts()
        client.set_tag(run.info.run_id, "artifacts_pruned", "true")
        pruned += 1
    return pruned


class TrackInMlflow:
    """Kedro hook: log a run's key numbers and files to the MLflow run kedro-mlflow opened.

    Its run-level hooks are ``trylast``: they run after the run guard took the lock (and after
    kedro-mlflow opened the run), and after the run guard published and pruned.
    """

    def __init__(self) -> None:
        self._catalog = None
        self._outputs: Path | None = None
        self._keep = DEFAULT_SETTINGS["keep_published_runs"]

    @hook_impl
    def after_context_created(self, context) -> None:
        self._outputs = Path(context.project_path) / context.config_loader["globals"].get(
            "outputs", "data"
        )
        settings = context.params.get("run_guard") or {}
        self._keep = int(settings.get("keep_published_runs", self._keep))

    @hook_impl
    def after_catalog_created(self, catalog) -> None:
        self._catalog = catalog

    @hook_impl(trylast=True)
    def before_pipeline_run(self) -> None:
        import mlflow  # noqa: PLC0415 - the optional extra: imported only when it is installed

        active = mlflow.active_run()
        if active is not None:
            settle_killed_runs(mlflow.MlflowClient(), active.info.experiment_id, active.info.run_id)

    @hook_impl
    def after_dataset_saved(self, dataset_name: str, data: Any) -> None:
        import mlflow  # noqa: PLC0415

        if mlflow.active_run() is None:
            return
        for metric, value, step in run_metrics(dataset_name, data):
            mlflow.log_metric(metric, value, step=step)
        if dataset_name in ARTIFACTS:
            mlflow.log_artifact(saved_file(self._catalog, dataset_name))

    @hook_impl(trylast=True)
    def after_pipeline_run(self, run_params: dict[str, Any]) -> None:
        import mlflow  # noqa: PLC0415

        finished = mlflow.last_active_run()  # kedro-mlflow has ended it by now
        if finished is None or self._outputs is None:
            return
        kept = {*publication.retained(self._outputs)[-self._keep :], run_params["run_id"]}
        prune_artifacts(mlflow.MlflowClient(), finished.info.experiment_id, kept)
