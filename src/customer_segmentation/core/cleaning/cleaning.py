"""Row rules on the typed customer table: duplicates, implausible enrolment dates, ages,
inconsistent purchase counts, outliers, missing values, constant columns.

Each rule looks only at the rows still kept, and returns the rows it rejects (with a reason) and
the values it changes; `clean_customers` runs them in the documented order, so a rejected row
carries the reason of the first rule that rejected it. All rules are vectorised.
"""

from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from customer_segmentation.core.cleaning.contract import (
    CHANNEL_COLUMNS,
    CONTRACT,
    CONTRACT_BY_NAME,
    PRIMARY_DTYPES,
)
from customer_segmentation.core.cleaning.parsing import REJECT_REASON, ROW_NUMBER
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


@dataclass
class CleanResult:
    """Kept rows (typed, no value missing, `_row_number` kept, in ID order), rejected rows with
    reasons, and the report parts."""

    kept: pd.DataFrame
    rejections: pd.DataFrame
    rules: list[dict[str, Any]]
    dropped_columns: list[dict[str, str]]
    statistics: dict[str, Any] = field(default_factory=dict)


def _content_columns(frame: pd.DataFrame) -> list[str]:
    return [name for name in frame.columns if name != ROW_NUMBER]


def reject_exact_duplicates(frame: pd.DataFrame) -> RuleOutcome:
    """Rows equal in every contract column: keep the first (file order), reject the others."""
    columns = _content_columns(frame)
    # Equal rows share their ID, so only rows with a repeated ID can be duplicates (cheap on
    # one column); row hashes narrow those down, and exact grouping runs on the rest only.
    if "ID" in columns:
        frame = frame[frame["ID"].duplicated(keep=False)]
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


