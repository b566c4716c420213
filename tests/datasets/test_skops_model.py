"""Models are stored with skops: a file from elsewhere is refused before anything runs."""

import pickle
from fractions import Fraction

import pandas as pd
import pytest
import yaml
from kedro.io.core import DatasetError, Version

from customer_segmentation.core.clustering.assignment import NearestCentroidSegmenter
from customer_segmentation.core.features.preprocessing import CustomerPreprocessor
from customer_segmentation.datasets import SkopsDataset
from tests.conftest import make_primary_customers
from tests.fixtures.feature_engineering import PARAMETERS
from tests.fixtures.schema import SCHEMA_CONFIG

CATALOG = yaml.safe_load((PARAMETERS.parent / "catalog.yml").read_text())
TRUSTED = CATALOG["segmentation_model"]["trusted"]


class Payload:
    """Unpickling this creates a file: proof that a pickle ran code."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def _model() -> NearestCentroidSegmenter:
    training = pd.DataFrame(
        {"ID": [1, 2, 3, 4], "pc1": [0.0, 1.0, 5.0, 6.0], "pc2": [0.0, 1, 5, 6]}
    )
    return NearestCentroidSegmenter().fit(training, [1, 1, 2, 2])


def test_a_model_round_trips_and_places_customers_the_same(tmp_path):
    model = _model()
    dataset = SkopsDataset(filepath=str(tmp_path / "model.skops"), trusted=TRUSTED)

    dataset.save(model)
    loaded = dataset.load()

    customers = pd.DataFrame({"ID": [7, 8], "pc1": [0.2, 4.0], "pc2": [0.1, 4.5]})
    assert loaded.predict(customers).tolist() == model.predict(customers).tolist() == [1, 2]


def test_a_fitted_preprocessor_round_trips_with_the_catalogs_trusted_types(tmp_path):
    params = yaml.safe_load(PARAMETERS.read_text())["feature_engineering"]
    settings = {**params["preprocessing"], "onehot_columns": ["Marital_Status"]}
    primary = make_primary_customers(200, seed=3)
    fitted = CustomerPreprocessor(schema=SCHEMA_CONFIG, **settings).fit(primary)
    dataset = SkopsDataset(
        filepath=str(tmp_path / "preprocessor.skops"),
        trusted=CATALOG["preprocessor"]["trusted"],
    )

    dataset.save(fitted)
    loaded = dataset.load()

    pd.testing.assert_frame_equal(
        loaded.transform(primary), fitted.transform(primary), check_exact=True
    )
    assert loaded.report() == fitted.report()


def test_a_pickle_under_the_model_name_is_refused_without_running(tmp_path):
    marker = tmp_path / "ran"
    path = tmp_path / "model.skops"
    path.write_bytes(pickle.dumps(Payload(str(marker))))

    with pytest.raises(DatasetError, match="not a skops model file"):
        SkopsDataset(filepath=str(path), trusted=TRUSTED).load()
    assert not marker.exists()


def test_a_model_with_a_type_the_project_never_writes_is_refused(tmp_path):
    path = str(tmp_path / "model.skops")
    SkopsDataset(filepath=path, trusted=["fractions.Fraction"]).save(Fraction(1, 3))

    with pytest.raises(DatasetError, match=r"holds types this project never writes \(fractions"):
        SkopsDataset(filepath=path, trusted=TRUSTED).load()


def test_versioned_models_keep_every_version(tmp_path):
    path = str(tmp_path / "model.skops")
    for version in ("2026-01-01T00.00.00.000Z", "2026-02-01T00.00.00.000Z"):
        SkopsDataset(filepath=path, trusted=TRUSTED, version=Version(None, version)).save(_model())

    assert len(list((tmp_path / "model.skops").iterdir())) == 2
