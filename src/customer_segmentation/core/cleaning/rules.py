"""The row rules, one small function each: `rule(frame, settings) -> RuleOutcome`.

A rule sees only the rows still kept (and only the columns it reads), and says which rows it
rejects (with a reason) and which values it changes; it never changes the frame itself. Its
`settings` are plain values with the columns already resolved from the schema's roles (`column`,
`id`, `deals`, ...), so no rule knows a table layout. `core.cleaning.cleaning` runs them in the
documented order and does the row accounting. All rules are vectorised.
"""

import functools
import operator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from customer_segmentation.core.cleaning.parsing import ROW_NUMBER
from customer_segmentation.errors import InputDataError

# Scale factor that makes the median absolute deviation estimate a normal standard deviation.
MAD_TO_SIGMA = 1.4826
REPEATED_ID_RULES = ("reject_all", "keep_first", "keep_last", "keep_latest_enrolment")
ACTIONS = ("reject", "cap")
OUTLIER_METHODS = ("none", "iqr", "robust_z")
MISSING_STRATEGIES = ("reject", "median", "group_median", "most_frequent")


@dataclass
class RuleOutcome:
    """What one rule did: rejected rows (label -> reason), changed values, and its report entry."""

    rule: str
    column: str | None
    action: str
    detail: str
    rejected: pd.Series = field(default_factory=lambda: pd.Series(dtype=object))
    updates: dict[str, pd.Series] = field(default_factory=dict)
    values_fixed: int = 0
    # Values the rule derived from the data (imputation values, reference date), so that new
    # customers can be cleaned with the training data's values instead of their own.
    statistics: dict[str, Any] = field(default_factory=dict)

    def entry(self) -> dict[str, Any]:
        """The rule's line in the data-quality report."""
        return {
            "rule": self.rule,
            "column": self.column,
            "action": self.action,
            "values_fixed": int(self.values_fixed),
            "rows_rejected": len(self.rejected),
            "detail": self.detail,
        }


def reject_exact_duplicates(frame: pd.DataFrame, settings: dict[str, Any]) -> RuleOutcome:
    """Rows equal in every declared column: keep the first (file order), reject the others.

    settings: ``id`` (the ID column).
    """
    columns = [name for name in frame.columns if name != ROW_NUMBER]
    # Equal rows share their ID, so only rows with a repeated ID can be duplicates (cheap on
    # one column); row hashes narrow those down, and exact grouping runs on the rest only.
    frame = frame[frame[settings["id"]].duplicated(keep=False)]
    hashes = pd.util.hash_pandas_object(frame[columns], index=False)
    candidates = frame[hashes.duplicated(keep=False)]
    group = candidates.groupby(columns, dropna=False, sort=False).ngroup()
    first_row = candidates[ROW_NUMBER].groupby(group).transform("min")
    repeat = candidates[ROW_NUMBER] != first_row
    reasons = "exact_duplicate: exact duplicate of row " + first_row[repeat].astype(str)
    return RuleOutcome(
        "exact_duplicates",
        None,
        "reject",
        "rows equal in every column; the first one is kept",
        rejected=reasons.astype(object),
    )


def reject_repeated_ids(frame: pd.DataFrame, settings: dict[str, Any]) -> RuleOutcome:
    """Rows sharing an ID with different content, resolved by ``settings["rule"]``.

    settings: ``id``, ``rule`` (one of REPEATED_ID_RULES), ``enrolment`` (the enrolment-date
    column, needed by keep_latest_enrolment; None when the table has none).
    """
    id_column, rule = settings["id"], settings["rule"]
    ids = frame[id_column]
    group = frame[ids.notna() & ids.duplicated(keep=False)]
    if rule == "reject_all":
        rows = group.groupby(id_column)[id_column].transform("size").astype(str)
        reasons = (
            f"repeated_id: {id_column} "
            + group[id_column].astype(str)
            + " is on "
            + rows
            + " rows with different content (rule reject_all)"
        )
        return RuleOutcome(
            "repeated_ids",
            id_column,
            rule,
            "conflicting rows of one ID: all rejected",
            rejected=reasons.astype(object),
        )
    if rule == "keep_latest_enrolment" and settings["enrolment"] is None:
        raise InputDataError(
            "data_processing.repeated_ids is keep_latest_enrolment, but the schema declares no "
            "column with role enrolment_date; use reject_all, keep_first or keep_last."
        )
    sort_keys = {
        "keep_first": [ROW_NUMBER],
        "keep_last": [ROW_NUMBER],
        "keep_latest_enrolment": [settings["enrolment"], ROW_NUMBER],
    }
    ordered = group.sort_values(sort_keys[rule], na_position="first", kind="stable")
    winners = ordered.drop_duplicates(id_column, keep="first" if rule == "keep_first" else "last")
    kept_row = group[id_column].map(winners.set_index(id_column)[ROW_NUMBER])
    losers = group[ROW_NUMBER] != kept_row
    reasons = (
        f"repeated_id: {id_column} "
        + group[id_column][losers].astype(str)
        + " repeated; row "
        + kept_row[losers].astype(str)
        + f" was kept (rule {rule})"
    )
    return RuleOutcome(
        "repeated_ids",
        id_column,
        rule,
        f"conflicting rows of one ID: {rule}",
        rejected=reasons.astype(object),
    )


