"""The scoring pipeline on an in-memory catalog, after a training run of the upstream pipelines."""

import json

import numpy as np
import pandas as pd
import pytest
from kedro.io import DataCatalog, MemoryDataset
from kedro.pipeline import Pipeline
from kedro.runner import SequentialRunner

from customer_segmentation.core.reporting.spreadsheet import LABEL_COLUMNS
from customer_segmentation.datasets import JSONDataset
from customer_segmentation.errors import InputDataError
from customer_segmentation.hooks import refuse_missing_inputs
from customer_segmentation.pipelines.cluster_analysis.pipeline import analysis_pipeline
from customer_segmentation.pipelines.clustering import create_pipeline as clustering
from customer_segmentation.pipelines.data_processing import create_pipeline as cleaning
from customer_segmentation.pipelines.feature_engineering import create_pipeline as features
from customer_segmentation.pipelines.scoring import create_pipeline as scoring
from customer_segmentation.pipelines.scoring_model import create_pipeline as scoring_model
from tests.scoring_json import apply_scoring_json


class KeptDataset(MemoryDataset):
    """A MemoryDataset the runner does not empty, so the test can read every output."""

    def _release(self) -> None:
        pass


def parameter_datasets(pipeline: Pipeline, parameters: dict) -> dict[str, MemoryDataset]:
    """A dataset for every ``params:`` input of ``pipeline`` (``params:a.b``: key ``b`` of
    ``a``), from ``parameters``."""
    found = {}
    for name in pipeline.inputs():
        if name.startswith("params:"):
            value = parameters
            for key in name.removeprefix("params:").split("."):
                value = value[key]
            found[name] = MemoryDataset(value)
    return found


@pytest.fixture(scope="module")
def trained(parameters, training_raw, new_raw) -> DataCatalog:
    """The training run, up to the segments' names and actions that scoring carries."""
    training = cleaning() + features() + clustering() + scoring_model()
    training += analysis_pipeline().to_outputs("segment_names", "segment_actions")
    outputs = training.all_outputs() | scoring().all_outputs()
    catalog = DataCatalog(
        parameter_datasets(training + scoring(), parameters)
        | {"raw_customers": MemoryDataset(training_raw), "new_customers": MemoryDataset(new_raw)}
        | {name: KeptDataset() for name in outputs}
    )
    SequentialRunner().run(training, catalog)
    return catalog


def run_scoring(trained: DataCatalog, new_customers: pd.DataFrame, **replaced) -> DataCatalog:
    """Score a raw file with the training run's outputs (``replaced``: other values for some),
    in a fresh catalog."""
    inputs = {name: trained.load(name) for name in scoring().inputs() - {"new_customers"}}
    catalog = DataCatalog(
        {name: MemoryDataset(value) for name, value in (inputs | replaced).items()}
        | {"new_customers": MemoryDataset(new_customers)}
        | {name: KeptDataset() for name in scoring().all_outputs()}
    )
    SequentialRunner().run(scoring(), catalog)
    return catalog


def test_new_customers_are_cleaned_transformed_and_placed(trained, new_raw):
    scored_catalog = run_scoring(trained, new_raw)
    scored = scored_catalog.load("new_customer_segments")
    segments = trained.load("customer_segments")

    assert list(scored.columns) == ["ID", *LABEL_COLUMNS]
    assert scored[["ID", "segment_id"]].dtypes.to_dict() == {
        "ID": pd.StringDtype(na_value=np.nan),  # the IDs as text, as read
        "segment_id": np.dtype("int64"),
    }
    quality = scored_catalog.load("scoring.data_quality")
    assert quality["rows_in"] == len(new_raw) == quality["rows_kept"] + quality["rows_rejected"]
    assert len(scored) == quality["rows_kept"]
    assert set(scored["segment_id"]) <= set(segments["segment"])
    # The same cleaning and preprocessor, nothing refitted: the model on the transformed rows.
    primary = scored_catalog.load("scoring.primary_customers")
    model_input = trained.load("preprocessor").transform(primary)
    expected = trained.load("segmentation_model").predict(model_input)
    assert scored["segment_id"].tolist() == expected.tolist()


