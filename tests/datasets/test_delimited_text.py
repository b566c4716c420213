"""DelimitedTextDataset: text-only loading and a clear message for each unreadable file."""

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
import yaml
from kedro.io import DataCatalog
from kedro.io.core import DatasetError

from customer_segmentation.datasets import DelimitedTextDataset
from customer_segmentation.errors import InputDataError

CATALOG = Path(__file__).resolve().parents[2] / "conf" / "base" / "catalog.yml"
HEADER = "ID\tYear_Birth\tIncome\tDt_Customer"


def _write(tmp_path, text: str, name: str = "customers.tsv"):
    path = tmp_path / name
    path.write_bytes(text.encode())
    return str(path)


def _load(path: str, sep: str = "\t"):
    return DelimitedTextDataset(filepath=path, load_args={"sep": sep}).load()


def test_values_load_as_text_without_missing_value_guessing(tmp_path):
    path = _write(tmp_path, f"{HEADER}\r\n0012\t1957\t\t04-09-2012\r\n7\t1960\tNA\t05-09-2012\r\n")

    frame = _load(path)

    assert frame["ID"].tolist() == ["0012", "7"]
    assert frame["Income"].tolist() == ["", "NA"]
    # pyarrow's reader: Arrow text with 32-bit offsets (pandas' `str` would hold 64-bit ones).
    assert all(dtype == pd.ArrowDtype(pa.string()) for dtype in frame.dtypes)
    assert frame.attrs["source"] == path


def _arrow_only(monkeypatch) -> None:
    """Make pandas' C-engine fallback fail, so that a load proves pyarrow's reader read."""

    def refuse(*args, **kwargs):
        raise AssertionError("fell back to pandas' C engine")

    monkeypatch.setattr(DelimitedTextDataset, "_read_csv", refuse)


def _assert_same_text(fast: pd.DataFrame, c_engine: pd.DataFrame) -> None:
    """The same text in every cell; only the holder differs (Arrow `string`, pandas' `str`)."""
    pd.testing.assert_frame_equal(fast, c_engine, check_dtype=False)
    assert all(dtype == "str" for dtype in c_engine.dtypes)


def test_the_fast_reader_gives_the_c_engines_frame(tmp_path, monkeypatch):
    # BOM, CRLF, a quoted delimiter, empty and "NA" fields, a blank line, non-ASCII text.
    text = f'\ufeff{HEADER}\r\n1\t"19\t57"\t\t04-09-2012\r\n\r\n2\tNA\t  x \tJosé\r\n'
    path = _write(tmp_path, text)

    with monkeypatch.context() as patch:
        _arrow_only(patch)
        fast = _load(path)
    c_engine = DelimitedTextDataset(filepath=path, load_args={"sep": "\t", "engine": "c"}).load()

    _assert_same_text(fast, c_engine)
    assert fast["Year_Birth"].tolist() == ["19\t57", "NA"]


def test_the_fast_reader_decodes_a_configured_encoding_like_the_c_engine(tmp_path, monkeypatch):
    path = tmp_path / "customers.tsv"
    path.write_bytes(f"{HEADER}\n1\t1957\t\t04-09-2012\n2\tNA\tJosé\tx\n".encode("cp1252"))
    args = {"sep": "\t", "encoding": "cp1252"}

    with monkeypatch.context() as patch:
        _arrow_only(patch)
        fast = DelimitedTextDataset(filepath=str(path), load_args=args).load()
    c_engine = DelimitedTextDataset(filepath=str(path), load_args={**args, "engine": "c"}).load()

    _assert_same_text(fast, c_engine)
    assert fast["Income"].tolist() == ["", "José"]


def test_every_load_reads_the_file_and_save_refuses(tmp_path):
    path = _write(tmp_path, f"{HEADER}\n1\t1957\t50000\t04-09-2012\n")
    dataset = DelimitedTextDataset(filepath=path, load_args={"sep": "\t"})
    assert dataset.load()["ID"].tolist() == ["1"]
    _write(tmp_path, f"{HEADER}\n2\t1960\t60000\t05-09-2012\n")

    assert dataset.load()["ID"].tolist() == ["2"]  # no stale table, as in a notebook
    with pytest.raises(DatasetError, match="raw input"):
        dataset.save(dataset.load())


