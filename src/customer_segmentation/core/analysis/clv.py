"""Customer lifetime value where a purchase history exists: BG/NBD + Gamma-Gamma, fitted by MAP.

pymc-marketing's buy-till-you-die models (``pymc_marketing.clv``) on the per-customer table of
``core.features.purchase_history`` (time unit: the day):

- **BG/NBD** (``BetaGeoModel``): while "alive" a customer buys at a steady rate of their own
  (gamma-distributed across customers, parameters ``r``, ``alpha``); after each purchase they may
  drop out for good (probability beta-distributed across customers, ``a``, ``b``). From a
  customer's ``frequency``, ``recency`` and ``T`` it gives the probability they are still active
  (``p_alive``) and their expected purchases over a coming period.
- **Gamma-Gamma** (``GammaGammaModel``, fitted on repeat buyers): a customer's mean purchase value
  varies around their own mean (``p``, ``q``, ``v``); it gives each customer's expected value per
  purchase (for a one-time buyer, the population mean ``p v / (q - 1)``).
- **CLV** over ``horizon_months`` (pymc-marketing's ``customer_lifetime_value``): expected
  purchases in each month x expected value per purchase, discounted at ``discount_rate`` a month.

Check first, forecast second: the models are fitted on the **calibration** period, predict each
calibration customer's purchases in the **holdout** period, and the prediction is compared with
what they did (``holdout_check``). The models are then refitted on the full period for the
forecast. ``verdict`` says whether the numbers may be shown: a fit with a non-finite or
non-positive parameter did not converge; a Gamma-Gamma ``q`` <= 1 has no finite mean spend; a
holdout error beyond the configured bounds fits badly. An unusable fit gives no numbers (the
forecast columns are empty) and says why.

MAP fits are deterministic (L-BFGS-B from the models' initial point, ``random_seed`` for any
jitter). pymc-marketing (and pymc, pytensor) is imported inside the functions that fit, so a run
without a log never imports it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

BG_PARAMETERS = ("r", "alpha", "a", "b")
GG_PARAMETERS = ("p", "q", "v")
# The per-customer forecast's columns (customer_value_forecast, docs/transactions.md).
FORECAST_COLUMNS = (
    "ID",
    "expected_purchases",
    "clv",
    "p_alive",
    "expected_value_per_purchase",
    "predicted_holdout_purchases",
    "purchases_holdout",
)


def btyd_frame(history: pd.DataFrame, period: str) -> pd.DataFrame:
    """The models' input for ``period`` "full" or "calibration": ``customer_id``,
    ``frequency``, ``recency``, ``T`` (days) and ``monetary_value``, one row per customer with a
    purchase in that period (``history``: ``core.features.purchase_history``'s table)."""
    suffix = "" if period == "full" else "_cal"
    rows = history if period == "full" else history.loc[history["in_calibration"].astype(bool)]
    return pd.DataFrame(
        {
            "customer_id": rows["ID"].to_numpy(),  # text or numbers, as the table holds them
            "frequency": rows[f"frequency{suffix}"].to_numpy(dtype="float64"),
            "recency": rows[f"recency{suffix}"].to_numpy(dtype="float64"),
            "T": rows[f"T{suffix}"].to_numpy(dtype="float64"),
            "monetary_value": rows[f"monetary_value{suffix}"].to_numpy(dtype="float64"),
        }
    )


def _map_point(model: Any, names: tuple[str, ...]) -> dict[str, float]:
    """The fitted parameters (MAP: one chain, one draw) as floats."""
    posterior = model.fit_result
    return {name: float(posterior[name].values.reshape(-1)[0]) for name in names}


def fit_models(frame: pd.DataFrame, random_seed: int) -> tuple[Any, Any, dict[str, float]]:
    """BG/NBD on every customer of ``frame`` (``btyd_frame``) and Gamma-Gamma on its repeat
    buyers with a positive ``monetary_value``, both by MAP: ``(bg, gg, parameters)``; ``gg`` is
    None (and ``p``, ``q``, ``v`` NaN) with fewer than two repeat buyers."""
    from pymc_marketing import clv  # noqa: PLC0415 - pymc's import costs seconds; log runs only

    bg = clv.BetaGeoModel(data=frame[["customer_id", "frequency", "recency", "T"]])
    bg.fit(method="map", progressbar=False, seed=random_seed)
    parameters = _map_point(bg, BG_PARAMETERS)
    repeaters = frame.loc[(frame["frequency"] > 0) & (frame["monetary_value"] > 0)]
    gg = None
    if len(repeaters) >= 2:
        gg = clv.GammaGammaModel(data=repeaters[["customer_id", "frequency", "monetary_value"]])
        gg.fit(method="map", progressbar=False, seed=random_seed)
        parameters |= _map_point(gg, GG_PARAMETERS)
    else:
        parameters |= dict.fromkeys(GG_PARAMETERS, float("nan"))
    return bg, gg, parameters


def _per_customer(values: Any) -> np.ndarray:
    """A pymc-marketing prediction (DataArray over chain, draw, customer_id) as one number per
    customer: the mean over chain and draw (a MAP fit has one of each)."""
    return np.asarray(values.mean(("chain", "draw")).values, dtype="float64").reshape(-1)


def holdout_check(
    history: pd.DataFrame, holdout_days: int, random_seed: int
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Fit on the calibration period; predict the holdout period's purchases of each calibration
    customer and compare with what they did.

    Returns ``(per_customer, check)``: ``per_customer`` has ``ID``, ``predicted_holdout_purchases``
    and ``purchases_holdout`` (purchase days in the holdout); ``check`` the calibration fit's
    ``parameters``, ``customers``, ``predicted`` and ``actual`` totals, ``error`` = (predicted -
    actual) / actual (a fraction; None when there was no purchase), ``mae_per_customer`` (mean
    absolute error in purchases per customer) and ``actual_per_customer``.
    """
    frame = btyd_frame(history, "calibration")
    bg, _, parameters = fit_models(frame, random_seed)
    predicted = _per_customer(
        bg.expected_purchases(
            data=frame[["customer_id", "frequency", "recency", "T"]], future_t=holdout_days
        )
    )
    actual = history.loc[history["in_calibration"].astype(bool), "purchases_holdout"].to_numpy(
        dtype="float64"
    )
    per_customer = pd.DataFrame(
        {
            "ID": frame["customer_id"].to_numpy(),
            "predicted_holdout_purchases": predicted,
            "purchases_holdout": actual,
        }
    )
    return per_customer, holdout_summary(predicted, actual, parameters)


def holdout_summary(
    predicted: np.ndarray, actual: np.ndarray, parameters: Mapping[str, float]
) -> dict[str, Any]:
    """The holdout check's figures from per-customer predicted and actual purchases."""
    total_predicted, total_actual = float(np.sum(predicted)), float(np.sum(actual))
    return {
        "parameters": dict(parameters),
        "customers": len(actual),
        "predicted": total_predicted,
        "actual": total_actual,
        "error": (total_predicted - total_actual) / total_actual if total_actual > 0 else None,
        "mae_per_customer": float(np.mean(np.abs(predicted - actual))) if len(actual) else None,
        "actual_per_customer": total_actual / len(actual) if len(actual) else None,
    }


def verdict(
    calibration: Mapping[str, float],
    full: Mapping[str, float],
    check: Mapping[str, Any],
    thresholds: Mapping[str, float],
) -> dict[str, Any]:
    """Whether the forecast may be shown: ``{"usable": bool, "reasons": [plain sentences]}``.

    Not usable when a fit (``calibration`` or ``full`` parameters) has a non-finite or
    non-positive parameter (did not converge), when Gamma-Gamma's ``q`` <= 1 (no finite mean
    spend), when the holdout's total error exceeds ``thresholds["max_total_error"]`` (a
    fraction, either way), or its mean absolute error per customer exceeds
    ``thresholds["max_mae_ratio"]`` times the actual purchases per customer. ``notes``: what
    limits a usable fit, e.g. a dropout probability after a purchase, a / (a + b), below
    ``thresholds["min_dropout_probability"]`` (P(alive) is then about 1 for everyone).
    """
    reasons = []
    for label, parameters in (("calibration", calibration), ("full-period", full)):
        bad = [name for name, value in parameters.items() if not (np.isfinite(value) and value > 0)]
        if bad:
            reasons.append(
                f"the {label} fit did not converge: parameters {', '.join(bad)} are not finite "
                "positive numbers"
            )
        elif parameters.get("q", 2.0) <= 1:
            reasons.append(
                f"the {label} spend model (Gamma-Gamma) has q = {parameters['q']:.2f} <= 1, so "
                "its mean value per purchase is not finite"
            )
    error = check.get("error")
    if error is None:
        reasons.append("nobody bought in the holdout period, so the forecast cannot be checked")
    elif abs(error) > thresholds["max_total_error"]:
        reasons.append(
            f"it fits badly: it predicted {check['predicted']:,.0f} purchases in the holdout "
            f"period against {check['actual']:,.0f} actual ({error:+.0%}; at most "
            f"±{thresholds['max_total_error']:.0%} is accepted)"
        )
    per_customer = check.get("actual_per_customer")
    if per_customer and check["mae_per_customer"] > thresholds["max_mae_ratio"] * per_customer:
        reasons.append(
            f"it fits badly per customer: its error is {check['mae_per_customer']:.2f} purchases "
            f"per customer against {per_customer:.2f} actual (at most "
            f"{thresholds['max_mae_ratio']:.0%} of it is accepted)"
        )
    notes = []
    dropout = full.get("a", np.nan) / (full.get("a", np.nan) + full.get("b", np.nan))
    if np.isfinite(dropout) and dropout < thresholds["min_dropout_probability"]:
        odds = f"about 1 in {float(f'{1 / dropout:.2g}'):,.0f}" if dropout > 0 else "0"
        notes.append(
            "the model finds almost no customers leaving in this log (the chance of dropping "
            f"out after a purchase is {odds}): the chance a customer is still active is close "
            "to 100 % for everyone and does not tell customers apart"
        )
    return {"usable": not reasons, "reasons": reasons, "notes": notes}


def forecast(bg: Any, gg: Any, frame: pd.DataFrame, settings: Mapping[str, Any]) -> pd.DataFrame:
    """Per customer of ``frame`` (``btyd_frame`` of the full period) from the full-period fits:
    ``ID``, ``expected_purchases`` over ``horizon_months`` (30-day months), ``p_alive`` (0..1),
    ``expected_value_per_purchase`` and ``clv`` (the log's currency, discounted at
    ``discount_rate`` a month)."""
    months = int(settings["horizon_months"])
    activity = frame[["customer_id", "frequency", "recency", "T"]]
    expected = _per_customer(bg.expected_purchases(data=activity, future_t=30 * months))
    p_alive = _per_customer(bg.expected_probability_alive(data=activity))
    spend = _per_customer(gg.expected_customer_spend(data=frame))
    clv_values = _per_customer(
        gg.expected_customer_lifetime_value(
            transaction_model=bg,
            data=frame.copy(),  # pymc-marketing adds a column to the frame it is given
            future_t=months,
            discount_rate=float(settings["discount_rate"]),
            time_unit="D",
        )
    )
    return pd.DataFrame(
        {
            "ID": frame["customer_id"].to_numpy(),
            "expected_purchases": expected,
            "clv": clv_values,
            "p_alive": p_alive,
            "expected_value_per_purchase": spend,
        }
    )


def value_forecast(
    history: pd.DataFrame, periods: Mapping[str, str], settings: Mapping[str, Any]
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The holdout check, then the forecast from the full period: ``(customer_value_forecast,
    value_forecast_fit)``.

    ``customer_value_forecast``: one row per customer of ``history`` (``FORECAST_COLUMNS``);
    the forecast columns are empty (NaN) when ``verdict`` says the fit is not usable, the
    holdout columns empty for customers whose first purchase falls in the holdout.
    ``value_forecast_fit``: ``model``, ``periods``, ``settings``, ``parameters`` (full period),
    ``holdout`` (``holdout_check``'s figures with ``days``) and ``verdict``.
    """
    seed = int(settings["random_seed"])
    checked, check = holdout_check(history, int(settings["holdout_days"]), seed)
    frame = btyd_frame(history, "full")
    bg, gg, parameters = fit_models(frame, seed)
    judged = verdict(check["parameters"], parameters, check, settings["thresholds"])
    if judged["usable"] and gg is not None:
        per_customer = forecast(bg, gg, frame, settings)
    else:
        per_customer = pd.DataFrame({"ID": frame["customer_id"].to_numpy()})
        for column in ("expected_purchases", "clv", "p_alive", "expected_value_per_purchase"):
            per_customer[column] = np.nan
    table = per_customer.merge(checked, on="ID", how="left", validate="one_to_one")
    fit = {
        "model": "BG/NBD + Gamma-Gamma (pymc-marketing), fitted by MAP; time unit: the day",
        "periods": dict(periods),
        "settings": {
            key: settings[key]
            for key in ("holdout_days", "horizon_months", "discount_rate", "random_seed")
        },
        "thresholds": dict(settings["thresholds"]),
        "customers": len(frame),
        "parameters": parameters,
        "holdout": {"days": int(settings["holdout_days"]), **check},
        "verdict": judged,
    }
    return table[list(FORECAST_COLUMNS)], fit


def segment_forecast(
    customer_segments: pd.DataFrame, customer_forecast: pd.DataFrame
) -> pd.DataFrame:
    """Per segment and for all customers (segment 0, last): ``forecast_customers`` (customers
    with a forecast), ``expected_purchases_per_customer``, ``clv_total``, ``clv_per_customer``
    (over the forecast customers), ``mean_p_alive`` (0..1), and the holdout check's
    ``predicted_holdout_purchases``, ``actual_holdout_purchases`` (calibration customers) and
    ``holdout_error`` = predicted / actual - 1 (a fraction). The segments are drawn with the
    holdout's purchases (recency), so a segment's error describes it, while the total (segment 0)
    is the fair check.
    ``customer_segments``: ``ID``, ``segment``; ``customer_forecast``: ``value_forecast``'s."""
    joined = customer_segments[["ID", "segment"]].merge(
        customer_forecast, on="ID", how="inner", validate="one_to_one"
    )
    joined = joined.loc[joined["clv"].notna()]
    groups = {int(s): rows for s, rows in joined.groupby("segment")}
    groups[0] = joined
    rows = []
    for segment, part in groups.items():
        count = len(part)
        rows.append(
            {
                "segment": segment,
                "forecast_customers": count,
                "expected_purchases_per_customer": part["expected_purchases"].mean(),
                "clv_total": part["clv"].sum(),
                "clv_per_customer": part["clv"].sum() / count if count else np.nan,
                "mean_p_alive": part["p_alive"].mean(),
                "predicted_holdout_purchases": part["predicted_holdout_purchases"].sum(),
                "actual_holdout_purchases": part["purchases_holdout"].sum(min_count=1),
            }
        )
        predicted, actual = (
            rows[-1]["predicted_holdout_purchases"],
            rows[-1]["actual_holdout_purchases"],
        )
        rows[-1]["holdout_error"] = predicted / actual - 1 if actual > 0 else np.nan
    return pd.DataFrame(rows).astype({"segment": "int64", "forecast_customers": "int64"})
