"""The report's "Since the last run" section: a first run says there is nothing to compare
with; a later run shows every cell of the migration dataset, in its table and its figure."""

import numpy as np
import pandas as pd
import pytest

from customer_segmentation.core.analysis import segment_history
from customer_segmentation.core.reporting import report
from tests.fixtures.cluster_analysis import SOURCE, render_report
from tests.html_tables import cells

RUN = {"run_id": "2026-01-01T00.00.00.000Z"}
SETTINGS = {
    "features": ["income", "total_spend", "age", "children"],
    "revenue": "total_spend",
    "max_distance": 0.5,
}


def names_of(segment_names: dict) -> dict[int, str]:
    return {int(s["segment"]): s["name"] for s in segment_names["segments"]}


@pytest.fixture(scope="module")
def runs(report_arguments, analysis_inputs):
    """Two runs on the fixture customers: the second with a seeded 15% of them moved to another
    segment (customers as the first run numbered them, so ids are kept)."""
    features, segments = analysis_inputs["customer_features"], analysis_inputs["customer_segments"]
    names = names_of(report_arguments["segment_names"])
    first = segment_history.track(
        None, None, segments, features, names=names, settings=SETTINGS, run=RUN, source=SOURCE
    )
    rng = np.random.default_rng(3)
    moved = segments.copy()
    picked = rng.random(len(moved)) < 0.15
    k = moved["segment"].max()
    moved.loc[picked, "segment"] = moved.loc[picked, "segment"] % k + 1
    second = segment_history.track(
        first[2], first[3], moved, features, names=names, settings=SETTINGS, run=RUN, source=SOURCE
    )
    return first, second


def test_a_first_run_says_there_is_no_earlier_run(report_arguments, runs):
    identities, migration, _, _ = runs[0]
    html = render_report(
        {**report_arguments, "segment_identities": identities, "segment_migration": migration}
    )
    section = html[html.index('<section id="history">') :]
    assert "There is no earlier run to compare with" in section
    assert cells(html, "migration") == []
    assert "<img" not in section[: section.index("</section>")]


def test_every_number_of_the_migration_table_is_the_dataset(report_arguments, runs):
    identities, migration, _, _ = runs[1]
    assert len(migration) > len(identities["segments"])  # customers really moved
    html = render_report(
        {**report_arguments, "segment_identities": identities, "segment_migration": migration}
    )
    header, *rows = cells(html, "migration")
    assert header[2:] == ["Customers", "Revenue (this run)"]
    shown = pd.DataFrame(
        [
            {
                "from_segment": int(row[0].split(":")[0]),
                "to_segment": int(row[1].split(":")[0]),
                "customers": int(row[2].replace(",", "")),
                "revenue": float(row[3].replace(",", "")),
            }
            for row in rows
        ]
    )
    pd.testing.assert_frame_equal(
        shown, migration.assign(revenue=migration["revenue"].round()), check_dtype=False
    )
    section = html[html.index('<section id="history">') :]
    total = f"{migration['customers'].sum():,} customers are in both runs"
    assert total in section and "Compared with the run of" in section


def test_the_figure_shows_every_cell_of_the_matrix(runs):
    _, migration, _, _ = runs[1]
    matrix = report.migration_matrix(migration)
    axes = report.migration_heatmap(matrix).axes[0]
    drawn = [int(text.get_text().replace(",", "")) for text in axes.texts]
    expected = [
        migration.set_index(["from_segment", "to_segment"])["customers"].get((f, t), 0)
        for f in matrix.index
        for t in matrix.columns
    ]
    assert drawn == expected
    assert sum(drawn) == migration["customers"].sum()


def test_another_source_gets_one_line_saying_why_it_is_not_compared(report_arguments, runs):
    identities, migration, _, _ = runs[0]
    skipped = {"run": RUN, "reason": "it declared another table (other columns, roles or types)"}
    html = render_report(
        {
            **report_arguments,
            "segment_identities": {**identities, "not_compared": skipped},
            "segment_migration": migration,
        }
    )
    section = html[html.index('<section id="history">') :]
    assert f"Not compared with the run of {RUN['run_id']}:</b> {skipped['reason']}." in section
    assert "There is no earlier run" not in section


def test_a_migration_without_revenue_shows_no_revenue(report_arguments, runs):
    identities, migration, _, _ = runs[1]
    html = render_report(
        {
            **report_arguments,
            "segment_identities": identities,
            "segment_migration": migration.drop(columns="revenue"),
        }
    )
    header, *rows = cells(html, "migration")
    assert header[2:] == ["Customers"] and all(len(row) == 3 for row in rows)
    section = html[html.index('<section id="history">') : html.index('<section id="appendix">')]
    assert "customers are in both runs;" in section and "revenue" not in section.lower()
