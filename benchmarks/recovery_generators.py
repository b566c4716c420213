"""Customer tables with known truth for the recovery suite (benchmarks/recovery.py).

Every generator returns ``(raw, truth)``: ``raw`` in the marketing_campaign schema (29 columns,
``Dt_Customer`` as dd-mm-yyyy text), ready to be written tab-separated and read by the real
pipeline; ``truth`` a Series ``ID -> planted segment`` (all zeros for a structureless control).

Three differently built families of structured tables, so that the k rule is not judged on the
construction it was tuned on:

- ``personas``: hand-written personas, each setting its own distributions of income, age,
  children, spend level and mix, channels, deals and categories; ``noise`` widens every persona;
- ``latent``: a Gaussian mixture in five latent traits (wealth, family, digital, deal affinity,
  age) with random centres at a given minimum distance, mapped non-linearly to the raw columns
  (log-normal spend, Poisson counts, integer children); one component = the Gaussian control;
- ``project``: the project's own generator (``tools.synthetic``).

Structureless controls: ``independent`` (every raw column drawn on its own), ``latent`` with one
component (one Gaussian) and ``shuffled_real`` (the real file, every column shuffled on its own).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from tools.synthetic import generate_frame

RAW_COLUMNS = [
    "ID", "Year_Birth", "Education", "Marital_Status", "Income", "Kidhome", "Teenhome",
    "Dt_Customer", "Recency", "MntWines", "MntFruits", "MntMeatProducts", "MntFishProducts",
    "MntSweetProducts", "MntGoldProds", "NumDealsPurchases", "NumWebPurchases",
    "NumCatalogPurchases", "NumStorePurchases", "NumWebVisitsMonth", "AcceptedCmp3",
    "AcceptedCmp4", "AcceptedCmp5", "AcceptedCmp1", "AcceptedCmp2", "Complain", "Z_CostContact",
    "Z_Revenue", "Response",
]  # fmt: skip
SPEND_COLUMNS = RAW_COLUMNS[9:15]
EDUCATION = np.array(["Basic", "2n Cycle", "Graduation", "Master", "PhD"])
MARITAL = np.array(["Single", "Together", "Married", "Divorced", "Widow"])
FIRST_ENROLMENT = np.datetime64("2012-07-30")
ENROLMENT_DAYS = 700


def _sizes(n_rows: int, shares: np.ndarray) -> np.ndarray:
    """Segment of every row for the given shares (exact counts, then shuffled by the caller)."""
    counts = np.floor(shares / shares.sum() * n_rows).astype(int)
    counts[0] += n_rows - counts.sum()
    return np.repeat(np.arange(len(shares)), counts)


def _pick(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One category index per row from per-row probability rows (n x c)."""
    cumulative = np.cumsum(probs / probs.sum(axis=1, keepdims=True), axis=1)
    return (rng.random(len(probs))[:, None] > cumulative).sum(axis=1).clip(0, probs.shape[1] - 1)


