"""Activation exports from the nodes: the SQL file a database runs gives the Python rules'
segments, and the membership file holds one row per segmented customer with the run id."""

import duckdb
import numpy as np
import pandas as pd
import pytest
from kedro_datasets.ibis import FileDataset

from customer_segmentation.core.analysis import rule_cards
from customer_segmentation.pipelines.cluster_analysis import nodes
from tests.fixtures.cluster_analysis import RUN_ID, render_report


@pytest.fixture(scope="module")
def segment_rules(analysis_inputs, report_arguments) -> dict:
    return nodes.build_rule_cards(
        analysis_inputs["customer_segments"],
        analysis_inputs["customer_features"],
        report_arguments["segment_names"],
        analysis_inputs["params:cluster_analysis.profile"],
        analysis_inputs["params:cluster_analysis.rule_cards"],
    )


def test_exported_sql_places_the_same_customers_as_the_python_rules(analysis_inputs, segment_rules):
    features = analysis_inputs["customer_features"]
    segments = analysis_inputs["customer_segments"]
    sql = nodes.export_rules_sql(
        segment_rules, analysis_inputs["params:cluster_analysis.activation"]
    )
    body = "\n".join(line for line in sql.splitlines() if not line.startswith("--"))
    case, *wheres = [part.strip() for part in body.split(";") if part.strip()]
    connection = duckdb.connect()
    connection.register("customer_features", features)

    by_sql = connection.sql(case).df()
    python = pd.Series(
        rule_cards.case_segments(
            features[segment_rules["features"]],
            segment_rules["segments"],
            segment_rules["case_order"],
        ),
        index=features["ID"],
    )
    counts_sql = by_sql["segment"].fillna(0).astype(int).value_counts().sort_index()
    assert counts_sql.to_dict() == python.value_counts().sort_index().to_dict()
    assert np.array_equal(
        by_sql.set_index("ID")["segment"].fillna(0).astype(int).reindex(features["ID"]).to_numpy(),
        python.to_numpy(),
    )
    # The agreement the report states is what the database's CASE gives.
    truth = segments.set_index("ID")["segment"]
    placed = by_sql.set_index("ID")["segment"].reindex(truth.index)
    assert (placed == truth).mean() == segment_rules["case"]["agreement"]

    cards = sorted(segment_rules["segments"], key=lambda card: card["segment"])
    for card, where in zip(cards, wheres, strict=True):
        selected = set(connection.sql(where).df()["ID"])
        assert len(selected) == card["selected"]
        inside = set(truth.index[truth == card["segment"]])
        assert card["fidelity"] == (len(truth) - len(selected ^ inside)) / len(truth)


def test_membership_is_one_row_per_segmented_customer_with_the_run_id(
    analysis_inputs, report_arguments
):
    segments = analysis_inputs["customer_segments"]
    table = nodes.export_segment_membership(
        segments, report_arguments["segment_names"], analysis_inputs["run_manifest"]
    ).to_pandas()
    assert list(table.columns) == ["ID", "segment_id", "segment_name", "run_id"]
    assert len(table) == len(segments)
    assert table["ID"].tolist() == segments["ID"].tolist()
    assert table["segment_id"].tolist() == segments["segment"].tolist()
    assert set(table["run_id"]) == {RUN_ID}
    names = {s["segment"]: s["name"] for s in report_arguments["segment_names"]["segments"]}
    assert table["segment_name"].tolist() == segments["segment"].map(names).tolist()
    with pytest.raises(ValueError, match="run_id"):
        nodes.export_segment_membership(segments, report_arguments["segment_names"], {})


def test_membership_csv_reads_back_the_same_and_neutralises_formula_names(
    analysis_inputs, tmp_path
):
    segments = analysis_inputs["customer_segments"]
    first, *others = sorted(segments["segment"].unique())
    names = {"segments": [{"segment": first, "name": '=HYPERLINK("x"), "loyal"'}]}
    names["segments"] += [{"segment": s, "name": f"Segment {s}, the rest"} for s in others]
    path = tmp_path / "membership.csv"
    dataset = FileDataset(
        filepath=str(path), file_format="csv", save_args={"header": True, "use_tmp_file": True}
    )

    dataset.save(nodes.export_segment_membership(segments, names, {"run_id": RUN_ID}))

    written = pd.read_csv(path, dtype={"segment_name": str, "run_id": str})
    expected = {first: '\'=HYPERLINK("x"), "loyal"'} | {s: f"Segment {s}, the rest" for s in others}
    assert written["ID"].tolist() == segments["ID"].tolist()
    assert written["segment_name"].tolist() == segments["segment"].map(expected).tolist()
    assert set(written["run_id"]) == {RUN_ID}
    assert [p.name for p in tmp_path.iterdir()] == ["membership.csv"]  # no temporary file left


def test_cards_show_each_segments_rule_or_say_that_none_was_found(report_arguments, segment_rules):
    first, *others = segment_rules["segments"]
    without_rule = {**first, "rules": [], "text": [], "precision": 0.0, "recall": 0.0}
    rules = {**segment_rules, "segments": [without_rule, *others]}
    html = render_report({**report_arguments, "segment_rules": rules})
    cards = html.split('<div class="card"')[1:]
    assert len(cards) == len(segment_rules["segments"])
    assert "No rule of depth 3 or less" in cards[0] and "<code>" not in cards[0]
    for card, rule in zip(cards[1:], others, strict=True):
        assert "No rule of depth" not in card
        assert card.count("<code>") == len(rule["text"])
        assert f"{100 * rule['recall']:.1f}% of the segment" in card
