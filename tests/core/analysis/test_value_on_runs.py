"""On real runs (the default data and the real marketing_campaign file): the value per segment
recomputed from the customers it comes from, and the summary's and the report's numbers read back
against ``segment_value``.

Each run is a `kedro run` of a project copy shared by the session (tests/conftest.py).
"""

import html
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from tests.catalog import load_table

DATA = Path("data/current")
REPORTING = DATA / "08_reporting"


@pytest.fixture(scope="module", params=["full_run", "real_run"])
def run(request) -> dict:
    """The value table, the customers and segments it comes from, the summary and the report."""
    project = request.getfixturevalue(request.param)
    reporting = project / REPORTING
    return {
        "source": request.param,
        "value": pd.read_csv(reporting / "segment_value.csv"),
        "profiles": load_table(reporting / "segment_profiles.csv"),
        "primary": pd.read_parquet(project / DATA / "03_primary/customers.parquet"),
        "segments": load_table(project / DATA / "07_model_output/customer_segments.parquet"),
        "summary": json.loads((reporting / "segmentation_summary.json").read_text()),
        "html": (reporting / "segmentation_report.html").read_text(),
    }


def own_campaign_return(primary: pd.DataFrame, segments: pd.DataFrame) -> pd.DataFrame:
    """Contacts, responses, cost and revenue per segment (0: all), summed from the customers."""
    customers = primary.merge(segments, on="ID", validate="one_to_one")
    customers["revenue"] = customers["Z_Revenue"] * customers["Response"]
    per_segment = customers.groupby("segment").agg(
        contacts=("ID", "size"),
        responses=("Response", "sum"),
        cost=("Z_CostContact", "sum"),
        revenue=("revenue", "sum"),
    )
    per_segment.loc[0] = per_segment.sum()
    return per_segment


def test_the_campaign_return_is_what_the_customers_give(run):
    table = run["value"].set_index("segment")
    own = own_campaign_return(run["primary"], run["segments"]).loc[table.index]

    assert table["contacts"].tolist() == own["contacts"].tolist() == table["customers"].tolist()
    assert table["responses"].tolist() == own["responses"].tolist()
    profit = (own["revenue"] - own["cost"]) / own["contacts"]
    assert table["profit_per_contact"].to_numpy() == pytest.approx(profit.to_numpy())
    # "Pays back" only when it does at the low end of the response rate's 95 % interval.
    assert not (table["pays_back"] & (profit <= 0)).any()
    assert not (table["loses_money"] & (profit >= 0)).any()
    per_response = own["revenue"] / own["responses"]
    low = table["response_rate_low"] * per_response - own["cost"] / own["contacts"]
    assert table["pays_back"].tolist() == (low > 0).tolist()
    # The historical value is the profiles' revenue per customer, all customers included.
    profiles = run["profiles"].set_index("segment").loc[table.index]
    assert table["historical_value_per_customer"].to_numpy() == pytest.approx(
        profiles["revenue_per_customer"].to_numpy()
    )


def test_on_the_real_file_a_contact_loses_overall_and_pays_back_in_one_segment(real_run):
    reporting = real_run / REPORTING
    table = pd.read_csv(reporting / "segment_value.csv").set_index("segment")
    quality = json.loads((real_run / DATA / "02_intermediate/data_quality.json").read_text())

    assert quality["rows_in"] == 2240
    assert table.loc[0, "contacts"] == quality["rows_kept"]
    assert table.loc[0, "profit_per_contact"] < 0
    paying = table.loc[table.index > 0].query("pays_back")
    assert len(paying) == 1
    # The segment that pays back is the one with the highest revenue per customer.
    best = table.loc[table.index > 0, "historical_value_per_customer"].idxmax()
    assert paying.index.tolist() == [best]


def test_the_summary_carries_the_value_table(run):
    block = run["summary"]["value"]
    summary = pd.DataFrame(block["segments"])

    pd.testing.assert_frame_equal(summary, run["value"], check_dtype=False)
    assert block["campaign"] is True
    assert block["period"] == "currency units, last 2 years"
    assert block["pays_back"] == run["value"].query("segment > 0 and pays_back")["segment"].tolist()


def _value_rows(page: str) -> dict[str, list[str]]:
    """The report's value table: {row label: its cells}."""
    table = page.split('<table id="segment-value">', 1)[1].split("</table>", 1)[0]
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, flags=re.DOTALL)[1:]:
        cells = [html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)]
        rows[cells[0]] = cells[1:]
    return rows


def test_the_report_shows_the_value_table_after_the_first_screen(run):
    page, table = run["html"], run["value"]
    names = {int(s["segment"]): s["name"] for s in run["summary"]["names"]["segments"]}

    assert page.index('id="first-screen"') < page.index('id="value"') < page.index('id="appendix"')
    rows = _value_rows(page)
    for record in table.to_dict("records"):
        segment = int(record["segment"])
        label = f"{segment}: {names[segment]}" if segment else "All customers"
        *cells, paid_back = rows[label]
        assert cells == [
            f"{record['customers']:,}",
            f"{100 * record['customer_share']:.1f}%",
            f"{record['revenue']:,.0f}",
            f"{100 * record['revenue_share']:.1f}%",
            f"{record['historical_value_per_customer']:,.0f}",
            f"{100 * record['response_rate']:.1f}%",
            f"{record['revenue_per_contact']:,.2f}",
            f"{record['cost_per_contact']:,.2f}",
            f"{record['profit_per_contact']:+,.2f}",
            f"{record['profit_all_contacted']:+,.0f}",
        ]
        verdict = "yes" if record["pays_back"] else "no" if record["loses_money"] else "unclear"
        assert paid_back.startswith(verdict)
    overall = table.set_index("segment").loc[0]
    assert f"a contact lost {abs(overall['profit_per_contact']):,.2f}" in page
    assert "historical</b> value, not a forecast" in page


def test_no_segment_whose_contact_loses_money_is_told_to_contact_it_first(run):
    """Issue 28: "Include them first" only where a contact did not lose money; elsewhere the
    card and the ranked list say not to contact the segment first (a loss beyond chance) or to
    test it on a sample first (a loss within chance), with its loss per contact."""
    table = run["value"].set_index("segment")
    for item in run["summary"]["actions"]:
        profit = table.loc[item["segment"], "profit_per_contact"]
        for action in item["actions"]:
            if action["kind"] != "campaign" or action["action"].startswith("Cut"):
                continue
            if profit < 0:
                sure = table.loc[item["segment"], "loses_money"]
                start = "Do not contact them first" if sure else "Test them on a sample first"
                assert action["action"].startswith(start), item["segment"]
                assert f"a contact lost {-profit:.2f}" in action["evidence"]
            else:
                assert action["action"].startswith("Include them first")
    assert "Include them first" not in "".join(
        entry["action"]
        for entry in run["summary"]["first_screen"]["actions"]
        if table.loc[entry["segment"], "profit_per_contact"] < 0
    )


def test_the_crm_export_carries_each_segments_top_ranked_action(run, request):
    project = request.getfixturevalue(run["source"])
    membership = pd.read_csv(project / REPORTING / "segment_membership.csv", dtype=str)
    ranked = run["summary"]["first_screen"]["actions"]
    top = {}
    for entry in ranked:  # ranked order: a segment's first entry is its top-ranked action
        top.setdefault(str(entry["segment"]), entry["action"])
    exported = membership.drop_duplicates("segment_id").set_index("segment_id")["segment_action"]
    assert exported.to_dict() == {segment: top[segment] for segment in exported.index}
