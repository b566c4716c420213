"""On real runs (the default data and the real marketing_campaign file): every action rests on a
material difference, no name contradicts its card, no percentage exceeds 100 %.

Each run is a `kedro run` of a project copy (about 20 s); the real file's is skipped without it.
"""

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from customer_segmentation.core.analysis.claims import share_columns
from tests.catalog import load_latest

REPORTING = Path("data/08_reporting")


@pytest.fixture(scope="module", params=["full_run", "real_run"])
def run(request) -> dict:
    """The outputs the claims live in, after a `kedro run` on one source of customers."""
    project = request.getfixturevalue(request.param)
    reporting = project / REPORTING
    actions = json.loads((reporting / "segment_actions.json").read_text())
    return {
        "source": request.param,
        "profiles": load_latest(reporting / "segment_profiles.csv"),
        "effects": pd.read_csv(reporting / "segment_effect_sizes.csv"),
        "names": json.loads((reporting / "segment_names.json").read_text())["segments"],
        "actions": actions["segments"],
        "rules": actions["rules"],
        "html": (reporting / "segmentation_report.html").read_text(),
    }


# The profile column behind each mix's share, and how its amount per customer is made from it.
SHARE_COLUMN = {
    "category": "category_share_{}",
    "channel": "channel_share_{}",
    "deals": "deal_share",
    "response": "response_rate",
}


def amount_per_customer(row: pd.Series, measure: str, share: float) -> float:
    """Money on a category, purchases in a channel, deal purchases, earlier campaigns accepted."""
    if measure == "category":
        return share * row["revenue_per_customer"]
    if measure in ("channel", "deals"):
        return share * row["mean_total_purchases"]
    return sum(row[c] for c in row.index if c.startswith("acceptance_rate_"))


def mix_figures(profiles: pd.DataFrame, segment: int, measure: str, item: str) -> dict:
    """A segment's and all customers' share and amount per customer, from the profiles."""
    table = profiles.set_index("segment")
    column = SHARE_COLUMN[measure].format(item)
    return {
        who: (
            table.loc[row, column],
            amount_per_customer(table.loc[row], measure, table.loc[row, column]),
        )
        for who, row in [("segment", segment), ("overall", 0)]
    }


def mix_ratios(profiles: pd.DataFrame, segment: int, measure: str, item: str) -> tuple:
    """Share ratio and amount ratio of a segment against all customers, from the profiles."""
    figures = mix_figures(profiles, segment, measure, item)
    (share, amount), (base_share, base_amount) = figures["segment"], figures["overall"]
    return share / base_share, amount / base_amount


def card(html: str, segment: int) -> str:
    """The segment's card in the report."""
    start = html.index(f"Segment {segment}: ")
    end = html.find('<div class="card"', start)
    return html[start : end if end > 0 else html.index("</section>", start)]


def test_every_action_rests_on_a_material_difference_it_cites(run):
    materiality = run["rules"]["materiality"]
    share_ratio, amount_ratio = materiality["share_ratio"], materiality["amount_ratio"]
    effects = run["effects"].set_index(["segment", "attribute"])["effect_size"]
    checked = 0
    for item in run["actions"]:
        for action in item["actions"]:
            figures = action["figures"]
            if action["kind"] == "win-back":
                days = figures["median_days"]
                assert effects[(item["segment"], "recency_days")] >= materiality["effect_size"]
                assert days["segment"] / days["overall"] >= run["rules"]["recency"]["high_ratio"]
                continue
            # the ratios recomputed from the profile table, not taken from the action
            shares, amounts = mix_ratios(
                run["profiles"], item["segment"], action["measure"], action["item"]
            )
            up = shares >= share_ratio and amounts >= amount_ratio
            down = shares <= 1 / share_ratio and amounts <= 1 / amount_ratio
            assert up or down, (item["name"], action["action"], shares, amounts)
            profile = mix_figures(
                run["profiles"], item["segment"], action["measure"], action["item"]
            )
            for who in ("segment", "overall"):
                assert f"{profile[who][0]:.0%} " in action["evidence"], action["evidence"]
            assert figures["amount"]["segment"] / figures["amount"]["overall"] == pytest.approx(
                amounts, rel=1e-3
            )
            checked += 1
    # Not vacuous: the real file's segments differ materially in their mixes. The synthetic default
    # data may have none once cleaning rejects its inconsistent rows; then no mix action is shown.
    if run["source"] == "real_run":
        assert checked, "the real file's segments differ materially"


def test_no_name_contradicts_its_card(run):
    materiality = run["rules"]["materiality"]
    effects = run["effects"].set_index(["segment", "attribute"])["effect_size"]
    profiles = run["profiles"].set_index("segment")
    for item in run["names"]:
        segment, text = item["segment"], card(run["html"], item["segment"])
        assert item["name"] in text
        for descriptor in item["descriptors"]:
            effect = effects[(segment, descriptor["attribute"])]
            if descriptor["attribute"] != "income" or abs(effect) >= materiality["effect_size"]:
                assert abs(effect) >= materiality["effect_size"], descriptor
                assert f"{effect:+.2f}" in text  # the card shows the d behind the word
            if descriptor.get("measure") != "channel":
                continue
            channel = descriptor["item"]
            shares, amounts = mix_ratios(run["profiles"], segment, "channel", channel)
            main = profiles.loc[segment, "preferred_channel"] == channel
            material = (
                shares >= materiality["share_ratio"] and amounts >= materiality["amount_ratio"]
            )
            assert main or material, (item["name"], shares, amounts)
            # and the card says so: its main channel, or the channel among what it buys more
            assert f"Main channel</th><td>{channel} " in text or f"More {channel} purchases" in text


def test_no_percentage_exceeds_100_in_any_output(run):
    html = re.sub(r'src="data:image/png;base64,[^"]*"', "", run["html"])
    shown = [float(v) for v in re.findall(r"(\d+(?:\.\d+)?)\s*%", html)]
    assert shown and max(shown) <= 100
    profiles = run["profiles"]
    shares = profiles[share_columns(profiles.columns)].to_numpy(dtype="float64")
    assert np.nanmax(shares) <= 1.0
    for item in run["actions"]:
        for action in item["actions"]:
            cited = re.findall(r"(\d+(?:\.\d+)?)%", action["action"] + action["evidence"])
            assert all(float(value) <= 100 for value in cited), action
            if "share" in action["figures"]:
                assert 0 <= action["figures"]["share"]["segment"] <= 1
