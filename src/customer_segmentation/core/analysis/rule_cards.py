"""Rule cards: who is in each segment, as plain rules a colleague can apply without Python.

Per segment, a shallow one-vs-rest scikit-learn ``DecisionTreeClassifier`` on the human-readable
customer features (income, age, spend, shares; not the model input) is turned into rules: each
leaf that places customers *in* the segment is one conjunction of at most ``max_depth``
conditions, and the segment's rule is the disjunction of those leaves. The same rules are
written as plain language ("income > 62,000 and children = 0") and as SQL.

Every figure is measured by applying the exported rules themselves to the table (float64
comparisons, as SQL does), not by ``tree.predict``: the tree compares in float32, and the
numbers must describe the rules a CRM actually runs.

A rule is a list of conditions ``(feature, op, threshold)`` with ``op`` in ``{"<=", ">"}``; a
segment's rules are a list of such lists (an empty list selects nobody).
"""

import math
from collections.abc import Mapping, Sequence

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
from ibis import BaseBackend
from sklearn.tree import DecisionTreeClassifier

from customer_segmentation.core import engine
from customer_segmentation.core.analysis.profiling import ID, SEGMENT, rows_at, segment_table
from customer_segmentation.core.features.feature_sql import quoted
from customer_segmentation.errors import InputDataError

Condition = tuple[str, str, float]
Rule = list[Condition]


def rule_features(
    customer_features: pd.DataFrame, features: Sequence[str]
) -> tuple[list[str], list[dict]]:
    """The ``features`` a rule may use, and those left out with the reason.

    A rule needs a numeric column without missing values: SQL's ``NULL > x`` is unknown where a
    tree would send the customer one way, so the two would disagree on such customers.
    Raises ``InputDataError`` for a feature the table lacks, or when none is usable.
    """
    missing = [name for name in features if name not in customer_features.columns]
    if missing:
        raise InputDataError(
            f"customer_features: missing column(s) {missing} named for the rule cards "
            "(cluster_analysis profile attributes); produce them upstream or remove them."
        )
    usable, left_out = [], []
    for name in features:
        column = customer_features[name]
        if not pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
            left_out.append({"feature": name, "reason": "not numeric"})
        elif column.isna().any():
            left_out.append({"feature": name, "reason": "has missing values"})
        else:
            usable.append(name)
    if not usable:
        raise InputDataError(
            f"customer_features: none of {list(features)} is numeric without missing values; "
            "the rule cards have nothing to split on."
        )
    return usable, left_out


def fit_segment_tree(
    table: pd.DataFrame, inside: np.ndarray, settings: Mapping
) -> DecisionTreeClassifier:
    """One-vs-rest tree: ``table`` (customers x features, float64) against ``inside`` (bool per
    customer). ``settings``: ``max_depth`` (at most 3: a rule must stay readable),
    ``min_samples_leaf`` (count, or share of customers when below 1), ``class_weight``,
    ``random_state``."""
    if not 1 <= int(settings["max_depth"]) <= 3:
        raise ValueError(
            f"rule_cards.max_depth {settings['max_depth']}: use 1 to 3 (rules of at most three "
            "conditions stay readable)."
        )
    if inside.all() or not inside.any():
        raise ValueError("rule cards: a segment must hold some customers but not all of them.")
    tree = DecisionTreeClassifier(
        max_depth=int(settings["max_depth"]),
        min_samples_leaf=settings["min_samples_leaf"],
        class_weight=settings.get("class_weight"),
        random_state=settings["random_state"],
    )
    return tree.fit(table.to_numpy(dtype="float64"), inside)


