"""Project pipelines: one registered run per source of customers (docs/transactions.md)."""

from kedro.framework.project import find_pipelines
from kedro.pipeline import Pipeline

# Pipelines that serve another purpose than the main job and so stay out of `kedro run`:
# scoring (new customers), transactions (a log's RFM alone), value_forecast (a log's CLV; it
# imports pymc-marketing when it runs) and the two runs that read a log, rfm_segmentation (the
# log alone) and joined_segmentation (customer table and log joined).
NOT_IN_DEFAULT = (
    "scoring",
    "transactions",
    "value_forecast",
    "rfm_segmentation",
    "joined_segmentation",
)


def register_pipelines() -> dict[str, Pipeline]:
    """Register every pipeline package; the default run chains the main job's pipelines."""
    pipelines = find_pipelines(raise_errors=True)
    pipelines["__default__"] = sum(
        (pipe for name, pipe in pipelines.items() if name not in NOT_IN_DEFAULT),
        start=Pipeline([]),
    )
    return pipelines
