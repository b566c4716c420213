"""Run history in MLflow: what a marketing team compares between monthly runs.

Active only with the optional extra (``pip install -e ".[tracking]"``, kedro-mlflow): kedro-mlflow
opens an MLflow run around every ``kedro run`` and logs the parameters (conf/base/mlflow.yml);
this hook adds, as the datasets are saved:

- metrics: data-quality counts, the chosen k, every k-selection score by k (``step`` = k), the
  bootstrap stability, and each segment's size (``step`` = segment);
- artifacts: the report, the k-selection table and decision, the segment profiles.
"""

import importlib.util
import logging
from pathlib import PurePosixPath
from typing import Any

from kedro.framework.hooks import hook_impl
from kedro.io import AbstractVersionedDataset

from customer_segmentation.hooks import dataset_file

K_SCORES = ("wcss", "silhouette", "calinski_harabasz", "davies_bouldin")
ARTIFACTS = ("segmentation_report", "k_selection", "k_selection_decision", "segment_profiles")


def tracking_installed() -> bool:
    """Whether the ``tracking`` extra (kedro-mlflow) is installed."""
    return importlib.util.find_spec("kedro_mlflow") is not None


def run_metrics(dataset_name: str, data: Any) -> list[tuple[str, float, int]]:
    """``(metric, value, step)`` triples to log for a saved dataset (none for most)."""
    if dataset_name == "data_quality":
        return [(key, float(data[key]), 0) for key in ("rows_in", "rows_kept", "rows_rejected")]
    if dataset_name == "k_selection_decision":
        return [("chosen_k", float(data["chosen_k"]), 0)]
    if dataset_name == "k_selection":
        return [
            (f"k_{score}", float(row[score]), int(row["k"]))
            for _, row in data.iterrows()
            for score in K_SCORES
            if score in data and row[score] == row[score]  # NaN (no silhouette at k=1) is skipped
        ]
    if dataset_name == "segment_stability":
        return [
            (f"stability_{key}", float(data[key]), 0) for key in ("ari_mean", "ari_sd", "ari_min")
        ]
    if dataset_name == "segment_profiles":
        segments = data[data["segment"] > 0]
        return [
            ("segment_customers", float(row.customers), int(row.segment))
            for row in segments.itertuples()
        ]
    return []


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


class TrackInMlflow:
    """Kedro hook: log a run's key numbers and files to the MLflow run kedro-mlflow opened."""

    def __init__(self) -> None:
        self._catalog = None

    @hook_impl(tryfirst=True)  # before kedro-mlflow's own hook opens the tracking database
    def after_context_created(self) -> None:
        # mlflow sets its loggers to INFO when imported, over conf/logging.yml: import it now,
        # then keep its database set-up lines off the console.
        import mlflow  # noqa: F401, PLC0415 - the optional extra

        logging.getLogger("mlflow").setLevel(logging.WARNING)

    @hook_impl
    def after_catalog_created(self, catalog) -> None:
        self._catalog = catalog

    @hook_impl
    def after_dataset_saved(self, dataset_name: str, data: Any) -> None:
        import mlflow  # noqa: PLC0415 - the optional extra: imported only when it is installed

        if mlflow.active_run() is None:
            return
        for metric, value, step in run_metrics(dataset_name, data):
            mlflow.log_metric(metric, value, step=step)
        if dataset_name in ARTIFACTS:
            mlflow.log_artifact(saved_file(self._catalog, dataset_name))