def _limit(
    frame: pd.DataFrame,
    column: str,
    bounds: tuple[float | None, float | None],
    action: str,
    *,
    rule: str,
    detail: str,
    reason_text: str,
) -> RuleOutcome:
    """Reject or cap values outside [low, high] (None = unbounded); missing values pass."""
    values, (low, high) = frame[column], bounds
    too_low = values < low if low is not None else pd.Series(False, index=values.index)
    too_high = values > high if high is not None else pd.Series(False, index=values.index)
    outside = (too_low | too_high).fillna(False).astype(bool)
    if action == "reject":
        reasons = f"{rule}: {column} " + frame.loc[outside, column].astype(str) + f" {reason_text}"
        return RuleOutcome(rule, column, action, detail, rejected=reasons.astype(object))
    if action == "cap":
        capped = frame.loc[outside, column].clip(lower=low, upper=high)
        return RuleOutcome(
            rule, column, action, detail, updates={column: capped}, values_fixed=int(outside.sum())
        )
    raise ValueError(f"action '{action}' of rule {rule} must be one of {ACTIONS}")


def reject_implausible_enrolments(frame: pd.DataFrame, settings: dict[str, Any]) -> RuleOutcome:
    """Enrolment dates no customer can have: after the run date, or far past the bulk of the data.

    settings: ``column`` (the enrolment date), ``run_date``, ``bulk_quantile``, ``margin_days``.
    The age reference (the latest enrolment kept) must not move with one typo such as 2099: a
    date after ``run_date`` is in the future, and a date more than ``margin_days`` after the
    ``bulk_quantile`` quantile of the dates lies far beyond every other customer. Both reject the
    row. Missing dates pass (the missing-values rule handles them).
    """
    column, run_date = settings["column"], pd.Timestamp(settings["run_date"])
    dates = frame[column]
    quantile, margin = settings["bulk_quantile"], settings["margin_days"]
    bulk = dates.quantile(quantile)  # NaT when no date is present: only the run date applies
    bulk_limit = bulk + pd.Timedelta(days=margin) if pd.notna(bulk) else run_date
    bulk_text = f"{bulk:%Y-%m-%d}" if pd.notna(bulk) else "none"
    future = (dates > run_date).to_numpy()
    beyond_bulk = ((dates > bulk_limit) & ~future).to_numpy()
    # Only the few rejected dates are formatted (strftime is slow on millions of rows).
    reasons = pd.concat(
        [
            f"enrolment_date: {column} "
            + dates[future].dt.strftime("%Y-%m-%d")
            + f" is after the run date {run_date:%Y-%m-%d}",
            f"enrolment_date: {column} "
            + dates[beyond_bulk].dt.strftime("%Y-%m-%d")
            + f" is more than {margin} days after the {quantile:.1%} quantile of the enrolment "
            f"dates ({bulk_text})",
        ]
    )
    # Only the binding limit is named: an output that states the run date would change with the
    # calendar although the data and the rejected rows did not.
    detail = (
        f"after {bulk_limit:%Y-%m-%d} ({quantile:.1%} quantile + {margin} days, "
        "before the run date)"
        if bulk_limit < run_date
        else f"after the run date {run_date:%Y-%m-%d}"
    )
    return RuleOutcome("enrolment_date", column, "reject", detail, rejected=reasons.astype(object))


