"""Project hooks: the run ends only when every background file write has finished."""

from kedro.framework.hooks import hook_impl

from customer_segmentation.datasets.kept_parquet import wait_for_background_writes


class WaitForBackgroundWrites:
    """Tables are written by a background thread (``KeptParquetDataset``): a run that succeeded
    waits for the files and fails if one could not be written; a run that failed still lets
    them finish, logging a failed write instead of hiding the run's own error."""

    @hook_impl
    def after_pipeline_run(self) -> None:
        wait_for_background_writes()

    @hook_impl
    def on_pipeline_error(self) -> None:
        wait_for_background_writes(raise_errors=False)