def reject_repeated_ids(frame: pd.DataFrame, rule: str) -> RuleOutcome:
    """Rows sharing an ID with different content, resolved by `rule` (see parameters)."""
    ids = frame["ID"]
    group = frame[ids.notna() & ids.duplicated(keep=False)]
    if rule == "reject_all":
        rows = group.groupby("ID")["ID"].transform("size").astype(str)
        reasons = (
            "repeated_id: ID "
            + group["ID"].astype(str)
            + " is on "
            + rows
            + " rows with different content (rule reject_all)"
        )
        return RuleOutcome(
            "repeated_ids",
            "ID",
            rule,
            "conflicting rows of one ID: all rejected",
            rejected=reasons.astype(object),
        )
    sort_keys = {
        "keep_first": [ROW_NUMBER],
        "keep_last": [ROW_NUMBER],
        "keep_latest_enrolment": ["Dt_Customer", ROW_NUMBER],
    }
    if rule not in sort_keys:
        raise InputDataError(
            f"data_processing.repeated_ids is '{rule}'; use one of reject_all, "
            + ", ".join(sort_keys)
            + "."
        )
    ordered = group.sort_values(sort_keys[rule], na_position="first", kind="stable")
    winners = ordered.drop_duplicates("ID", keep="first" if rule == "keep_first" else "last")
    kept_row = group["ID"].map(winners.set_index("ID")[ROW_NUMBER])
    losers = group[ROW_NUMBER] != kept_row
    reasons = (
        "repeated_id: ID "
        + group["ID"][losers].astype(str)
        + " repeated; row "
        + kept_row[losers].astype(str)
        + f" was kept (rule {rule})"
    )
    return RuleOutcome(
        "repeated_ids",
        "ID",
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


def reject_implausible_enrolments(
    frame: pd.DataFrame, settings: dict[str, Any], run_date: pd.Timestamp
) -> RuleOutcome:
    """Enrolment dates no customer can have: after the run date, or far past the bulk of the data.

    The age reference (the latest enrolment kept) must not move with one typo such as 2099: a
    date after `run_date` is in the future, and a date more than `margin_days` after the
    `bulk_quantile` quantile of the dates lies far beyond every other customer. Both reject the
    row. Missing dates pass (the missing-values rule handles them).
    """
    dates = frame["Dt_Customer"]
    quantile, margin = settings["bulk_quantile"], settings["margin_days"]
    bulk = dates.quantile(quantile)  # NaT when no date is present: only the run date applies
    bulk_limit = bulk + pd.Timedelta(days=margin) if pd.notna(bulk) else run_date
    bulk_text = f"{bulk:%Y-%m-%d}" if pd.notna(bulk) else "none"
    future = (dates > run_date).to_numpy()
    beyond_bulk = ((dates > bulk_limit) & ~future).to_numpy()
    # Only the few rejected dates are formatted (strftime is slow on millions of rows).
    reasons = pd.concat(
        [
            "enrolment_date: Dt_Customer "
            + dates[future].dt.strftime("%Y-%m-%d")
            + f" is after the run date {run_date:%Y-%m-%d}",
            "enrolment_date: Dt_Customer "
            + dates[beyond_bulk].dt.strftime("%Y-%m-%d")
            + f" is more than {margin} days after the {quantile:.1%} quantile of the enrolment "
            f"dates ({bulk_text})",
        ]
    )
    detail = f"after the run date {run_date:%Y-%m-%d}" + (
        f" or after {bulk_limit:%Y-%m-%d} ({quantile:.1%} quantile + {margin} days)"
        if pd.notna(bulk)
        else ""
    )
    return RuleOutcome(
        "enrolment_date", "Dt_Customer", "reject", detail, rejected=reasons.astype(object)
    )


def check_purchase_consistency(frame: pd.DataFrame, action: str) -> RuleOutcome:
    """Deal purchases above all purchases (web + catalogue + store): reject, or cap the deals.

    A deal is a discounted purchase made in some channel, so deals cannot outnumber the channel
    purchases. Rows with a missing count pass (the missing-values rule handles them).
    """
    total = frame[list(CHANNEL_COLUMNS)].sum(axis=1, skipna=False)
    deals = frame["NumDealsPurchases"]
    above = (deals > total).fillna(False).to_numpy(dtype=bool)
    detail = "NumDealsPurchases <= NumWebPurchases + NumCatalogPurchases + NumStorePurchases"
    if action == "reject":
        reasons = (
            "purchase_consistency: NumDealsPurchases "
            + deals[above].astype(str)
            + " is above the web + catalogue + store purchases ("
            + total[above].astype(str)
            + ")"
        )
        return RuleOutcome(
            "purchase_consistency",
            "NumDealsPurchases",
            action,
            detail,
            rejected=reasons.astype(object),
        )
    if action == "cap":
        return RuleOutcome(
            "purchase_consistency",
            "NumDealsPurchases",
            action,
            detail,
            updates={"NumDealsPurchases": total[above].astype(deals.dtype)},
            values_fixed=int(above.sum()),
        )
    raise ValueError(f"action '{action}' of rule purchase_consistency must be one of {ACTIONS}")


def reference_date(frame: pd.DataFrame, reference: str) -> pd.Timestamp:
    """The date ages are measured at: the latest enrolment in the data, or a given date."""
    if reference == "latest_enrolment":
        return frame["Dt_Customer"].max()
    return pd.Timestamp(reference)


def apply_age_rule(
    frame: pd.DataFrame, settings: dict[str, Any], fitted_reference: str | None = None
) -> RuleOutcome:
    """Ages (reference year - birth year) outside [min_years, max_years]: reject or cap.

    `fitted_reference` (a date) replaces the data's own reference, e.g. the training data's.
    """
    reference = pd.Timestamp(fitted_reference or reference_date(frame, settings["reference"]))
    year = reference.year
    low_age, high_age = settings.get("min_years"), settings.get("max_years")
    # A birth year is outside the age range when it is before year - max or after year - min.
    earliest = None if high_age is None else year - high_age
    latest = None if low_age is None else year - low_age
    detail = f"age at {reference:%Y-%m-%d} outside {low_age}..{high_age} years"
    outcome = _limit(
        frame,
        "Year_Birth",
        (earliest, latest),
        settings["action"],
        rule="age_range",
        detail=detail,
        reason_text=f"gives an age outside {low_age}..{high_age} years at {reference:%Y-%m-%d}",
    )
    outcome.statistics = {"age_reference_date": f"{reference:%Y-%m-%d}"}
    return outcome


def apply_value_range(frame: pd.DataFrame, settings: dict[str, Any]) -> RuleOutcome:
    """Values of one column outside [min, max]: reject the row or cap the value."""
    column, low, high = settings["column"], settings.get("min"), settings.get("max")
    detail = f"allowed {low if low is not None else '-inf'}..{high if high is not None else 'inf'}"
    return _limit(
        frame,
        column,
        (low, high),
        settings["action"],
        rule="value_range",
        detail=detail,
        reason_text=f"is outside {detail.removeprefix('allowed ')}",
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


def apply_statistical_outliers(
    frame: pd.DataFrame, settings: dict[str, Any], column: str
) -> RuleOutcome:
    """Values of `column` outside the IQR / robust-z bounds: reject the row or cap the value."""
    bounds = statistical_bounds(frame[column], settings)
    if bounds is None:
        return RuleOutcome(
            "statistical_outliers",
            column,
            settings["action"],
            f"{settings['method']}: no spread, no outlier",
        )
    low, high = bounds
    if CONTRACT_BY_NAME[column].kind == "integer":  # capped integers stay integers
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


def fill_missing(
    frame: pd.DataFrame, column: str, settings: dict[str, Any], fitted: dict | None = None
) -> RuleOutcome:
    """Missing values of one column: reject the row, or impute (median, group median, mode).

    The imputation values come from the rows present, or from `fitted` (the `statistics` of an
    earlier run on the training data) so that a few new customers are filled like the training
    ones.
    """
    strategy = settings["strategy"]
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
    if CONTRACT_BY_NAME[column].kind == "integer":  # an imputed count stays a whole number
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


def find_constant_columns(frame: pd.DataFrame, keep_required: bool) -> list[dict[str, str]]:
    """Columns holding one value in every row (missing counts as a value); required ones are kept
    when `keep_required`."""
    constant = []
    for column in _content_columns(frame):
        if keep_required and CONTRACT_BY_NAME[column].required:
            continue
        values = frame[column]
        first = values.iloc[0]
        same = values.isna().all() if pd.isna(first) else (values.notna() & (values == first)).all()
        if same:
            constant.append({"column": column, "reason": f"constant ({first})"})
    return constant


def check_settings(settings: dict[str, Any]) -> None:
    """Refuse unknown rule choices before any row is touched (so a typo fails the first node)."""
    choices = [
        ("repeated_ids", settings["repeated_ids"], REPEATED_ID_RULES),
        ("age.action", settings["age"]["action"], ACTIONS),
        ("purchase_consistency.action", settings["purchase_consistency"]["action"], ACTIONS),
        (
            "statistical_outliers.method",
            settings["statistical_outliers"]["method"],
            OUTLIER_METHODS,
        ),
        ("statistical_outliers.action", settings["statistical_outliers"]["action"], ACTIONS),
        ("missing_values.default", settings["missing_values"]["default"], MISSING_STRATEGIES),
    ]
    choices += [
        (f"value_ranges[{number}].action", item["action"], ACTIONS)
        for number, item in enumerate(settings.get("value_ranges") or [])
    ]
    choices += [
        (f"missing_values.columns.{column}.strategy", item["strategy"], MISSING_STRATEGIES)
        for column, item in (settings["missing_values"].get("columns") or {}).items()
    ]
    for key, value, allowed in choices:
        if value not in allowed:
            raise InputDataError(
                f"data_processing.{key} is '{value}' in conf/base/parameters_data_processing.yml; "
                f"use one of: {', '.join(allowed)}."
            )


def _rule_steps(
    settings: dict[str, Any], columns: list[str], fitted: dict[str, Any], run_date: pd.Timestamp
):
    """The row rules in their documented order: (columns the rule reads, the kept rows it needs
    to see as a function of the frame and the kept-rows mask or None for all, rule)."""
    yield None, _rows_with_repeated_id, reject_exact_duplicates
    yield (
        [ROW_NUMBER, "ID", "Dt_Customer"],
        _rows_with_repeated_id,
        lambda rows: reject_repeated_ids(rows, settings["repeated_ids"]),
    )
    yield (
        ["Dt_Customer"],
        None,
        lambda rows: reject_implausible_enrolments(rows, settings["enrolment_dates"], run_date),
    )
    yield (
        ["Year_Birth", "Dt_Customer"],
        None,
        lambda rows: apply_age_rule(rows, settings["age"], fitted.get("age_reference_date")),
    )
    yield (
        ["NumDealsPurchases", *CHANNEL_COLUMNS],
        None,
        lambda rows: check_purchase_consistency(rows, settings["purchase_consistency"]["action"]),
    )
    for limits in settings.get("value_ranges") or []:
        yield [limits["column"]], None, lambda rows, limits=limits: apply_value_range(rows, limits)
    outliers = settings["statistical_outliers"]
    if outliers["method"] != "none":
        for column in outliers["columns"]:
            yield (
                [column],
                None,
                lambda rows, column=column: apply_statistical_outliers(rows, outliers, column),
            )
    missing = settings["missing_values"]
    for column in columns:
        strategy = (missing.get("columns") or {}).get(column, {"strategy": missing["default"]})
        needed = [column] + ([strategy["group_by"]] if "group_by" in strategy else [])
        column_fit = (fitted.get("imputation") or {}).get(column)
        # Rejecting missing values needs only the rows missing one; imputing needs them all.
        yield (
            needed,
            partial(_rows_missing, column=column) if strategy["strategy"] == "reject" else None,
            lambda rows, column=column, strategy=strategy, fit=column_fit: fill_missing(
                rows, column, strategy, fit
            ),
        )


def _rows_with_repeated_id(frame: pd.DataFrame, alive: np.ndarray) -> np.ndarray:
    """Kept rows whose ID is on another kept row: the only ones the duplicate rules act on."""
    if "ID" not in frame.columns:
        return alive
    rows = alive.copy()
    rows[alive] = frame["ID"][alive].duplicated(keep=False).to_numpy()
    return rows


def _rows_missing(frame: pd.DataFrame, alive: np.ndarray, column: str) -> np.ndarray:
    """Kept rows without a value in `column`."""
    return alive & frame[column].isna().to_numpy()


def _is_silent(entry: dict[str, Any], settings: dict[str, Any]) -> bool:
    """A missing-values entry of a column left to the default strategy that found nothing."""
    configured = (settings["missing_values"].get("columns") or {}).keys()
    return (
        entry["rule"] == "missing_values"
        and entry["column"] not in configured
        and entry["values_fixed"] == entry["rows_rejected"] == 0
    )


def _no_customer_left(source: str, tally: list[tuple[str, int, str]], rows: int) -> InputDataError:
    """The refusal when the rules reject every row: the main reasons, their counts, what to do."""
    reasons = "; ".join(
        f"{label}: {count:,} row{'s' if count != 1 else ''}, e.g. '{example}'"
        for label, count, example in sorted(tally, key=lambda item: -item[1])[:3]
    )
    return InputDataError(
        f"Input file '{source}': no customer left to analyse: all {rows:,} rows were rejected. "
        f"Main reasons: {reasons}. Nothing was written past data/02_intermediate. Check the file "
        "against docs/data_contract.md (columns, formats, IDs) and fix it; if a rule is too "
        "strict for your data, change its setting (named like the rule) under data_processing: "
        "in conf/base/parameters_data_processing.yml."
    )


def clean_customers(
    typed: pd.DataFrame,
    invalid_rows: pd.DataFrame,
    settings: dict[str, Any],
    fitted: dict[str, Any] | None = None,
    *,
    run_date: pd.Timestamp,
    source: str = "raw_customers",
) -> CleanResult:
    """Apply the row rules in order to the typed table (rows in `invalid_rows` are already out).

    `fitted`: the `statistics` of a training run (imputation values, age reference date) to use
    instead of the values this table would give; the result's `statistics` are those used.
    `run_date`: the day of the run (an input, so that runs are reproducible); enrolments after it
    are rejected. Raises InputDataError naming `source` when no row is left of a table that
    derives its own statistics; with `fitted` (new customers) all may be rejected: none is placed.
    """
    frame = typed.reset_index(drop=True)
    reason = pd.Series(np.nan, index=frame.index, dtype=object)
    position = pd.Index(frame[ROW_NUMBER]).get_indexer(invalid_rows[ROW_NUMBER])
    reason.iloc[position] = invalid_rows[REJECT_REASON].to_numpy(dtype=object)
    # Rows still kept, as a mask updated with each rule's rejections (labels are positions).
    alive = np.ones(len(frame), dtype=bool)
    alive[position] = False
    columns = [spec.name for spec in CONTRACT if spec.name in frame.columns]
    entries, statistics = [], {"age_reference_date": None, "imputation": {}}
    kept = np.flatnonzero(alive)  # positions of the rows still kept
    # (rule, rows it rejected, an example reason): the refusal's summary if no row is left.
    tally = [
        (f"invalid_values ({column})", len(group), group.iloc[0])
        for column, group in invalid_rows[REJECT_REASON].groupby(
            invalid_rows[REJECT_REASON].str.split(" ", n=2).str[1], sort=False
        )
    ]
    steps = _rule_steps(settings, columns, fitted or {}, pd.Timestamp(run_date))
    for needed, rows_needed, rule in steps:
        if not len(kept) and fitted is None:  # no statistic (reference date) from no rows
            raise _no_customer_left(source, tally, len(frame))
        # Each rule reads only its columns of the kept rows, or of the few kept rows it needs,
        # so that no rule copies the whole table at scale.
        positions = kept if rows_needed is None else np.flatnonzero(rows_needed(frame, alive))
        outcome = rule((frame[needed] if needed else frame).take(positions))
        if len(outcome.rejected):
            reason.loc[outcome.rejected.index] = outcome.rejected
            alive[outcome.rejected.index.to_numpy(dtype="int64")] = False
            kept = np.flatnonzero(alive)
            label = outcome.rule + (f" ({outcome.column})" if outcome.column else "")
            tally.append((label, len(outcome.rejected), outcome.rejected.iloc[0]))
        for column, values in outcome.updates.items():
            frame.loc[values.index, column] = values
        entries.append(outcome.entry())
        statistics["imputation"].update(outcome.statistics.pop("imputation", {}))
        statistics.update(outcome.statistics)
    if not len(kept) and fitted is None:
        raise _no_customer_left(source, tally, len(frame))
    silent = [entry for entry in entries if _is_silent(entry, settings)]
    entries = [entry for entry in entries if not _is_silent(entry, settings)]
    if silent:  # one line for the columns that had nothing missing, not one each
        default = settings["missing_values"]["default"]
        entries.append(
            {
                "rule": "missing_values",
                "column": None,
                "action": default,
                "values_fixed": 0,
                "rows_rejected": 0,
                "detail": f"no missing value in the other {len(silent)} columns",
            }
        )
    # In ID order, the primary table's: `to_primary` then finds them sorted (no second copy).
    ids = frame["ID"].array[kept].to_numpy(dtype="int64")  # the rules leave no ID missing
    kept = frame.take(kept[np.argsort(ids, kind="stable")])
    dropped = []
    if settings["constant_columns"]["drop"] and len(kept):
        dropped = find_constant_columns(kept, settings["constant_columns"]["keep_required"])
        kept = kept.drop(columns=[item["column"] for item in dropped])
    entries += [
        {
            "rule": "constant_columns",
            "column": item["column"],
            "action": "drop",
            "values_fixed": 0,
            "rows_rejected": 0,
            "detail": item["reason"],
        }
        for item in dropped
    ] or [
        {
            "rule": "constant_columns",
            "column": None,
            "action": "drop",
            "values_fixed": 0,
            "rows_rejected": 0,
            "detail": "no constant column dropped",
        }
    ]
    rejected = reason.notna()
    rejections = pd.DataFrame(
        {
            ROW_NUMBER: frame.loc[rejected, ROW_NUMBER].to_numpy(dtype="int64"),
            REJECT_REASON: reason[rejected].to_numpy(dtype=object),
        }
    )
    return CleanResult(
        kept=kept,
        rejections=rejections,
        rules=entries,
        dropped_columns=dropped,
        statistics=statistics,
    )


def to_primary(kept: pd.DataFrame) -> pd.DataFrame:
    """The primary table: contract types without missing values, one row per ID, sorted by ID."""
    primary = kept.drop(columns=ROW_NUMBER)
    primary = primary.astype(
        {column: PRIMARY_DTYPES[CONTRACT_BY_NAME[column].kind] for column in primary.columns}
    )
    primary = primary.sort_values("ID", kind="stable", ignore_index=True)
    ids = primary["ID"].to_numpy()
    if (ids[1:] == ids[:-1]).any():  # sorted: a repeated ID sits next to itself
        raise ValueError("primary_customers would hold an ID twice; the repeated_ids rule failed")
    return primary


def quality_report(
    parse_summary: dict[str, Any],
    rules: list[dict[str, Any]],
    dropped: list[dict[str, str]],
    rows_kept: int,
    rows_rejected: int,
) -> dict[str, Any]:
    """The data-quality report; checks that every input row is either kept or rejected."""
    rows_in = int(parse_summary["rows_in"])
    if rows_in != rows_kept + rows_rejected:
        raise ValueError(
            f"row accounting broken: {rows_in} in, {rows_kept} kept, {rows_rejected} rejected"
        )
    return {
        "source": parse_summary["source"],
        "rows_in": rows_in,
        "rows_kept": int(rows_kept),
        "rows_rejected": int(rows_rejected),
        "renamed_columns": parse_summary["renamed_columns"],
        "dropped_columns": parse_summary["dropped_columns"] + dropped,
        "rules": parse_summary["rules"] + rules,
    }
