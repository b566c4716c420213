"""A user's own customer table, in conf/local only: three layouts that appear nowhere in the
code (other names, separators, date formats, decimal commas, text IDs, a subset of the roles),
each run with `kedro run` as a new user would: the shop declared by hand (docs/data_contract.md's
worked example), the two others from the starter declaration pasted as printed. Each has planted
groups, recovered at ARI >= 0.9."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from sklearn.metrics import adjusted_rand_score

from tests.project_copy import copy_project
from tests.starter import printed_starter

from .conftest import kedro

SEGMENTS = 3


def _planted_shop(n: int = 600, seed: int = 11) -> tuple[pd.DataFrame, np.ndarray]:
    """A German shop's export: three planted personas that differ in age, income, spend and
    channel; semicolon-separated, decimal commas, dates dd.mm.yyyy."""
    rng = np.random.default_rng(seed)
    persona = rng.integers(0, SEGMENTS, n)
    age = np.array([28, 47, 66])[persona] + rng.normal(0, 3, n)
    income = np.array([24_000, 82_000, 45_000])[persona] * rng.lognormal(0, 0.08, n)
    books = np.array([300, 60, 900])[persona] * rng.lognormal(0, 0.15, n)
    music = np.array([700, 1500, 80])[persona] * rng.lognormal(0, 0.15, n)
    online = rng.poisson(np.array([18, 4, 2])[persona])
    shop = rng.poisson(np.array([2, 14, 9])[persona])
    joined = pd.Timestamp("2019-01-01") + pd.to_timedelta(rng.integers(0, 1500, n), unit="D")
    table = pd.DataFrame(
        {
            "Kundennr": _shop_ids(n),
            "Jahrgang": (2024 - age).round().astype(int),
            "Eintritt": joined.strftime("%d.%m.%Y"),
            "Einkommen": [f"{value:.2f}".replace(".", ",") for value in income],
            "Ausgaben Buecher": [f"{value:.2f}".replace(".", ",") for value in books],
            "Ausgaben Musik": [f"{value:.2f}".replace(".", ",") for value in music],
            "Bestellungen online": online,
            "Bestellungen Filiale": shop,
            "Bemerkung": rng.choice(["", "Stammkunde", "neu"], n),
        }
    )
    return table, persona


def _shop_ids(n: int) -> list[str]:
    """Text IDs with a letter and leading zeros, as many shop systems write them."""
    return [f"K-{number:06d}" for number in range(5001, 5001 + n)]


SHOP_SCHEMA = [
    {"name": "Kundennr", "role": "id"},
    {"name": "Jahrgang", "role": "birth_year", "min": 1900, "max": 2010},
    {"name": "Eintritt", "role": "enrolment_date", "formats": ["%d.%m.%Y"]},
    {"name": "Einkommen", "role": "income", "decimal": ",", "min": 0},
    {"name": "Ausgaben Buecher", "role": "spend", "item": "books", "decimal": ",", "min": 0},
    {"name": "Ausgaben Musik", "role": "spend", "item": "music", "decimal": ",", "min": 0},
    {"name": "Bestellungen online", "role": "purchases", "item": "online", "min": 0},
    {"name": "Bestellungen Filiale", "role": "purchases", "item": "shop", "min": 0},
    {"name": "Bemerkung", "role": "ignore"},
]
SHOP_FEATURES = ["age", "income", "total_spend", "spend_share_books", "purchase_share_online"]


def _members(n: int = 300, seed: int = 5) -> tuple[pd.DataFrame, np.ndarray]:
    """A club's member list, tab-separated, IDs like M000123: three planted kinds of member
    (young, modest and frequent; affluent big spenders; older occasional members) in an age (no
    birth year, no date), an income, one spend total, a recency and a plan; no channels,
    products or campaigns."""
    rng = np.random.default_rng(seed)
    kind = rng.integers(0, SEGMENTS, n)
    table = pd.DataFrame(
        {
            "member": [f"M{number:06d}" for number in rng.permutation(np.arange(1, n + 1))],
            "age_years": (np.array([26, 45, 68])[kind] + rng.normal(0, 3, n)).round().astype(int),
            "household_income": (
                np.array([28_000, 85_000, 40_000])[kind] * rng.lognormal(0, 0.1, n)
            ).round(1),
            "total_spent": (np.array([300, 2500, 900])[kind] * rng.lognormal(0, 0.2, n)).round(2),
            "days_since_visit": rng.poisson(np.array([20, 60, 200])[kind]),
            "plan": np.array(["basic", "premium", "plus"])[kind],
        }
    )
    return table, kind


def _app_users(n: int = 400, seed: int = 9) -> tuple[pd.DataFrame, np.ndarray]:
    """An app's customers, pipe-separated, IDs like u-1234, dates yyyy/mm/dd: three planted
    kinds of user (app-first electronics buyers, deal-driven grocery shoppers, phone orderers)
    in purchases in two channels, deals, two spend columns, two campaigns and a response, but no
    income."""
    rng = np.random.default_rng(seed)
    kind = rng.integers(0, SEGMENTS, n)
    app, phone = rng.poisson(np.array([14, 3, 4])[kind]), rng.poisson(np.array([1, 2, 9])[kind])
    signup = pd.Timestamp("2021-03-01") + pd.to_timedelta(rng.integers(0, 900, n), unit="D")
    table = pd.DataFrame(
        {
            "cust": [f"u-{number}" for number in rng.permutation(np.arange(1000, 1000 + n))],
            "born": (np.array([1996, 1985, 1958])[kind] + rng.normal(0, 4, n)).round().astype(int),
            "signup": signup.strftime("%Y/%m/%d"),
            "groceries": (np.array([150, 500, 300])[kind] * rng.lognormal(0, 0.2, n)).round(),
            "electronics": (np.array([600, 100, 50])[kind] * rng.lognormal(0, 0.25, n)).round(),
            "app_orders": app,
            "phone_orders": phone,
            "coupons": rng.binomial(app + phone, np.array([0.1, 0.5, 0.2])[kind]),
            "promo_a": rng.binomial(1, 0.2, n),
            "promo_b": rng.binomial(1, 0.1, n),
            "answered": rng.binomial(1, 0.15, n),
        }
    )
    return table, kind


def _features(features: list[str]) -> dict:
    return {"feature_engineering": {"preprocessing": {"features": features}}}


def run_own_table(
    root: Path, table: pd.DataFrame, sep: str, columns: list[dict], local: dict
) -> Path:
    """A fresh project whose conf/local points raw_customers at `table` (written with `sep`) and
    declares its columns: the user's side of docs/data_contract.md, "Using your own file"."""
    project = copy_project(root / "project")
    table.to_csv(project / "data/01_raw/own.txt", sep=sep, index=False)
    catalog = {
        "raw_customers": {
            "type": "customer_segmentation.datasets.DelimitedTextDataset",
            "filepath": "data/01_raw/own.txt",  # its delimiter is detected
        }
    }
    (project / "conf/local/catalog.yml").write_text(yaml.safe_dump(catalog))
    parameters = {"schema": {"columns": columns}, **local}
    (project / "conf/local/parameters.yml").write_text(yaml.safe_dump(parameters))
    kedro(project, "run")
    return project