def _render(rng: np.random.Generator, parts: dict) -> pd.DataFrame:
    """Raw table from per-customer quantities.

    ``parts``: income, birth_year, kidhome, teenhome, education (index), marital (index),
    total_spend, spend_mix (n x 6 shares), purchases (total count), channel (n x 3 shares of
    web, catalog, store), deal_rate (share of purchases on a deal), web_visits, response_rate.
    """
    n_rows = len(parts["income"])
    spend = np.round(parts["total_spend"][:, None] * parts["spend_mix"]).astype(np.int64)
    purchases = np.maximum(parts["purchases"], 1)
    channel = rng.multinomial(purchases, parts["channel"])
    deals = rng.binomial(purchases, np.clip(parts["deal_rate"], 0.0, 1.0))
    enrolled = FIRST_ENROLMENT + rng.integers(0, ENROLMENT_DAYS, n_rows).astype("timedelta64[D]")
    dates = pd.to_datetime(enrolled).strftime("%d-%m-%Y")
    campaigns = rng.random((n_rows, 5)) < 0.07
    raw = {
        "ID": rng.permutation(n_rows * 3)[:n_rows] + 1,
        "Year_Birth": np.round(parts["birth_year"]).astype(int).clip(1930, 1996),
        "Education": EDUCATION[parts["education"]],
        "Marital_Status": MARITAL[parts["marital"]],
        "Income": np.round(parts["income"]).clip(2_000, 190_000).astype(int),
        "Kidhome": parts["kidhome"].astype(int),
        "Teenhome": parts["teenhome"].astype(int),
        "Dt_Customer": dates,
        "Recency": rng.integers(0, 100, n_rows),
        **dict(zip(SPEND_COLUMNS, spend.T, strict=True)),
        "NumDealsPurchases": deals,
        "NumWebPurchases": channel[:, 0],
        "NumCatalogPurchases": channel[:, 1],
        "NumStorePurchases": channel[:, 2],
        "NumWebVisitsMonth": parts["web_visits"].astype(int).clip(0, 20),
        "AcceptedCmp3": campaigns[:, 2],
        "AcceptedCmp4": campaigns[:, 3],
        "AcceptedCmp5": campaigns[:, 4],
        "AcceptedCmp1": campaigns[:, 0],
        "AcceptedCmp2": campaigns[:, 1],
        "Complain": rng.random(n_rows) < 0.01,
        "Z_CostContact": 3,
        "Z_Revenue": 11,
        "Response": rng.random(n_rows) < np.clip(parts["response_rate"], 0, 1),
    }
    frame = pd.DataFrame(raw)[RAW_COLUMNS]
    flags = [c for c in RAW_COLUMNS if c.startswith("Accepted")] + ["Complain", "Response"]
    frame[flags] = frame[flags].astype(int)
    return frame


# ----------------------------------------------------------------------------- personas
# income, birth year, P(kids at home 0/1/2), P(teens 0/1/2), total spend median, spend mix,
# purchases mean, channel shares (web, catalog, store), deal rate, web visits, education probs.
PERSONAS = [
    dict(income=82_000, birth=1965, kid=(1, 0, 0), teen=(0.9, 0.1, 0), spend=1500,
         mix=(0.45, 0.05, 0.33, 0.07, 0.05, 0.05), buys=21, chan=(0.25, 0.35, 0.40), deal=0.05,
         visits=2.5, edu=(0, 0.05, 0.45, 0.2, 0.3)),
    dict(income=36_000, birth=1980, kid=(0.2, 0.7, 0.1), teen=(0.8, 0.2, 0), spend=90,
         mix=(0.3, 0.08, 0.25, 0.1, 0.08, 0.19), buys=7, chan=(0.35, 0.05, 0.60), deal=0.35,
         visits=7, edu=(0.1, 0.15, 0.5, 0.15, 0.1)),
    dict(income=60_000, birth=1958, kid=(0.9, 0.1, 0), teen=(0.1, 0.8, 0.1), spend=650,
         mix=(0.62, 0.03, 0.18, 0.05, 0.03, 0.09), buys=18, chan=(0.35, 0.15, 0.50), deal=0.2,
         visits=5, edu=(0, 0.08, 0.5, 0.17, 0.25)),
    dict(income=52_000, birth=1986, kid=(1, 0, 0), teen=(1, 0, 0), spend=700,
         mix=(0.3, 0.1, 0.3, 0.1, 0.08, 0.12), buys=16, chan=(0.7, 0.1, 0.2), deal=0.1,
         visits=8, edu=(0, 0.1, 0.6, 0.2, 0.1)),
    dict(income=28_000, birth=1950, kid=(1, 0, 0), teen=(0.9, 0.1, 0), spend=60,
         mix=(0.35, 0.1, 0.2, 0.12, 0.1, 0.13), buys=5, chan=(0.1, 0.05, 0.85), deal=0.1,
         visits=3, edu=(0.15, 0.2, 0.45, 0.1, 0.1)),
    dict(income=70_000, birth=1972, kid=(0.3, 0.6, 0.1), teen=(0.5, 0.5, 0), spend=450,
         mix=(0.4, 0.06, 0.3, 0.08, 0.06, 0.1), buys=24, chan=(0.3, 0.2, 0.5), deal=0.55,
         visits=6, edu=(0, 0.05, 0.4, 0.25, 0.3)),
]  # fmt: skip


