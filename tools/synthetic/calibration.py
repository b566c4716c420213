"""Calibration targets: statistics of the real customer file the generator is tuned to match.

``summarize`` measures a raw customer table (as read by ``pandas.read_csv(sep="\\t")``) on its
plausible rows: Income present and below ``PLAUSIBLE_INCOME_MAX``, Year_Birth at least
``PLAUSIBLE_BIRTH_YEAR_MIN``; text columns are compared after stripping and title-casing.
``REAL_TARGETS`` holds what ``summarize`` returns for the real file
(``marketing_campaign.csv``, 2,240 rows, 2,212 plausible) and ``TOLERANCES`` how far a synthetic
sample of ~20k rows may stray from each target (absolute difference) in the tests.
"""

import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from tools.doc_blocks import replace_block
from tools.synthetic.generator import write_synthetic
from tools.synthetic.schema import (
    CAMPAIGN_COLUMNS,
    CHANNEL_COLUMNS,
    EDUCATION_LEVELS,
    MARITAL_STATUSES,
    SPEND_COLUMNS,
)

PLAUSIBLE_INCOME_MAX = 600_000
PLAUSIBLE_BIRTH_YEAR_MIN = 1920
ENROLMENT_END = pd.Timestamp("2014-06-29")
# The synthetic sample the tests check and docs/synthetic_data.md shows (default dirt).
SAMPLE_ROWS, SAMPLE_SEED = 20_000, 7

# Measured with summarize(pd.read_csv("marketing_campaign.csv", sep="\t")) on the real file.
REAL_TARGETS: dict[str, float] = {
    "income_median": 51371.0,
    "income_mean": 51958.8,
    "income_sd": 21527.3,
    "year_birth_mean": 1968.9,
    "year_birth_sd": 11.7,
    "kidhome_0": 0.5791,
    "kidhome_1": 0.4001,
    "kidhome_2": 0.0208,
    "teenhome_0": 0.5172,
    "teenhome_1": 0.4598,
    "teenhome_2": 0.0231,
    "enrolled_2012": 0.2215,
    "enrolled_2013": 0.5289,
    "enrolled_2014": 0.2495,
    "recency_mean": 49.02,
    "total_spend_mean": 607.3,
    "total_spend_median": 397.0,
    "MntWines_mean": 305.3,
    "MntWines_median": 175.5,
    "MntWines_p90": 823.0,
    "MntFruits_mean": 26.33,
    "MntFruits_median": 8.0,
    "MntFruits_p90": 82.9,
    "MntMeatProducts_mean": 167.0,
    "MntMeatProducts_median": 68.0,
    "MntMeatProducts_p90": 499.0,
    "MntFishProducts_mean": 37.65,
    "MntFishProducts_median": 12.0,
    "MntFishProducts_p90": 120.9,
    "MntSweetProducts_mean": 27.05,
    "MntSweetProducts_median": 8.0,
    "MntSweetProducts_p90": 89.0,
    "MntGoldProds_mean": 43.93,
    "MntGoldProds_median": 24.5,
    "MntGoldProds_p90": 121.0,
    "NumDealsPurchases_mean": 2.32,
    "NumWebPurchases_mean": 4.09,
    "NumCatalogPurchases_mean": 2.67,
    "NumStorePurchases_mean": 5.81,
    "NumWebVisitsMonth_mean": 5.32,
    "AcceptedCmp1_rate": 0.0642,
    "AcceptedCmp2_rate": 0.0136,
    "AcceptedCmp3_rate": 0.0737,
    "AcceptedCmp4_rate": 0.0741,
    "AcceptedCmp5_rate": 0.0728,
    "Response_rate": 0.1505,
    "Complain_rate": 0.009,
    "education_Graduation": 0.5041,
    "education_PhD": 0.217,
    "education_Master": 0.165,
    "education_2n Cycle": 0.0895,
    "education_Basic": 0.0244,
    "marital_Married": 0.3874,
    "marital_Together": 0.2581,
    "marital_Single": 0.2125,
    "marital_Divorced": 0.1044,
    "marital_Widow": 0.0344,
    "corr_income_spend": 0.793,
    "corr_kids_spend": -0.5,
    "corr_kidhome_spend": -0.558,
    "corr_income_webvisits": -0.65,
    "corr_income_catalog": 0.697,
    "corr_kids_deals": 0.436,
    "corr_income_kidhome": -0.515,
    "corr_recency_response": -0.2,
    "corr_campaigns_response": 0.427,
    "corr_tenure_spend": 0.159,
}

