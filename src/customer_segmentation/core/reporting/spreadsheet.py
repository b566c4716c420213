"""Tables that people open in a spreadsheet or load into a CRM: each customer's segment with its
name and recommended action (the membership export and the scoring output), and text cells that
cannot run as formulas."""

from collections.abc import Iterable, Mapping

import pandas as pd

from customer_segmentation.core.analysis.profiling import ID, SEGMENT
from customer_segmentation.errors import InputDataError

# OWASP "CSV injection": a spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# What a CRM row says of a customer's segment, after the customer's ID.
LABEL_COLUMNS = ["segment_id", "segment_name", "segment_action"]


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with text cells that cannot run as spreadsheet formulas (a copy if any changed).

    A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
    leading apostrophe (the OWASP rule), which spreadsheets show as text. Numeric columns are
    untouched, so a negative amount stays a number.
    """
    safe = frame
    for name in frame.columns:
        if not pd.api.types.is_string_dtype(frame[name]):
            continue
        risky = frame[name].str.startswith(FORMULA_PREFIXES, na=False)
        if risky.any():
            safe = safe.copy() if safe is frame else safe
            safe[name] = frame[name].mask(risky, "'" + frame[name])
    return safe


def segment_labels(segment_names: Mapping, segment_actions: Mapping) -> pd.DataFrame:
    """One row per segment of ``segment_names``: ``LABEL_COLUMNS``, text cells neutralised.

    ``segment_id`` is the segment number (int64); ``segment_name`` its name; ``segment_action``
    the text of its top-ranked action (``top_action`` in ``segment_actions``: its first entry in
    the report's "Do this first" list), else its first recommended action; empty when it has
    none.
    """
    first_action = {
        int(item["segment"]): item.get("top_action")
        or (item["actions"][0]["action"] if item["actions"] else "")
        for item in segment_actions["segments"]
    }
    segments = [int(item["segment"]) for item in segment_names["segments"]]
    labels = pd.DataFrame(
        {
            "segment_id": pd.Series(segments, dtype="int64"),
            "segment_name": pd.Series(
                [item["name"] for item in segment_names["segments"]], dtype="str"
            ),
            "segment_action": pd.Series(
                [first_action.get(segment, "") for segment in segments], dtype="str"
            ),
        }
    )
    return neutralise_formulas(labels)


def require_same_segments(labels: pd.DataFrame, segments: Iterable[int], model: str) -> None:
    """Raise ``InputDataError`` unless ``labels`` (``segment_labels``) name exactly the
    ``segments`` that ``model`` (a dataset name) places customers in: labels of another run would
    give customers the wrong names and actions."""
    named, placed = sorted(labels["segment_id"].tolist()), sorted(int(s) for s in segments)
    if named != placed:
        raise InputDataError(
            f"segment_names and segment_actions describe segments {named}, but {model} places "
            f"customers in segments {placed}: they come from different training runs. Run "
            "`kedro run` again, then score."
        )


def label_customers(customer_segments: pd.DataFrame, labels: pd.DataFrame) -> pd.DataFrame:
    """Each customer's segment as a CRM reads it: ``ID`` and ``LABEL_COLUMNS``.

    ``customer_segments``: ``ID`` (unique) and ``segment`` per customer, kept in its order;
    ``labels``: ``segment_labels``. Raises ``InputDataError`` on a missing column, a repeated
    ID, or a segment the labels do not name (the names come from another run).
    """
    for column in (ID, SEGMENT):
        if column not in customer_segments.columns:
            raise InputDataError(f"customer_segments: missing column {column!r}.")
    if not pd.Index(customer_segments[ID]).is_unique:  # no hashing when the IDs are sorted
        raise InputDataError("customer_segments: an ID appears twice; one segment per customer.")
    segments = {int(segment) for segment in customer_segments[SEGMENT].unique()}
    unnamed = sorted(segments - set(labels["segment_id"].tolist()))
    if unnamed:
        raise InputDataError(
            f"segment_names: no name for segment(s) {unnamed}; the names come from another "
            "training run than the segments. Run `kedro run` again."
        )
    by_segment = labels.set_index("segment_id")
    segment = customer_segments[SEGMENT]
    return pd.DataFrame(
        {
            ID: customer_segments[ID].to_numpy(),
            "segment_id": segment.to_numpy(dtype="int64"),
            # The mapped text columns as they are: through numpy they are rebuilt twice (5 s at
            # 10M customers).
            **{name: segment.map(by_segment[name]).array for name in LABEL_COLUMNS[1:]},
        }
    )
