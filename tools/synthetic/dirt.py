"""Realistic dirt planted into clean synthetic customers, each kind at its own rate.

Default rates copy the real file where it has the fault (24 missing incomes, 3 birth years
before 1901, one income of 666666 and 7 odd marital statuses in 2,240 rows) and are small but
non-zero where it does not (stray whitespace/case, duplicate rows, repeated IDs).
Counts per block are ``rate x rows`` rounded up or down at random, so they hold at any size.
"""

from collections.abc import Callable
from dataclasses import dataclass, fields

import numpy as np

from tools.synthetic.schema import (
    EDUCATION_LEVELS,
    MARITAL_STATUSES,
    ODD_MARITAL_STATUSES,
    SPEND_COLUMNS,
)
from tools.synthetic.segments import RECENCY_MAX

ABSURD_BIRTH_YEARS = (1893, 1900)  # inclusive range, as in the real file (1893, 1899, 1900)
ODD_MARITAL_WEIGHTS = (3, 2, 2)  # Alone, Absurd, YOLO as counted in the real file
SNAPSHOT_SPEND_FACTOR = (0.5, 0.95)  # a repeated ID's older record shows this share of spend

# Ways a category gets mistyped: each maps the canonical spelling to a messy one.
MESSY_STYLES: tuple[Callable[[str], str], ...] = (
    lambda value: " " + value.lower(),
    lambda value: value.upper() + " ",
    lambda value: value + " ",
    lambda value: value.lower(),
)


@dataclass(frozen=True)
class DirtSettings:
    """Share of rows that receive each kind of dirt (0 turns a kind off)."""

    missing_income_rate: float = 0.0107
    absurd_birth_year_rate: float = 0.0013
    absurd_income_rate: float = 0.00045
    absurd_income_value: int = 666_666
    odd_marital_rate: float = 0.0031
    messy_education_rate: float = 0.005
    messy_marital_rate: float = 0.005
    duplicate_row_rate: float = 0.002
    repeated_id_rate: float = 0.001

    def __post_init__(self) -> None:
        rates = {f.name: getattr(self, f.name) for f in fields(self) if f.name.endswith("_rate")}
        bad = {name: rate for name, rate in rates.items() if not 0.0 <= rate <= 1.0}
        if bad:
            raise ValueError(f"DirtSettings: rates must lie in [0, 1]; got {bad}.")
        # Duplicates and repeated IDs each use two rows (source and copy).
        used = sum(rates.values()) + self.duplicate_row_rate + self.repeated_id_rate
        if used > 1.0:
            raise ValueError(f"DirtSettings: the rates touch {used:.0%} of rows; keep it <= 100%.")

    @classmethod
    def clean(cls) -> "DirtSettings":
        """No dirt at all."""
        return cls(**{f.name: 0.0 for f in fields(cls) if f.name.endswith("_rate")})


def text_vocabulary(levels: tuple[str, ...], extra: tuple[str, ...] = ()) -> list[str]:
    """Canonical values, then ``extra`` values, then every messy variant of the canonical ones."""
    messy = [style(value) for style in MESSY_STYLES for value in levels]
    return [*levels, *extra, *messy]


EDUCATION_VOCABULARY = text_vocabulary(EDUCATION_LEVELS)
MARITAL_VOCABULARY = text_vocabulary(MARITAL_STATUSES, ODD_MARITAL_STATUSES)


def _count(rng: np.random.Generator, rate: float, rows: int) -> int:
    """``rate x rows`` rounded at random so that the expected count is exact."""
    expected = rate * rows
    return int(np.floor(expected + rng.random()))


def _messy_codes(rng: np.random.Generator, codes: np.ndarray, levels: int, offset: int):
    """Move canonical codes to one of their messy variants (stored after ``offset`` values)."""
    style = rng.integers(0, len(MESSY_STYLES), size=codes.size)
    return offset + style * levels + codes