TOLERANCES: dict[str, float] = {
    "income_median": 3000.0,
    "income_mean": 3000.0,
    "income_sd": 3000.0,
    "year_birth_mean": 1.5,
    "year_birth_sd": 1.5,
    "total_spend_mean": 60.0,
    "total_spend_median": 80.0,
    "recency_mean": 2.0,
}
# Shares get a quarter of their value, between 0.004 (rare events) and 0.03 (common ones).
RATE_TOLERANCE_SHARE, RATE_TOLERANCE_MIN, RATE_TOLERANCE_MAX = 0.25, 0.004, 0.03
DEFAULT_CORRELATION_TOLERANCE = 0.10
DEFAULT_RELATIVE_TOLERANCE = 0.20


def tolerance(name: str, target: float) -> float:
    """Absolute tolerance allowed for one statistic in the marginal tests."""
    if name in TOLERANCES:
        return TOLERANCES[name]
    if name.startswith("corr_"):
        return DEFAULT_CORRELATION_TOLERANCE
    if 0.0 <= target <= 1.0:
        return min(RATE_TOLERANCE_MAX, max(RATE_TOLERANCE_MIN, RATE_TOLERANCE_SHARE * target))
    return DEFAULT_RELATIVE_TOLERANCE * abs(target)


def plausible_rows(raw: pd.DataFrame) -> pd.DataFrame:
    """Rows with a present, plausible Income and birth year: the population of the targets."""
    income = pd.to_numeric(raw["Income"], errors="coerce")
    keep = income.notna() & (income < PLAUSIBLE_INCOME_MAX)
    keep &= raw["Year_Birth"] >= PLAUSIBLE_BIRTH_YEAR_MIN
    return raw.loc[keep].assign(Income=income[keep])


def _canonical(values: pd.Series, known: tuple[str, ...]) -> pd.Series:
    """Known spellings despite stray whitespace and case; anything else stays as written."""
    lookup = {value.lower(): value for value in known}
    cleaned = values.str.strip().str.lower()
    return cleaned.map(lookup).fillna(values)


def _shares(values: pd.Series, prefix: str) -> dict[str, float]:
    shares = values.value_counts(normalize=True)
    return {f"{prefix}_{key}": float(share) for key, share in shares.items()}


