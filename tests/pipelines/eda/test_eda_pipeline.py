"""The eda pipeline end to end on an in-memory catalog."""

from pathlib import Path

import pytest
from kedro.io import DataCatalog, MemoryDataset
from kedro.runner import SequentialRunner
from matplotlib.figure import Figure

from customer_segmentation.pipelines.eda import create_pipeline
from tests.catalog import output_file, project_catalog
from tests.fixtures.schema import SCHEMA_CONFIG

FIGURES = {
    "eda_income_distribution",
    "eda_spend_distribution",
    "eda_correlation_heatmap",
    "eda_enrolment_trend",
    "eda_cleaning_summary",
    "eda_age_distribution",
    "eda_category_spend",
    "eda_channel_mix",
    "eda_web_visits",
    "eda_spend_by_segmenting_attributes",
    "eda_response_by_attribute",
}


def test_pipeline_runs_on_an_in_memory_catalog(
    primary_customers, customer_features, data_quality, eda_params
):
    catalog = DataCatalog(
        {
            "primary_customers": MemoryDataset(primary_customers),
            "customer_features": MemoryDataset(customer_features),
            "data_quality": MemoryDataset(data_quality),
            "params:eda": MemoryDataset(eda_params),
            "params:schema": MemoryDataset(SCHEMA_CONFIG),
        }
    )
    outputs = SequentialRunner().run(create_pipeline(), catalog)
    assert set(outputs) >= FIGURES
    for name in FIGURES:
        assert isinstance(outputs[name].load(), Figure), name
    summary = outputs["eda_summary"].load()
    assert summary["n_customers"] == len(primary_customers)
    spend = primary_customers.filter(like="Mnt").to_numpy().sum()
    assert summary["total_revenue"] == spend
    assert summary["response_rate"] == pytest.approx(primary_customers["Response"].mean(), 1e-3)
    frequencies = outputs["eda_category_frequencies"].load()
    assert frequencies.groupby("attribute")["count"].sum().tolist() == [300, 300]
    rules = outputs["eda_cleaning_rules"].load()
    assert rules["values_fixed"].sum() == 32


def test_every_node_is_tagged_eda_and_every_figure_is_a_png_under_eda():
    # Every output's catalog entry and layer: tests/test_catalog.py, for every pipeline.
    pipe = create_pipeline()
    project = Path(__file__).resolve().parents[3]
    catalog = project_catalog(project)
    assert all("eda" in node.tags for node in pipe.nodes)
    for name in FIGURES:
        assert type(catalog.get(name)).__name__ == "FigureDataset"
        assert output_file(catalog, name, project).startswith("data/08_reporting/eda/")