def tree_rules(tree: DecisionTreeClassifier, features: Sequence[str]) -> list[Rule]:
    """The conjunctions leading to the leaves that predict "in the segment", left to right.

    A subtree whose leaves all predict the same class is read as one leaf, so a split that
    changes nothing adds no condition; conditions on one feature are merged to the tightest.
    """
    structure = tree.tree_
    inside = list(tree.classes_).index(True)
    leaf_in = structure.value[:, 0, :].argmax(axis=1) == inside

    def leaves(node: int) -> np.ndarray:
        left, right = structure.children_left[node], structure.children_right[node]
        if left == -1:
            return leaf_in[[node]]
        return np.concatenate([leaves(left), leaves(right)])

    def paths(node: int, path: Rule) -> list[Rule]:
        below = leaves(node)
        if not below.any():
            return []
        if below.all():
            return [_merge(path)]
        feature = features[structure.feature[node]]
        threshold = float(structure.threshold[node])
        return paths(structure.children_left[node], [*path, (feature, "<=", threshold)]) + paths(
            structure.children_right[node], [*path, (feature, ">", threshold)]
        )

    return paths(0, [])


def _merge(rule: Rule) -> Rule:
    """One condition per feature and operator: the largest lower and the smallest upper bound."""
    bounds: dict[tuple[str, str], float] = {}
    for feature, op, threshold in rule:
        key = (feature, op)
        pick = min if op == "<=" else max
        bounds[key] = pick(bounds.get(key, threshold), threshold)
    return [(feature, op, threshold) for (feature, op), threshold in bounds.items()]


def selects(table: ir.Table, rules: Sequence[Rule]) -> ir.BooleanValue:
    """Whether any of ``rules`` holds for a row of ``table``, as an engine expression: each
    condition compares the feature as float64 with the threshold, as the exported SQL does; no
    rule selects nobody."""
    selected = ibis.literal(False)
    for rule in rules:
        holds = ibis.literal(True)
        for feature, op, threshold in rule:
            value = table[feature].cast("float64")
            holds &= value <= threshold if op == "<=" else value > threshold
        selected |= holds
    return selected


def fidelity(table: ir.Table, rules_by_segment: Mapping[int, Sequence[Rule]]) -> dict:
    """How well each segment's rules match it, over all customers of ``table`` (``segment``
    and the features), counted on the engine in one pass: per segment, ``fidelity`` (share
    placed correctly, in or out), ``precision`` (share of the selected who are in the segment),
    ``recall`` (share of the segment selected), ``selected`` (count)."""
    metrics = {"customers": table.count()}
    for segment, rules in rules_by_segment.items():
        selected, inside = selects(table, rules), table[SEGMENT] == segment
        metrics |= {
            f"true_pos_{segment}": (selected & inside).cast("int64").sum(),
            f"false_pos_{segment}": (selected & ~inside).cast("int64").sum(),
            f"members_{segment}": inside.cast("int64").sum(),
        }
    counts = table.aggregate(**metrics).execute().iloc[0].fillna(0).astype("int64")
    customers = int(counts["customers"])
    found = {}
    for segment in rules_by_segment:
        true_pos, false_pos = (
            int(counts[f"true_pos_{segment}"]),
            int(counts[f"false_pos_{segment}"]),
        )
        members = int(counts[f"members_{segment}"])
        true_neg = customers - members - false_pos
        chosen = true_pos + false_pos
        found[segment] = {
            "fidelity": (true_pos + true_neg) / customers,
            "precision": true_pos / chosen if chosen else 0.0,
            "recall": true_pos / members if members else 0.0,
            "selected": chosen,
        }
    return found


def fit_rows(n_customers: int, max_customers: int | None, random_state: int) -> np.ndarray:
    """Sorted positions of the customers the trees are grown on: all of them, or a seeded
    sample of ``max_customers`` when there are more (None: never sample)."""
    if max_customers is None or n_customers <= max_customers:
        return np.arange(n_customers)
    rng = np.random.default_rng(random_state)
    return np.sort(rng.choice(n_customers, size=int(max_customers), replace=False))


