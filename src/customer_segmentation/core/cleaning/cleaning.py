"""The cleaning runner: applies the row rules (core.cleaning.rules) to the typed customer table
in their documented order and keeps the row accounting.

Every row ends either kept or rejected with the reason of the first rule that rejected it; values
a rule fixes are counted per rule. The runner resolves each rule's columns from the declared
schema's roles and skips a rule whose roles the table lacks (no enrolment date: no enrolment rule;
no deals or channels: no purchase consistency).
"""

from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from customer_segmentation.core.cleaning.contract import (
    CONSTANT_ROLES,
    INTEGER,
    CustomerSchema,
)
from customer_segmentation.core.cleaning.parsing import REJECT_REASON, ROW_NUMBER
from customer_segmentation.core.cleaning.rules import (
    ACTIONS,
    MISSING_STRATEGIES,
    OUTLIER_METHODS,
    REPEATED_ID_RULES,
    apply_age_rule,
    apply_statistical_outliers,
    apply_value_range,
    check_purchase_consistency,
    fill_missing,
    reject_exact_duplicates,
    reject_implausible_enrolments,
    reject_repeated_ids,
)
from customer_segmentation.core.ids import id_order, in_id_order
from customer_segmentation.errors import InputDataError

_SETTINGS_FILE = "conf/base/parameters_data_processing.yml"


@dataclass
class CleanResult:
    """Kept rows (typed, no value missing, `_row_number` kept, in ID order), rejected rows with
    reasons, and the report parts."""

    kept: pd.DataFrame
    rejections: pd.DataFrame
    rules: list[dict[str, Any]]
    dropped_columns: list[dict[str, str]]
    statistics: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Step:
    """One rule to run: the function, its settings, the columns it reads (None = all) and which
    kept rows it needs to see (None = all; else a function of the frame and the kept mask)."""

    rule: Any
    settings: dict[str, Any]
    columns: list[str] | None
    rows: Any = None


def find_constant_columns(
    frame: pd.DataFrame, schema: CustomerSchema, keep_required: bool
) -> list[dict[str, str]]:
    """Columns holding one value in every row (missing counts as a value); required ones are kept
    when `keep_required`, and those of a role that is constant by nature (CONSTANT_ROLES: a cost
    per contact) always."""
    constant = []
    for column in [name for name in frame.columns if name != ROW_NUMBER]:
        spec = schema.by_name[column]
        if spec.role in CONSTANT_ROLES or (keep_required and spec.required):
            continue
        values = frame[column]
        first = values.iloc[0]
        same = values.isna().all() if pd.isna(first) else (values.notna() & (values == first)).all()
        if same:
            constant.append({"column": column, "reason": f"constant ({first})"})
    return constant


def resolve_column(entry: dict[str, Any], schema: CustomerSchema, key: str) -> str | None:
    """The column a settings entry names: `column: <name>` (must be declared) or `role: <role>`
    (None when the table has no column of that role, so the entry is skipped)."""
    if "role" in entry:
        return schema.role(entry["role"])
    column = entry.get("column")
    if column not in schema.by_name:
        raise InputDataError(
            f"data_processing.{key} names column {column!r}, which the schema does not declare "
            f"(declared: {', '.join(schema.by_name)}). Name a declared column, or use "
            "`role: <role>` so that the entry applies only to tables with that role."
        )
    return column


def _entries(settings: dict[str, Any], schema: CustomerSchema, key: str) -> list[tuple[str, dict]]:
    """(column, entry) of a list of column settings, entries of roles the table lacks left out."""
    found = []
    for number, entry in enumerate(settings or []):
        item = entry if isinstance(entry, dict) else {"column": entry}
        column = resolve_column(item, schema, f"{key}[{number}]")
        if column is not None:
            found.append((column, item))
    return found


def check_settings(settings: dict[str, Any], schema: CustomerSchema) -> None:
    """Refuse unknown rule choices and undeclared columns before any row is touched (so a typo
    fails the first node)."""
    missing = settings["missing_values"]
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
        ("missing_values.default", missing["default"], MISSING_STRATEGIES),
    ]
    choices += [
        (f"missing_values.columns: {column}.strategy", item["strategy"], MISSING_STRATEGIES)
        for column, item in _entries(missing.get("columns"), schema, "missing_values.columns")
    ]
    _entries(settings["statistical_outliers"]["columns"], schema, "statistical_outliers.columns")
    if "value_ranges" in settings:
        raise InputDataError(
            f"data_processing.value_ranges (in {_SETTINGS_FILE} or conf/local) is no longer read: "
            "limits belong to the layout they were set for. Give the column its limits in "
            "schema.columns instead, e.g. {name: Income, role: income, limits: {max: 200000, "
            "action: reject}} (docs/data_contract.md), and remove value_ranges."
        )
    for key, value, allowed in choices:
        if value not in allowed:
            raise InputDataError(
                f"data_processing.{key} is '{value}' in {_SETTINGS_FILE}; "
                f"use one of: {', '.join(allowed)}."
            )


