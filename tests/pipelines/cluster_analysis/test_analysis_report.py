"""The HTML report: self-contained, deterministic, with every section and figure."""

import re

import pytest

from customer_segmentation.core import report
from customer_segmentation.pipelines.cluster_analysis import nodes

SECTIONS = ["headline", "quality", "eda", "choosing-k", "segments", "profiles", "stability"]


def render(arguments: dict, **overrides) -> str:
    return nodes.render_segmentation_report(**{**arguments, **overrides})


@pytest.fixture(scope="module")
def html(report_arguments) -> str:
    return render(report_arguments)


def test_report_is_self_contained(html):
    assert "http://" not in html and "https://" not in html
    sources = re.findall(r'(?:src|href)="([^"]*)"', html)
    assert sources, "expected images and in-page links"
    assert all(s.startswith(("data:image/png;base64,", "#")) for s in sources)
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
