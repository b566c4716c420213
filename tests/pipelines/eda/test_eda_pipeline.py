"""The eda pipeline end to end on an in-memory catalog."""

from pathlib import Path

import pytest
import yaml
from kedro.io import DataCatalog, MemoryDataset
from kedro.runner import SequentialRunner
from matplotlib.figure import Figure

from customer_segmentation.pipelines.eda import create_pipeline

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


def test_every_node_is_tagged_eda_and_every_output_is_catalogued():
    pipe = create_pipeline()
    assert all("eda" in node.tags for node in pipe.nodes)
    catalog_file = Path(__file__).resolve().parents[3] / "conf" / "base" / "catalog.yml"
    catalog = yaml.safe_load(catalog_file.read_text())
    assert pipe.all_outputs() <= set(catalog)
    for name in pipe.all_outputs():
        entry = catalog[name]
        assert entry["metadata"]["kedro-viz"]["layer"] == "reporting", name
        if name in FIGURES:
            assert entry["type"] == "customer_segmentation.datasets.FigureDataset"
            assert entry["save_args"] == {"dpi": 110, "bbox_inches": "tight"}
            assert entry["filepath"].startswith("data/08_reporting/eda/")