def test_each_new_customer_carries_the_training_runs_name_and_top_action(trained, training_raw):
    scored = run_scoring(trained, training_raw).load("new_customer_segments")
    names = {s["segment"]: s["name"] for s in trained.load("segment_names")["segments"]}
    actions = {s["segment"]: s["top_action"] for s in trained.load("segment_actions")["segments"]}

    assert len(set(scored["segment_id"])) > 1 and any(actions.values())
    assert scored["segment_name"].tolist() == scored["segment_id"].map(names).tolist()
    assert scored["segment_action"].tolist() == scored["segment_id"].map(actions).tolist()


def test_a_file_whose_rows_are_all_rejected_places_nobody(trained, new_raw):
    bad = new_raw.iloc[[0]].copy()
    bad["Year_Birth"] = "1850"  # older than the age rule allows

    scored = run_scoring(trained, bad).load("new_customer_segments")

    assert scored.empty
    assert list(scored.columns) == ["ID", *LABEL_COLUMNS]


def test_one_new_customer_without_income_gets_the_training_median(trained, new_raw):
    one = new_raw.iloc[[0]].copy()
    one["Income"] = ""
    training_medians = trained.load("cleaning_statistics")["imputation"]["Income"]["groups"]

    scored_catalog = run_scoring(trained, one)

    primary = scored_catalog.load("scoring.primary_customers")
    assert len(scored_catalog.load("new_customer_segments")) == 1
    education = primary["Education"].iloc[0]
    assert primary["Income"].iloc[0] == training_medians[education]


def test_scoring_the_training_file_reproduces_the_agreement(trained, training_raw):
    scored = run_scoring(trained, training_raw).load("new_customer_segments")
    segments = trained.load("customer_segments")
    merged = segments.merge(scored, on="ID")
    assert len(merged) == len(segments)
    agreement = (merged["segment"] == merged["segment_id"]).mean()
    assert agreement == pytest.approx(trained.load("segment_assignment_agreement")["agreement"])


def test_scoring_nodes_are_tagged_and_share_cleaning_parameters():
    pipe = scoring()
    assert all("scoring" in node.tags for node in pipe.nodes)
    assert "params:data_processing" in pipe.inputs()
    training_outputs = {"preprocessor", "segmentation_model", "segment_names", "segment_actions"}
    assert {"new_customers", *training_outputs} <= pipe.inputs()
    assert pipe.outputs() >= {"new_customer_segments"}
    assert all(node.name.startswith("scoring.") for node in pipe.nodes)


def test_scoring_without_the_training_runs_names_and_actions_is_refused(trained, tmp_path):
    # Written by the training run's analysis: the run guard names them and the fix before any
    # node runs (the end-to-end refusal: tests/e2e/test_run_hooks.py).
    reporting = tmp_path / "data/current/08_reporting"
    missing = {"segment_names", "segment_actions"}
    catalog = DataCatalog(
        {name: MemoryDataset(trained.load(name)) for name in scoring().inputs() - missing}
        | {name: JSONDataset(filepath=str(reporting / f"{name}.json")) for name in missing}
    )

    with pytest.raises(InputDataError) as refused:
        refuse_missing_inputs(scoring(), catalog)

    message = str(refused.value)
    assert "inputs are missing" in message and "Nothing was written" in message
    for name in missing:
        assert f"  - {name} (" in message
    assert message.count("run `kedro run`") == len(missing)


def test_names_and_actions_of_another_training_run_are_refused(trained, new_raw):
    names = trained.load("segment_names")
    one_fewer = {**names, "segments": names["segments"][:-1]}

    with pytest.raises(InputDataError, match="different training runs"):
        run_scoring(trained, new_raw, segment_names=one_fewer)


def test_scored_frame_refuses_foreign_columns(trained):
    model = trained.load("segmentation_model")
    frame = pd.DataFrame({"ID": [1], "unknown_feature": [0.0]})
    with pytest.raises(ValueError, match=r"(?s)unseen at fit time:\n- unknown_feature"):
        model.predict(frame)


def test_the_scoring_model_json_places_every_customer_as_the_scoring_pipeline(
    trained, training_raw
):
    model = json.loads(json.dumps(trained.load("scoring_model_json")))  # plain JSON through
    assert model["projection"] is not None  # the shipped settings project with PCA
    features = trained.load("customer_features")
    primary = trained.load("primary_customers")

    by_json = apply_scoring_json(model, features, primary)

    scored = run_scoring(trained, training_raw).load("new_customer_segments")
    assert features["ID"].tolist() == scored["ID"].tolist()
    assert by_json.tolist() == scored["segment_id"].tolist()
    assert len(set(by_json)) > 1
