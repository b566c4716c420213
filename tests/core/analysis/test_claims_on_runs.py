"""On real runs (the default data and the real marketing_campaign file): every action rests on a
material difference, every segment has a plan, every figure an action cites is the one its card
and the profile table show, no name contradicts its card, no percentage exceeds 100 %.

Each run is a `kedro run` of a project copy (about 20 s); the real file's is skipped without it.
"""

import html as html_text
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from customer_segmentation.core.analysis.claims import (
    attribute_figures,
    figure_text,
    share_columns,
    shows_as_zero,
)
from tests.catalog import load_table
from tests.html_tables import cells

REPORTING = Path("data/current/08_reporting")


@pytest.fixture(scope="module", params=["full_run", "real_run"])
def run(request) -> dict:
    """The outputs the claims live in, after a `kedro run` on one source of customers."""
    project = request.getfixturevalue(request.param)
    reporting = project / REPORTING
    actions = json.loads((reporting / "segment_actions.json").read_text())
    return {
        "source": request.param,
        "profiles": load_table(reporting / "segment_profiles.csv"),
        "effects": pd.read_csv(reporting / "segment_effect_sizes.csv"),
        "names": json.loads((reporting / "segment_names.json").read_text())["segments"],
        "actions": actions["segments"],
        "rules": actions["rules"],
        "html": (reporting / "segmentation_report.html").read_text(),
        "parameters": yaml.safe_load(
            (project / "conf/base/parameters_cluster_analysis.yml").read_text()
        )["cluster_analysis"],
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


def material_mix_direction(shares: float, amounts: float, basis: str, materiality: dict) -> str:
    """The documented rule, restated: the basis figure reaches its ratio, the other does not
    point materially the other way."""
    ratios = {"share": materiality["share_ratio"], "amount": materiality["amount_ratio"]}
    other = "amount" if basis == "share" else "share"
    lead, rest = (shares, amounts) if basis == "share" else (amounts, shares)
    if lead >= ratios[basis] and rest > 1 / ratios[other]:
        return "high"
    if lead <= 1 / ratios[basis] and rest < ratios[other]:
        return "low"
    return ""


def figures_of(run: dict) -> pd.DataFrame:
    """Each segment's one figure per attribute, from the profile table (the documented rule)."""
    profile = run["parameters"]["profile"]
    return attribute_figures(run["profiles"], profile).set_index(["segment", "attribute"])


def test_every_action_rests_on_a_material_difference_it_cites(run):
    materiality = run["rules"]["materiality"]
    effects = run["effects"].set_index(["segment", "attribute"])["effect_size"]
    profiles = run["profiles"].set_index("segment")
    figures = figures_of(run)
    checked = set()
    for item in run["actions"]:
        segment = item["segment"]
        for action in item["actions"]:
            cited = action["figures"]
            checked.add(action["kind"])
            if action["kind"] == "win-back":
                days = cited["median_days"]
                assert effects[(segment, "recency_days")] >= materiality["effect_size"]
                assert days["segment"] / days["overall"] >= run["rules"]["recency"]["high_ratio"]
                continue
            if action["kind"] == "value":
                revenue, customers = (
                    profiles.loc[segment, c] for c in ("revenue_share", "customer_share")
                )
                ratio, rule = revenue / customers, run["rules"]["value"]
                assert ratio >= rule["high_ratio"] or ratio <= rule["low_ratio"], item["name"]
                assert cited["revenue_share"]["segment"] == pytest.approx(revenue, abs=1e-4)
                continue
            if action["kind"] in ("trait", "keep"):
                figure = figures.loc[(segment, action["item"])]
                pair = cited["mean" if action["kind"] == "trait" else "watch"]
                assert (pair["segment"], pair["overall"]) == pytest.approx(
                    (figure["value"], figure["overall"]), abs=1e-4
                )
                if action["kind"] == "trait":
                    assert abs(figure["effect_size"]) >= materiality["effect_size"], action
                else:  # the watched attribute is the one that differs most
                    own = figures.xs(segment, level="segment")["effect_size"].abs()
                    assert own.idxmax() == action["item"], action
                continue
            # a mix: the ratios recomputed from the profile table, not taken from the action
            measure = action["measure"]
            shares, amounts = mix_ratios(run["profiles"], segment, measure, action["item"])
            direction = material_mix_direction(
                shares, amounts, materiality["basis"][measure], materiality
            )
            assert direction, (item["name"], action["action"], shares, amounts)
            profile = mix_figures(run["profiles"], segment, measure, action["item"])
            for who in ("segment", "overall"):
                assert f"{profile[who][0]:.0%}" in action["evidence"], action["evidence"]
                assert cited["share"][who] == pytest.approx(profile[who][0], abs=1e-4)
            assert cited["amount"]["segment"] / cited["amount"]["overall"] == pytest.approx(
                amounts, rel=1e-3
            )
    # Not vacuous: the real file's segments differ materially in their mixes and money.
    if run["source"] == "real_run":
        assert {"channel", "offer", "category", "campaign", "value"} <= checked, checked


def test_every_sizeable_segment_has_a_plan_on_its_card(run):
    share = run["profiles"].set_index("segment")["customer_share"]
    planned = {item["segment"]: item["actions"] for item in run["actions"]}
    sizeable = [s for s in share.index if s > 0 and share[s] >= 0.05]
    assert sizeable
    for segment in sizeable:
        assert planned[segment], segment
        card_text = card(run["html"], segment)
        for action in planned[segment]:
            assert html_text.escape(action["action"], quote=True) in card_text


def test_a_deal_part_twice_all_customers_gets_a_coupon_action(run):
    profiles = run["profiles"].set_index("segment")
    rule = run["parameters"]["materiality"]
    offers = {
        item["segment"]: [a for a in item["actions"] if a["kind"] == "offer"]
        for item in run["actions"]
    }
    deal_seekers = 0
    for segment in profiles.index[profiles.index > 0]:
        shares, amounts = mix_ratios(run["profiles"], segment, "deals", "deals")
        if shares >= 2 and amounts > 1 / rule["amount_ratio"]:
            assert any("coupons" in a["action"] for a in offers[segment]), segment
            deal_seekers += 1
    # Not vacuous: both sources have a budget segment with twice the deal part (38 % vs 18 %).
    assert deal_seekers, run["source"]


def test_one_figure_per_measure_in_table_cards_and_actions(run):
    """The profile table shows each attribute's one figure for every segment and all customers;
    a card's attribute rows show the same; the table shows no second row for a measure."""
    profile = run["parameters"]["profile"]
    figures = figures_of(run)
    table = cells(run["html"], "profile-table")
    header, rows = table[0], {row[0]: row[1:] for row in table[1:]}
    segments = [int(h.split(":")[0]) if h[0].isdigit() else 0 for h in header[1:]]
    for attribute, label in profile["attributes"].items():
        if attribute not in figures.index.get_level_values("attribute"):
            continue
        percent = attribute in profile["percent"]
        expected = [
            figure_text(
                figures.loc[(s, attribute), "value"]
                if s
                else figures.xs(attribute, level="attribute")["overall"].iloc[0],
                percent,
            )
            for s in segments
        ]
        assert rows[label] == expected, label
    # the deal share is one row (the ratio of totals), not also a mean of customers' ratios
    assert "Deal share of purchases" not in rows
    shown = rows[profile["attributes"]["deal_purchase_share"]][-1]
    assert shown == figure_text(run["profiles"].set_index("segment").loc[0, "deal_share"], True)
    # no share written as a fraction: every cell of a percent attribute ends in %
    for attribute in profile["percent"]:
        row = rows[profile["attributes"][attribute]]
        assert all(cell.endswith("%") or cell == "–" for cell in row), (attribute, row)
    attributes = {label: attribute for attribute, label in profile["attributes"].items()}
    compared = 0
    for item in run["names"]:
        card_rows = {
            row[0]: row[1:]
            for row in card_tables(card(run["html"], item["segment"]))
            if len(row) == 4 and row[0] in attributes  # an attribute row (not the header)
        }
        for label, (value, overall, _) in card_rows.items():
            attribute = attributes[label]
            compared += 1
            figure = figures.loc[(item["segment"], attribute)]
            percent = attribute in profile["percent"]
            assert value == figure_text(figure["value"], percent), label
            assert overall == figure_text(figure["overall"], percent), label
    assert compared, "the cards show attribute rows"


def card_tables(card_html: str) -> list[list[str]]:
    """The rows of every table in a card (key numbers, attributes), cell texts."""
    wrapped = card_html.replace("<table>", '<table id="card">')
    return cells(wrapped, "card")


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
            # every word of the name is backed by a row of the card: the attribute and its d
            label = run["parameters"]["profile"]["attributes"][descriptor["attribute"]]
            row = f'<td class="text">{html_text.escape(label, quote=True)}</td>'
            assert row in text and f"{effect:+.2f}" in text, (item["name"], label)
            mean = (
                run["profiles"].set_index("segment").loc[segment, f"mean_{descriptor['attribute']}"]
            )
            if descriptor["phrase"].startswith("no "):
                assert shows_as_zero(mean), descriptor
            if descriptor["phrase"].startswith("few "):
                assert not shows_as_zero(mean), descriptor
            if descriptor.get("measure") != "channel":
                continue
            channel = descriptor["item"]
            shares, amounts = mix_ratios(run["profiles"], segment, "channel", channel)
            main = profiles.loc[segment, "preferred_channel"] == channel
            basis = materiality["basis"]["channel"]
            material = material_mix_direction(shares, amounts, basis, materiality) == "high"
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