def personas(n_rows: int, k: int, seed: int, noise: float = 1.0, uneven: float = 0.0):
    """k of the PERSONAS (3..6); ``noise`` scales every within-persona spread, ``uneven`` > 0
    makes the sizes unequal (shares proportional to exp(-uneven * index))."""
    rng = np.random.default_rng(seed)
    shares = np.exp(-uneven * np.arange(k))
    segment = rng.permutation(_sizes(n_rows, shares))
    table = {key: np.array([p[key] for p in PERSONAS[:k]]) for key in PERSONAS[0]}
    of = {key: value[segment] for key, value in table.items()}
    income = of["income"] * np.exp(rng.normal(0, 0.15 * noise, n_rows))
    spend = (
        of["spend"] * (income / of["income"]) ** 0.8 * np.exp(rng.normal(0, 0.35 * noise, n_rows))
    )
    mix = rng.gamma(of["mix"] * 40 / noise) + 1e-9
    chan = rng.gamma(of["chan"] * 30 / noise) + 1e-9
    parts = {
        "income": income,
        "birth_year": of["birth"] + rng.normal(0, 6 * noise, n_rows),
        "kidhome": _pick(rng, of["kid"] + 1e-9),
        "teenhome": _pick(rng, of["teen"] + 1e-9),
        "education": _pick(rng, of["edu"] + 1e-9),
        "marital": rng.integers(0, 5, n_rows),
        "total_spend": spend,
        "spend_mix": mix / mix.sum(axis=1, keepdims=True),
        "purchases": rng.poisson(of["buys"] * np.exp(rng.normal(0, 0.2 * noise, n_rows))),
        "channel": chan / chan.sum(axis=1, keepdims=True),
        "deal_rate": of["deal"] * np.exp(rng.normal(0, 0.3 * noise, n_rows)),
        "web_visits": rng.poisson(of["visits"], n_rows),
        "response_rate": np.full(n_rows, 0.15),
    }
    raw = _render(rng, parts)
    return raw, pd.Series(segment, index=raw["ID"], name="segment")


# ----------------------------------------------------------------------------- latent mixture
def _centres(rng: np.random.Generator, k: int, dims: int, separation: float) -> np.ndarray:
    """k random centres in a dims-cube with every pair at least ``separation`` apart."""
    for _ in range(10_000):
        centres = rng.uniform(-separation, separation, (k, dims))
        gaps = np.linalg.norm(centres[:, None] - centres[None], axis=2)[np.triu_indices(k, 1)]
        if k == 1 or gaps.min() >= separation:
            return centres
    raise ValueError(f"no {k} centres {separation} apart found")


