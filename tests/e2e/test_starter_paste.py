"""Paste and run: a CRM export in a layout the project has never seen (comma separated, ISO
dates, counts over a period, shares, a flag, a region spelled several ways) is refused with a
starter declaration; pasted as printed into conf/local/parameters.yml, with nothing else in
conf/local but the file's path in catalog.yml, `kedro run` runs end to end and recovers the
planted groups."""

import json

import numpy as np
import pandas as pd
import yaml
from sklearn.metrics import adjusted_rand_score

from customer_segmentation.core.analysis import attributes
from tests.catalog import load_table
from tests.project_copy import copy_project
from tests.starter import printed_starter

from .conftest import kedro

# The user's whole catalog entry: the file's place (its delimiter is detected).
CATALOG = """raw_customers:
  type: customer_segmentation.datasets.DelimitedTextDataset
  filepath: data/01_raw/crm_export.csv
"""


def crm_export(n: int = 1500, seed: int = 4) -> tuple[pd.DataFrame, np.ndarray]:
    """Three planted groups (lapsed occasional buyers, regular online buyers, frequent big
    spenders) in a CRM's layout; text IDs such as C104392 named customer_ref; 20% of the regions
    in another case or with spaces."""
    rng = np.random.default_rng(seed)
    group = rng.integers(0, 3, n)
    regions = np.array(["North", "South", "East", "West"])[rng.integers(0, 4, n)].astype(object)
    variant = np.flatnonzero(rng.random(n) < 0.2)
    regions[variant[::2]] = [r.lower() for r in regions[variant[::2]]]
    regions[variant[1::2]] = [f" {r.upper()} " for r in regions[variant[1::2]]]
    signup = pd.Timestamp("2019-01-01") + pd.to_timedelta(rng.integers(0, 1800, n), unit="D")
    table = pd.DataFrame(
        {
            "customer_ref": [f"C{number}" for number in rng.permutation(100_000 + np.arange(n))],
            "signup_date": signup.strftime("%Y-%m-%d"),
            "region": regions,
            "orders_12m": rng.poisson(np.array([2, 10, 25])[group]),
            "avg_basket_usd": (np.array([20, 45, 140])[group] * rng.lognormal(0, 0.2, n)).round(2),
            "online_share": rng.beta(np.array([2, 8, 3])[group], np.array([8, 2, 3])[group]).round(
                3
            ),
            "returns_rate": rng.beta(np.array([2, 1, 4])[group], 20, n).round(3),
            "support_calls_12m": rng.poisson(np.array([3, 0.5, 1])[group]),
            "newsletter_opt_in": rng.integers(0, 2, n),
            "days_since_last_order": rng.poisson(np.array([220, 40, 8])[group]),
        }
    )
    return table, group


def test_the_printed_starter_pasted_as_is_runs_end_to_end(tmp_path):
    project = copy_project(tmp_path / "project", with_raw_data=False)
    table, group = crm_export()
    table.to_csv(project / "data/01_raw/crm_export.csv", index=False)
    (project / "conf/local/catalog.yml").write_text(CATALOG)

    starter = printed_starter(project, "crm_export.csv")  # what the first `kedro run` prints
    declared = yaml.safe_load(starter)
    roles = {c["name"]: c["role"] for c in declared["schema"]["columns"]}
    assert roles["customer_ref"] == "id" and roles["orders_12m"] == "numeric"
    (project / "conf/local/parameters.yml").write_text(starter)

    kedro(project, "run")

    segments = load_table(project / "data/current/07_model_output/customer_segments.parquet")
    planted = pd.Series(group, index=table["customer_ref"]).reindex(segments["ID"])
    assert len(segments) == len(table)
    assert adjusted_rand_score(planted, segments["segment"]) >= 0.9
    membership = pd.read_csv(project / "data/current/08_reporting/segment_membership.csv")
    assert membership.columns[0] == "customer_ref"
    assert set(membership["customer_ref"]) == set(table["customer_ref"])  # as written
    primary = pd.read_parquet(project / "data/current/03_primary/customers.parquet")
    assert sorted(primary["region"].unique()) == ["East", "North", "South", "West"]

    # The report speaks the file's columns without more conf: every declared column clustering
    # reads is profiled and labelled, and the names and actions cite the file's own columns.
    reporting = project / "data/current/08_reporting"
    clustered = declared["feature_engineering"]["preprocessing"]["features"]
    own = [c["feature"] for c in declared["schema"]["columns"] if c.get("feature") in clustered]
    assert "orders_12m" in own and "returns_rate" in own
    profiles = pd.read_csv(reporting / "segment_profiles.csv")
    assert {f"effect_{feature}" for feature in clustered} <= set(profiles.columns)
    html = (reporting / "segmentation_report.html").read_text(encoding="utf-8")
    assert all(attributes.readable(feature) in html for feature in own)
    names = json.loads((reporting / "segment_names.json").read_text())["segments"]
    named = {d["attribute"] for segment in names for d in segment["descriptors"]}
    planned = json.loads((reporting / "segment_actions.json").read_text())["segments"]
    acted = {
        a.get("item") for segment in planned for a in segment["actions"] if a["kind"] != "keep"
    }
    assert named & set(own) and acted & set(own)
    largest = int(profiles.loc[profiles["segment"] > 0].nlargest(1, "customers")["segment"].iloc[0])
    kinds = [
        a["kind"]
        for segment in planned
        if segment["segment"] == largest
        for a in segment["actions"]
    ]
    assert kinds and "keep" not in kinds  # it differs materially, so it is acted on
