"""Segment numbering rule and the nearest-centroid segmentation model."""

import json

import numpy as np
import pandas as pd
import pytest
import yaml

from customer_segmentation.core.clustering.assignment import (
    NearestCentroidSegmenter,
    assignment_agreement,
    number_segments,
    scoring_model_json,
    segments_of,
)
from customer_segmentation.core.features.preprocessing import CustomerPreprocessor
from tests.conftest import make_primary_customers
from tests.fixtures.feature_engineering import PARAMETERS
from tests.fixtures.schema import SCHEMA_CONFIG
from tests.scoring_json import apply_scoring_json


def test_segments_are_numbered_by_size_then_smallest_id():
    ids = np.array([10, 11, 12, 13, 14, 15, 16, 17])
    labels = np.array(
        [2, 0, 0, 1, 1, 1, 3, 2]
    )  # sizes: 0->2 (min ID 11), 1->3, 2->2 (min 10), 3->1
    assert number_segments(ids, labels).tolist() == [2, 3, 3, 1, 1, 1, 4, 2]


def test_numbering_ignores_row_order_and_label_names():
    rng = np.random.default_rng(0)
    ids = rng.permutation(1000) + 5
    labels = rng.integers(0, 6, 1000)
    reference = dict(zip(ids, number_segments(ids, labels), strict=True))
    order = rng.permutation(1000)
    renamed = (labels[order] + 3) % 6  # same partition, other label values
    shuffled = dict(zip(ids[order], number_segments(ids[order], renamed), strict=True))
    assert shuffled == reference


@pytest.fixture
def trained():
    model_input = pd.DataFrame(
        {
            "ID": [1, 2, 3, 4, 5, 6],
            "a": [0.0, 0.2, 0.1, 5.0, 5.2, 4.0],
            "b": [0.0, 0.1, 0.3, 5.0, 4.9, 2.6],
        }
    )
    segments = pd.DataFrame({"ID": [1, 2, 3, 4, 5, 6], "segment": [1, 1, 1, 2, 2, 1]})
    return model_input, segments, NearestCentroidSegmenter().fit(model_input, segments["segment"])


def test_predict_uses_the_nearest_centroid_and_ignores_the_id(trained):
    _, _, model = trained
    np.testing.assert_allclose(model.centroids_, [[1.075, 0.75], [5.1, 4.95]])
    new = pd.DataFrame({"a": [1.0, 6.0, 3.0], "b": [0.0, 6.0, 3.0], "ID": [9, 10, 11]})
    # (3, 3) is 2.96 from the centroid of segment 1 and 2.87 from that of segment 2.
    assert model.predict(new).tolist() == [1, 2, 2]


def test_predict_refuses_columns_other_than_those_fitted(trained):
    _, _, model = trained
    with pytest.raises(ValueError, match=r"(?s)unseen at fit time:\n- c\n.*missing:\n- b"):
        model.predict(pd.DataFrame({"ID": [1], "a": [0.0], "c": [1.0]}))
    with pytest.raises(ValueError, match="same order"):
        model.predict(pd.DataFrame({"ID": [1], "b": [0.0], "a": [1.0]}))
    with pytest.raises(ValueError, match="NaN"):
        model.predict(pd.DataFrame({"ID": [1], "a": [np.nan], "b": [1.0]}))


def test_segments_of_matches_customers_by_id_in_any_row_order(trained):
    model_input, segments, _ = trained
    shuffled = segments.sample(frac=1.0, random_state=1)
    ids = model_input["ID"].to_numpy()
    assert segments_of(ids, shuffled).tolist() == segments["segment"].tolist()
    with pytest.raises(ValueError, match="some model_input customers have no segment"):
        segments_of(ids, shuffled.iloc[1:])


def test_agreement_counts(trained):
    model_input, segments, model = trained
    agreement = assignment_agreement(model.predict(model_input), segments["segment"].to_numpy())
    # Customer 6 (4.0, 2.6) lies nearer the centroid of segment 2 (5.1, 4.95) than of segment 1.
    assert agreement["customers"] == 6 and agreement["agreeing"] == 5
    assert agreement["agreement"] == pytest.approx(5 / 6)
    assert agreement["per_segment"][0] == {"segment": 1, "customers": 4, "agreement": 0.75}


@pytest.mark.parametrize(
    ("scaler", "pca", "onehot"),
    [("robust", None, ["Marital_Status"]), ("none", 3, []), ("standard", None, [])],
)
def test_the_scoring_model_json_places_every_customer_as_the_model(scaler, pca, onehot):
    """Other settings than the shipped ones (tests/pipelines/scoring): a one-hot category,
    robust or no scaling, PCA by components, and gaps filled by the training median."""
    params = yaml.safe_load(PARAMETERS.read_text())["feature_engineering"]
    primary = make_primary_customers(400, seed=4)
    primary.loc[primary.index[::25], "Income"] = np.nan
    preprocessor = CustomerPreprocessor(
        schema=SCHEMA_CONFIG,
        reference_date=params["reference_date"],
        **{**params["preprocessing"], "scaler": scaler, "pca": pca, "onehot_columns": onehot},
    )
    features, model_input = preprocessor.fit_features_transform(primary)
    segments = pd.DataFrame(
        {
            "ID": model_input["ID"],
            "segment": 1 + (model_input.iloc[:, 1] > 0) + (features["children"] > 1),
        }
    )
    model = NearestCentroidSegmenter().fit(model_input, segments["segment"])

    rule = json.loads(json.dumps(scoring_model_json(preprocessor, model)))
    by_json = apply_scoring_json(rule, features, primary)

    assert any("equals" in item for item in rule["inputs"]) == bool(onehot)
    expected = model.predict(preprocessor.transform(primary))
    assert len(set(expected)) == 3
    assert by_json.tolist() == expected.tolist()
