"""Customer IDs: kept as the text the file holds, and one order for every table keyed by them.

An ID is any text (``C104392``, ``000417``) or a whole number written as text; it is never cast
to a number, so leading zeros and letters survive every layer. Tables keyed by the ID are sorted
in *ID order*: shorter IDs first, then by text (code points). For IDs that are plain numbers
without leading zeros this is their numeric order, and for zero-padded or prefixed IDs of one
length it is their alphabetical order, so `C0002` follows `C0001` and `10` follows `9`.
"""

import numpy as np
import pandas as pd


def _text_and_length(ids: pd.Series | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    text = pd.Series(ids, copy=False).astype("str")
    return text.to_numpy(dtype=object), text.str.len().to_numpy(dtype=np.int64)


def id_order(ids: pd.Series | np.ndarray) -> np.ndarray:
    """Positions that put ``ids`` in ID order (stable: equal IDs keep their order)."""
    text, length = _text_and_length(ids)
    by_text = np.argsort(text, kind="stable")
    return by_text[np.argsort(length[by_text], kind="stable")]


def in_id_order(ids: pd.Series | np.ndarray) -> bool:
    """True when ``ids`` are already in ID order (non-decreasing), without sorting them."""
    text, length = _text_and_length(ids)
    if len(text) < 2:  # noqa: PLR2004 - zero or one ID is in order
        return True
    longer = length[1:] > length[:-1]
    same_length = length[1:] == length[:-1]
    return bool(np.all(longer | (same_length & (text[1:] >= text[:-1]))))


def id_rank(ids: pd.Series | np.ndarray) -> np.ndarray:
    """Each ID's position in ID order (0 = first), e.g. to find a group's smallest ID."""
    rank = np.empty(len(ids), dtype=np.int64)
    rank[id_order(ids)] = np.arange(len(ids))
    return rank