def apply_dirt(
    rng: np.random.Generator, columns: dict[str, np.ndarray], settings: DirtSettings
) -> np.ndarray:
    """Plant dirt in place into one block of columns; return the mask of missing incomes.

    ``columns`` holds numeric columns plus ``Education``/``Marital_Status`` as codes into
    ``EDUCATION_VOCABULARY``/``MARITAL_VOCABULARY`` and ``segment`` (copied with duplicated
    rows, so a repeated ID always keeps one segment). Every kind of dirt hits distinct rows.
    """
    rows = columns["ID"].size
    counts = {
        "missing_income": _count(rng, settings.missing_income_rate, rows),
        "absurd_birth_year": _count(rng, settings.absurd_birth_year_rate, rows),
        "absurd_income": _count(rng, settings.absurd_income_rate, rows),
        "odd_marital": _count(rng, settings.odd_marital_rate, rows),
        "messy_education": _count(rng, settings.messy_education_rate, rows),
        "messy_marital": _count(rng, settings.messy_marital_rate, rows),
        "duplicate_source": _count(rng, settings.duplicate_row_rate, rows),
        "repeated_source": _count(rng, settings.repeated_id_rate, rows),
    }
    counts["duplicate_copy"] = counts["duplicate_source"]
    counts["repeated_copy"] = counts["repeated_source"]
    chosen = rng.permutation(rows)
    picks: dict[str, np.ndarray] = {}
    start = 0
    for kind, count in counts.items():
        picks[kind] = np.sort(chosen[start : start + count])
        start += count
    # Tiny blocks may run out of rows: a copy needs as many sources.
    for kind in ("duplicate", "repeated"):
        pairs = min(picks[f"{kind}_source"].size, picks[f"{kind}_copy"].size)
        picks[f"{kind}_source"] = picks[f"{kind}_source"][:pairs]
        picks[f"{kind}_copy"] = picks[f"{kind}_copy"][:pairs]

    missing_income = np.zeros(rows, dtype=bool)
    missing_income[picks["missing_income"]] = True
    low, high = ABSURD_BIRTH_YEARS
    birth = picks["absurd_birth_year"]
    columns["Year_Birth"][birth] = rng.integers(low, high + 1, size=birth.size)
    columns["Income"][picks["absurd_income"]] = settings.absurd_income_value
    odd = picks["odd_marital"]
    weights = np.array(ODD_MARITAL_WEIGHTS) / sum(ODD_MARITAL_WEIGHTS)
    columns["Marital_Status"][odd] = len(MARITAL_STATUSES) + rng.choice(
        len(ODD_MARITAL_STATUSES), size=odd.size, p=weights
    )
    education = picks["messy_education"]
    columns["Education"][education] = _messy_codes(
        rng, columns["Education"][education], len(EDUCATION_LEVELS), len(EDUCATION_LEVELS)
    )
    marital = picks["messy_marital"]
    columns["Marital_Status"][marital] = _messy_codes(
        rng,
        columns["Marital_Status"][marital],
        len(MARITAL_STATUSES),
        len(MARITAL_STATUSES) + len(ODD_MARITAL_STATUSES),
    )

    # Row-level dirt last, so an exact duplicate repeats the (possibly dirty) source byte for byte.
    source, copy = picks["duplicate_source"], picks["duplicate_copy"]
    for values in columns.values():
        values[copy] = values[source]
    missing_income[copy] = missing_income[source]
    # A repeated ID is the same customer recorded again: an older snapshot with less activity.
    source, copy = picks["repeated_source"], picks["repeated_copy"]
    for values in columns.values():
        values[copy] = values[source]
    missing_income[copy] = missing_income[source]
    columns["Recency"][copy] = rng.integers(0, RECENCY_MAX + 1, size=copy.size)
    for name in SPEND_COLUMNS:
        shrink = rng.uniform(*SNAPSHOT_SPEND_FACTOR, size=copy.size)
        columns[name][copy] = np.floor(columns[name][copy] * shrink).astype(np.int64)
    return missing_income
