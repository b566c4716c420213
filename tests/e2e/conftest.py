"""End-to-end fixtures: a throw-away copy of the project on which `kedro run` really runs."""

import pytest
from kedro.framework.project import configure_project
from kedro.pipeline import Pipeline

from customer_segmentation.pipeline_registry import register_pipelines
from tests.runs import kedro  # noqa: F401 - the e2e tests import it from here


@pytest.fixture(scope="session")
def registered_pipelines() -> dict[str, Pipeline]:
    """The project's pipelines, as `kedro run` sees them."""
    configure_project("customer_segmentation")
    return register_pipelines()
