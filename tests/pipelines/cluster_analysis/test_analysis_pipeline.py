"""The whole cluster_analysis pipeline on an in-memory catalog."""

import json

import pytest
from kedro.io import DataCatalog, MemoryDataset
from kedro.runner import SequentialRunner
from matplotlib.figure import Figure

from customer_segmentation.datasets import FigureDataset
from customer_segmentation.pipelines import joined_segmentation, rfm_segmentation
from customer_segmentation.pipelines.cluster_analysis import create_pipeline
from customer_segmentation.pipelines.cluster_analysis.pipeline import SEGMENT_FIGURES
from tests.fixtures.cluster_analysis import EARLIER_RUN_ID
from tests.project_copy import REPO_ROOT


class KeptDataset(MemoryDataset):
    """A MemoryDataset the runner does not empty, so the test can read every output."""

    def _release(self) -> None:
        pass


def run_pipeline(inputs: dict) -> DataCatalog:
    pipeline = create_pipeline()
    catalog = DataCatalog({name: MemoryDataset(value) for name, value in inputs.items()})
    for name in pipeline.all_outputs():
        catalog[name] = KeptDataset()
    SequentialRunner().run(pipeline, catalog)
    return catalog


@pytest.fixture(scope="module")
def analysed(analysis_inputs) -> DataCatalog:
    """The pipeline's outputs on the fixtures (one run for the tests that read them)."""
    return run_pipeline(analysis_inputs)


def test_pipeline_produces_every_output(analysis_inputs, analysed):
    catalog = analysed
    profiles = catalog.load("segment_profiles")
    assert profiles["segment"].tolist() == [1, 2, 3, 0]
    assert profiles.loc[profiles["segment"] > 0, "revenue_share"].sum() == pytest.approx(1.0)
    names = catalog.load("segment_names")
    actions = catalog.load("segment_actions")
    stability = catalog.load("segment_stability")
    for document in (names, actions, stability):
        json.dumps(document)  # JSON-serialisable as the catalog saves it
    assert [a["name"] for a in actions["segments"]] == [n["name"] for n in names["segments"]]
    assert (
        stability["n_resamples"]
        == analysis_inputs["params:cluster_analysis"]["stability"]["n_resamples"]
    )
    for name in SEGMENT_FIGURES:
        assert isinstance(catalog.load(name), Figure)
    html = catalog.load("segmentation_report")
    assert html.count("<img") == 16  # 15 figures and the migration heatmap
    # Compared with the earlier run (the same segments): every segment kept, nobody moved.
    identities = catalog.load("segment_identities")
    assert {s["status"] for s in identities["segments"]} == {"kept"}
    assert f"Compared with the run of <b>{EARLIER_RUN_ID}</b>" in html
    migration = catalog.load("segment_migration")
    assert (migration["from_segment"] == migration["to_segment"]).all()
    assert migration["customers"].sum() == len(analysis_inputs["customer_segments"])
    for item in names["segments"]:
        assert item["name"] in html or item["name"].replace("'", "&#39;") in html
    rules = catalog.load("segment_rules")
    json.dumps(rules)
    for card in rules["segments"]:  # each card shows its own segment's rules and fidelity
        section = html.split(f"Segment {card['segment']}: ", 1)[1].split('class="card"', 1)[0]
        assert all(
            text.replace(">", "&gt;").replace("<", "&lt;") in section for text in card["text"]
        )
        assert f"Fidelity <b>{100 * card['fidelity']:.1f}%</b>" in section
    membership = catalog.load("segment_membership").to_pandas()
    assert len(membership) == len(analysis_inputs["customer_segments"])
    assert catalog.load("segment_rules_sql").count("WHERE") == len(rules["segments"])


def test_every_node_is_tagged_analysis():
    # Every output's catalog entry and layer: tests/test_catalog.py, for every pipeline.
    assert all("analysis" in node.tags for node in create_pipeline().nodes)


def test_report_accepts_saved_png_bytes(analysis_inputs, tmp_path):
    inputs = dict(analysis_inputs)
    inputs["params:cluster_analysis.stability"] = {
        **analysis_inputs["params:cluster_analysis.stability"],
        "n_resamples": 2,
    }
    for name, figure in analysis_inputs.items():
        if isinstance(figure, Figure):
            dataset = FigureDataset(filepath=str(tmp_path / f"{name}.png"))
            dataset.save(figure)
            inputs[name] = dataset.load()
    html = run_pipeline(inputs).load("segmentation_report")
    assert html.count('src="data:image/png;base64,') == 16  # with the migration heatmap
    assert isinstance(inputs["elbow_plot"], bytes)


@pytest.mark.parametrize("package", [None, rfm_segmentation, joined_segmentation])
def test_the_report_reads_the_summary_and_the_figures(package):
    pipeline = create_pipeline() if package is None else package.create_pipeline()
    (report,) = [n for n in pipeline.nodes if n.name.endswith("render_segmentation_report")]
    assert report.inputs == ["segmentation_summary", "report_figures", "params:cluster_analysis"]


def test_the_summary_is_strict_json_with_every_key_documented(analysed):
    summary = analysed.load("segmentation_summary")
    text = json.dumps(summary, allow_nan=False)  # no NaN, no numpy scalar
    documented = (REPO_ROOT / "docs" / "outputs.md").read_text()
    assert all(f"`{key}`" in documented for key in summary)
    assert summary["headline"]["k"] == len(summary["names"]["segments"]) == 3
    assert set(summary["figures"]) == {"eda_figures", "k_figures", "segment_figures"}
    assert "data:image" not in text  # figures are the report's, not the summary's
