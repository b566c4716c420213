"""Pre-flight checks: refuse a table that cannot be segmented before its outputs are saved.

Clustering chooses k in ``k_range.min..k_range.max`` and scores every k, so it needs more
customers than ``k_range.max``, that many *different* customers, and at least one feature that
varies. Left to scikit-learn, such tables fail deep in clustering ("Found array with 0
feature(s)") after earlier layers were written. These functions take a node's tables and raise
``InputDataError`` naming the file, the numbers and the fix. Where each one fires and what has
been written by then: docs/data_contract.md, "What a refused run has written".
"""

from collections.abc import Mapping, Sequence

import pandas as pd

from customer_segmentation.errors import InputDataError

# Rows hashed first when counting distinct rows. A refusal needs at most k_range.max + 1 distinct
# rows, which the first rows of a real table almost always hold; hashing all 10M rows of the
# cleaned table took 17-30 s of a 10M run.
PROBE_ROWS = 10_000


def _too_few(source: str, found: str, usable: int, k_max: int, written: str) -> InputDataError:
    """The message for ``usable`` (distinct) customers when the k range needs k_max + 1."""
    fix = "provide more customers"
    if usable >= 3:  # k_range.min is at least 2, so k_range.max = usable - 1 is a valid range
        fix = (
            "lower clustering.k_range.max (e.g. `kedro run --params "
            f"clustering.k_range.max={usable - 1}`), or " + fix
        )
    return InputDataError(
        f"{source}: {found}; clustering.k_range.max = {k_max} needs at least {k_max + 1} distinct "
        f"customers (k_range.max + 1). {written} To run: {fix}."
    )


def distinct_rows(frame: pd.DataFrame, columns: Sequence[str], enough: int) -> int:
    """Number of distinct rows of ``frame[columns]``: exact when it is at most ``enough``, else
    some number above ``enough`` (the count in the first ``PROBE_ROWS`` rows, which already
    settles that the table has more than ``enough``)."""
    found = len(frame.head(PROBE_ROWS)[list(columns)].drop_duplicates())
    if found > enough or len(frame) <= PROBE_ROWS:
        return found
    return len(frame[list(columns)].drop_duplicates())


def require_customers_for_k(
    customers: pd.DataFrame,
    input_columns: Sequence[str],
    k_max: int,
    source: str,
    rejected: Mapping[str, int],
) -> None:
    """Refuse fewer kept customers, or fewer distinct ones, than the k range needs.

    ``customers``: the kept customers (one row each); ``input_columns``: the columns the features
    are computed from (not ID); ``rejected``: rows rejected by each cleaning rule, for the
    message (the refusal stops the run before the rejected rows' file is written). Rows equal on
    all input columns get equal features, so their distinct count is an upper bound of the
    distinct feature rows: a refusal here is always right. It hashes the first ``PROBE_ROWS``
    rows, and all of them only when those hold too few distinct rows.
    """
    written = "Nothing was written past 02_intermediate's typed table."
    kept = len(customers)
    if kept <= k_max:
        reasons = ", ".join(f"{rule} {rows}" for rule, rows in rejected.items() if rows)
        found = (
            f"only {kept} customer(s) kept after cleaning ({kept + sum(rejected.values())} rows "
            f"in; rejected by rule: {reasons or 'none'})"
        )
        raise _too_few(source, found, kept, k_max, written)
    distinct = distinct_rows(customers, input_columns, k_max)
    if distinct <= k_max:
        found = (
            f"{kept} customers kept after cleaning, but only {distinct} differ in the columns the "
            "features are computed from (the others repeat them with another ID)"
        )
        raise _too_few(source, found, distinct, k_max, written)


def require_features(kept: Sequence[str], dropped: Mapping[str, str], rows: int, source: str):
    """Refuse a design table whose every feature was dropped (all missing or zero variance)."""
    if kept:
        return
    reasons = "; ".join(f"{name}: {why}" for name, why in dropped.items())
    raise InputDataError(
        f"{source}: every feature of the {rows} customers was left out ({reasons}), so the model "
        "input would have 0 columns and no customer can be told apart. Nothing was written past "
        "03_primary. To run: provide customers that differ in these features, or list other "
        "features in feature_engineering.preprocessing.features."
    )


def require_distinct_model_input(model_input: pd.DataFrame, k_max: int, source: str) -> None:
    """Refuse a model input (``ID`` plus one column per dimension) with fewer distinct rows than
    the k range needs."""
    features = [column for column in model_input.columns if column != "ID"]
    distinct = distinct_rows(model_input, features, k_max)
    if distinct <= k_max:
        found = f"{len(model_input)} customers, but only {distinct} distinct rows of model input"
        raise _too_few(source, found, distinct, k_max, "Nothing was written past 03_primary.")
