"""On real runs (the default data and the real marketing_campaign file): the report's first screen
(segments and the ranked "do this first" list) read back from the HTML and the JSON summary
against the datasets it comes from, and placed before the technical appendix.

Each run is a `kedro run` of a project copy shared by the session (tests/conftest.py).
"""

import html
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from customer_segmentation.core.analysis import priorities
from customer_segmentation.core.reporting.report import fmt
from tests.catalog import load_table

REPORTING = Path("data/current/08_reporting")


@pytest.fixture(scope="module", params=["full_run", "real_run"])
def run(request) -> dict:
    """The value table, actions, stability, summary and report of one run."""
    reporting = request.getfixturevalue(request.param) / REPORTING
    return {
        "value": pd.read_csv(reporting / "segment_value.csv").set_index("segment"),
        "profiles": load_table(reporting / "segment_profiles.csv"),
        "actions": json.loads((reporting / "segment_actions.json").read_text())["segments"],
        "stability": json.loads((reporting / "segment_stability.json").read_text()),
        "summary": json.loads((reporting / "segmentation_summary.json").read_text()),
        "html": html.unescape((reporting / "segmentation_report.html").read_text()),
    }


def _section(page: str, section: str) -> str:
    start = page.index(f'<section id="{section}"')
    return page[start : page.index("</section>", start)]


def _table_rows(page: str, table_id: str) -> list[list[str]]:
    """The cells of a table's body rows, tags stripped."""
    start = page.index(f'<table id="{table_id}"')
    table = page[start : page.index("</table>", start)]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table, flags=re.S)[1:]
    return [
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", r)]
        for r in rows
    ]


def test_the_segment_table_is_segment_value(run):
    table, rows = run["value"], _table_rows(run["html"], "first-segments")
    names = {int(item["segment"]): item["name"] for item in run["actions"]}
    assert [row[0] for row in rows] == [f"{s}: {names[s]}" for s in names] + ["All customers"]
    for row in rows:
        segment = int(row[0].split(":")[0]) if row[0][0].isdigit() else 0
        value = table.loc[segment]
        expected = [
            fmt(value["customers"], "int"),
            fmt(value["revenue_share"], "pct"),
            fmt(value["historical_value_per_customer"], "money"),
            fmt(value["profit_per_contact"], "gain"),
        ]
        assert row[1:] == expected
        # the same figures as the value section's row of that segment (no contradiction)
        value_rows = {r[0]: r[1:] for r in _table_rows(run["html"], "segment-value")}
        assert set(expected) <= set(value_rows[row[0]])


def test_the_ranked_list_rests_on_the_actions_and_the_value(run):
    ranked, table = run["summary"]["first_screen"]["actions"], run["value"]
    planned = {int(item["segment"]): item["actions"] for item in run["actions"]}
    assert ranked, "every run has actions to rank"
    for entry in ranked:
        row = table.loc[entry["segment"]]
        assert entry["action"] in [a["action"] for a in planned[entry["segment"]]]
        if entry["effect_kind"] == "money":
            sign = 1 if entry["contact"] == "include" else -1
            assert entry["effect"] == pytest.approx(sign * row["profit_all_contacted"])
        else:
            assert entry["effect_kind"] == "revenue"
            assert entry["effect"] == pytest.approx(row["revenue"])
    # every segment's first non-campaign action is in the list: the list runs across segments
    assert {e["segment"] for e in ranked if e["effect_kind"] == "revenue"} == set(planned)


def test_the_ranked_list_is_sorted_by_its_stated_effect(run):
    ranked = run["summary"]["first_screen"]["actions"]
    keys = [priorities.rank_key(e) for e in ranked]
    assert keys == sorted(keys)
    # money first, then revenue; an action the campaign says loses money last of all
    kinds = [e["effect_kind"] if e["effect"] >= 0 else "loses" for e in ranked]
    assert kinds == sorted(kinds, key=["money", "revenue", "loses"].index)
    assert [e["rank"] for e in ranked] == list(range(1, len(ranked) + 1))
    # the HTML lists the same actions, in the same order, with the same effect in words
    items = re.findall(r"<li [^>]*>(.*?)</li>", _section(run["html"], "first-screen"), re.S)
    assert len(items) == len(ranked)
    for item, entry in zip(items, ranked, strict=True):
        assert entry["action"] in item and entry["effect_text"] in item
        assert f"{entry['segment']}: {entry['name']}" in item
    assert run["summary"]["first_screen"]["rule"] in run["html"]


def test_the_effect_texts_quote_the_value_table(run):
    table = run["value"]
    for entry in run["summary"]["first_screen"]["actions"]:
        row = table.loc[entry["segment"]]
        if entry["contact"] == "include" and entry["effect"] >= 0:
            assert fmt(row["profit_all_contacted"], "total_gain") in entry["effect_text"]
        elif entry["contact"] == "cut" and entry["effect"] >= 0:
            assert (
                f"avoids a loss of {fmt(-row['profit_all_contacted'], 'money')}"
                in (entry["effect_text"])
            )
        elif entry["effect_kind"] == "revenue":
            assert f"acts on {fmt(row['revenue_share'], 'pct')} of revenue" in entry["effect_text"]


def test_the_firmness_sentence_comes_from_the_stability(run):
    firmness = run["summary"]["first_screen"]["firmness"]
    table = run["value"]
    jaccard = {int(s["segment"]): s["jaccard_mean"] for s in run["stability"]["segments"]}
    recovered = (
        sum(jaccard[s] * table.loc[s, "customers"] for s in jaccard) / table.loc[0, "customers"]
    )
    assert firmness["recovered_share"] == pytest.approx(recovered)
    assert f"keep {fmt(recovered, 'pct')} of customers in the same segment" in firmness["statement"]
    assert f"about 1 in {round(1 / (1 - recovered))}" in firmness["statement"]
    assert firmness["natural"] is run["summary"]["k"]["structure"]["natural_segments"]
    assert firmness["statement"] in _section(run["html"], "first-screen")
    assert "The data has no natural segments" not in _section(run["html"], "first-screen")


def test_the_first_screen_comes_before_the_appendix_and_its_glossary(run):
    page = run["html"]
    appendix = page.index("<h2>Technical appendix</h2>")
    assert page.index('<table id="first-segments"') < page.index('<ol class="first"') < appendix
    assert page.index('<section id="segments"') < appendix
    for method in ("structure", "choosing-k", "stability", "quality", "eda"):
        assert page.index(f'<section id="{method}"') > appendix
    glossary = page[page.index('id="glossary"') :]
    for term in ("Cohen's d", "Silhouette", "Adjusted Rand index", "Jaccard", "Knee"):
        assert f"<dt>{term}" in glossary
