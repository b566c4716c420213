"""The history datasets: the stock versioned datasets, except that before the first version
they load None (the first run) instead of failing."""

import pandas as pd
import pytest
from kedro.io import DatasetError, Version

from customer_segmentation.datasets import (
    HistoryJSONDataset,
    HistoryParquetDataset,
    JSONDataset,
    ParquetDataset,
)

KINDS = [
    (JSONDataset, HistoryJSONDataset, "snapshot.json", {"run": "a"}, {"run": "b"}),
    (
        ParquetDataset,
        HistoryParquetDataset,
        "members.parquet",
        pd.DataFrame({"ID": [1, 2], "segment": [1, 2]}),
        pd.DataFrame({"ID": [1, 2], "segment": [2, 2]}),
    ),
]


def equal(left, right) -> bool:
    return left.equals(right) if isinstance(left, pd.DataFrame) else left == right


@pytest.mark.parametrize("kind", KINDS, ids=["json", "parquet"])
def test_none_before_the_first_version_then_the_latest(tmp_path, kind):
    writer, reader, name, first, second = kind
    path = str(tmp_path / name)
    history = reader(filepath=path, version=Version(None, None))
    assert history.exists()  # the history exists, empty: a run reading it is not refused
    assert history.load() is None

    writer(filepath=path, version=Version(None, "2026-01-01T00.00.00.000Z")).save(first)
    writer(filepath=path, version=Version(None, "2026-02-01T00.00.00.000Z")).save(second)

    assert equal(reader(filepath=path, version=Version(None, None)).load(), second)
    pinned = reader(filepath=path, version=Version("2026-01-01T00.00.00.000Z", None))
    assert equal(pinned.load(), first)


@pytest.mark.parametrize("kind", KINDS, ids=["json", "parquet"])
def test_a_version_asked_for_that_does_not_exist_fails_as_the_stock_dataset(tmp_path, kind):
    writer, reader, name, first, _ = kind
    path = str(tmp_path / name)
    writer(filepath=path, version=Version(None, "2026-01-01T00.00.00.000Z")).save(first)
    missing = Version("2025-01-01T00.00.00.000Z", None)
    with pytest.raises(DatasetError):
        writer(filepath=path, version=missing).load()
    with pytest.raises(DatasetError):
        reader(filepath=path, version=missing).load()
    assert not reader(filepath=path, version=missing).exists()
