"""The recovery suite's tables are in the raw file's schema, with the truth they claim."""

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import recovery_generators as gen  # noqa: E402

REAL_HEADER = Path(__file__).resolve().parents[3] / "shared" / "data" / "marketing_campaign.csv"
GENERATORS = {
    "personas": lambda: gen.personas(3_000, 5, 1, uneven=0.5),
    "latent": lambda: gen.latent(3_000, 4, 2, separation=4.0),
    "project": lambda: gen.project(3_000, 3),
    "independent": lambda: gen.independent(3_000, 4),
    "gaussian": lambda: gen.latent(3_000, 1, 5),
}


@pytest.mark.parametrize("name", GENERATORS)
def test_tables_are_in_the_raw_schema_with_truth_per_id(name):
    raw, truth = GENERATORS[name]()
    assert list(raw.columns) == gen.RAW_COLUMNS and len(gen.RAW_COLUMNS) == 29
    dates = pd.to_datetime(raw["Dt_Customer"], format="%d-%m-%Y", errors="coerce")
    assert dates.notna().mean() > 0.99  # day-first text, as in the real file
    assert truth.index.isin(raw["ID"]).all()
    clean = raw[raw["NumDealsPurchases"].astype(float).notna()]
    purchases = clean[["NumWebPurchases", "NumCatalogPurchases", "NumStorePurchases"]].sum(axis=1)
    if name != "project":  # the project's generator has its own (documented) dirt
        assert (clean["NumDealsPurchases"] <= purchases).all()


def test_planted_sizes_and_controls():
    _, truth = gen.personas(3_000, 5, 1, uneven=0.5)
    sizes = truth.value_counts().sort_index().to_numpy()
    assert len(sizes) == 5 and sizes[0] > 3 * sizes[-1]  # unequal segment sizes
    for make in (GENERATORS["independent"], GENERATORS["gaussian"]):
        assert set(make()[1]) == {0}  # structureless: one "segment"


@pytest.mark.skipif(not REAL_HEADER.exists(), reason="the real file is not on this machine")
def test_shuffled_real_keeps_every_column_and_breaks_rows():
    raw, _ = gen.shuffled_real(REAL_HEADER, 1)
    real = pd.read_csv(REAL_HEADER, sep="\t", dtype=str, keep_default_na=False)
    assert list(raw.columns) == list(real.columns)
    for column in real.columns:
        assert sorted(raw[column]) == sorted(real[column])
    assert np.mean(raw["Income"].to_numpy() == real["Income"].to_numpy()) < 0.05
