"""The HTML report: self-contained, deterministic, with every section and figure."""

import re

import pandas as pd
import pytest

from customer_segmentation.core.reporting import report
from tests.fixtures.cluster_analysis import render_report

SECTIONS = [
    "first-screen",
    "segments",
    "profiles",
    "appendix",
    "structure",
    "quality",
    "eda",
    "choosing-k",
    "stability",
]


def render(arguments: dict, **overrides) -> str:
    return render_report({**arguments, **overrides})


@pytest.fixture(scope="module")
def html(report_arguments) -> str:
    return render(report_arguments)


def test_report_is_self_contained(html, report_arguments):
    assert "http://" not in html and "https://" not in html
    sources = re.findall(r'(?:src|href)="([^"]*)"', html)
    assert sources, "expected images and in-page links"
    # Beyond itself, the report links only the exports written beside it.
    exports = set(report_arguments["parameters"]["activation"]["report_links"].values())
    assert exports <= set(sources)
    assert all(s.startswith(("data:image/png;base64,", "#")) or s in exports for s in sources)
    assert len(re.findall(r'<img src="data:image/png;base64,[A-Za-z0-9+/=]{200,}"', html)) == 15
    assert (
        "<script" not in html
        and "<link" not in html
        and "@import" not in html
        and "url(" not in html
    )


def test_report_has_every_section_and_the_story(html, analysis_inputs):
    for section in SECTIONS:
        assert f'id="{section}"' in html
    assert analysis_inputs["k_selection_decision"]["reasoning"] in html
    assert "310" in html and "rows rejected" in html  # data-quality numbers
    assert html.count('class="card"') == 3
    assert html.count('<tr class="chosen">') == 1  # the chosen k row


def test_report_is_deterministic(report_arguments, html):
    assert render(report_arguments) == html


def test_text_is_escaped(report_arguments):
    decision = {**report_arguments["k_selection_decision"], "reasoning": "<b>k</b> & more"}
    html = render(report_arguments, k_selection_decision=decision)
    assert "&lt;b&gt;k&lt;/b&gt; &amp; more" in html


def test_missing_figure_is_named(report_arguments):
    params = report_arguments["parameters"]
    report_settings = {
        **params["report"],
        "eda_figures": {**params["report"]["eda_figures"], "eda_missing": "x"},
    }
    with pytest.raises(ValueError, match="eda_missing"):
        render(report_arguments, parameters={**params, "report": report_settings})


def test_png_bytes_rejects_other_bytes():
    with pytest.raises(ValueError, match="not a PNG"):
        report.png_bytes(b"GIF89a")


def _section(html: str, name: str) -> str:
    start = html.index(f'<section id="{name}">')
    return html[start : html.index("</section>", start)]


def percentages(text: str) -> list[float]:
    """Every number written as a percentage in ``text``."""
    return [float(value) for value in re.findall(r"(\d+(?:\.\d+)?)\s*%", text)]


def test_the_appendix_says_whether_segments_are_natural_and_why_this_k(html, report_arguments):
    decision = report_arguments["k_selection_decision"]
    stability = report_arguments["segment_stability"]
    headline = _section(html, "structure")
    assert decision["structure"]["statement"] in headline
    assert "stability 0.66 ± 0.15" in headline and "null reference 0.61 ± 0.05" in headline
    # the other stability figure of the report is named where it appears beside this one
    assert f"delivered segments (Stability section) gives {stability['ari_mean']:.2f}" in headline
    assert decision["explanation"] in headline
    choosing = _section(html, "choosing-k")
    # marketing language first, the technical detail (kneed, margins) below it
    assert choosing.index(decision["explanation"]) < choosing.index(decision["reasoning"])
    assert "min stability 0.75" in choosing


def test_an_old_decision_without_structure_still_renders(report_arguments):
    decision = {
        key: value
        for key, value in report_arguments["k_selection_decision"].items()
        if key not in ("structure", "explanation")
    }
    old = render(report_arguments, k_selection_decision=decision)
    assert "does not test whether the data has natural segments" in _section(old, "structure")
    assert "segments were not tested for natural groups" in _section(old, "first-screen")


def test_unstable_segment_actions_are_tentative_on_the_card(report_arguments):
    planned = report_arguments["segment_actions"]
    segments = []
    for item in planned["segments"]:
        unstable = item["segment"] == 1
        action = {"kind": "x", "action": "Do x.", "evidence": "Because.", "tentative": unstable}
        stability = {"jaccard_mean": 0.34 if unstable else 0.8, "tentative": unstable}
        segments.append({**item, "stability": stability, "actions": [action]})
    html = render(report_arguments, segment_actions={**planned, "segments": segments})
    cards = _section(html, "segments").split('<div class="card"')[1:]
    assert 'class="tentative">tentative' in cards[0]
    assert "0.34" in cards[0] and "unstable" in cards[0]
    assert all("tentative</span>" not in card for card in cards[1:])


def test_scoring_agreement_per_segment_is_reported(html):
    stability = _section(html, "stability")
    assert "Scoring agreement" in stability
    # the fixture's per-segment agreement 0.9, 0.8, 1.0
    for share in ("10.0%", "20.0%", "0.0%"):
        assert f"<td>{share}</td>" in stability
    cards = _section(html, "segments").split('<div class="card"')[1:]
    assert "places 10.0% of its customers in another segment" in cards[0]


