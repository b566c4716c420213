import pandas as pd
import pytest
from kedro.io import DatasetError
from kedro.io.data_catalog import SharedMemoryDataCatalog
from kedro.pipeline import Node, Pipeline
from kedro.runner import ParallelRunner

from customer_segmentation.datasets import KeptParquetDataset
from customer_segmentation.datasets.kept_parquet import wait_for_background_writes


@pytest.fixture
def table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "ID": [3, 1, 2],
            "Income": pd.array([50_000, None, 72_000], dtype="Int64"),
            "Education": ["Graduation", "PhD", "Master"],
            "Dt_Customer": pd.to_datetime(["2013-01-02", "2014-06-29", "2012-07-30"]),
            "spend": [1.5, 0.0, 2.25],
        },
        index=pd.Index([10, 20, 30]),
    )


def test_save_writes_the_file_and_loads_keep_what_the_file_holds(tmp_path, table):
    path = str(tmp_path / "table.parquet")
    kept = KeptParquetDataset(filepath=path)

    kept.save(table)
    wait_for_background_writes()

    from_file = KeptParquetDataset(filepath=path).load()
    pd.testing.assert_frame_equal(from_file, table)
    pd.testing.assert_frame_equal(kept.load(), from_file)


def test_the_file_is_read_once_until_the_dataset_is_released(tmp_path, table):
    path = tmp_path / "table.parquet"
    table.to_parquet(path)
    kept = KeptParquetDataset(filepath=str(path))
    first = kept.load()

    table.assign(spend=-1.0).to_parquet(path)  # changed behind the dataset's back
    assert kept.load()["spend"].tolist() == first["spend"].tolist()

    kept.release()
    assert kept.load()["spend"].tolist() == [-1.0, -1.0, -1.0]


def test_a_node_changing_its_input_does_not_change_the_next_load(tmp_path, table):
    kept = KeptParquetDataset(filepath=str(tmp_path / "table.parquet"))
    kept.save(table)

    loaded = kept.load()
    loaded["spend"] = 0.0
    loaded.loc[10, "Education"] = "Basic"

    again = kept.load()
    assert again["spend"].tolist() == [1.5, 0.0, 2.25]
    assert again.loc[10, "Education"] == "Graduation"


def test_a_failed_background_write_fails_the_release_and_the_wait(tmp_path, table):
    (tmp_path / "a_folder.parquet").mkdir()
    kept = KeptParquetDataset(filepath=str(tmp_path / "a_folder.parquet"))
    kept.save(table)  # returns at once; the write fails in the background

    with pytest.raises(DatasetError, match="to a directory is not supported"):
        kept.release()
    with pytest.raises(DatasetError, match="to a directory is not supported"):
        wait_for_background_writes()
    wait_for_background_writes()  # reported once


def test_exists_waits_for_the_file(tmp_path, table):
    kept = KeptParquetDataset(filepath=str(tmp_path / "table.parquet"))
    kept.save(table)
    assert kept.exists()
    assert (tmp_path / "table.parquet").stat().st_size > 0


def test_parallel_runner_refuses_it_by_name(tmp_path, table):
    catalog = SharedMemoryDataCatalog(
        {"table": KeptParquetDataset(filepath=str(tmp_path / "table.parquet"))}
    )
    pipeline = Pipeline([Node(lambda: table, None, "table", name="make_table")])

    with pytest.raises(AttributeError, match=r"cannot be used with multiprocessing: \['table'\]"):
        ParallelRunner().run(pipeline, catalog)
