"""Raw text table -> typed table under the declared schema (required columns, parsing, validation).

Everything is vectorised: per column, never per row. Category columns are standardised on
their distinct values only, which are few even for millions of rows.
"""

import difflib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from customer_segmentation.core.cleaning.contract import (
    CATEGORY,
    DATE,
    INTEGER,
    KEY,
    TEXT,
    ColumnSpec,
    CustomerSchema,
    find_contract_violations,
)
from customer_segmentation.core.cleaning.starter import starter_schema
from customer_segmentation.errors import InputDataError

ROW_NUMBER = "_row_number"
REJECT_REASON = "reject_reason"
# datetime64[ns] holds dates between these (pandas' nanosecond bounds, rounded inwards).
_DATE_BOUNDS = (pd.Timestamp("1678-01-01"), pd.Timestamp("2262-01-01"))
_EXAMPLES = 3
# Integers up to 2**53 convert to float64 and back unchanged.
_EXACT_FLOAT_INTEGER = 2**53
_SETTINGS_FILE = "conf/base/parameters_data_processing.yml"
_SCHEMA_FILE = "schema.columns in conf/<env>/parameters.yml"
# Dates of a column that declares no `formats`: ISO, the one unambiguous format.
_DEFAULT_DATE_FORMATS = ("%Y-%m-%d",)


@dataclass
class ParsedTable:
    """The parse step's results: typed table, rows with invalid values, and what was done."""

    typed: pd.DataFrame
    invalid_rows: pd.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)


def source_of(frame: pd.DataFrame) -> str:
    """The file a frame was read from (set by DelimitedTextDataset), for messages."""
    return str(frame.attrs.get("source", "raw_customers (in memory)"))


def check_required_columns(frame: pd.DataFrame, schema: CustomerSchema, source: str) -> None:
    """Refuse a table that lacks a required declared column, with hints on what to declare."""
    missing = [name for name in schema.required_in_file if name not in frame.columns]
    if not missing:
        return
    found = [str(name) for name in frame.columns]
    hints = []
    for name in missing:
        close = difflib.get_close_matches(name, found, n=1, cutoff=0.6)
        if close:
            hints.append(f"'{close[0]}' looks like '{name}'")
    message = (
        f"Input file '{source}': required column(s) {', '.join(map(repr, missing))} missing. "
        f"Columns found: {', '.join(map(repr, found[:40]))}. "
    )
    if len(found) == 1 and any(d in found[0] for d in "\t,;|"):
        message += "The header did not split into columns: check the delimiter (load_args: sep). "
    if hints and len(missing) <= len(found):  # a few renamed columns, not another layout
        message += "Possible matches: " + "; ".join(hints) + ". "
    message += (
        f"Declare your file's columns and their roles in {_SCHEMA_FILE} "
        "(docs/data_contract.md), or rename the column(s) in the file. A starter declaration "
        "with a guessed role for each column of this file (check every guess, then paste it "
        "into conf/local/parameters.yml):\n\n" + starter_schema(frame)
    )
    raise InputDataError(message)


def _missing_mask(text: pd.Series, markers: list[str]) -> pd.Series:
    return text.isna() | text.isin(markers)


def _distinct_texts(raw: pd.Series, markers: list[str]) -> tuple[np.ndarray, pd.Index, pd.Index]:
    """Each row's code into the column's distinct texts (-1 = missing), the distinct texts and
    the same texts trimmed.

    Trimming and marker matching run on the distinct texts only: category and date columns
    hold a few thousand at most however many rows, so this is 2-3x cheaper than per row.
    """
    codes, distinct = pd.factorize(raw)  # NA -> code -1
    distinct = pd.Index(distinct, dtype=object)
    trimmed = pd.Index(distinct.str.strip(), dtype=object)
    is_marker = trimmed.isin(markers)
    if is_marker.any():
        codes = np.where(is_marker[codes] & (codes >= 0), -1, codes)
    return codes, distinct, trimmed


