"""Text cells neutralised against spreadsheet formula injection (the CSV dataset's save is tested
in tests/datasets/test_atomic.py)."""

import pandas as pd

from customer_segmentation.core.reporting.spreadsheet import neutralise_formulas


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
