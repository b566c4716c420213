"""Raw delimited-text reader: every column as text, and a clear message for an unreadable file."""

import codecs
import contextlib
import csv
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
from kedro.io.core import DatasetError, get_filepath_str
from kedro_datasets.pandas import CSVDataset

from customer_segmentation.errors import InputDataError

# Delimiters we recognise when the configured one splits the header into a single column.
LIKELY_DELIMITERS = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}
# Enough bytes to hold the header and the first data line of any sensible table.
_PEEK_BYTES = 1 << 16
_ARROW_BLOCK_BYTES = 1 << 24
# Files that are not text at all, by their first bytes: what they are, and how to get a table.
BINARY_FORMATS = {
    b"PK\x03\x04": "an Excel workbook (.xlsx) or a zip archive",
    b"\xd0\xcf\x11\xe0": "an Excel 97-2003 workbook (.xls)",
    b"\x1f\x8b": "a gzip-compressed file",
    b"PAR1": "a Parquet file",
}
# Byte-order marks of UTF-16, which Excel's "Unicode Text" and Windows' Notepad write.
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# The usual encoding of a file saved by Windows software; a superset of Latin-1's letters.
WINDOWS_ENCODING = "cp1252"


def consistent_delimiters(rows: list[str], sample: int = 50) -> list[str]:
    """The likely delimiters that split the header into several columns and every one of the
    first ``sample`` data lines into as many fields (quotes respected), most columns first.

    One candidate: the file's delimiter. None: the lines disagree under every delimiter (a
    trailing delimiter, a broken line), and the reader's own checks name the problem. Several:
    the file is ambiguous, and the user is asked.
    """
    found = []
    for delimiter in LIKELY_DELIMITERS:
        header_fields = len(next(csv.reader([rows[0]], delimiter=delimiter)))
        if header_fields < 2:  # noqa: PLR2004 - one column: not this delimiter
            continue
        fields = {len(row) for row in csv.reader(rows[1 : sample + 1], delimiter=delimiter)}
        if fields <= {header_fields}:
            found.append((header_fields, delimiter))
    return [delimiter for _, delimiter in sorted(found, key=lambda item: -item[0])]


class InputFileError(InputDataError, DatasetError):
    """An unreadable input file.

    Also a DatasetError so that Kedro passes it on unchanged instead of wrapping it, and the
    user reads our message first.
    """


def _encoding_error(
    source: str, encoding: str, error: UnicodeDecodeError, where: str
) -> InputFileError:
    """A message for bytes that are not ``encoding`` text, naming the encoding they look like."""
    if error.object[:2] in UTF16_BOMS:
        found, fix = "is UTF-16 text", "`load_args: encoding: utf-16`"
    else:
        found = f"is not valid {encoding} text ({error.reason} {where})"
        try:
            error.object.decode(WINDOWS_ENCODING)
        except UnicodeDecodeError:
            fix = "`load_args: encoding:` (the file's encoding)"
        else:
            fix = f"`load_args: encoding: {WINDOWS_ENCODING}` (Windows-1252, also Latin-1 letters)"
    return InputFileError(
        f"Input file '{source}' {found}. Save it as UTF-8 (in Excel: CSV UTF-8), or set {fix} "
        "for this dataset in conf/local/catalog.yml."
    )


def _printable(delimiter: str) -> str:
    return (
        repr(delimiter)
        if delimiter not in LIKELY_DELIMITERS
        else (f"{LIKELY_DELIMITERS[delimiter]} ({delimiter!r})")
    )