def _parse_number(text: pd.Series, missing: pd.Series, whole: bool) -> tuple[pd.Series, pd.Series]:
    """Numbers from text: values (NaN where missing or bad) and the problem of each bad value."""
    candidates = text.where(~missing)
    try:  # fast path: Arrow's cast for a clean column; element-wise coercion only when it fails
        values = candidates.astype(pd.ArrowDtype(pa.float64())).astype("float64")
    except (TypeError, ValueError, pa.ArrowInvalid):
        # float64 whatever holds the text (Arrow text gives Arrow doubles here).
        values = pd.to_numeric(candidates, errors="coerce").astype("float64")
    not_finite = ~missing & ~np.isfinite(values)
    # A numeral beyond float64 (1e400) parses as infinity: say so, rather than "not a number".
    infinite = text[not_finite & np.isinf(values)]  # few rows: the text check is cheap here
    spelled = infinite.str.lower().str.lstrip("+-").str.startswith("inf")
    overflow = text.index.isin(infinite.index[~spelled.to_numpy(dtype=bool)])
    # Whole numbers beyond 2**53 lose digits as float64 and overflow int64 past 2**63.
    if whole:
        overflow |= ~not_finite & (values.abs() > _EXACT_FLOAT_INTEGER)
    not_number = not_finite & ~overflow
    problems = pd.concat(
        [
            pd.Series("is not a number", index=text.index[not_number], dtype=object),
            pd.Series(
                "is too large: the number overflows (beyond "
                + ("2**53 for a whole number)" if whole else "the float64 range)"),
                index=text.index[overflow],
                dtype=object,
            ),
        ]
    )
    if whole:
        fractional = ~missing & ~not_finite & ~overflow & (values % 1 != 0)
        problems = pd.concat(
            [
                problems,
                pd.Series("is not a whole number", index=text.index[fractional], dtype=object),
            ]
        )
    values = values.where(~values.index.isin(problems.index))
    return values, problems


def _is_number(marker: str) -> bool:
    try:
        return bool(np.isfinite(float(marker)))
    except ValueError:
        return False


