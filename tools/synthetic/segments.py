"""The generator's model: planted customer types (segments) and how each shapes a customer.

Every customer belongs to one latent segment, drawn with the segment's ``share``. The segment
sets the distributions of income, birth year, children, education, marital status, the spend
level and mix, the purchase channels, deal use, web visits and campaign response. Within a
segment, income still drives spend (``SPEND_INCOME_ELASTICITY``) and web visits, tenure raises
spend and visits, and one shared "responsiveness" per customer links the campaign answers.

The numbers were tuned so that the mixture matches the real file's marginals and correlations
(``calibration.REAL_TARGETS``); docs/synthetic_data.md shows real against synthetic.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Segment:
    """One planted customer type. Probability tuples follow the order named in each field."""

    name: str
    share: float
    income_mean: float
    income_sd: float
    birth_year_mean: float
    birth_year_sd: float
    kidhome_probs: tuple[float, float, float]  # 0, 1, 2 young children
    teenhome_probs: tuple[float, float, float]  # 0, 1, 2 teenagers
    education_probs: tuple[float, float, float, float, float]  # schema.EDUCATION_LEVELS
    marital_probs: tuple[float, float, float, float, float]  # schema.MARITAL_STATUSES
    spend_median: float  # total spend of a customer at the segment's mean income
    spend_log_sd: float
    spend_mix: tuple[float, float, float, float, float, float]  # schema.SPEND_COLUMNS
    channel_probs: tuple[float, float, float]  # web, catalog, store
    deals_mean: float
    web_visits_mean: float
    campaign_rates: tuple[float, float, float, float, float]  # AcceptedCmp1..5
    response_rate: float
    complain_rate: float


SEGMENTS: tuple[Segment, ...] = (
    Segment(
        name="affluent_connoisseurs",
        share=0.22,
        income_mean=77_000,
        income_sd=12_000,
        birth_year_mean=1968,
        birth_year_sd=12,
        kidhome_probs=(1.0, 0.0, 0.0),
        teenhome_probs=(0.94, 0.06, 0.0),
        education_probs=(0.002, 0.07, 0.50, 0.16, 0.268),
        marital_probs=(0.27, 0.24, 0.34, 0.11, 0.04),
        spend_median=1450,
        spend_log_sd=0.45,
        spend_mix=(0.44, 0.05, 0.34, 0.07, 0.05, 0.05),
        channel_probs=(0.27, 0.33, 0.40),
        deals_mean=1.05,
        web_visits_mean=2.4,
        campaign_rates=(0.30, 0.037, 0.085, 0.16, 0.38),
        response_rate=0.42,
        complain_rate=0.006,
    ),
    Segment(
        name="established_parents",
        share=0.31,
        income_mean=60_000,
        income_sd=11_000,
        birth_year_mean=1963,
        birth_year_sd=9,
        kidhome_probs=(0.88, 0.12, 0.0),
        teenhome_probs=(0.03, 0.925, 0.045),
        education_probs=(0.0, 0.08, 0.50, 0.17, 0.25),
        marital_probs=(0.17, 0.26, 0.41, 0.12, 0.04),
        spend_median=600,
        spend_log_sd=0.5,
        spend_mix=(0.60, 0.04, 0.19, 0.05, 0.04, 0.08),
        channel_probs=(0.35, 0.19, 0.46),
        deals_mean=2.85,
        web_visits_mean=5.15,
        campaign_rates=(0.034, 0.021, 0.053, 0.118, 0.023),
        response_rate=0.09,
        complain_rate=0.008,
    ),
    Segment(
        name="budget_young_parents",
        share=0.25,
        income_mean=33_000,
        income_sd=13_000,
        birth_year_mean=1978,
        birth_year_sd=8,
        kidhome_probs=(0.05, 0.89, 0.06),
        teenhome_probs=(0.94, 0.06, 0.0),
        education_probs=(0.08, 0.12, 0.51, 0.16, 0.13),
        marital_probs=(0.24, 0.26, 0.39, 0.09, 0.02),
        spend_median=55,
        spend_log_sd=1.2,
        spend_mix=(0.33, 0.07, 0.25, 0.09, 0.07, 0.19),
        channel_probs=(0.35, 0.10, 0.55),
        deals_mean=2.1,
        web_visits_mean=5.7,
        campaign_rates=(0.002, 0.001, 0.096, 0.005, 0.001),
        response_rate=0.145,
        complain_rate=0.012,
    ),
    Segment(
        name="stretched_families",
        share=0.15,
        income_mean=43_000,
        income_sd=11_000,
        birth_year_mean=1965,
        birth_year_sd=9,
        kidhome_probs=(0.0, 0.95, 0.05),
        teenhome_probs=(0.0, 0.95, 0.05),
        education_probs=(0.01, 0.09, 0.49, 0.17, 0.24),
        marital_probs=(0.17, 0.27, 0.41, 0.11, 0.04),
        spend_median=100,
        spend_log_sd=1.0,
        spend_mix=(0.50, 0.04, 0.21, 0.055, 0.04, 0.155),
        channel_probs=(0.36, 0.11, 0.53),
        deals_mean=4.2,
        web_visits_mean=6.1,
        campaign_rates=(0.003, 0.003, 0.075, 0.032, 0.002),
        response_rate=0.11,
        complain_rate=0.012,
    ),
    Segment(
        name="thrifty_singles",
        share=0.07,
        income_mean=38_000,
        income_sd=12_000,
        birth_year_mean=1968,
        birth_year_sd=13,
        kidhome_probs=(1.0, 0.0, 0.0),
        teenhome_probs=(1.0, 0.0, 0.0),
        education_probs=(0.05, 0.10, 0.52, 0.16, 0.17),
        marital_probs=(0.30, 0.24, 0.30, 0.11, 0.05),
        spend_median=90,
        spend_log_sd=0.7,
        spend_mix=(0.33, 0.07, 0.25, 0.09, 0.07, 0.19),
        channel_probs=(0.33, 0.13, 0.54),
        deals_mean=1.3,
        web_visits_mean=5.5,
        campaign_rates=(0.011, 0.003, 0.096, 0.021, 0.011),
        response_rate=0.155,
        complain_rate=0.01,
    ),
)

# Income: multiplied by an education factor (Basic earns far less), then kept in the real range.
EDUCATION_INCOME_FACTOR: tuple[float, ...] = (0.42, 0.93, 1.0, 0.99, 1.05)
INCOME_MIN, INCOME_MAX = 1_730, 113_734
BIRTH_YEAR_MIN, BIRTH_YEAR_MAX = 1940, 1996

# Enrolment dates are uniform over the real span; tenure is measured against its last day.
ENROLMENT_START = pd.Timestamp("2012-07-30")
ENROLMENT_END = pd.Timestamp("2014-06-29")
RECENCY_MAX = 99

# Spend: log-normal around the segment median, scaled by income and tenure, then capped per
# category at the real file's maxima (the real data looks capped too).
SPEND_INCOME_ELASTICITY = 1.8
TENURE_SPEND_SLOPE = 0.6  # log-spend change from newest to oldest customer
SPEND_MIX_CONCENTRATION = 20.0  # Dirichlet concentration of the category mix
SPEND_CAPS: tuple[int, ...] = (1493, 199, 1725, 259, 263, 362)

# Purchases: Poisson count growing with the square root of spend, split over the channels.
PURCHASES_BASE = 3.6
PURCHASES_PER_SQRT_SPEND = 0.42
CHANNEL_CAPS: tuple[int, ...] = (27, 28, 13)
DEALS_MAX = 15
DEALS_ZERO_RATE = 0.02
DEALS_GAMMA_SHAPE = 1.5  # deal counts are over-dispersed: gamma-mixed Poisson

# Web visits: Poisson, fewer for the richer within a segment, more for longer tenure.
WEB_VISITS_INCOME_ELASTICITY = -0.9
TENURE_VISITS_SLOPE = 0.5
WEB_VISITS_MAX = 20

# Campaigns: segment rate x a mean-one log-normal responsiveness shared by all campaigns of a
# customer x a within-segment spend effect; the last campaign (Response) also fades with recency.
RESPONSIVENESS_LOG_SD = 1.2
CAMPAIGN_SPEND_SLOPE = 0.5
RECENCY_RESPONSE_DECAY = 2.2
MAX_ACCEPT_PROBABILITY = 0.95


def segment_table() -> dict[str, np.ndarray]:
    """All segment parameters as arrays indexed by segment number (for vectorised lookups)."""
    fields = Segment.__dataclass_fields__
    return {
        field: np.array([getattr(segment, field) for segment in SEGMENTS])
        for field in fields
        if field != "name"
    }


SEGMENT_NAMES: tuple[str, ...] = tuple(segment.name for segment in SEGMENTS)
