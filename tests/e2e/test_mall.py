"""`kedro run --env mall` on the committed Mall Customers table (five columns, declared in
conf/mall): segments named and acted on with age, income, spending score and gender only, and a
report without the sections of roles the table lacks."""

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from tests.project_copy import REPO_ROOT, copy_project

from .conftest import kedro

OUTPUTS = Path("data/mall/current")
# What the table has: names and actions may speak of nothing else.
MALL_ATTRIBUTES = {"income", "age", "spending_score", "female"}


@pytest.fixture(scope="module")
def mall_run(tmp_path_factory) -> Path:
    project = copy_project(tmp_path_factory.mktemp("mall") / "project")
    shutil.copytree(REPO_ROOT / "conf" / "mall", project / "conf" / "mall")
    kedro(project, "run", "--env", "mall")
    return project


def read_json(path: Path) -> dict:
    return json.loads(path.read_text())


def test_every_customer_is_kept_and_segmented_once(mall_run):
    quality = read_json(mall_run / OUTPUTS / "02_intermediate/data_quality.json")
    segments = pd.read_parquet(mall_run / OUTPUTS / "07_model_output/customer_segments.parquet")
    assert quality["rows_in"] == quality["rows_kept"] == 200
    assert segments["ID"].is_unique and len(segments) == 200
    # The default run's folders stay empty: the mall run writes only under data/mall.
    assert not list((mall_run / "data/03_primary").iterdir())
    assert not (mall_run / "data/current").exists()


def test_features_are_those_the_roles_give(mall_run):
    features = pd.read_parquet(mall_run / OUTPUTS / "04_feature/customer_features.parquet")
    assert list(features.columns) == ["ID", "age", "income", "female", "spending_score"]
    raw = pd.read_csv(REPO_ROOT / "data/01_raw/Mall_Customers.csv", dtype={"CustomerID": str})
    by_id = features.set_index("ID")
    assert by_id.loc[raw["CustomerID"], "female"].tolist() == (raw["Genre"] == "Female").tolist()


def test_names_and_actions_rest_only_on_the_tables_attributes(mall_run):
    names = read_json(mall_run / OUTPUTS / "08_reporting/segment_names.json")["segments"]
    actions = read_json(mall_run / OUTPUTS / "08_reporting/segment_actions.json")["segments"]
    assert len({item["name"] for item in names}) == len(names) >= 2
    used = {d["attribute"] for item in names for d in item["descriptors"]}
    assert used <= MALL_ATTRIBUTES
    cited = {a["item"] for item in actions for a in item["actions"]}
    assert cited and cited <= MALL_ATTRIBUTES
    assert all(a["kind"] == "trait" for item in actions for a in item["actions"])


def test_the_report_leaves_out_the_sections_of_missing_roles(mall_run):
    report = (mall_run / OUTPUTS / "08_reporting/segmentation_report.html").read_text()
    captions = re.findall(r"<figcaption>(.*?)</figcaption>", report)
    assert "Total spend distribution." not in captions
    assert "Customer enrolments over time." not in captions
    assert not any("response" in caption.lower() for caption in captions)
    assert "Share of revenue" not in report
    for missing in (
        "Preferred channel",
        "Top category",
        "Responded to last campaign",
        "category, channel, deal and campaign figures",
    ):
        assert missing not in report
    assert "Spending score (1-100)" in report
