"""A user's own customer table, declared in conf/local only: three layouts that appear nowhere in
the code (other names, separators, date formats, decimal commas, a subset of the roles), each
run with `kedro run` as a new user would. The first has planted segments, recovered at ARI >= 0.9.
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from sklearn.metrics import adjusted_rand_score

from tests.project_copy import copy_project

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


def _members(n: int = 300, seed: int = 5) -> pd.DataFrame:
    """A club's member list, tab-separated: an age (no birth year, no date), one spend total, a
    recency and a category; no channels, products or campaigns."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "member": [f"{number:06d}" for number in range(1, n + 1)],
            "age_years": rng.integers(18, 80, n),
            "household_income": rng.normal(52_000, 15_000, n).clip(5_000).round(1),
            "total_spent": rng.gamma(2.0, 400.0, n).round(2),
            "days_since_visit": rng.integers(0, 365, n),
            "plan": rng.choice(["basic", "plus", "premium"], n),
        }
    )


MEMBERS_SCHEMA = [
    {"name": "member", "role": "id"},
    {"name": "age_years", "role": "age", "min": 0, "max": 120},
    {"name": "household_income", "role": "income", "min": 0},
    {"name": "total_spent", "role": "spend", "item": "all", "min": 0},
    {"name": "days_since_visit", "role": "recency", "min": 0},
    {"name": "plan", "role": "category", "values": ["Basic", "Plus", "Premium"]},
]
MEMBERS_FEATURES = ["age", "income", "total_spend", "recency_days"]


def _app_users(n: int = 400, seed: int = 9) -> pd.DataFrame:
    """An app's customers, pipe-separated, dates yyyy/mm/dd: purchases in two channels, deals,
    two campaigns and a response, but no income."""
    rng = np.random.default_rng(seed)
    app, phone = rng.poisson(6, n), rng.poisson(3, n)
    signup = pd.Timestamp("2021-03-01") + pd.to_timedelta(rng.integers(0, 900, n), unit="D")
    return pd.DataFrame(
        {
            "cust": np.arange(1, n + 1),
            "born": rng.integers(1950, 2004, n),
            "signup": signup.strftime("%Y/%m/%d"),
            "groceries": rng.gamma(2.0, 150.0, n).round(),
            "electronics": rng.gamma(1.2, 300.0, n).round(),
            "app_orders": app,
            "phone_orders": phone,
            "coupons": rng.binomial(app + phone, 0.3),
            "promo_a": rng.binomial(1, 0.2, n),
            "promo_b": rng.binomial(1, 0.1, n),
            "answered": rng.binomial(1, 0.15, n),
        }
    )


APP_SCHEMA = [
    {"name": "cust", "role": "id"},
    {"name": "born", "role": "birth_year", "min": 1900, "max": 2015},
    {"name": "signup", "role": "enrolment_date", "formats": ["%Y/%m/%d"]},
    {"name": "groceries", "role": "spend", "item": "groceries", "min": 0},
    {"name": "electronics", "role": "spend", "item": "electronics", "min": 0},
    {"name": "app_orders", "role": "purchases", "item": "app", "min": 0},
    {"name": "phone_orders", "role": "purchases", "item": "phone", "min": 0},
    {"name": "coupons", "role": "deals", "min": 0},
    {"name": "promo_a", "role": "campaign"},
    {"name": "promo_b", "role": "campaign"},
    {"name": "answered", "role": "response"},
]
APP_FEATURES = ["age", "tenure_days", "total_spend", "total_purchases", "deal_purchase_share"]


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


@pytest.mark.parametrize(
    ("make", "sep", "columns", "local"),
    [
        (_members, "\t", MEMBERS_SCHEMA, _features(MEMBERS_FEATURES)),
        (_app_users, "|", APP_SCHEMA, _features(APP_FEATURES)),
    ],
    ids=["members_tab_age_no_dates", "app_pipe_no_income"],
)
def test_a_table_declared_in_conf_local_is_segmented_with_what_it_has(
    tmp_path, make, sep, columns, local
):
    table = make()
    project = run_own_table(tmp_path, table, sep, columns, local)
    features = local["feature_engineering"]["preprocessing"]["features"]

    quality = _read(project, "02_intermediate/data_quality.json")
    assert quality["rows_in"] == quality["rows_kept"] + quality["rows_rejected"] == len(table)
    derived = _read(project, "04_feature/customer_features.parquet")
    assert set(features) <= set(derived.columns)
    names = _read(project, "08_reporting/segment_names.json")["segments"]
    used = {item["attribute"] for segment in names for item in segment["descriptors"]}
    assert used <= set(derived.columns)
    assert len({segment["name"] for segment in names}) == len(names)
    report = (project / "data/current/08_reporting/segmentation_report.html").read_text()
    if "income" not in derived:  # its figures are left out of the report, not shown empty
        assert "Income distribution of the kept customers." not in report
        assert "Income against total spend." not in report


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
