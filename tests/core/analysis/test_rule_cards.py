"""Rule cards on planted data: known rules are recovered, and every figure is what the exported
rules give when a database (DuckDB) applies them to the table."""

import duckdb
import numpy as np
import pandas as pd
import pytest

from customer_segmentation.core.analysis import rule_cards
from customer_segmentation.errors import InputDataError
from tests import rules as numpy_rules

SETTINGS = {"max_depth": 3, "min_samples_leaf": 0.02, "class_weight": None, "random_state": 0}
FEATURES = ["income", "children", "age", "deal_purchase_share"]


def planted(n: int = 3000, flip: float = 0.0, seed: int = 3) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Customers whose segment follows known rules: 1 = income > 60,000 and no children,
    2 = two or more children, 3 = everyone else; ``flip`` of them then moved at random."""
    rng = np.random.default_rng(seed)
    features = pd.DataFrame(
        {
            "ID": np.arange(n) * 3 + 5,
            "income": rng.uniform(20_000, 100_000, n).round(),
            "children": rng.integers(0, 4, n),
            "age": rng.integers(20, 80, n),
            "deal_purchase_share": rng.uniform(0, 1, n),
        }
    )
    segment = np.where(
        (features["income"] > 60_000) & (features["children"] == 0),
        1,
        np.where(features["children"] >= 2, 2, 3),
    )
    moved = rng.random(n) < flip
    segment[moved] = rng.integers(1, 4, moved.sum())
    return pd.DataFrame({"ID": features["ID"], "segment": segment}), features


def test_planted_rules_are_recovered_exactly():
    segments, features = planted()
    found = rule_cards.segment_rule_cards(segments, features, FEATURES, SETTINGS)
    cards = {card["segment"]: card for card in found["segments"]}
    for card in cards.values():
        assert (card["fidelity"], card["precision"], card["recall"]) == (1.0, 1.0, 1.0)
    texts = [
        rule_cards.describe_rule(rule, found["integer_features"])
        for rule in rule_cards.as_rules(cards[1])
    ]
    assert len(texts) == 1
    assert "children = 0" in texts[0]
    [income] = [c for c in cards[1]["rules"][0] if c["feature"] == "income"]
    assert income["op"] == ">" and 59_000 < income["threshold"] < 61_000
    assert [
        rule_cards.describe_rule(r, found["integer_features"])
        for r in rule_cards.as_rules(cards[2])
    ] == ["children >= 2"]
    assert found["case"] == {"agreement": 1.0, "unplaced": 0.0}


def test_noise_lowers_fidelity_by_about_the_share_moved():
    segments, features = planted(flip=0.09)  # two thirds of the moved change segment: ~6%
    found = rule_cards.segment_rule_cards(segments, features, FEATURES, SETTINGS)
    agreement = found["case"]["agreement"]
    assert 0.92 < agreement < 0.96
    assert all(card["fidelity"] > 0.93 for card in found["segments"])


def duckdb_selected(features: pd.DataFrame, where: str) -> set[int]:
    connection = duckdb.connect()
    connection.register("customer_features", features)
    return {
        row[0]
        for row in connection.sql(f'SELECT "ID" FROM customer_features WHERE {where}').fetchall()
    }


@pytest.mark.parametrize("flip", [0.0, 0.2])
def test_fidelity_is_the_share_the_exported_rules_place_correctly(flip):
    segments, features = planted(flip=flip)
    found = rule_cards.segment_rule_cards(segments, features, FEATURES, SETTINGS)
    n = len(segments)
    for card in found["segments"]:
        selected = duckdb_selected(features, rule_cards.where_clause(rule_cards.as_rules(card)))
        inside = set(segments.loc[segments["segment"] == card["segment"], "ID"])
        correct = n - len(selected ^ inside)  # customers in both or in neither
        assert card["fidelity"] == correct / n
        assert card["selected"] == len(selected)
        assert card["precision"] == (len(selected & inside) / len(selected) if selected else 0.0)
        assert card["recall"] == len(selected & inside) / len(inside)


def statements(sql: str) -> list[str]:
    """The SQL statements of an export (comments dropped)."""
    body = "\n".join(line for line in sql.splitlines() if not line.startswith("--"))
    return [statement.strip() for statement in body.split(";") if statement.strip()]


@pytest.mark.parametrize("flip", [0.0, 0.2])
def test_exported_sql_gives_the_python_rules_segments(flip):
    segments, features = planted(flip=flip)
    found = rule_cards.segment_rule_cards(segments, features, FEATURES, SETTINGS)
    names = {1: "Affluent, no children", 2: "Families", 3: "Others"}
    case, *wheres = statements(rule_cards.rules_sql(found, names, "customer_features"))
    connection = duckdb.connect()
    connection.register("customer_features", features)
    by_sql = connection.sql(case).df().set_index("ID")["segment"].reindex(features["ID"])
    python = numpy_rules.case_segments(
        features[found["features"]], found["segments"], found["case_order"]
    )
    assert np.array_equal(by_sql.fillna(0).astype(int).to_numpy(), python)
    assert (by_sql.to_numpy() == segments["segment"].to_numpy()).mean() == found["case"][
        "agreement"
    ]
    for card, where in zip(
        sorted(found["segments"], key=lambda c: c["segment"]), wheres, strict=True
    ):
        selected = connection.sql(where).df()["ID"]
        mask = numpy_rules.rule_mask(features, rule_cards.as_rules(card))
        assert set(selected) == set(features.loc[mask, "ID"])


def test_whole_number_columns_read_as_whole_numbers():
    span = {"children": [0, 3], "age": [18, 90]}
    assert rule_cards.describe_rule([("children", "<=", 0.5)], span) == "children = 0"
    assert rule_cards.describe_rule([("children", ">", 1.5)], span) == "children >= 2"
    assert rule_cards.describe_rule([("children", ">", 2.5)], span) == "children = 3"
    assert (
        rule_cards.describe_rule([("children", ">", 0.5), ("children", "<=", 2.5)], span)
        == "1 <= children <= 2"
    )
    assert (
        rule_cards.describe_rule([("income", ">", 62_013.5), ("age", "<=", 40.5)], span)
        == "income > 62,014 and age <= 40"
    )


def test_rules_on_one_feature_keep_the_tightest_bounds():
    tree_like = [("income", ">", 10.0), ("income", ">", 30.0), ("income", "<=", 90.0)]
    assert rule_cards._merge(tree_like) == [("income", ">", 30.0), ("income", "<=", 90.0)]


def test_boundary_validation():
    segments, features = planted(n=300)
    with pytest.raises(InputDataError, match="missing column"):
        rule_cards.segment_rule_cards(segments, features, [*FEATURES, "spend"], SETTINGS)
    with pytest.raises(ValueError, match="max_depth"):
        rule_cards.segment_rule_cards(segments, features, FEATURES, {**SETTINGS, "max_depth": 4})
    with_gap = features.assign(age=features["age"].where(features["ID"] > 50))
    found = rule_cards.segment_rule_cards(segments, with_gap, FEATURES, SETTINGS)
    assert found["features_left_out"] == [{"feature": "age", "reason": "has missing values"}]
    assert "age" not in found["features"]


def test_trees_grow_on_a_seeded_sample_and_are_measured_on_every_customer():
    rows = rule_cards.fit_rows(1_000, 100, random_state=0)

    assert len(rows) == 100 and np.all(np.diff(rows) > 0)
    assert np.array_equal(rows, rule_cards.fit_rows(1_000, 100, random_state=0))
    assert np.array_equal(rule_cards.fit_rows(50, 100, random_state=0), np.arange(50))
    assert np.array_equal(rule_cards.fit_rows(50, None, random_state=0), np.arange(50))


def test_sampled_cards_do_not_depend_on_the_inputs_row_order():
    segments, features = planted(flip=0.2)
    settings = {**SETTINGS, "fit_max_customers": 500}

    found = rule_cards.segment_rule_cards(segments, features, FEATURES, settings)
    shuffled = rule_cards.segment_rule_cards(
        segments.sample(frac=1, random_state=1),
        features.sample(frac=1, random_state=2),
        FEATURES,
        settings,
    )

    assert shuffled == found
