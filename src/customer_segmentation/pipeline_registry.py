"""Project pipelines."""

from kedro.framework.project import find_pipelines
from kedro.pipeline import Pipeline

# Pipelines that serve another purpose than the main job and so stay out of `kedro run`.
NOT_IN_DEFAULT = ("scoring", "transactions")


def register_pipelines() -> dict[str, Pipeline]:
    """Register every pipeline package; the default run chains the main job's pipelines."""
    pipelines = find_pipelines(raise_errors=True)
    pipelines["__default__"] = sum(
        (pipe for name, pipe in pipelines.items() if name not in NOT_IN_DEFAULT),
        start=Pipeline([]),
    )
    return pipelines
