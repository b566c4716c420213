"""Dirt is planted at the configured rates, and can be switched off."""

import numpy as np
import pandas as pd
import pytest

from tools.synthetic import DirtSettings, generate_frame
from tools.synthetic.schema import EDUCATION_LEVELS, MARITAL_STATUSES

ROWS = 20_000
DEFAULT = DirtSettings()


def expected(rate: float) -> set[int]:
    """Counts are rate x rows rounded up or down (one block)."""
    return {int(np.floor(rate * ROWS)), int(np.ceil(rate * ROWS))}


def _messy(values: pd.Series, levels) -> pd.Series:
    canonical = values.str.strip().str.lower().isin([level.lower() for level in levels])
    return canonical & ~values.isin(levels)


def test_default_dirt_is_present_at_its_rates(synthetic_raw):
    """Duplicated rows copy their source's dirt, so a count may exceed its rate by the copies."""
    raw = synthetic_raw
    copies = int(raw.duplicated().sum()) + int(raw["ID"].duplicated().sum())
    found = {
        "missing_income_rate": raw["Income"].isna(),
        "absurd_income_rate": raw["Income"] == DEFAULT.absurd_income_value,
        "absurd_birth_year_rate": raw["Year_Birth"] < 1901,
        "odd_marital_rate": raw["Marital_Status"].isin(["Alone", "Absurd", "YOLO"]),
        "messy_education_rate": _messy(raw["Education"], EDUCATION_LEVELS),
        "messy_marital_rate": _messy(raw["Marital_Status"], MARITAL_STATUSES),
    }
    for rate_name, rows in found.items():
        low, high = (
            min(expected(getattr(DEFAULT, rate_name))),
            max(expected(getattr(DEFAULT, rate_name))),
        )
        assert low <= int(rows.sum()) <= high + copies, rate_name


@pytest.mark.parametrize(
    ("rate_name", "count_rows"),
    [
        ("missing_income_rate", lambda raw: raw["Income"].isna()),
        ("absurd_income_rate", lambda raw: raw["Income"] == 666_666),
        ("absurd_birth_year_rate", lambda raw: raw["Year_Birth"] < 1901),
        ("odd_marital_rate", lambda raw: raw["Marital_Status"].isin(["Alone", "Absurd", "YOLO"])),
        ("messy_education_rate", lambda raw: _messy(raw["Education"], EDUCATION_LEVELS)),
        ("messy_marital_rate", lambda raw: _messy(raw["Marital_Status"], MARITAL_STATUSES)),
    ],
)
def test_each_kind_alone_hits_exactly_its_rate(rate_name, count_rows):
    rate = 0.01
    settings = DirtSettings(**{**vars(DirtSettings.clean()), rate_name: rate})
    raw, _ = generate_frame(ROWS, 3, settings)
    assert int(count_rows(raw).sum()) in {int(np.floor(rate * ROWS)), int(np.ceil(rate * ROWS))}


def test_duplicates_and_repeated_ids(synthetic_raw, synthetic_truth):
    exact_copies = int(synthetic_raw.duplicated().sum())
    repeated_ids = int(synthetic_raw["ID"].duplicated().sum()) - exact_copies
    assert exact_copies in expected(DEFAULT.duplicate_row_rate)
    assert repeated_ids in expected(DEFAULT.repeated_id_rate)
    # A repeated ID is the same customer: one planted segment per ID.
    assert (synthetic_truth.groupby("ID")["segment"].nunique() == 1).all()


def test_clean_settings_plant_nothing():
    raw, _ = generate_frame(5_000, 4, DirtSettings.clean())
    assert raw["Income"].notna().all()
    assert raw["Income"].max() < 200_000 and raw["Year_Birth"].min() >= 1940
    assert raw["Education"].isin(EDUCATION_LEVELS).all()
    assert raw["Marital_Status"].isin(MARITAL_STATUSES).all()
    assert raw["ID"].is_unique


def test_invalid_rates_are_refused():
    with pytest.raises(ValueError, match="rates must lie in"):
        DirtSettings(missing_income_rate=1.5)
    with pytest.raises(ValueError, match="touch"):
        DirtSettings(missing_income_rate=0.6, odd_marital_rate=0.5)
