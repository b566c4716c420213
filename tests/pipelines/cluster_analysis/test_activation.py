"""Activation exports from the nodes: the SQL file a database runs gives the Python rules'
segments, the membership file holds one row per segmented customer with its segment's name and
first action and the run id, and the report links both."""

import os
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from kedro.framework.session import KedroSession
from kedro.framework.startup import bootstrap_project
from kedro_datasets.ibis import FileDataset

from customer_segmentation.core.analysis import rule_cards
from customer_segmentation.core.cleaning.contract import CustomerSchema
from customer_segmentation.core.features.features import derive_customer_features
from customer_segmentation.hooks import dataset_file
from customer_segmentation.pipelines.cluster_analysis import nodes
from tests import rules as numpy_rules
from tests.fixtures.cluster_analysis import REFERENCE_DATE, RUN_ID, render_report
from tests.fixtures.schema import SCHEMA_CONFIG

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def segment_rules(analysis_inputs, report_arguments) -> dict:
    return nodes.build_rule_cards(
        analysis_inputs["customer_segments"],
        analysis_inputs["customer_features"],
        report_arguments["segment_names"],
        analysis_inputs["params:cluster_analysis.profile"],
        analysis_inputs["params:cluster_analysis.rule_cards"],
        schema=SCHEMA_CONFIG,
        preprocessing=analysis_inputs["params:feature_engineering.preprocessing"],
    )


def test_exported_sql_on_the_customer_file_places_the_same_customers_as_the_python_rules(
    analysis_inputs, segment_rules
):
    """The SQL runs on the customer table under the file's column names and derives the
    features it compares; the Python rules on the pipeline's features place the same customers."""
    primary = analysis_inputs["primary_customers"]
    schema = CustomerSchema.from_config(analysis_inputs["params:schema"])
    sql = export_sql(analysis_inputs, segment_rules)
    body = "\n".join(line for line in sql.splitlines() if not line.startswith("--"))
    case, *wheres = [part.strip() for part in body.split(";") if part.strip()]
    assert '"total_spend"' not in analysis_inputs["params:schema"]  # a derived feature
    connection = duckdb.connect()
    connection.register("customers", primary)
    features = derive_customer_features(primary, REFERENCE_DATE, schema)

    by_sql = connection.sql(case).df().set_index("ID")["segment"]
    python = pd.Series(
        numpy_rules.case_segments(
            features[segment_rules["features"]],
            segment_rules["segments"],
            segment_rules["case_order"],
        ),
        index=features["ID"],
    )
    assert (python > 0).mean() > 0.5  # the rules place most customers
    assert np.array_equal(by_sql.fillna(0).astype(int).reindex(python.index), python)
    cards = sorted(segment_rules["segments"], key=lambda card: card["segment"])
    for card, where in zip(cards, wheres, strict=True):
        selected = set(connection.sql(where).df()["ID"])
        inside = numpy_rules.rule_mask(features, rule_cards.as_rules(card))
        assert selected == set(features["ID"][inside])


def export_sql(analysis_inputs: dict, segment_rules: dict, **changes) -> str:
    """The export node's SQL on the fixtures' inputs, with ``changes`` to its arguments."""
    arguments = {
        "segment_rules": segment_rules,
        "feature_report": analysis_inputs["feature_report"],
        "schema": analysis_inputs["params:schema"],
        "missing_values": analysis_inputs["params:data_processing.missing_values"],
        "activation": analysis_inputs["params:cluster_analysis.activation"],
        "cleaning_statistics": analysis_inputs["cleaning_statistics"],
    }
    return nodes.export_rules_sql(**{**arguments, **changes})


def test_exported_sql_names_the_columns_the_file_cannot_give(analysis_inputs, segment_rules):
    rfm = {
        "columns": [
            {"name": "customer", "role": "id"},
            {"name": "spend", "role": "monetary", "feature": "monetary"},
        ]
    }
    sql = export_sql(
        analysis_inputs, segment_rules, schema=rfm, cleaning_statistics=None, missing_values=None
    )
    used = {c["feature"] for card in segment_rules["segments"] for r in card["rules"] for c in r}
    assert "must also hold these derived columns (not computed from the declared columns): " in sql
    header = next(line for line in sql.splitlines() if "must also hold" in line)
    assert set(header.split(": ", 1)[1].rstrip(".").split(", ")) == used
    assert 'SELECT "customer",' in sql


def first_actions(segment_actions: dict) -> dict[int, str]:
    """The text of each segment's first action, from a ``segment_actions`` document."""
    return {
        item["segment"]: item["actions"][0]["action"]
        for item in segment_actions["segments"]
        if item["actions"]
    }