def test_the_catalog_reads_the_raw_file_once_per_run_until_released(tmp_path):
    entry = yaml.safe_load(CATALOG.read_text())["raw_customers"]
    path = _write(tmp_path, f"{HEADER}\n1\t1957\t50000\t04-09-2012\n")
    entry["dataset"]["filepath"] = path
    catalog = DataCatalog.from_config({"raw_customers": entry})
    assert catalog.load("raw_customers")["ID"].tolist() == ["1"]
    _write(tmp_path, f"{HEADER}\n2\t1960\t60000\t05-09-2012\n")

    assert catalog.load("raw_customers")["ID"].tolist() == ["1"]  # kept by CachedDataset
    catalog.release("raw_customers")  # what the runner does after the last reader
    assert catalog.load("raw_customers")["ID"].tolist() == ["2"]


def test_missing_file_names_the_path_and_what_to_do(tmp_path):
    path = str(tmp_path / "nowhere.tsv")

    with pytest.raises(InputDataError) as error:
        _load(path)

    assert str(error.value).startswith(f"Input file '{path}' does not exist")
    assert "filepath" in str(error.value)


def test_empty_file(tmp_path):
    path = _write(tmp_path, "")

    with pytest.raises(InputDataError, match=r"customers.tsv' is empty: it has no header"):
        _load(path)


def test_header_only(tmp_path):
    path = _write(tmp_path, HEADER + "\r\n")

    with pytest.raises(InputDataError, match=r"customers.tsv' has a header line but no data rows"):
        _load(path)


def test_wrong_delimiter_says_which_one_the_file_uses(tmp_path):
    path = _write(tmp_path, HEADER.replace("\t", ",") + "\n1,1957,5,04-09-2012\n")

    with pytest.raises(InputDataError) as error:
        _load(path)

    message = str(error.value)
    assert path in message
    assert "single column 'ID,Year_Birth,Income,Dt_Customer" in message
    assert "looks comma-separated" in message
    assert 'sep: ","' in message


@pytest.mark.parametrize("delimiter", ["\t", ",", ";", "|"])
def test_the_delimiter_is_detected_when_not_set(tmp_path, delimiter):
    # Decimal commas (where the comma is not the delimiter) and a quoted field holding every
    # delimiter do not mislead it.
    income = "58138.5" if delimiter == "," else "58138,5"
    rows = [
        HEADER.split("\t"),
        ["1", "1957", income, "04-09-2012"],
        ["2", "1960", '"a,b;c|d\t"', ""],
    ]
    path = _write(tmp_path, "\n".join(delimiter.join(row) for row in rows) + "\n")

    table = DelimitedTextDataset(filepath=path).load()

    assert list(table.columns) == HEADER.split("\t")
    assert table["Income"].tolist() == [income, "a,b;c|d\t"]


def test_a_file_two_delimiters_would_read_is_asked_about(tmp_path):
    path = _write(tmp_path, "ID;Year,Birth\n1;1957,3\n")

    with pytest.raises(InputDataError) as error:
        DelimitedTextDataset(filepath=path).load()

    assert "more than one delimiter" in str(error.value)
    assert 'sep: ","' in str(error.value) and 'sep: ";"' in str(error.value)


def test_duplicate_column_names_are_named(tmp_path):
    path = _write(tmp_path, "ID\tIncome\tIncome\n1\t2\t3\n")

    with pytest.raises(InputDataError) as error:
        _load(path)

    assert path in str(error.value)
    assert "duplicate column name(s) 'Income'" in str(error.value)


def test_a_line_with_too_many_fields_names_the_file(tmp_path):
    path = _write(tmp_path, f"{HEADER}\n1\t2\t3\t4\n1\t2\t3\t4\t5\t6\n")

    with pytest.raises(InputDataError, match="cannot be read as a table"):
        _load(path)