def _plain_integers(raw: pd.Series, markers: list[str], dtype: str) -> pd.Series | None:
    """Fast path for the usual integer column: every value a plain integer, none missing.

    One Arrow cast, straight to the column's integer type (`dtype`, e.g. "int16"), replaces
    trimming, marker matching, float parsing and the whole-number check (4x less work per
    column). The result is exactly what the general path gives: only when no missing marker is
    itself a number and every value is within float64's exact integer range. Returns None
    whenever the general path is needed (a value with spaces, a marker, a fraction, text, an
    empty field, a value the type cannot hold).
    """
    if any(_is_number(marker) for marker in markers):
        return None
    try:
        # The column's Arrow chunks as they are: `pa.array` would first copy the text into one
        # chunk (10M customers: 0.34 s a column against 0.10 s).
        text = pa.Table.from_pandas(raw.to_frame(), preserve_index=False).column(0)
        numbers = pc.cast(text, pa.from_numpy_dtype(np.dtype(dtype)))
    except (TypeError, ValueError, pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if numbers.null_count or not len(numbers):
        return None
    low, high = pc.min_max(numbers).values()
    if max(abs(low.as_py()), abs(high.as_py())) > _EXACT_FLOAT_INTEGER:
        return None
    # Writable, as the cleaning rules may fill values in place: the chunks are gathered into a
    # new array, and a single chunk (Arrow's read-only buffer) is copied.
    whole = numbers.to_numpy()
    if not whole.flags.writeable:
        whole = whole.copy()
    missing = np.zeros(len(whole), dtype=bool)
    return pd.Series(pd.arrays.IntegerArray(whole, missing), index=raw.index, copy=False)


def _as_integers(values: pd.Series, spec: ColumnSpec) -> tuple[pd.Series, pd.Series]:
    """Whole floats (NaN = missing) in the column's nullable integer type, built directly
    (astype is slower), and the problem of each value the type cannot hold: those are outside
    the declared range too (the type is chosen to hold it), so they become missing."""
    dtype = np.dtype(spec.primary_dtype)
    unfit = values.notna() & ~values.between(np.iinfo(dtype).min, np.iinfo(dtype).max)
    missing = (values.isna() | unfit).to_numpy()
    whole = np.where(missing, 0, values.to_numpy()).astype(dtype)
    integers = pd.Series(pd.arrays.IntegerArray(whole, missing), index=values.index, copy=False)
    return integers, pd.Series(_outside(spec), index=values.index[unfit], dtype=object)


def _outside(spec: ColumnSpec) -> str:
    """The problem of a value outside the column's declared values or range."""
    return f"is outside the allowed values ({spec.describe_allowed()})"


def _parse_date(
    raw: pd.Series, markers: list[str], formats: list[str]
) -> tuple[pd.Series, pd.Series, dict[str, int]]:
    """Dates tried against each format in order; returns values, problems and counts per format.

    Each distinct text is parsed once (a customer table holds a few thousand distinct dates
    however many rows it has: 10 s -> 1 s at 10M rows), then the results are spread to the rows.
    """
    codes, _, distinct = _distinct_texts(raw, markers)
    present = codes >= 0
    rows_per_text = np.bincount(codes[present], minlength=len(distinct))
    distinct_values = pd.Series(pd.NaT, index=range(len(distinct)), dtype="datetime64[us]")
    distinct_todo = rows_per_text > 0  # texts that are only missing markers need no parsing
    distinct_text = pd.Series(distinct, dtype=object)
    used = {}
    for date_format in formats:
        parsed = pd.to_datetime(
            distinct_text[distinct_todo], format=date_format, errors="coerce"
        ).astype("datetime64[us]")
        parsed = parsed[parsed.notna()]
        distinct_values.loc[parsed.index] = parsed
        distinct_todo[parsed.index] = False
        used[date_format] = int(rows_per_text[parsed.index].sum())
    values = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[us]")
    values[present] = distinct_values.to_numpy()[codes[present]]
    todo_rows = np.zeros(len(raw), dtype=bool)
    todo_rows[present] = distinct_todo[codes[present]]
    out_of_range = values.notna() & ~values.between(*_DATE_BOUNDS)
    problems = pd.concat(
        [
            pd.Series(
                f"is not a date in the formats {formats}", index=raw.index[todo_rows], dtype=object
            ),
            pd.Series("is outside 1678..2261", index=raw.index[out_of_range], dtype=object),
        ]
    )
    values = values.where(~out_of_range).astype("datetime64[ns]")
    return values, problems, used


def _normalise_label(label: str) -> str:
    return " ".join(label.split()).casefold()


def _standardise_category(
    raw: pd.Series, markers: list[str], spec: ColumnSpec
) -> tuple[pd.Series, list[dict[str, Any]]]:
    """Trim and case-normalise labels to the schema's spelling, then apply the column's `map`.

    Works on the distinct labels only. A label mapped to null becomes missing. Labels that are
    neither allowed nor mapped are kept (trimmed) so that validation reports them.
    """
    column, category_map = spec.name, spec.value_map
    allowed = spec.allowed or ()
    canonical = {_normalise_label(label): label for label in allowed}
    for target in category_map.values():
        if target is not None and spec.allowed is not None and target not in allowed:
            raise InputDataError(
                f"The map of column {column} ({_SCHEMA_FILE}) maps to '{target}', which is not "
                f"an allowed {column} ({', '.join(allowed)}). Map to one of those, or to null to "
                "treat the value as missing."
            )
    user_map = {_normalise_label(str(label)): target for label, target in category_map.items()}
    codes, labels, _ = _distinct_texts(raw, markers)
    counts = np.bincount(codes[codes >= 0], minlength=len(labels))
    results, normalised, mapped = [], 0, Counter()
    for label, count in zip(labels, counts, strict=True):
        if not count:  # a missing marker: no row has this code
            results.append(None)
            continue
        key = _normalise_label(label)
        if key in user_map:
            result = user_map[key]
            mapped[f"{label.strip()} -> {result}"] += int(count)
        else:
            result = canonical.get(key, " ".join(label.split()))
            normalised += int(count) if result != label else 0
        results.append(result)
    # Spread the results to the rows with Arrow (code -1, missing, becomes null): no Python
    # string object per row.
    spread = pc.take(pa.array(results, type=pa.large_string()), pa.array(codes, mask=codes < 0))
    values = pd.Series(pd.array(spread, dtype="str"), index=raw.index)
    entries = [
        _entry(
            "standardise_categories",
            column,
            "normalise",
            fixed=normalised,
            rejected=0,
            detail="trimmed and case-normalised to the contract's spelling",
        ),
    ]
    if category_map:
        detail = ", ".join(f"{pair}: {count}" for pair, count in sorted(mapped.items()))
        entries.append(
            _entry(
                "category_map",
                column,
                "map",
                fixed=sum(mapped.values()),
                rejected=0,
                detail=detail or "no value needed the map",
            )
        )
    return values, entries


def _entry(
    rule: str, column: str | None, action: str, *, fixed: int, rejected: int, detail: str
) -> dict[str, Any]:
    return {
        "rule": rule,
        "column": column,
        "action": action,
        "values_fixed": int(fixed),
        "rows_rejected": int(rejected),
        "detail": detail,
    }


def _check_tolerance(
    problems: dict[str, pd.Series], raw: pd.DataFrame, max_share: float, source: str
) -> None:
    """Refuse the file if any column has more bad values than the tolerance allows."""
    rows = len(raw)
    failures = []
    for column, bad in problems.items():
        if len(bad) / rows <= max_share:
            continue
        first = bad.sort_index().iloc[:_EXAMPLES]
        examples = ", ".join(
            f"row {position + 1}: {raw[column].iloc[position]!r} {problem}"
            for position, problem in first.items()
        )
        kinds = ", ".join(sorted(set(bad.unique())))
        failures.append(
            f"column '{column}': {len(bad)} of {rows} values ({len(bad) / rows:.1%}) are invalid "
            f"[{kinds}], e.g. {examples}"
        )
    if failures:
        raise InputDataError(
            f"Input file '{source}': "
            + "; ".join(failures)
            + f". The tolerance is {max_share:.1%} of rows per column "
            f"(data_processing.max_invalid_share in {_SETTINGS_FILE}). Fix these values or the "
            f"column's declaration ({_SCHEMA_FILE}: its type, date formats, allowed values), "
            "or raise the tolerance to reject those rows instead."
        )


def parse_customers(
    raw: pd.DataFrame, settings: dict[str, Any], schema: CustomerSchema
) -> ParsedTable:
    """Parse and validate the raw text table against the declared schema.

    Raises InputDataError for a table that cannot be used at all (no rows, a required column
    missing, too many invalid values in a column). Values that are invalid but within the
    tolerance (unparseable, or outside the declared values) become missing in the typed table
    and their rows are listed in `invalid_rows`.
    """
    source = source_of(raw)
    if raw.empty:
        raise InputDataError(
            f"Input file '{source}' has no data rows. Provide at least one customer row."
        )
    frame = raw.reset_index(drop=True)  # row labels are positions from here on
    check_required_columns(frame, schema, source)
    if KEY in frame.columns and KEY not in schema.renames:
        raise InputDataError(
            f"Input file '{source}' has a column '{KEY}' besides the declared ID column "
            f"{list(schema.renames)}; the ID column is called {KEY} from parsing on. Rename "
            "that column in the file."
        )
    frame = frame.rename(columns=schema.renames)
    specs = [spec for spec in schema.columns if spec.name in frame.columns]
    markers = list(settings["missing_markers"])

    typed = pd.DataFrame(
        {ROW_NUMBER: np.arange(1, len(frame) + 1, dtype="int64")}, index=frame.index
    )
    problems: dict[str, pd.Series] = {}
    entries: list[dict[str, Any]] = []
    for spec in specs:
        column, kind = spec.name, spec.kind
        plain = (
            _plain_integers(frame[column], markers, spec.primary_dtype) if kind == INTEGER else None
        )
        if plain is not None:
            typed[column] = plain
            problems[column] = pd.Series(dtype=object)
            continue
        if kind == TEXT:  # the ID: trimmed text, never a number
            text = frame[column].str.strip()
            values, bad = text.where(~_missing_mask(text, markers)), pd.Series(dtype=object)
        elif kind == CATEGORY:
            values, new_entries = _standardise_category(frame[column], markers, spec)
            bad = pd.Series(dtype=object)
            entries.extend(new_entries)
        elif kind == DATE:
            formats = list(spec.formats or _DEFAULT_DATE_FORMATS)
            values, bad, used = _parse_date(frame[column], markers, formats)
            alternative = sum(list(used.values())[1:])
            span = (
                f"{values.min():%Y-%m-%d} to {values.max():%Y-%m-%d}"
                if values.notna().any()
                else "none"
            )
            entries.append(
                _entry(
                    "parse_dates",
                    column,
                    "parse",
                    fixed=alternative,
                    rejected=0,
                    detail=f"values per format {used}; dates span {span}",
                )
            )
        else:
            text = frame[column].str.strip()
            if spec.decimal == ",":  # 1234,56: a decimal comma, read as 1234.56
                text = text.str.replace(",", ".", regex=False)
            missing = _missing_mask(text, markers)
            values, bad = _parse_number(text, missing, whole=kind == INTEGER)
            if kind == INTEGER:
                values, unfit = _as_integers(values, spec)
                bad = pd.concat([bad, unfit])
        typed[column] = values.astype(spec.typed_dtype)
        problems[column] = bad

    _drop_values_outside_contract(typed, problems, schema)
    problems = {column: bad for column, bad in problems.items() if len(bad)}
    _check_tolerance(problems, frame, float(settings["max_invalid_share"]), source)

    invalid_rows, invalid_entries = _invalid_rows(problems, frame, typed, specs)
    dropped = [
        {
            "column": str(name),
            "reason": "role ignore in the schema"
            if name in schema.ignored
            else "not in the data contract",
        }
        for name in frame.columns
        if name not in schema.by_name
    ]
    summary = {
        "source": source,
        "rows_in": len(frame),
        "dropped_columns": dropped,
        "rules": entries + invalid_entries,
    }
    return ParsedTable(
        typed=typed.reset_index(drop=True), invalid_rows=invalid_rows, summary=summary
    )


def _drop_values_outside_contract(
    typed: pd.DataFrame, problems: dict[str, pd.Series], schema: CustomerSchema
) -> None:
    """Values outside the declared values (pandera's checks): added to `problems`, and made
    missing in `typed`, as the unparseable values already are."""
    violations = find_contract_violations(typed, schema)
    for column, cases in violations.groupby("column", sort=False):
        rows = cases["index"].to_numpy()
        outside = pd.Series(_outside(schema.by_name[column]), index=rows)
        problems[column] = pd.concat([problems[column], outside])
        # A new column, not an assignment into it: a column may be a read-only Arrow buffer.
        typed[column] = typed[column].mask(typed.index.isin(rows))


def _invalid_rows(
    problems: dict[str, pd.Series],
    frame: pd.DataFrame,
    typed: pd.DataFrame,
    specs: list[ColumnSpec],
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """One reason per row: the first column (declaration order) with an invalid value."""
    reasons = []
    taken = pd.Index([], dtype=frame.index.dtype)
    entries = []
    for column in [spec.name for spec in specs if spec.name in problems]:
        bad = problems[column]
        new = bad.index.difference(taken)
        taken = taken.union(new)
        text = frame[column].loc[new].astype(object).map(repr)
        reasons.append(f"invalid_value: {column} " + text + " " + bad.loc[new].astype(object))
        entries.append(
            _entry(
                "invalid_values",
                column,
                "reject",
                fixed=0,
                rejected=len(new),
                detail=f"{len(bad)} values unparseable or outside the contract",
            )
        )
    if not entries:
        entries.append(
            _entry("invalid_values", None, "reject", fixed=0, rejected=0, detail="no invalid value")
        )
    reason = pd.concat(reasons) if reasons else pd.Series(dtype=object)
    invalid = pd.DataFrame(
        {
            ROW_NUMBER: typed.loc[reason.index, ROW_NUMBER].to_numpy(dtype="int64"),
            REJECT_REASON: reason.to_numpy(dtype=object),
        }
    )
    return invalid.sort_values(ROW_NUMBER, ignore_index=True), entries