def _read(project: Path, path: str):
    file = project / "data/current" / path
    return json.loads(file.read_text()) if file.suffix == ".json" else pd.read_parquet(file)


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    table, persona = _planted_shop()
    phrases = {"online": "online", "shop": "in the shop"}
    local = _features(SHOP_FEATURES) | {
        "clustering": {"k_range": {"min": SEGMENTS, "max": SEGMENTS}},
        "cluster_analysis": {"actions": {"texts": {"channel_phrases": phrases}}},
    }
    return run_own_table(tmp_path_factory.mktemp("shop"), table, ";", SHOP_SCHEMA, local), persona


def run_pasted_starter(root: Path, table: pd.DataFrame, sep: str) -> Path:
    """A fresh project whose conf/local holds only what a new user writes: the catalog entry
    of their file and, pasted as is, the starter declaration the first run printed."""
    project = copy_project(root / "project", with_raw_data=False)
    table.to_csv(project / "data/01_raw/own.txt", sep=sep, index=False)
    catalog = {
        "raw_customers": {
            "type": "customer_segmentation.datasets.DelimitedTextDataset",
            "filepath": "data/01_raw/own.txt",
        }
    }
    (project / "conf/local/catalog.yml").write_text(yaml.safe_dump(catalog))
    (project / "conf/local/parameters.yml").write_text(printed_starter(project, "own.txt"))
    kedro(project, "run")
    return project


