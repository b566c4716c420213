"""Every dataset of every pipeline is catalogued with a kedro-viz layer; every node has a tag."""

from pathlib import Path

import pytest
import yaml
from kedro.framework.project import configure_project

from customer_segmentation.pipeline_registry import register_pipelines
from tests.layers import LAYERS

CATALOG = Path(__file__).resolve().parents[1] / "conf" / "base" / "catalog.yml"
STEP_TAGS = {"cleaning", "eda", "features", "segmentation", "analysis", "scoring", "transactions"}


@pytest.fixture(scope="module")
def pipelines():
    configure_project("customer_segmentation")
    return register_pipelines()


def test_every_dataset_has_a_catalog_entry_with_a_layer(pipelines):
    catalog = yaml.safe_load(CATALOG.read_text())
    used = {
        name
        for pipeline in pipelines.values()
        for name in pipeline.datasets()
        if not name.startswith("params:") and name != "parameters"
    }
    assert sorted(used - set(catalog)) == []
    assert {
        name: entry["metadata"]["kedro-viz"]["layer"]
        for name, entry in catalog.items()
        if entry["metadata"]["kedro-viz"]["layer"] not in LAYERS
    } == {}


def test_every_node_carries_a_step_tag(pipelines):
    untagged = [
        node.name
        for pipeline in pipelines.values()
        for node in pipeline.nodes
        if not node.tags & STEP_TAGS
    ]
    assert untagged == []
