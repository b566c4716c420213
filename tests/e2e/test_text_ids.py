"""Text customer IDs (issue 31): the default data with IDs like `C002281` runs end to end, keeps
every ID exactly as written and gives the same segments as the integer IDs."""

import json
from pathlib import Path

import pandas as pd
import pytest

from tests.catalog import load_latest
from tests.project_copy import copy_project

from .conftest import kedro

RAW = Path("data/01_raw/customers_synthetic.csv")


def _text_id(number: str) -> str:
    return f"C{int(number):06d}"


@pytest.fixture(scope="module")
def text_id_run(tmp_path_factory) -> Path:
    """A project copy whose default file carries `C` + zero-padded IDs, after `kedro run`."""
    project = copy_project(tmp_path_factory.mktemp("text_ids") / "project")
    raw = pd.read_csv(project / RAW, sep="\t", dtype=str, keep_default_na=False)
    raw["ID"] = raw["ID"].map(_text_id)
    raw.to_csv(project / RAW, sep="\t", index=False)
    kedro(project, "run")
    return project


def _segments(project: Path) -> pd.DataFrame:
    return load_latest(project / "data/07_model_output/customer_segments.parquet")


def test_text_ids_give_the_integer_runs_segments(text_id_run, full_run):
    by_text = _segments(text_id_run)
    by_number = _segments(full_run)

    assert by_text["ID"].str.fullmatch(r"C\d{6}").all()
    expected = by_number.assign(ID=by_number["ID"].map(_text_id))
    pd.testing.assert_frame_equal(by_text, expected, check_dtype=False)
    decision = "data/06_models/k_selection_decision.json"
    assert json.loads((text_id_run / decision).read_text()) == json.loads(
        (full_run / decision).read_text()
    )
    quality = "data/02_intermediate/data_quality.json"
    assert (
        json.loads((text_id_run / quality).read_text())["rules"]
        == json.loads((full_run / quality).read_text())["rules"]
    )


def test_every_output_keeps_the_ids_as_written(text_id_run):
    raw_ids = set(pd.read_csv(text_id_run / RAW, sep="\t", dtype=str)["ID"])
    membership = pd.read_csv(
        text_id_run / "data/08_reporting/segment_membership.csv", dtype=str, keep_default_na=False
    )
    rejected = pd.read_csv(text_id_run / "data/02_intermediate/rejected_customers.csv", dtype=str)
    tables = [
        pd.read_parquet(text_id_run / "data/03_primary/customers.parquet"),
        pd.read_parquet(text_id_run / "data/05_model_input/model_input.parquet"),
        _segments(text_id_run),
        membership,
        rejected,
    ]
    for table in tables:
        assert set(table["ID"]) <= raw_ids
    assert membership["ID"].str.startswith("C0").all()  # leading zeros kept