def summarize(raw: pd.DataFrame) -> dict[str, float]:
    """Measure the calibration statistics (the keys of ``REAL_TARGETS``) of a raw table."""
    frame = plausible_rows(raw)
    spend = frame[list(SPEND_COLUMNS)].sum(axis=1)
    kids = frame["Kidhome"] + frame["Teenhome"]
    enrolled = pd.to_datetime(frame["Dt_Customer"], format="%d-%m-%Y")
    tenure = (ENROLMENT_END - enrolled).dt.days
    campaigns = frame[list(CAMPAIGN_COLUMNS)].sum(axis=1)
    stats: dict[str, float] = {
        "income_median": float(frame["Income"].median()),
        "income_mean": float(frame["Income"].mean()),
        "income_sd": float(frame["Income"].std()),
        "year_birth_mean": float(frame["Year_Birth"].mean()),
        "year_birth_sd": float(frame["Year_Birth"].std()),
        "recency_mean": float(frame["Recency"].mean()),
        "total_spend_mean": float(spend.mean()),
        "total_spend_median": float(spend.median()),
    }
    for column in ("Kidhome", "Teenhome"):
        for count in (0, 1, 2):
            stats[f"{column.lower()}_{count}"] = float((frame[column] == count).mean())
    for year in (2012, 2013, 2014):
        stats[f"enrolled_{year}"] = float((enrolled.dt.year == year).mean())
    for column in SPEND_COLUMNS:
        stats[f"{column}_mean"] = float(frame[column].mean())
        stats[f"{column}_median"] = float(frame[column].median())
        stats[f"{column}_p90"] = float(frame[column].quantile(0.9))
    for column in ("NumDealsPurchases", *CHANNEL_COLUMNS, "NumWebVisitsMonth"):
        stats[f"{column}_mean"] = float(frame[column].mean())
    for column in (*CAMPAIGN_COLUMNS, "Response", "Complain"):
        stats[f"{column}_rate"] = float(frame[column].mean())
    stats.update(_shares(_canonical(frame["Education"], EDUCATION_LEVELS), "education"))
    stats.update(_shares(_canonical(frame["Marital_Status"], MARITAL_STATUSES), "marital"))

    def corr(left: pd.Series, right: pd.Series) -> float:
        return float(np.corrcoef(left.to_numpy(float), right.to_numpy(float))[0, 1])

    stats.update(
        {
            "corr_income_spend": corr(frame["Income"], spend),
            "corr_kids_spend": corr(kids, spend),
            "corr_kidhome_spend": corr(frame["Kidhome"], spend),
            "corr_income_webvisits": corr(frame["Income"], frame["NumWebVisitsMonth"]),
            "corr_income_catalog": corr(frame["Income"], frame["NumCatalogPurchases"]),
            "corr_kids_deals": corr(kids, frame["NumDealsPurchases"]),
            "corr_income_kidhome": corr(frame["Income"], frame["Kidhome"]),
            "corr_recency_response": corr(frame["Recency"], frame["Response"]),
            "corr_campaigns_response": corr(campaigns, frame["Response"]),
            "corr_tenure_spend": corr(tenure, spend),
        }
    )
    return stats


def compare(raw: pd.DataFrame) -> pd.DataFrame:
    """Table of every target next to the measured value of ``raw`` (for docs and reviews)."""
    measured = summarize(raw)
    rows = [
        {
            "statistic": name,
            "real": target,
            "synthetic": measured.get(name, float("nan")),
            "tolerance": tolerance(name, target),
        }
        for name, target in REAL_TARGETS.items()
    ]
    table = pd.DataFrame(rows)
    table["within_tolerance"] = (table["synthetic"] - table["real"]).abs() <= table["tolerance"]
    return table


def _number(value: float) -> str:
    """About three significant digits, thousands separated; years keep their decimal."""
    if abs(value) >= 10_000 or (abs(value) >= 1000 and value.is_integer()):  # noqa: PLR2004
        return f"{value:,.0f}"
    if abs(value) >= 100:  # noqa: PLR2004
        return f"{value:.1f}"
    return f"{value:#.3g}".rstrip(".")


def markdown(table: pd.DataFrame) -> str:
    """``compare``'s table as the markdown table of docs/synthetic_data.md."""
    lines = [
        f"| statistic | real file | synthetic ({SAMPLE_ROWS:,} rows, seed {SAMPLE_SEED}) "
        "| tolerance |",
        "| --- | ---: | ---: | ---: |",
    ]
    lines += [
        f"| {row.statistic} | {_number(row.real)} | {_number(row.synthetic)} | "
        f"±{_number(row.tolerance)} |"
        for row in table.itertuples()
    ]
    return "\n".join(lines)


def main() -> None:
    """Regenerate the calibration table of the page in ``sys.argv[1]`` (docs/synthetic_data.md)."""
    page = Path(sys.argv[1])
    with tempfile.TemporaryDirectory() as folder:
        report = write_synthetic(Path(folder) / "customers.csv", SAMPLE_ROWS, SAMPLE_SEED)
        table = compare(pd.read_csv(report.customers_path, sep="\t"))
    page.write_text(replace_block(page.read_text(), "calibration", markdown(table)))


if __name__ == "__main__":
    main()