def check_purchase_consistency(frame: pd.DataFrame, settings: dict[str, Any]) -> RuleOutcome:
    """Deal purchases above all channel purchases: reject, or cap the deals at their sum.

    settings: ``deals`` (column), ``channels`` ({channel: column}), ``action``. A deal is a
    discounted purchase made in some channel, so deals cannot outnumber the channel purchases.
    Rows with a missing count pass (the missing-values rule handles them).
    """
    deals_column, channels, action = settings["deals"], settings["channels"], settings["action"]
    # Column by column: the row sum of a frame of nullable integers converts every row (2 s at
    # 10M customers); a missing count leaves the total missing, as skipna=False does. The first
    # column is widened to Int64, so the sum cannot overflow a narrow type (Int16 + Int16).
    counts = [frame[column] for column in channels.values()]
    total = functools.reduce(operator.add, counts[1:], counts[0].astype("Int64"))
    deals = frame[deals_column]
    above = (deals > total).fillna(False).to_numpy(dtype=bool)
    detail = f"{deals_column} <= " + " + ".join(channels.values())
    if action == "reject":
        reasons = (
            f"purchase_consistency: {deals_column} "
            + deals[above].astype(str)
            + f" is above the {' + '.join(channels)} purchases ("
            + total[above].astype(str)
            + ")"
        )
        return RuleOutcome(
            "purchase_consistency", deals_column, action, detail, rejected=reasons.astype(object)
        )
    if action == "cap":
        return RuleOutcome(
            "purchase_consistency",
            deals_column,
            action,
            detail,
            updates={deals_column: total[above].astype(deals.dtype)},
            values_fixed=int(above.sum()),
        )
    raise ValueError(f"action '{action}' of rule purchase_consistency must be one of {ACTIONS}")


def reference_date(frame: pd.DataFrame, reference: str, enrolment: str | None) -> pd.Timestamp:
    """The date ages are measured at: the latest enrolment in the data, or a given date."""
    if reference != "latest_enrolment":
        return pd.Timestamp(reference)
    if enrolment is None:
        raise InputDataError(
            "data_processing.age.reference is latest_enrolment, but the schema declares no "
            "column with role enrolment_date to take it from; set age.reference to a date such "
            'as "2014-12-31", or declare the age itself (role age) instead of the birth year.'
        )
    return frame[enrolment].max()


def apply_age_rule(frame: pd.DataFrame, settings: dict[str, Any]) -> RuleOutcome:
    """Ages outside [min_years, max_years]: reject or cap.

    settings: ``column`` and ``role`` (birth_year: age = reference year - birth year; age: the
    value itself), ``min_years``, ``max_years``, ``action``; for a birth year also ``reference``
    (latest_enrolment or a date), ``enrolment`` (its column) and ``fitted_reference`` (a date
    replacing the data's own reference, e.g. the training data's; None to derive it).
    """
    column, action = settings["column"], settings["action"]
    low_age, high_age = settings.get("min_years"), settings.get("max_years")
    if settings["role"] == "age":
        return _limit(
            frame,
            column,
            (low_age, high_age),
            action,
            rule="age_range",
            detail=f"age outside {low_age}..{high_age} years",
            reason_text=f"is an age outside {low_age}..{high_age} years",
        )
    reference = pd.Timestamp(
        settings.get("fitted_reference")
        or reference_date(frame, settings["reference"], settings["enrolment"])
    )
    year = reference.year
    # A birth year is outside the age range when it is before year - max or after year - min.
    earliest = None if high_age is None else year - high_age
    latest = None if low_age is None else year - low_age
    detail = f"age at {reference:%Y-%m-%d} outside {low_age}..{high_age} years"
    outcome = _limit(
        frame,
        column,
        (earliest, latest),
        action,
        rule="age_range",
        detail=detail,
        reason_text=f"gives an age outside {low_age}..{high_age} years at {reference:%Y-%m-%d}",
    )
    outcome.statistics = {"age_reference_date": f"{reference:%Y-%m-%d}"}
    return outcome


def apply_value_range(frame: pd.DataFrame, settings: dict[str, Any]) -> RuleOutcome:
    """Values of one column outside [min, max]: reject the row or cap the value.

    settings: ``column``, ``min``, ``max`` (None = unbounded), ``action``.
    """
    column, low, high = settings["column"], settings.get("min"), settings.get("max")
    if low is None:
        detail, reason = f"allowed: at most {high:,}", f"is above the allowed maximum {high:,}"
    elif high is None:
        detail, reason = f"allowed: at least {low:,}", f"is below the allowed minimum {low:,}"
    else:
        detail, reason = f"allowed: {low:,}..{high:,}", f"is outside the allowed {low:,}..{high:,}"
    return _limit(
        frame,
        column,
        (low, high),
        settings["action"],
        rule="value_range",
        detail=detail,
        reason_text=reason,
    )


def statistical_bounds(values: pd.Series, settings: dict[str, Any]) -> tuple[float, float] | None:
    """Outlier bounds by IQR or robust z; None when the spread is zero (no outlier defined)."""
    values = values.dropna().astype("float64")
    if values.empty:
        return None
    if settings["method"] == "iqr":
        q1, q3 = values.quantile([0.25, 0.75])
        spread = settings["iqr_factor"] * (q3 - q1)
        return (q1 - spread, q3 + spread) if spread > 0 else None
    if settings["method"] == "robust_z":
        median = values.median()
        sigma = MAD_TO_SIGMA * (values - median).abs().median()
        spread = settings["robust_z_threshold"] * sigma
        return (median - spread, median + spread) if spread > 0 else None
    raise InputDataError(
        f"data_processing.statistical_outliers.method is '{settings['method']}'; "
        "use none, iqr or robust_z."
    )


