"""The rule cards' rules applied in numpy: the reference the engine's counts and the exported
SQL are checked against (float64 comparisons, as SQL makes them)."""

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from customer_segmentation.core.analysis.rule_cards import Rule, as_rules

OPERATORS = {"<=": np.less_equal, ">": np.greater}


def rule_mask(table: pd.DataFrame, rules: Sequence[Rule]) -> np.ndarray:
    """Bool per row of ``table``: whether any rule's conditions all hold."""
    selected = np.zeros(len(table), dtype=bool)
    for rule in rules:
        holds = np.ones(len(table), dtype=bool)
        for feature, op, threshold in rule:
            holds &= OPERATORS[op](table[feature].to_numpy(dtype="float64"), threshold)
        selected |= holds
    return selected


def case_segments(
    table: pd.DataFrame, cards: Sequence[Mapping], order: Sequence[int]
) -> np.ndarray:
    """Segment per row by the rules in ``order`` (first match wins), 0 where none matches."""
    by_segment = {card["segment"]: as_rules(card) for card in cards}
    return np.select(
        [rule_mask(table, by_segment[segment]) for segment in order], list(order), default=0
    )