def test_no_percentage_in_the_report_exceeds_100(html):
    found = percentages(re.sub(r'src="data:image/png;base64,[^"]*"', "", html))
    assert found and max(found) <= 100


def _card_inputs(preferred: list[str]) -> dict:
    profiles = pd.DataFrame(
        {
            "segment": [1, 2, 0],
            "customers": [60, 40, 100],
            "customer_share": [0.6, 0.4, 1.0],
            "revenue_share": [0.5, 0.5, 1.0],
            "revenue_per_customer": [83.0, 125.0, 100.0],
            "preferred_channel": preferred,
            "channel_share_store": [0.6, 0.3, 0.5],
            "channel_share_web": [0.4, 0.7, 0.5],
            "top_category": ["wines"] * 3,
            "category_share_wines": [0.6, 0.5, 0.55],
            "mean_income": [40.0, 60.0, 48.0],
            "effect_income": [-0.9, 0.9, 0.0],
            "mean_age": [50.0, 40.0, 46.0],
            "effect_age": [0.49, -0.49, 0.0],
        }
    )
    planned = {
        s: {"stability": {"jaccard_mean": 0.8, "tentative": False}, "actions": []} for s in (1, 2)
    }
    return {"profiles": profiles, "planned": planned}


def test_cards_drop_rows_that_tell_no_segment_apart():
    inputs = _card_inputs(["store", "web", "store"])
    cards = report.segment_cards(
        inputs["profiles"],
        {1: "One", 2: "Two"},
        inputs["planned"],
        profile={"attributes": {"income": "Income", "age": "Age"}},
        top_traits=5,
        effect_size=0.5,
    )
    labels = [[label for label, _ in card["key_numbers"]] for card in cards]
    # the top category is wines everywhere; segment 1's main channel is everyone's
    assert labels[0] == ["Customers", "Revenue share", "Revenue per customer"]
    assert labels[1] == [*labels[0], "Main channel"]
    # age (|d| 0.49) is below the materiality threshold: only income is shown
    assert [[t["label"] for t in card["traits"]] for card in cards] == [["Income"], ["Income"]]
    # each against all customers' figure, not the other customers'
    assert (cards[0]["traits"][0]["mean"], cards[0]["traits"][0]["overall"]) == ("40.0", "48.0")
    named = report.segment_cards(
        inputs["profiles"],
        {1: "One, store shoppers", 2: "Two, older"},
        inputs["planned"],
        profile={"attributes": {"income": "income", "age": "age"}},
        top_traits=0,
        effect_size=0.5,
        descriptors={
            1: [{"attribute": "income", "measure": "channel", "item": "store"}],
            2: [{"attribute": "age"}],
        },
    )
    assert ("Main channel", "store (60.0% of purchases; all customers: store)") in named[0][
        "key_numbers"
    ]
    # a trait the name cites is on its card even beyond the top ones (none here), material or not
    assert [t["label"] for t in named[0]["traits"]] == ["income"]
    assert [(t["label"], t["d"]) for t in named[1]["traits"]] == [("age", "-0.49")]


def test_profile_table_drops_text_rows_equal_everywhere():
    profiles = _card_inputs(["store", "web", "store"])["profiles"]
    table = report.profile_table(profiles, {1: "One", 2: "Two"}, {"attributes": {}})
    labels = [row["label"] for row in table["rows"]]
    assert "Preferred channel" in labels and "Top category" not in labels


def test_profile_table_shows_one_figure_per_measure():
    profiles = _card_inputs(["store", "web", "store"])["profiles"].assign(
        deal_share=[0.4, 0.1, 0.28],  # deal purchases over purchases: a ratio of totals
        mean_deal_purchase_share=[0.35, 0.2, 0.3],  # mean of each customer's share
        effect_deal_purchase_share=[0.8, -0.8, 0.0],
    )
    profile = {
        "attributes": {"income": "Income", "deal_purchase_share": "Deals"},
        "totals": {"deal_purchase_share": "deal_share"},
        "percent": ["deal_purchase_share"],
    }
    rows = {
        row["label"]: row["cells"]
        for row in report.profile_table(profiles, {1: "A", 2: "B"}, profile)["rows"]
    }
    assert rows["Deals"] == ["40.0%", "10.0%", "28.0%"]
    assert "Deal share of purchases" not in rows  # the same measure, shown once
    assert rows["Income"] == ["40.0", "60.0", "48.0"]


def test_structure_summary_reads_the_decision_shape(analysis_inputs):
    summary = report.structure_summary(analysis_inputs["k_selection_decision"])
    assert summary["structure"]["natural"] is False
    assert summary["structure"]["thresholds"] == [
        ("sample size", "4,000"),
        ("n resamples", "6"),
        ("min stability", "0.75"),
        ("min gain over null", "0.1"),
    ]
    assert report.structure_summary({"chosen_k": 4}) == {"structure": None, "explanation": None}


def test_warnings_that_the_dates_look_shifted_open_the_report(report_arguments, html):
    warning = "The dates look shifted: 3 of 3 customers enrolled after the run date <2026>"

    shifted = render(report_arguments, feature_report={"date_warnings": [warning]})

    section = shifted.index('<section id="date-warnings"')
    assert section < shifted.index('<section id="first-screen"')
    assert "enrolled after the run date &lt;2026&gt;" in shifted  # escaped like every text
    assert 'id="date-warnings"' not in html  # no warning, no section