def test_membership_is_one_row_per_segmented_customer_with_its_name_action_and_run_id(
    analysis_inputs, report_arguments
):
    segments = analysis_inputs["customer_segments"]
    names, actions = report_arguments["segment_names"], report_arguments["segment_actions"]
    table = nodes.export_segment_membership(
        segments, names, actions, analysis_inputs["run_manifest"], SCHEMA_CONFIG
    ).to_pandas()
    assert list(table.columns) == ["ID", "segment_id", "segment_name", "segment_action", "run_id"]
    assert len(table) == len(segments)
    assert table["ID"].tolist() == segments["ID"].tolist()
    assert table["segment_id"].tolist() == segments["segment"].tolist()
    assert set(table["run_id"]) == {RUN_ID}
    by_segment = {s["segment"]: s["name"] for s in names["segments"]}
    assert table["segment_name"].tolist() == segments["segment"].map(by_segment).tolist()
    first = first_actions(actions)
    assert first  # the fixture's segments have actions to carry
    expected = segments["segment"].map(first).fillna("")
    assert table["segment_action"].tolist() == expected.tolist()
    with pytest.raises(ValueError, match="run_id"):
        nodes.export_segment_membership(segments, names, actions, {}, SCHEMA_CONFIG)


def test_membership_names_the_customer_id_as_the_file_does(analysis_inputs, report_arguments):
    segments = analysis_inputs["customer_segments"]
    schema = {
        "columns": [
            {**entry, "name": "Customer Ref"} if entry["role"] == "id" else entry
            for entry in SCHEMA_CONFIG["columns"]
        ]
    }
    table = nodes.export_segment_membership(
        segments,
        report_arguments["segment_names"],
        report_arguments["segment_actions"],
        analysis_inputs["run_manifest"],
        schema,
    ).to_pandas()
    assert table.columns[0] == "Customer Ref"
    assert table["Customer Ref"].tolist() == segments["ID"].tolist()


def test_membership_csv_reads_back_the_same_and_neutralises_formula_texts(
    analysis_inputs, tmp_path
):
    segments = analysis_inputs["customer_segments"]
    first, *others = sorted(segments["segment"].unique())
    names = {"segments": [{"segment": first, "name": '=HYPERLINK("x"), "loyal"'}]}
    names["segments"] += [{"segment": s, "name": f"Segment {s}, the rest"} for s in others]
    # The first segment's action starts like a formula; the others have none yet.
    actions = {"segments": [{"segment": first, "actions": [{"action": "+Call them, then mail"}]}]}
    actions["segments"] += [{"segment": s, "actions": []} for s in others]
    path = tmp_path / "membership.csv"
    dataset = FileDataset(
        filepath=str(path), file_format="csv", save_args={"header": True, "use_tmp_file": True}
    )

    membership = nodes.export_segment_membership(
        segments, names, actions, {"run_id": RUN_ID}, SCHEMA_CONFIG
    )
    dataset.save(membership)

    written = pd.read_csv(path, dtype=str, keep_default_na=False)
    expected = {first: '\'=HYPERLINK("x"), "loyal"'} | {s: f"Segment {s}, the rest" for s in others}
    assert written["ID"].tolist() == segments["ID"].astype(str).tolist()
    assert written["segment_name"].tolist() == segments["segment"].map(expected).tolist()
    action = {first: "'+Call them, then mail"} | dict.fromkeys(others, "")  # an empty cell
    assert written["segment_action"].tolist() == segments["segment"].map(action).tolist()
    assert set(written["run_id"]) == {RUN_ID}
    assert [p.name for p in tmp_path.iterdir()] == ["membership.csv"]  # no temporary file left


ENVIRONMENTS = sorted(
    folder.name
    for folder in (ROOT / "conf").iterdir()
    if folder.is_dir() and folder.name != "local"
)


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_reports_links_are_where_the_catalog_writes_the_exports(env):
    bootstrap_project(ROOT)
    with KedroSession.create(project_path=ROOT, env=env) as session:
        context = session.load_context()
    links = context.params["cluster_analysis"]["activation"]["report_links"]
    report = Path(dataset_file(context.catalog, "segmentation_report"))

    assert set(links) == {"segment_membership", "segment_rules_sql"}
    for name, link in links.items():
        linked = os.path.normpath(report.parent / link)
        assert linked == os.path.normpath(dataset_file(context.catalog, name)), name


def test_the_report_links_the_exports_and_says_what_each_is_for(analysis_inputs, report_arguments):
    html = render_report(report_arguments)
    block = html.split('id="use-segments"')[1].split("</div>")[0]
    links = report_arguments["parameters"]["activation"]["report_links"]

    assert f'<a href="{links["segment_membership"]}">' in block
    assert f'<a href="{links["segment_rules_sql"]}">' in block
    # The membership file's rows, as many as the segmented customers.
    assert f"the {len(analysis_inputs['customer_segments']):,} customers, each" in block
    # The block sits with the segment cards, before the first of them.
    assert html.index('id="use-segments"') < html.index('<div class="card"')


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