@pytest.fixture(
    scope="module",
    params=[(_members, "\t"), (_app_users, "|")],
    ids=["members_tab_age_no_dates", "app_pipe_no_income"],
)
def pasted(request, tmp_path_factory) -> tuple[Path, pd.DataFrame, np.ndarray]:
    """A layout run from its pasted starter declaration: project, table and planted kinds."""
    make, sep = request.param
    table, kind = make()
    return run_pasted_starter(tmp_path_factory.mktemp("pasted"), table, sep), table, kind


def test_a_pasted_starter_segments_a_new_layout_with_what_it_has(pasted):
    project, table, _ = pasted
    quality = _read(project, "02_intermediate/data_quality.json")
    assert quality["rows_in"] == quality["rows_kept"] + quality["rows_rejected"] == len(table)
    segments = _read(project, "07_model_output/customer_segments.parquet")
    assert set(segments["ID"]) <= set(table.iloc[:, 0])  # the IDs as the file writes them
    derived = _read(project, "04_feature/customer_features.parquet")
    names = _read(project, "08_reporting/segment_names.json")["segments"]
    used = {item["attribute"] for segment in names for item in segment["descriptors"]}
    assert used <= set(derived.columns)
    assert len({segment["name"] for segment in names}) == len(names)
    report = (project / "data/current/08_reporting/segmentation_report.html").read_text()
    if "income" not in derived:  # its figures are left out of the report, not shown empty
        assert "Income distribution of the kept customers." not in report
        assert "Income against total spend." not in report


def test_a_pasted_starter_recovers_the_planted_groups(pasted, request):
    # app: recovered since log1p follows the skew rule (ARI 0.93: its skewed `electronics` is
    # logged, its purchases count no longer is, as the sample layout's hand list had it: 0.74).
    if request.node.callspec.id == "members_tab_age_no_dates":
        request.applymarker(
            pytest.mark.xfail(
                strict=True,
                reason="members: the big spenders' spend varies with its level (x lognormal), "
                "the skew rule leaves total_spent unlogged (the mix of three groups has "
                "skewness below 1) and Ward splits that group: k = 4, then 5 by stability, "
                "ARI 0.85. Open in issue 31.",
            )
        )
    project, table, kind = pasted
    segments = _read(project, "07_model_output/customer_segments.parquet")
    truth = pd.Series(kind, index=table.iloc[:, 0])
    assert adjusted_rand_score(truth.loc[segments["ID"]], segments["segment"]) >= 0.9


def test_decimal_commas_and_day_first_dates_are_read(shop):
    project, _ = shop
    primary = _read(project, "03_primary/customers.parquet")
    table, _ = _planted_shop()
    expected = table["Einkommen"].str.replace(",", ".").astype(float)
    assert primary["Einkommen"].tolist() == pytest.approx(expected.tolist())
    joined = pd.to_datetime(table["Eintritt"], format="%d.%m.%Y")
    assert primary["Eintritt"].tolist() == joined.tolist()
    assert "Bemerkung" not in primary.columns


def test_planted_personas_are_recovered(shop):
    project, persona = shop
    segments = _read(project, "07_model_output/customer_segments.parquet")
    truth = pd.Series(persona, index=_shop_ids(len(persona)))
    assert adjusted_rand_score(truth.loc[segments["ID"]], segments["segment"]) >= 0.9


def test_text_ids_are_kept_as_written_in_every_output(shop):
    project, persona = shop
    ids = set(_shop_ids(len(persona)))
    membership = pd.read_csv(
        project / "data/current/08_reporting/segment_membership.csv",
        dtype=str,
        keep_default_na=False,
    )
    assert set(membership["Kundennr"]) == ids  # the CRM export names the file's own column
    for path in [
        "03_primary/customers.parquet",
        "05_model_input/model_input.parquet",
        "07_model_output/customer_segments.parquet",
    ]:
        assert set(_read(project, path)["ID"]) == ids
