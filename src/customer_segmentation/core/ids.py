"""Customer ID order: every table is written in ID order, so that case is checked first."""

import numpy as np


def strictly_increasing(ids: np.ndarray) -> bool:
    """Whether numeric IDs are sorted and unique: one O(n) pass, before any sort or hash."""
    return ids.dtype.kind in "iuf" and bool(np.all(ids[1:] > ids[:-1]))
