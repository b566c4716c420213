"""The value forecast: its verdict thresholds, per-segment figures, and a check on data it was
not tuned on (a population simulated from known BG/NBD and Gamma-Gamma parameters)."""

import ibis
import numpy as np
import pandas as pd
import pytest

from customer_segmentation.core.analysis import clv
from customer_segmentation.core.features import purchase_history as ph
from tests.fixtures.transactions import CANONICAL_MAP, RULES

THRESHOLDS = {"max_total_error": 0.2, "max_mae_ratio": 1.0, "min_dropout_probability": 0.001}
GOOD = {"r": 0.5, "alpha": 20.0, "a": 0.8, "b": 2.5, "p": 6.0, "q": 4.0, "v": 15.0}
CHECK = {"predicted": 950.0, "actual": 1000.0, "error": -0.05, "mae_per_customer": 0.8}
CHECK |= {"actual_per_customer": 1.0}


def test_a_good_fit_is_usable():
    assert clv.verdict(GOOD, GOOD, CHECK, THRESHOLDS) == {
        "usable": True,
        "reasons": [],
        "notes": [],
    }


@pytest.mark.parametrize(
    ("calibration", "full", "check", "reason"),
    [
        (GOOD | {"r": float("nan")}, GOOD, CHECK, "calibration fit did not converge: parameters r"),
        (GOOD, GOOD | {"alpha": float("inf")}, CHECK, "full-period fit did not converge"),
        (GOOD, GOOD | {"a": 0.0}, CHECK, "parameters a are not finite positive"),
        (GOOD, GOOD | {"q": 0.9}, CHECK, "q = 0.90 <= 1"),
        (GOOD, GOOD, CHECK | {"predicted": 1210.0, "error": 0.21}, "+21%; at most ±20%"),
        (GOOD, GOOD, CHECK | {"predicted": 790.0, "error": -0.21}, "-21%"),
        (GOOD, GOOD, CHECK | {"mae_per_customer": 1.01}, "fits badly per customer"),
        (GOOD, GOOD, CHECK | {"error": None, "actual": 0.0}, "nobody bought in the holdout"),
    ],
)
def test_a_fit_that_did_not_converge_or_fits_badly_is_withheld(calibration, full, check, reason):
    judged = clv.verdict(calibration, full, check, THRESHOLDS)
    assert not judged["usable"]
    assert any(reason in text for text in judged["reasons"]), judged["reasons"]


def test_errors_at_the_bounds_are_accepted():
    at_bound = CHECK | {"predicted": 1200.0, "error": 0.2, "mae_per_customer": 1.0}
    assert clv.verdict(GOOD, GOOD, at_bound, THRESHOLDS)["usable"]


def test_a_dropout_that_collapses_is_noted_not_withheld():
    judged = clv.verdict(GOOD, GOOD | {"a": 1e-9}, CHECK, THRESHOLDS)
    assert judged["usable"] and "close to 100 % for everyone" in judged["notes"][0]
    assert "about 1 in 2,500,000,000)" in judged["notes"][0]  # a / (a + b), in plain words


def test_segment_forecast_sums_and_means_over_customers_with_a_forecast():
    segments = pd.DataFrame({"ID": [1, 2, 3, 4], "segment": [1, 1, 2, 2]})
    forecast = pd.DataFrame(
        {
            "ID": [1, 2, 3, 4],
            "expected_purchases": [1.0, 3.0, 2.0, np.nan],
            "clv": [100.0, 300.0, 50.0, np.nan],
            "p_alive": [0.5, 0.9, 0.2, np.nan],
            "expected_value_per_purchase": [100.0, 100.0, 25.0, np.nan],
            "predicted_holdout_purchases": [0.5, 1.5, np.nan, np.nan],
            "purchases_holdout": [1.0, 1.0, np.nan, np.nan],
        }
    )
    table = clv.segment_forecast(segments, forecast).set_index("segment")
    assert table.loc[1, "forecast_customers"] == 2 and table.loc[2, "forecast_customers"] == 1
    assert table.loc[1, "clv_total"] == 400.0 and table.loc[1, "clv_per_customer"] == 200.0
    assert table.loc[1, "mean_p_alive"] == pytest.approx(0.7)
    assert table.loc[0, "clv_total"] == 450.0 and table.loc[0, "forecast_customers"] == 3
    assert table.loc[0, "predicted_holdout_purchases"] == 2.0
    assert table.loc[0, "actual_holdout_purchases"] == 2.0
    assert table.loc[0, "holdout_error"] == 0.0 and np.isnan(table.loc[2, "holdout_error"])
    assert list(table.index) == [1, 2, 0]


