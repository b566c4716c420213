"""A 20k-row sample matches the real file's marginals and correlations within tolerances."""

from pathlib import Path

import pandas as pd
import pytest

from tools.doc_blocks import read_block
from tools.synthetic.calibration import REAL_TARGETS, compare, markdown, summarize

PAGE = Path(__file__).resolve().parents[3] / "docs" / "synthetic_data.md"


@pytest.fixture(scope="module")
def comparison(synthetic_raw) -> pd.DataFrame:
    return compare(synthetic_raw)


def test_every_target_is_measured(synthetic_raw):
    assert set(REAL_TARGETS) <= set(summarize(synthetic_raw))


@pytest.mark.parametrize("statistic", list(REAL_TARGETS))
def test_statistic_is_within_tolerance(comparison, statistic):
    row = comparison.set_index("statistic").loc[statistic]
    assert abs(row["synthetic"] - row["real"]) <= row["tolerance"], row.to_dict()


def test_key_correlations_have_the_real_sign(comparison):
    signs = comparison.set_index("statistic")
    for name in ("corr_income_spend", "corr_income_catalog", "corr_kids_deals"):
        assert signs.loc[name, "synthetic"] > 0.3
    for name in ("corr_kids_spend", "corr_income_webvisits", "corr_recency_response"):
        assert signs.loc[name, "synthetic"] < -0.1


def test_spend_has_a_heavy_right_tail(synthetic_raw):
    for column in ("MntWines", "MntMeatProducts", "MntGoldProds"):
        values = synthetic_raw[column]
        assert values.mean() > 1.2 * values.median()
        assert values.skew() > 1.0


def test_the_docs_table_is_this_sample_s_comparison(comparison):
    assert read_block(PAGE.read_text(), "calibration") == markdown(comparison), (
        "stale table: run `python -m tools.synthetic.calibration docs/synthetic_data.md`"
    )
