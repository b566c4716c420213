"""Every dataset of every pipeline is catalogued with a kedro-viz layer; every node has a tag."""

from pathlib import Path

import pytest
from kedro.framework.project import configure_project
from kedro.framework.session import KedroSession
from kedro.framework.startup import bootstrap_project

from customer_segmentation.hooks import dataset_file, versioned_file
from customer_segmentation.pipeline_registry import register_pipelines
from tests.layers import LAYERS

ROOT = Path(__file__).resolve().parents[1]
STEP_TAGS = {
    "cleaning",
    "eda",
    "features",
    "segmentation",
    "analysis",
    "scoring",
    "transactions",
    "value_forecast",
}


@pytest.fixture(scope="module")
def pipelines():
    configure_project("customer_segmentation")
    return register_pipelines()


@pytest.fixture(scope="module")
def catalog():
    """The catalog as `kedro run` builds it: globals resolved, dataset factories applied."""
    bootstrap_project(ROOT)
    with KedroSession.create(project_path=ROOT, env="base") as session:
        return session.load_context().catalog


def test_every_dataset_resolves_to_a_catalog_entry_with_a_layer(pipelines, catalog):
    used = {
        name
        for pipeline in pipelines.values()
        for name in pipeline.datasets()
        if not name.startswith("params:") and name != "parameters"
    }
    layers = {name: (catalog.get(name).metadata or {}).get("kedro-viz", {}) for name in used}

    assert {name: layer for name, layer in layers.items() if layer.get("layer") not in LAYERS} == {}


def test_figures_come_from_the_factories_and_tables_from_explicit_entries(catalog):
    figure = catalog.get("elbow_plot")
    table = catalog.get("eda_key_metrics")

    assert type(figure).__name__ == "FigureDataset"
    assert str(figure._filepath).endswith("data/08_reporting/figures/elbow.png")
    assert type(table).__name__ == "CSVDataset"


def test_every_output_file_is_versioned_so_runs_publish_all_or_nothing(pipelines, catalog):
    # publication.py makes a run's versions current together; an unversioned file would be
    # overwritten in place by a run that then fails (docs/runs.md).
    outputs = ROOT / "data"
    unversioned = []
    for name in sorted({name for pipeline in pipelines.values() for name in pipeline.datasets()}):
        if name.startswith("params:") or name == "parameters":
            continue
        path = dataset_file(catalog, name)
        generated = path and Path(path).is_relative_to(outputs) and "01_raw" not in Path(path).parts
        if generated and versioned_file(catalog, name) is None:
            unversioned.append(name)

    assert unversioned == []


def test_every_node_carries_a_step_tag(pipelines):
    untagged = [
        node.name
        for pipeline in pipelines.values()
        for node in pipeline.nodes
        if not node.tags & STEP_TAGS
    ]
    assert untagged == []