# ------------------------------------------------------------------ simulated population

TRUE = {"r": 0.5, "alpha": 20.0, "a": 0.8, "b": 2.5, "p": 6.0, "q": 4.0, "v": 15.0}
DAYS, HOLDOUT, CUSTOMERS = 540, 180, 3000
START = pd.Timestamp("2020-01-01")


def simulated_log(seed: int = 11) -> pd.DataFrame:
    """The BG/NBD story, day by day, in a log: each customer joins on a uniform day of the first
    year with a purchase; while alive they buy at their own Poisson rate (gamma(r, alpha)
    across customers) and after each repeat purchase leave with their own probability
    (beta(a, b); BG/NBD's likelihood keeps everyone alive after the first purchase);
    each purchase's value is gamma(p, nu), nu gamma(q, v) across customers (Gamma-Gamma)."""
    rng = np.random.default_rng(seed)
    rows = []
    for customer in range(1, CUSTOMERS + 1):
        rate = rng.gamma(TRUE["r"], 1 / TRUE["alpha"])
        dropout = rng.beta(TRUE["a"], TRUE["b"])
        nu = rng.gamma(TRUE["q"], 1 / TRUE["v"])
        day, first = float(rng.integers(0, 365)), True
        while day < DAYS:
            value = rng.gamma(TRUE["p"], 1 / nu)
            stamp = START + pd.Timedelta(days=int(day), hours=10)
            rows.append((str(customer), f"{customer}-{day:.0f}", str(stamp), 1, round(value, 2)))
            if not first and rng.random() < dropout:
                break
            day, first = day + rng.exponential(1 / rate), False
    log = pd.DataFrame(
        rows, columns=["customer_id", "invoice", "timestamp", "quantity", "unit_price"]
    )
    return log.assign(product="P")


@pytest.fixture(scope="module")
def simulated_fit():
    end = (START + pd.Timedelta(days=DAYS)).date().isoformat()
    history = ph.purchase_history_from_log(
        ibis.memtable(simulated_log()), CANONICAL_MAP, RULES, end, HOLDOUT
    )
    settings = {
        "holdout_days": HOLDOUT,
        "horizon_months": 12,
        "discount_rate": 0.01,
        "random_seed": 5,
        "thresholds": THRESHOLDS,
    }
    return ph.periods(history, end, HOLDOUT), *clv.value_forecast(
        history, ph.periods(history, end, HOLDOUT), settings
    )


def test_the_fit_recovers_known_parameters_and_predicts_the_holdout(simulated_fit):
    _, table, fit = simulated_fit
    found = fit["parameters"]
    # Seed 11: r 0.51, alpha 20.5, a 0.87, b 2.67, p 6.5, q 3.6, v 12.5 (the MAP priors are weak
    # at 3,000 customers).
    for name in ("r", "alpha", "a", "b"):
        assert found[name] == pytest.approx(TRUE[name], rel=0.2), name
    # Gamma-Gamma's p, q, v trade off against each other; the mean spend they imply is firm.
    assert found["r"] / found["alpha"] == pytest.approx(TRUE["r"] / TRUE["alpha"], rel=0.15)
    dropout = found["a"] / (found["a"] + found["b"])
    assert dropout == pytest.approx(TRUE["a"] / (TRUE["a"] + TRUE["b"]), rel=0.3)
    mean_spend = found["p"] * found["v"] / (found["q"] - 1)
    assert mean_spend == pytest.approx(TRUE["p"] * TRUE["v"] / (TRUE["q"] - 1), rel=0.15)
    holdout = fit["holdout"]
    assert abs(holdout["error"]) < 0.1, holdout
    assert fit["verdict"]["usable"], fit["verdict"]
    assert table["p_alive"].between(0, 1).all() and table["clv"].ge(0).all()
    # P(alive) tells customers apart here: those who came back recently for their rhythm
    # rank above long-silent regulars.
    assert table["p_alive"].std() > 0.1


def test_the_fit_is_reproducible(simulated_fit):
    """The same log and seed give the same full-period parameters (the two MAP fits again; the
    holdout's are made the same way)."""
    periods, _, fit = simulated_fit
    history = ph.purchase_history_from_log(
        ibis.memtable(simulated_log()), CANONICAL_MAP, RULES, periods["end"], HOLDOUT
    )
    _, _, again = clv.fit_models(clv.btyd_frame(history, "full"), fit["settings"]["random_seed"])
    assert again == pytest.approx(fit["parameters"], rel=1e-9)