def segment_rule_cards(
    customer_segments: pd.DataFrame,
    customer_features: pd.DataFrame,
    features: Sequence[str],
    settings: Mapping,
    con: BaseBackend | None = None,
) -> dict:
    """Rules and their fidelity for every segment, and the precedence the CASE export uses.

    ``customer_segments``: ``ID``, ``segment`` (1..k); ``customer_features``: ``ID`` and the
    ``features`` (one row per customer); ``con``: the engine that joins them and counts what
    the rules select (``core.engine``; DuckDB when None). Returns ``features`` (used),
    ``features_left_out``, ``integer_features`` (whole-number columns: ``[min, max]``),
    ``segments`` (per segment: ``segment``, ``customers``, ``rules`` as ``{feature, op,
    threshold}`` lists, ``fidelity``, ``precision``, ``recall``, ``selected``), ``case_order``
    (segments by precision, best first: a customer several rules select goes to the first) and
    ``case`` (the share of customers that precedence places in their own segment, and the share
    it places nowhere).
    """
    usable, left_out = rule_features(customer_features, features)
    con = con or engine.connect()
    table = segment_table(
        engine.table(con, customer_segments, "customer_segments"),
        [(engine.table(con, customer_features, "customer_features"), usable, "customer_features")],
    )
    sizes = table.group_by(SEGMENT).aggregate(customers=table.count()).execute()
    sizes = sizes.set_index(SEGMENT)["customers"].sort_index()
    # Trees are grown on a seeded sample (a depth-3 tree needs no more: 10M customers took
    # minutes), drawn from the rows in segment, then ID order so that it does not depend on the
    # inputs' row order; the rules are then applied to every customer on the engine.
    fitted = rows_at(
        table,
        fit_rows(int(sizes.sum()), settings.get("fit_max_customers"), settings["random_state"]),
    )
    rules_by_segment = {}
    for segment in sizes.index:
        tree = fit_segment_tree(fitted[usable], fitted[SEGMENT].to_numpy() == segment, settings)
        rules_by_segment[int(segment)] = tree_rules(tree, usable)
    measured = fidelity(table, rules_by_segment)
    cards = [
        {
            "segment": segment,
            "customers": int(sizes[segment]),
            "rules": [
                [{"feature": f, "op": op, "threshold": t} for f, op, t in rule] for rule in rules
            ],
            **measured[segment],
        }
        for segment, rules in rules_by_segment.items()
    ]
    order = [c["segment"] for c in sorted(cards, key=lambda c: (-c["precision"], c["segment"]))]
    placed = case_segment(table, cards, order)
    return {
        "features": usable,
        "features_left_out": left_out,
        "integer_features": _whole_number_spans(table, usable),
        "segments": cards,
        "case_order": order,
        "case": table.aggregate(
            agreement=(placed == table[SEGMENT]).cast("float64").mean(),
            unplaced=(placed == 0).cast("float64").mean(),
        )
        .execute()
        .iloc[0]
        .astype(float)
        .to_dict(),
    }


def _whole_number_spans(table: ir.Table, features: Sequence[str]) -> dict[str, list[int]]:
    """``[min, max]`` of every feature whose values are all whole numbers, in ``features`` order."""
    values = {feature: table[feature].cast("float64") for feature in features}
    found = engine.aggregates(
        table,
        {
            "low": {name: value.min() for name, value in values.items()},
            "high": {name: value.max() for name, value in values.items()},
            "whole": {name: (value.floor() == value).all() for name, value in values.items()},
        },
    )
    low, high, whole = (found[statistic].iloc[0] for statistic in ("low", "high", "whole"))
    return {
        feature: [int(low[feature]), int(high[feature])] for feature in features if whole[feature]
    }


def as_rules(card: Mapping) -> list[Rule]:
    """A card's stored rules (``{feature, op, threshold}`` dicts) as condition tuples."""
    return [
        [(c["feature"], c["op"], float(c["threshold"])) for c in rule] for rule in card["rules"]
    ]