def latent(n_rows: int, k: int, seed: int, separation: float = 4.0, uneven: float = 0.0):
    """Gaussian mixture of k components (k=1: one Gaussian) in five latent traits, mapped
    non-linearly to the raw columns."""
    rng = np.random.default_rng(seed)
    segment = rng.permutation(_sizes(n_rows, np.exp(-uneven * np.arange(k))))
    scales = rng.uniform(0.7, 1.2, (k, 5))
    z = _centres(rng, k, 5, separation)[segment] + rng.normal(size=(n_rows, 5)) * scales[segment]
    wealth, family, digital, deals, age = (z[:, i] for i in range(5))
    children = np.clip(np.round(1.0 + 0.45 * family + rng.normal(0, 0.3, n_rows)), 0, 3)
    teen_share = 1 / (1 + np.exp(-age))
    teens = rng.binomial(children.astype(int), teen_share)
    mix = rng.gamma(np.exp(np.column_stack([0.5 * wealth, 0 * wealth, 0.3 * wealth,
                                            -0.2 * digital, 0.2 * family, -0.3 * wealth]))
                    * 5) + 1e-9  # fmt: skip
    chan = np.exp(np.column_stack([0.6 * digital, 0.3 * wealth - 0.5, 0.3 - 0.3 * digital]))
    parts = {
        "income": np.exp(10.8 + 0.22 * wealth),
        "birth_year": 1970 - 7 * age,
        "kidhome": children - teens,
        "teenhome": teens,
        "education": _pick(rng, np.exp(np.outer(wealth, [-1, -0.5, 0, 0.4, 0.6]))),
        "marital": _pick(rng, np.exp(np.outer(family, [-0.5, 0.2, 0.5, 0, -0.2]))),
        "total_spend": np.exp(5.6 + 0.6 * wealth - 0.2 * family + rng.normal(0, 0.3, n_rows)),
        "spend_mix": mix / mix.sum(axis=1, keepdims=True),
        "purchases": rng.poisson(np.exp(2.4 + 0.2 * wealth + 0.1 * deals)),
        "channel": chan / chan.sum(axis=1, keepdims=True),
        "deal_rate": 1 / (1 + np.exp(-(-1.6 + 0.5 * deals))),
        "web_visits": rng.poisson(np.exp(1.5 + 0.2 * digital - 0.1 * wealth)),
        "response_rate": 1 / (1 + np.exp(-(-2 + 0.3 * wealth))),
    }
    raw = _render(rng, parts)
    return raw, pd.Series(segment, index=raw["ID"], name="segment")


# ----------------------------------------------------------------------------- project, controls
def project(n_rows: int, seed: int):
    """The project's own generator (5 planted segments, light dirt)."""
    raw, truth = generate_frame(n_rows, seed=seed)
    truth = truth.drop_duplicates("ID", keep=False)
    codes = pd.factorize(truth["segment"], sort=True)[0] if "segment" in truth else None
    if codes is None:
        raise KeyError(f"the generator's truth has no 'segment' column: {list(truth.columns)}")
    return raw, pd.Series(codes, index=truth["ID"].to_numpy(), name="segment")


def independent(n_rows: int, seed: int):
    """Structureless: every raw column drawn on its own from a plausible marginal."""
    rng = np.random.default_rng(seed)
    mix = rng.gamma(np.full((n_rows, 6), 2.0))
    chan = rng.gamma(np.full((n_rows, 3), 2.0))
    parts = {
        "income": np.exp(rng.normal(10.8, 0.4, n_rows)),
        "birth_year": rng.normal(1969, 12, n_rows),
        "kidhome": rng.choice(3, n_rows, p=[0.58, 0.40, 0.02]),
        "teenhome": rng.choice(3, n_rows, p=[0.52, 0.46, 0.02]),
        "education": rng.choice(5, n_rows, p=[0.03, 0.09, 0.5, 0.16, 0.22]),
        "marital": rng.integers(0, 5, n_rows),
        "total_spend": np.exp(rng.normal(5.7, 1.2, n_rows)),
        "spend_mix": mix / mix.sum(axis=1, keepdims=True),
        "purchases": rng.poisson(np.exp(rng.normal(2.6, 0.5, n_rows))),
        "channel": chan / chan.sum(axis=1, keepdims=True),
        "deal_rate": rng.beta(2, 8, n_rows),
        "web_visits": rng.poisson(5, n_rows),
        "response_rate": np.full(n_rows, 0.15),
    }
    raw = _render(rng, parts)
    return raw, pd.Series(0, index=raw["ID"], name="segment")


def shuffled_real(path: Path, seed: int):
    """Structureless: the real file with every column (ID aside) shuffled on its own."""
    rng = np.random.default_rng(seed)
    raw = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    for column in raw.columns.drop("ID"):
        raw[column] = rng.permutation(raw[column].to_numpy())
    return raw, pd.Series(0, index=raw["ID"].astype(int).to_numpy(), name="segment")