def apply_statistical_outliers(frame: pd.DataFrame, settings: dict[str, Any]) -> RuleOutcome:
    """Values of ``column`` outside the IQR / robust-z bounds: reject the row or cap the value.

    settings: the statistical_outliers parameters, plus ``column`` and ``integer`` (capped
    integers stay integers).
    """
    column = settings["column"]
    bounds = statistical_bounds(frame[column], settings)
    if bounds is None:
        return RuleOutcome(
            "statistical_outliers",
            column,
            settings["action"],
            f"{settings['method']}: no spread, no outlier",
        )
    low, high = bounds
    if settings["integer"]:
        low, high = int(np.ceil(low)), int(np.floor(high))
    detail = f"{settings['method']} bounds {low:.6g}..{high:.6g}"
    return _limit(
        frame,
        column,
        (low, high),
        settings["action"],
        rule="statistical_outliers",
        detail=detail,
        reason_text=f"is outside the {detail}",
    )


def fill_missing(frame: pd.DataFrame, settings: dict[str, Any]) -> RuleOutcome:
    """Missing values of one column: reject the row, or impute (median, group median, mode).

    settings: ``column``, ``strategy``, ``group_by`` (group_median), ``integer`` (an imputed count
    stays a whole number) and ``fitted``: the `statistics` of an earlier run on the training
    data (None: from the rows present), so that a few new customers are filled like the
    training ones.
    """
    column, strategy, fitted = settings["column"], settings["strategy"], settings.get("fitted")
    missing = frame[column].isna()
    if strategy == "reject":
        reasons = pd.Series(f"missing_value: {column} is missing", index=frame.index[missing])
        return RuleOutcome(
            "missing_values",
            column,
            "reject",
            "rows without a value rejected",
            rejected=reasons.astype(object),
        )
    # The values present: median, groupby median and mode skip missing values themselves,
    # so no copy of the present rows is needed.
    present = frame[column]
    source = "training data" if fitted else "kept rows"
    # Fill values are needed for the missing rows only (a few among millions).
    gaps = frame.index[missing]
    if strategy in ("median", "group_median"):
        overall = fitted["overall"] if fitted else present.median()
        fill = pd.Series(overall, index=gaps)
        statistics = {"overall": _plain(overall)}
        detail = f"median {column} ({overall:.6g}) of the {source}"
        if strategy == "group_median":
            by = settings["group_by"]
            if fitted:
                group_median = pd.Series(fitted["groups"], dtype="float64")
            else:
                # dropna: a group whose values are all missing has no median of its own.
                group_median = present.groupby(frame[by]).median().dropna()
            fill = frame.loc[gaps, by].map(group_median).fillna(overall)
            statistics["groups"] = {str(k): _plain(v) for k, v in group_median.sort_index().items()}
            detail = (
                f"median {column} of the customer's {by} group in the {source} "
                "(overall median if none)"
            )
    elif strategy == "most_frequent":
        modes = present.mode()
        value = fitted["overall"] if fitted else (modes.iloc[0] if len(modes) else pd.NA)
        fill = pd.Series(value, index=gaps)
        statistics = {"overall": _plain(value)}
        detail = f"most frequent {column} of the {source}"
    else:
        raise InputDataError(
            f"data_processing.missing_values strategy for {column} is '{strategy}'; use reject, "
            "median, group_median or most_frequent."
        )
    if settings["integer"]:
        fill = fill.round()
    hopeless = fill.isna()  # no value to impute from (e.g. the column is all missing)
    reasons = pd.Series(
        f"missing_value: {column} is missing and nothing to impute it from",
        index=gaps[hopeless.to_numpy()],
        dtype=object,
    )
    fixable = gaps[~hopeless.to_numpy()]
    filled = frame.loc[fixable, column].fillna(fill[fixable]).astype(frame[column].dtype)
    return RuleOutcome(
        "missing_values",
        column,
        strategy,
        detail,
        rejected=reasons,
        updates={column: filled},
        values_fixed=len(fixable),
        statistics={"imputation": {column: statistics}},
    )


def _plain(value: Any) -> Any:
    """A JSON-ready Python scalar (None for a missing value)."""
    if value is None or pd.isna(value):
        return None
    return value.item() if hasattr(value, "item") else value
