"""Pre-flight refusals: too few customers, too few distinct ones, for the k range."""

import pandas as pd
import pytest

from customer_segmentation.core.clustering.preflight import (
    PROBE_ROWS,
    distinct_rows,
    require_customers_for_k,
    require_distinct_model_input,
)
from customer_segmentation.errors import InputDataError

SOURCE = "data/01_raw/customers.csv"


def _customers(contents: list[int]) -> pd.DataFrame:
    """One customer per entry; the entry is their Income (the only input column here)."""
    return pd.DataFrame({"ID": range(len(contents)), "Income": contents})


def test_enough_distinct_customers_pass():
    require_customers_for_k(_customers(list(range(11))), ["Income"], 10, SOURCE, {})
    require_distinct_model_input(_customers(list(range(11))), 10, SOURCE)


def test_too_few_kept_customers_name_the_file_the_numbers_and_the_rejections():
    with pytest.raises(InputDataError) as refused:
        require_customers_for_k(
            _customers([1, 2, 3, 4]), ["Income"], 10, SOURCE, {"exact_duplicates": 7, "age": 0}
        )

    assert str(refused.value) == (
        f"{SOURCE}: only 4 customer(s) kept after cleaning (11 rows in; rejected by rule: "
        "exact_duplicates 7); clustering.k_range.max = 10 needs at least 11 distinct customers "
        "(k_range.max + 1). Nothing was written past 02_intermediate's typed table. To run: "
        "lower clustering.k_range.max (e.g. `kedro run --params clustering.k_range.max=3`), or "
        "provide more customers."
    )


def test_customers_differing_only_in_id_count_once():
    with pytest.raises(InputDataError, match=r"20 customers kept.*only 2 differ.*provide more"):
        require_customers_for_k(_customers([5, 6] * 10), ["Income"], 10, SOURCE, {})


@pytest.mark.parametrize(("k_max", "refused"), [(3, False), (4, True)])
def test_the_k_range_needs_k_max_plus_one_distinct_customers(k_max, refused):
    customers = _customers([1, 2, 3, 4, 4])
    if refused:
        with pytest.raises(InputDataError, match="only 4 differ"):
            require_customers_for_k(customers, ["Income"], k_max, SOURCE, {})
    else:
        require_customers_for_k(customers, ["Income"], k_max, SOURCE, {})


def test_a_model_input_with_repeated_rows_is_refused():
    model_input = pd.DataFrame({"ID": range(30), "pc1": [0.0, 1.0, 2.0] * 10})

    with pytest.raises(InputDataError, match=r"30 customers, but only 3 distinct rows.*max=2"):
        require_distinct_model_input(model_input, 10, SOURCE)


def test_distinct_rows_past_the_probed_rows_count():
    # The probed first rows repeat one value; the rest of the table makes the difference.
    repeated = [7] * PROBE_ROWS
    require_customers_for_k(_customers(repeated + list(range(11))), ["Income"], 10, SOURCE, {})
    with pytest.raises(InputDataError, match=rf"{PROBE_ROWS + 3} customers kept.*only 4 differ"):
        require_customers_for_k(_customers(repeated + [1, 2, 3]), ["Income"], 10, SOURCE, {})


def test_the_distinct_count_is_exact_up_to_enough_and_above_it_past():
    table = _customers(list(range(3)) * PROBE_ROWS)

    assert distinct_rows(table, ["Income"], enough=3) == 3
    assert distinct_rows(table, ["Income"], enough=2) > 2
    assert distinct_rows(table, ["ID"], enough=10) > 10