def test_through_the_catalog_the_users_message_comes_first(tmp_path):
    path = _write(tmp_path, "")
    catalog = DataCatalog.from_config(
        {
            "raw_customers": {
                "type": "customer_segmentation.datasets.DelimitedTextDataset",
                "filepath": path,
            }
        }
    )

    with pytest.raises(DatasetError) as error:
        catalog.load("raw_customers")

    # Kedro's catalog only prefixes the dataset name: no "Failed while loading..." wrapper first.
    assert str(error.value).startswith(f"raw_customers: Input file '{path}' is empty")
    assert isinstance(error.value.__cause__, InputDataError)


@pytest.mark.parametrize(
    ("first_bytes", "named"),
    [
        (b"PK\x03\x04\x14\x00\x06\x00", "Excel workbook (.xlsx)"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "Excel 97-2003"),
        (b"\x1f\x8b\x08\x00", "gzip"),
        (b"PAR1\x15\x04", "Parquet"),
    ],
)
def test_a_binary_file_under_a_text_name_is_named_for_what_it_is(tmp_path, first_bytes, named):
    path = tmp_path / "customers.csv"
    path.write_bytes(first_bytes + bytes(range(256)) * 4)

    with pytest.raises(InputDataError) as error:
        _load(str(path))

    assert named in str(error.value) and "not delimited text" in str(error.value)
    assert "Save As" in str(error.value)


def test_a_stray_quote_is_reported_as_a_quoting_problem(tmp_path):
    path = _write(tmp_path, f'{HEADER}\n1\t1957\t"50000\t04-09-2012\n2\t1960\t1\t05-09-2012\n')

    with pytest.raises(InputDataError) as error:
        _load(path)

    assert "never closed" in str(error.value) and "quoting: 3" in str(error.value)


def test_a_trailing_delimiter_on_every_data_line_is_named(tmp_path):
    text = f"{HEADER}\n1\t1957\t50000\t04-09-2012\t\n2\t1960\t1\t05-09-2012\t\n"
    path = _write(tmp_path, text)

    with pytest.raises(InputDataError) as error:
        _load(path)

    assert "trailing delimiter" in str(error.value) and "index_col: false" in str(error.value)
    fixed = DelimitedTextDataset(filepath=path, load_args={"sep": "\t", "index_col": False})
    assert fixed.load()["Dt_Customer"].tolist() == ["04-09-2012", "05-09-2012"]


def test_a_utf16_file_is_read_by_its_byte_order_mark_and_named_when_utf8_is_set(tmp_path):
    path = tmp_path / "customers.tsv"
    # More than the 64 KiB the reader checks first: a character may be cut at that point.
    lines = "".join(f"{n}\t1957\t50000\t04-09-2012\n" for n in range(1, 3001))
    path.write_bytes(f"{HEADER}\n{lines}".encode("utf-16"))

    table = DelimitedTextDataset(filepath=str(path)).load()

    assert len(table) == 3000 and table["Income"].eq("50000").all()
    with pytest.raises(InputDataError) as error:
        DelimitedTextDataset(filepath=str(path), load_args={"encoding": "utf-8"}).load()
    assert "is UTF-16 text" in str(error.value) and "encoding: utf-16" in str(error.value)


@pytest.mark.parametrize(
    ("filler_lines", "where"),
    [(1, "on line 3"), (3000, "past the first 64 KiB")],  # checked up front / found by pandas
)
def test_a_windows_1252_byte_names_its_place_and_the_encoding_to_set(tmp_path, filler_lines, where):
    line = "1\t1957\t50000\t04-09-2012\n"
    text = f"{HEADER}\n{line * filler_lines}2\t1960\t52000\u2019\t04-09-2012\n"  # cp1252: 0x92
    path = tmp_path / "customers.tsv"
    path.write_bytes(text.encode("cp1252"))

    with pytest.raises(InputDataError) as error:
        _load(str(path))

    message = str(error.value)
    assert "not valid utf-8" in message and where in message and "encoding: cp1252" in message
    fixed = DelimitedTextDataset(filepath=str(path), load_args={"sep": "\t", "encoding": "cp1252"})
    assert fixed.load()["Income"].iloc[-1] == "52000\u2019"