def case_segment(
    table: ir.Table, cards: Sequence[Mapping], order: Sequence[int]
) -> ir.IntegerValue:
    """Segment per row of ``table`` by the rules in ``order`` (first match wins), 0 where none
    matches, as an engine expression: what the exported ``CASE WHEN`` gives (its ``NULL`` is 0
    here)."""
    by_segment = {card["segment"]: as_rules(card) for card in cards}
    placed = ibis.literal(0)
    for segment in reversed(list(order)):
        placed = ibis.ifelse(selects(table, by_segment[segment]), segment, placed)
    return placed


# ---------------------------------------------------------------- plain language


def _number(value: float) -> str:
    """A threshold as people read it: thousands separated above 100, three digits below."""
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def _bounds(rule: Rule) -> dict[str, tuple[float | None, float | None]]:
    """Per feature, in first-use order: (exclusive lower bound, inclusive upper bound)."""
    found: dict[str, list[float | None]] = {}
    for feature, op, threshold in rule:
        found.setdefault(feature, [None, None])[0 if op == ">" else 1] = threshold
    return {feature: (low, high) for feature, (low, high) in found.items()}


def _whole_condition(
    feature: str, low: float | None, high: float | None, span: Sequence[int]
) -> str | None:
    """Bounds of a whole-number column as whole numbers: ``> 0.5`` is ``>= 1``, and a bound at
    the column's ``span`` (min, max) is no bound, so ``children <= 0.5`` reads ``children = 0``."""
    first = None if low is None else math.floor(low) + 1
    last = None if high is None else math.floor(high)
    if first is not None and first <= span[0]:
        first = None
    if last is not None and last >= span[1]:
        last = None
    if first is None and last is not None and last == span[0]:
        first = last
    if last is None and first is not None and first == span[1]:
        last = first
    if first is None and last is None:  # no customer is outside the bounds
        return None
    if first is not None and last is not None:
        return f"{feature} = {first}" if first == last else f"{first} <= {feature} <= {last}"
    if first is not None:
        return f"{feature} >= {first:,}"
    return f"{feature} <= {last:,}"


def describe_rule(rule: Rule, integer_features: Mapping[str, Sequence[int]] | None = None) -> str:
    """One conjunction in plain language, e.g. ``income > 62,000 and children = 0``.

    Thresholds of whole-number columns (``integer_features``: name -> [min, max]) are exact
    whole numbers; others are rounded for reading (the SQL export keeps them exact)."""
    parts = []
    for feature, (low, high) in _bounds(rule).items():
        if feature in (integer_features or {}):
            text = _whole_condition(feature, low, high, integer_features[feature])
            if text is not None:
                parts.append(text)
        elif low is not None and high is not None:
            parts.append(f"{_number(low)} < {feature} <= {_number(high)}")
        elif low is not None:
            parts.append(f"{feature} > {_number(low)}")
        else:
            parts.append(f"{feature} <= {_number(high)}")
    return " and ".join(parts) if parts else "every customer"


# ---------------------------------------------------------------- SQL


def _sql_number(value: float) -> str:
    """The threshold exactly (``repr`` round-trips a float64; SQL reads it as a DOUBLE)."""
    return repr(float(value))


def where_clause(rules: Sequence[Rule]) -> str:
    """The rules as a SQL boolean expression on double-quoted column names (``FALSE`` when the
    segment has no rule)."""
    if not rules:
        return "FALSE"
    conjunctions = [
        " AND ".join(f"{quoted(feature)} {op} {_sql_number(t)}" for feature, op, t in rule)
        or "TRUE"
        for rule in rules
    ]
    return " OR ".join(f"({c})" for c in conjunctions)