class DelimitedTextDataset(CSVDataset):
    """Read-only raw table: a ``pandas.CSVDataset`` that loads every value as text.

    No type or missing-value guessing happens at load (the data contract parses values later);
    ``df.attrs["source"]`` holds the file path. Missing file, empty file, header only, a wrong
    delimiter and duplicate column names raise ``InputFileError`` with what to do.
    ``load_args`` are passed to ``pandas.read_csv`` (``sep``, ``encoding``...), except the ones
    that would make pandas guess types or missing values.

    Read-only: ``save`` refuses. The catalog wraps it in Kedro's ``CachedDataset`` so that a run
    reads the file once (data_processing parses the rows, then copies the rejected ones
    verbatim; a second read took 5 s at 10M customers).
    """

    # sep None: detected from the first lines (``consistent_delimiters``); set it to override.
    # encoding None: UTF-16 when the file starts with its byte-order mark, else UTF-8 (with or
    # without a mark). Other encodings cannot be told apart from the bytes (any byte is valid
    # Windows-1252 or Latin-1), so the message asks for them.
    DEFAULT_LOAD_ARGS: dict[str, Any] = {"sep": None, "encoding": None}
    # Forced: values stay exactly the text of the file; empty fields are "".
    _TEXT_ONLY_ARGS: dict[str, Any] = {"dtype": str, "keep_default_na": False, "na_filter": False}
    # load_args that pyarrow's CSV reader supports; with any other, pandas' C engine reads.
    _PYARROW_OPTIONS = frozenset({"sep", "encoding", "quotechar"} | set(_TEXT_ONLY_ARGS))

    def load(self) -> pd.DataFrame:
        """Check the file's shape, then read it with every value as text."""
        path = get_filepath_str(self._get_load_path(), self._protocol)
        source = self._source_name()
        if not self._fs.exists(path):
            raise InputFileError(
                f"Input file '{source}' does not exist. Put the customer table there, or point "
                "the dataset to your file in conf/local/catalog.yml (filepath:)."
            )
        with self._fs.open(path, mode="rb") as handle:
            head = handle.read(_PEEK_BYTES)
        if self._encoding_setting is None:
            detected = "utf-16" if head[:2] in UTF16_BOMS else "utf-8-sig"
            self._load_args = {**self._load_args, "encoding": detected}
        encoding = self._load_args["encoding"]
        if not head.strip():
            raise InputFileError(
                f"Input file '{source}' is empty: it has no header and no rows. Provide a table "
                "with a header line and one line per customer."
            )
        self._refuse_binary(head, source)
        truncated = len(head) == _PEEK_BYTES
        try:  # an incremental decoder keeps a character cut at the end of the peek for later
            lines = codecs.getincrementaldecoder(encoding)().decode(head, final=not truncated)
        except UnicodeDecodeError as error:
            line = head[: error.start].count(b"\n") + 1
            raise _encoding_error(source, encoding, error, f"on line {line}") from error
        if truncated and "\n" in lines:
            lines = lines[: lines.rindex("\n")]  # the last line may be cut
        rows = [line for line in lines.splitlines() if line.strip()]
        if self._sep_setting is None:
            self._load_args = {**self._load_args, "sep": self._detect_delimiter(rows, source)}
        self._check_header(rows[0], source)
        if len(rows) < 2:  # noqa: PLR2004 - a header and at least one data line
            raise InputFileError(
                f"Input file '{source}' has a header line but no data rows. Provide at least "
                "one customer row below the header."
            )
        self._check_trailing_delimiter(rows, source)
        return self._read_text(path, source, rows[0])

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # None: detected on every load (the file may be replaced between runs).
        self._sep_setting = self._load_args.get("sep")
        self._encoding_setting = self._load_args.get("encoding")

    @staticmethod
    def _detect_delimiter(rows: list[str], source: str) -> str:
        """The file's delimiter from its first lines; asks when two would both read it."""
        found = consistent_delimiters(rows)
        if len(found) > 1:
            options = " or ".join(f"`sep: {json.dumps(d)}`" for d in found)
            raise InputFileError(
                f"Input file '{source}' reads as a table with more than one delimiter "
                f"({', '.join(_printable(d) for d in found)}). Set the one it uses, {options}, "
                "under `load_args` for this dataset in conf/local/catalog.yml."
            )
        if found:
            return found[0]
        # No delimiter gives every line the header's width: take the one that splits the header
        # most (the checks that follow name what is wrong with the lines), else a comma.
        header_fields = {d: rows[0].count(d) for d in LIKELY_DELIMITERS}
        best = max(header_fields, key=header_fields.get)
        return best if header_fields[best] else ","

    @staticmethod
    def _refuse_binary(head: bytes, source: str) -> None:
        """Refuse a spreadsheet, archive or Parquet file saved under a text name."""
        for magic, kind in BINARY_FORMATS.items():
            if head.startswith(magic):
                raise InputFileError(
                    f"Input file '{source}' is {kind}, not delimited text. Save the table as "
                    "CSV or tab-separated text (in Excel: File > Save As > CSV UTF-8) and point "
                    "the dataset at that file in conf/local/catalog.yml."
                )

    def _check_trailing_delimiter(self, rows: list[str], source: str) -> None:
        """Refuse data lines that all end with one extra, empty field (a trailing delimiter).

        pandas would silently take the first column as the row index and shift every column.
        """
        sep = self._load_args.get("sep", ",")
        if len(sep) != 1 or self._load_args.get("index_col") is False:
            return
        header_fields = rows[0].count(sep) + 1
        data = rows[1:]
        if all(row.count(sep) + 1 == header_fields + 1 and row.endswith(sep) for row in data):
            raise InputFileError(
                f"Input file '{source}': every data line ends with an extra {_printable(sep)} "
                f"(a trailing delimiter), so the lines have {header_fields + 1} fields and the "
                f"header {header_fields}. Remove the trailing delimiters, or set "
                "`load_args: index_col: false` for this dataset in conf/local/catalog.yml to "
                "ignore them."
            )

    def _source_name(self) -> str:
        """The path for messages and reports: relative to the working directory (the project
        root under `kedro run`) when inside it, so reports are the same on every machine."""
        if self._protocol == "file":
            with contextlib.suppress(ValueError):
                return str(Path(str(self._filepath)).relative_to(Path.cwd()))
        return str(self._filepath)

    def _check_header(self, header: str, source: str) -> None:
        """Refuse a header that the configured delimiter cannot split, or that repeats a name."""
        sep = self._load_args.get("sep", ",")
        if len(sep) != 1:  # regular-expression separators: leave the header checks to pandas
            return
        names = [name.strip() for name in next(csv.reader([header], delimiter=sep))]
        if len(names) == 1:
            others = [d for d in LIKELY_DELIMITERS if d != sep and d in names[0]]
            if others:
                likely = max(others, key=names[0].count)
                raise InputFileError(
                    f"Input file '{source}': the header splits into a single column "
                    f"'{names[0][:60]}...' with the delimiter {_printable(sep)}; the file looks "
                    f"{LIKELY_DELIMITERS[likely]}-separated. Set `load_args: sep: "
                    f"{json.dumps(likely)}` for this dataset in the catalog "
                    "(conf/local/catalog.yml)."
                )
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise InputFileError(
                f"Input file '{source}': duplicate column name(s) {', '.join(map(repr, repeated))} "
                "in the header. Every column needs its own name: rename or remove the repeated "
                "column(s) in the file."
            )

    def _read_text(self, path: str, source: str, header: str) -> pd.DataFrame:
        load_args = {**self._load_args, **self._TEXT_ONLY_ARGS}
        if load_args.get("engine") == "pyarrow":  # pandas' pyarrow engine has no na_filter
            load_args.pop("na_filter")
        frame = None
        if self._pyarrow_can_read(load_args):
            # pyarrow's reader gives the same frame 3-4x faster (10M customers: 4.7 s against
            # 16 s through pandas' pyarrow engine). A file it refuses (e.g. a line with fewer
            # fields than the header) is read again by the C engine below, so what is accepted
            # and every message stay the same.
            with contextlib.suppress(pa.ArrowInvalid, UnicodeDecodeError):
                frame = self._read_arrow(path, load_args, header)
        try:
            if frame is None:
                frame = self._read_csv(path, load_args)
        except UnicodeDecodeError as error:  # beyond the bytes load() checked
            encoding = load_args.get("encoding") or "utf-8"
            raise _encoding_error(source, encoding, error, "past the first 64 KiB") from error
        except (pd.errors.ParserError, ValueError) as error:
            if "EOF inside string" in str(error):
                raise InputFileError(
                    f"Input file '{source}': a field opens a double quote (\") that is never "
                    f"closed, so the rest of the file reads as one value ({error}). Remove or "
                    "close the stray quote; if quotes are ordinary characters in your data, set "
                    "`load_args: quoting: 3` (no quoting) for this dataset in the catalog."
                ) from error
            raise InputFileError(
                f"Input file '{source}' cannot be read as a table with the delimiter "
                f"{_printable(load_args.get('sep', ','))}: {error}. Check that every line has "
                "as many fields as the header, and the dataset's `load_args` (sep, encoding)."
            ) from error
        frame.columns = [str(name).strip() for name in frame.columns]
        frame.attrs["source"] = source
        return frame

    def _pyarrow_can_read(self, load_args: dict[str, Any]) -> bool:
        """True when no engine is configured and every option is one pyarrow's reader takes."""
        return (
            "engine" not in load_args
            and len(load_args.get("sep", ",")) == 1
            and self._PYARROW_OPTIONS.issuperset(load_args)
        )

    def _read_arrow(self, path: str, load_args: dict[str, Any], header: str) -> pd.DataFrame:
        """The file through pyarrow's CSV reader, every column as Arrow text (``string[pyarrow]``).

        Arrow ``string`` columns (32-bit offsets), held by pandas' ``ArrowDtype`` without a copy:
        pandas' own ``str`` dtype converts to ``large_string`` (64-bit offsets, 4 bytes more per
        value): at 10M customers a run's peak is about 1 GiB lower. Read in blocks of 16 MiB, so
        that each column holds few chunks for the parser's per-column Arrow operations. pyarrow
        skips a UTF-8 byte-order mark itself, so only other encodings go through Python's codecs.
        """
        sep, quote = load_args.get("sep", ","), load_args.get("quotechar", '"')
        names = next(csv.reader([header], delimiter=sep, quotechar=quote))
        encoding = codecs.lookup(load_args.get("encoding") or "utf-8").name
        with self._fs.open(path, mode="rb") as handle:
            table = pacsv.read_csv(
                handle,
                read_options=pacsv.ReadOptions(
                    encoding="utf8" if encoding in ("utf-8", "utf-8-sig") else encoding,
                    block_size=_ARROW_BLOCK_BYTES,
                ),
                parse_options=pacsv.ParseOptions(delimiter=sep, quote_char=quote),
                convert_options=pacsv.ConvertOptions(
                    column_types=dict.fromkeys(names, pa.string()),
                    strings_can_be_null=False,
                ),
            )
        if not all(pa.types.is_string(column.type) for column in table.columns):
            raise pa.ArrowInvalid("a column name did not match the header's text")
        return table.to_pandas(types_mapper={pa.string(): pd.ArrowDtype(pa.string())}.get)

    def _read_csv(self, path: str, load_args: dict[str, Any]) -> pd.DataFrame:
        with self._fs.open(path, mode="rb") as handle:
            return pd.read_csv(handle, **load_args)

    def save(self, data: pd.DataFrame) -> None:
        """Refuse: a raw input is never written by the project."""
        raise DatasetError(
            f"'{self._source_name()}' is a raw input: the pipelines read it and never write it."
        )
