"""Text cells neutralised against spreadsheet formula injection (the CSV dataset's save is tested
in tests/datasets/test_atomic.py), and each customer's segment labels as a CRM reads them."""

import pandas as pd
import pytest

from customer_segmentation.core.reporting.spreadsheet import (
    LABEL_COLUMNS,
    label_customers,
    neutralise_formulas,
    require_same_segments,
    segment_labels,
)
from customer_segmentation.errors import InputDataError


def test_risky_text_gets_a_leading_apostrophe_and_numbers_stay_numbers():
    frame = pd.DataFrame({"name": ["=1+1", "-x", "plain", None], "n": [-1, 2, 3, 4]}, dtype=object)
    frame["name"] = frame["name"].astype("str")

    safe = neutralise_formulas(frame)

    assert safe["name"].tolist()[:3] == ["'=1+1", "'-x", "plain"]
    assert safe["n"].tolist() == [-1, 2, 3, 4]
    assert frame["name"].tolist()[0] == "=1+1"  # the caller's frame is unchanged


def test_neutralise_formulas_returns_the_same_frame_when_nothing_is_risky():
    frame = pd.DataFrame({"name": ["a", "b"], "n": [-1, 2]})

    assert neutralise_formulas(frame) is frame


NAMES = {"segments": [{"segment": 1, "name": "Loyal"}, {"segment": 2, "name": "=cmd|x"}]}
ACTIONS = {
    "segments": [
        {"segment": 1, "actions": [{"action": "Email first."}, {"action": "Then a catalogue."}]},
        {"segment": 2, "actions": []},
    ]
}


def test_labels_carry_each_segments_name_and_first_action_made_safe():
    labels = segment_labels(NAMES, ACTIONS)

    assert labels.to_dict("records") == [
        {"segment_id": 1, "segment_name": "Loyal", "segment_action": "Email first."},
        {"segment_id": 2, "segment_name": "'=cmd|x", "segment_action": ""},
    ]


def test_each_customer_gets_the_labels_of_their_segment_in_the_input_order():
    segments = pd.DataFrame({"ID": [30, 10, 20], "segment": [2, 1, 2]})

    table = label_customers(segments, segment_labels(NAMES, ACTIONS))

    assert list(table.columns) == ["ID", *LABEL_COLUMNS]
    assert table["ID"].tolist() == [30, 10, 20]
    assert table["segment_id"].tolist() == [2, 1, 2]
    assert table["segment_name"].tolist() == ["'=cmd|x", "Loyal", "'=cmd|x"]
    assert table["segment_action"].tolist() == ["", "Email first.", ""]


def test_labelling_refuses_unnamed_segments_repeated_ids_and_missing_columns():
    labels = segment_labels(NAMES, ACTIONS)
    with pytest.raises(InputDataError, match=r"no name for segment\(s\) \[3\].*kedro run"):
        label_customers(pd.DataFrame({"ID": [1, 2], "segment": [1, 3]}), labels)
    with pytest.raises(InputDataError, match="appears twice"):
        label_customers(pd.DataFrame({"ID": [1, 1], "segment": [1, 2]}), labels)
    with pytest.raises(InputDataError, match="missing column 'segment'"):
        label_customers(pd.DataFrame({"ID": [1]}), labels)


def test_labels_of_another_run_than_the_models_are_refused():
    labels = segment_labels(NAMES, ACTIONS)
    require_same_segments(labels, [2, 1], "segmentation_model")  # the same segments: no error
    with pytest.raises(
        InputDataError, match=r"segments \[1, 2\], but segmentation_model .*\[1, 2, 3\]"
    ):
        require_same_segments(labels, [1, 2, 3], "segmentation_model")