def _rule_steps(
    settings: dict[str, Any],
    schema: CustomerSchema,
    columns: list[str],
    fitted: dict[str, Any],
    run_date: pd.Timestamp,
):
    """The row rules in their documented order, as Steps; rules whose roles the table lacks are
    left out."""
    id_column, enrolment = schema.id, schema.role("enrolment_date")
    repeated_id = _rows_with_repeated_id(id_column)
    yield Step(reject_exact_duplicates, {"id": id_column}, None, repeated_id)
    yield Step(
        reject_repeated_ids,
        {"id": id_column, "enrolment": enrolment, "rule": settings["repeated_ids"]},
        [ROW_NUMBER, id_column] + ([enrolment] if enrolment else []),
        repeated_id,
    )
    if enrolment:
        yield Step(
            reject_implausible_enrolments,
            {"column": enrolment, "run_date": run_date, **settings["enrolment_dates"]},
            [enrolment],
        )
    age_role = "birth_year" if schema.role("birth_year") else "age"
    age_column = schema.role(age_role)
    if age_column:
        yield Step(
            apply_age_rule,
            {
                **settings["age"],
                "column": age_column,
                "role": age_role,
                "enrolment": enrolment,
                "fitted_reference": fitted.get("age_reference_date"),
            },
            [age_column] + ([enrolment] if enrolment and age_role == "birth_year" else []),
        )
    deals, channels = schema.role("deals"), schema.channels
    if deals and channels:
        yield Step(
            check_purchase_consistency,
            {"deals": deals, "channels": channels, **settings["purchase_consistency"]},
            [deals, *channels.values()],
        )
    for spec in schema.columns:  # each layout's own limits (contract.ColumnSpec.limits)
        if spec.limits is not None and spec.name in columns:
            yield Step(apply_value_range, {**spec.limits, "column": spec.name}, [spec.name])
    outliers = settings["statistical_outliers"]
    if outliers["method"] != "none":
        for column, _ in _entries(outliers["columns"], schema, "statistical_outliers.columns"):
            integer = schema.by_name[column].kind == INTEGER
            yield Step(
                apply_statistical_outliers,
                {**outliers, "column": column, "integer": integer},
                [column],
            )
    missing = settings["missing_values"]
    configured = dict(_entries(missing.get("columns"), schema, "missing_values.columns"))
    for column in columns:
        strategy = configured.get(column, {"strategy": missing["default"]})
        if strategy.get("group_by") and strategy["group_by"] not in schema.by_name:
            # A table without the grouping column is one group: the overall median.
            strategy = {"strategy": "median"}
        needed = [column] + ([strategy["group_by"]] if "group_by" in strategy else [])
        # Rejecting missing values needs only the rows missing one; imputing needs them all.
        yield Step(
            fill_missing,
            {
                "column": column,
                "strategy": strategy["strategy"],
                "group_by": strategy.get("group_by"),
                "integer": schema.by_name[column].kind == INTEGER,
                "fitted": (fitted.get("imputation") or {}).get(column),
            },
            needed,
            partial(_rows_missing, column=column) if strategy["strategy"] == "reject" else None,
        )


def _rows_with_repeated_id(id_column: str):
    """Kept rows whose ID is on another kept row: the only ones the duplicate rules act on.

    The first call searches every kept row; later calls search only the rows found before (the
    kept rows only shrink, so a repeated ID stays among them), not the whole table again.
    """
    found = None

    def rows(frame: pd.DataFrame, alive: np.ndarray) -> np.ndarray:
        nonlocal found
        search = alive if found is None else alive & found
        found = search.copy()
        found[search] = frame[id_column][search].duplicated(keep=False).to_numpy()
        return found

    return rows


def _gather_in_id_order(frame: pd.DataFrame, positions: np.ndarray, id_column: str) -> pd.DataFrame:
    """The rows at ``positions`` sorted by ID (the primary table's order), each column gathered
    once: a nullable integer column none of whose rows misses a value comes out as its plain
    numpy type (Int16 -> int16), a view of the gathered values, so `to_primary` finds the rows
    sorted and typed and copies nothing (at 10M customers a second copy of the table costs
    seconds)."""
    order = positions[id_order(frame[id_column].array[positions])]
    columns = {}
    for name in frame.columns:
        values = frame[name].array.take(order)
        if isinstance(values, pd.arrays.IntegerArray) and not values.isna().any():
            values = values.to_numpy(dtype=values.dtype.numpy_dtype)
        columns[name] = values
    return pd.DataFrame(columns, copy=False)