def _features_block(
    features: Sequence[str],
    derived: Mapping[str, str],
    columns: Mapping[str, str],
    table: str,
    id_column: str,
) -> list[str]:
    """``WITH cleaned AS (...), features AS (...)``: the declared columns ``features`` need,
    read from ``table`` (``columns``: column -> SQL expression), then the ID and each feature
    (``derived``: feature -> SQL expression over those columns); a feature without an expression
    is read from ``table`` as the column of that name."""
    expressions = {feature: derived.get(feature, quoted(feature)) for feature in features}
    read = {
        name: expression
        for name, expression in columns.items()
        if any(quoted(name) in used for used in expressions.values())
    }
    read |= {feature: quoted(feature) for feature in features if feature not in derived}

    def select(pairs: Mapping[str, str], source: str) -> list[str]:
        selected = [f"    {quoted(id_column)}"]
        selected += [f"    {expression} AS {quoted(name)}" for name, expression in pairs.items()]
        return ["  SELECT", ",\n".join(selected), f"  FROM {source}"]

    return [
        "WITH cleaned AS (",
        *select(read, table),
        "), features AS (",
        *select(expressions, "cleaned"),
        ")",
    ]


def _used(rules: Sequence[Rule]) -> list[str]:
    """The features ``rules`` compare, in first-use order."""
    return list(dict.fromkeys(feature for rule in rules for feature, _, _ in rule))


def rules_sql(
    segment_rules: Mapping,
    names: Mapping[int, str],
    table: str,
    *,
    id_column: str = ID,
    derived: Mapping[str, str] | None = None,
    columns: Mapping[str, str] | None = None,
    note: Sequence[str] = (),
) -> str:
    """SQL applying the rules to ``table``: one ``SELECT`` with a ``CASE WHEN`` per segment in
    the stored precedence (``NULL`` when no rule matches), then one ``SELECT ... WHERE`` per
    segment. Each statement first reads the columns its rules need from ``table`` (``columns``:
    declared column -> its cleaned value as SQL) and computes the features from them
    (``derived``: feature -> SQL expression; core/features/feature_sql.py); a feature without
    an expression is read as a column of ``table`` of that name, and the header says so.
    ``id_column``: the customer ID column of ``table``, returned as it is. ``note``: comment
    lines for the header (how the expressions read the table). Statements end with ``;`` and
    each is preceded by ``--`` comments naming the segment and its measured fidelity."""
    derived, columns = derived or {}, columns or {}
    cards = {card["segment"]: card for card in segment_rules["segments"]}
    case = segment_rules["case"]
    every = _used([rule for card in cards.values() for rule in as_rules(card)])
    needed = [feature for feature in every if feature not in derived]
    lines = [
        f"-- Segment rules (shallow decision trees on the customer features), run on {table}.",
        "-- Each statement computes the features its rules compare from the table's own columns;",
        "-- thresholds exact. A customer several rules select goes to the first matching segment;",
        f"-- NULL where none matches ({case['unplaced']:.1%} of customers). The CASE places",
        f"-- {case['agreement']:.1%} of the segmented customers in their own segment.",
        *(f"-- {line}" for line in note),
    ]
    if needed:
        lines.append(
            f"-- {table} must also hold these derived columns (not computed from the declared "
            f"columns): {', '.join(needed)}."
        )
    lines += [
        *_features_block(every, derived, columns, table, id_column),
        f"SELECT {quoted(id_column)},",
        "  CASE",
    ]
    lines += [
        f"    WHEN {where_clause(as_rules(cards[s]))} THEN {s}" for s in segment_rules["case_order"]
    ]
    lines += ["  END AS segment", "FROM features;", ""]
    for segment, card in sorted(cards.items()):
        rules = as_rules(card)
        lines += [
            f"-- Segment {segment}: {names[segment]}. Fidelity {card['fidelity']:.1%} (customers "
            f"placed correctly in or out), precision {card['precision']:.1%}, recall "
            f"{card['recall']:.1%}.",
            *_features_block(_used(rules), derived, columns, table, id_column),
            f"SELECT {quoted(id_column)} FROM features",
            f"WHERE {where_clause(rules)};",
            "",
        ]
    return "\n".join(lines)
