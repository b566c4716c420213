"""Render the report in headless Chromium and check the screenshot is not blank.

Skips when no Chromium binary is found, unless the environment variable CI is set (then fails).
"""

from tests.browser import screenshot
from tests.fixtures.cluster_analysis import render_report


def test_report_renders_in_headless_chromium(report_arguments, tmp_path):
    page = tmp_path / "segmentation_report.html"
    page.write_text(render_report(report_arguments), encoding="utf-8")

    pixels = screenshot(page.as_uri(), tmp_path, 1280, 2000)

    assert pixels.shape[:2] == (2000, 1280)
    assert pixels.std() > 0.05, "the screenshot is (nearly) one colour: the page did not render"
    # the dark header band is drawn at the top: the page's own CSS was applied
    assert pixels[:60].mean() < 0.4 < pixels[-200:].mean()