def _rows_missing(frame: pd.DataFrame, alive: np.ndarray, column: str) -> np.ndarray:
    """Kept rows without a value in `column`."""
    return alive & frame[column].isna().to_numpy()


def _is_silent(entry: dict[str, Any], configured: set[str]) -> bool:
    """A missing-values entry of a column left to the default strategy that found nothing."""
    return (
        entry["rule"] == "missing_values"
        and entry["column"] not in configured
        and entry["values_fixed"] == entry["rows_rejected"] == 0
    )


def _no_customer_left(source: str, tally: list[tuple[str, int, str]], rows: int) -> InputDataError:
    """The refusal when the rules reject every row: the main reasons, their counts, what to do."""
    main = sorted(tally, key=lambda item: -item[1])[:3]
    reasons = "; ".join(
        f"{label}: {count:,} row{'s' if count != 1 else ''}, e.g. '{example}'"
        for label, count, example in main
    )
    # value_range's setting is the layout's own: the column's `limits` in the schema.
    limits = any(label.startswith("value_range") for label, _, _ in main)
    where = (
        "; value_range: the column's `limits` in schema.columns (your declaration)"
        if limits
        else ""
    )
    return InputDataError(
        f"Input file '{source}': no customer left to analyse: all {rows:,} rows were rejected. "
        f"Main reasons: {reasons}. Nothing was written past data/02_intermediate. Check the file "
        "against docs/data_contract.md (columns, formats, IDs) and fix it; if a rule is too "
        "strict for your data, change its setting (named like the rule) under data_processing: "
        f"in {_SETTINGS_FILE}{where}."
    )


def clean_customers(
    typed: pd.DataFrame,
    invalid_rows: pd.DataFrame,
    settings: dict[str, Any],
    schema: CustomerSchema,
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
    columns = [spec.name for spec in schema.columns if spec.name in frame.columns]
    entries, statistics = [], {"age_reference_date": None, "imputation": {}}
    kept = np.flatnonzero(alive)  # positions of the rows still kept
    # (rule, rows it rejected, an example reason): the refusal's summary if no row is left.
    tally = [
        (f"invalid_values ({column})", len(group), group.iloc[0])
        for column, group in invalid_rows[REJECT_REASON].groupby(
            invalid_rows[REJECT_REASON].str.split(" ", n=2).str[1], sort=False
        )
    ]
    for step in _rule_steps(settings, schema, columns, fitted or {}, pd.Timestamp(run_date)):
        if not len(kept) and fitted is None:  # no statistic (reference date) from no rows
            raise _no_customer_left(source, tally, len(frame))
        # Each rule reads only its columns of the kept rows, or of the few kept rows it needs,
        # so that no rule copies the whole table at scale.
        positions = kept if step.rows is None else np.flatnonzero(step.rows(frame, alive))
        rows = (frame if step.columns is None else frame[step.columns]).take(positions)
        outcome = step.rule(rows, step.settings)
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
    configured = {
        column
        for column, _ in _entries(
            settings["missing_values"].get("columns"), schema, "missing_values.columns"
        )
    }
    silent = [entry for entry in entries if _is_silent(entry, configured)]
    entries = [entry for entry in entries if not _is_silent(entry, configured)]
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
    kept = _gather_in_id_order(frame, kept, schema.id)
    dropped = []
    if settings["constant_columns"]["drop"] and len(kept):
        dropped = find_constant_columns(kept, schema, settings["constant_columns"]["keep_required"])
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


def to_primary(kept: pd.DataFrame, schema: CustomerSchema) -> pd.DataFrame:
    """The primary table: declared types without missing values, one row per ID, sorted by ID."""
    primary = kept.drop(columns=ROW_NUMBER)
    primary = primary.astype(
        {column: schema.by_name[column].primary_dtype for column in primary.columns}
    )
    if not in_id_order(primary[schema.id]):
        primary = primary.take(id_order(primary[schema.id])).reset_index(drop=True)
    ids = primary[schema.id].to_numpy()
    if (ids[1:] == ids[:-1]).any():  # sorted: a repeated ID sits next to itself
        raise ValueError("primary_customers would hold an ID twice; the repeated_ids rule failed")
    return primary


def rejections_by_rule(rules: list[dict[str, Any]]) -> list[str]:
    """Each rule that rejected rows, as '3 by `age_range` on Year_Birth', most rows first
    (``rules``: the data-quality report's entries; ties keep the rules' order)."""
    rejecting = [rule for rule in rules if rule.get("rows_rejected")]
    rejecting.sort(key=lambda rule: -rule["rows_rejected"])
    return [
        f"{rule['rows_rejected']:,} by `{rule['rule']}`"
        + (f" on {rule['column']}" if rule.get("column") else "")
        for rule in rejecting
    ]


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
        "dropped_columns": parse_summary["dropped_columns"] + dropped,
        "rules": parse_summary["rules"] + rules,
    }
