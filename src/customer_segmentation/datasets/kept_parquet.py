"""A Parquet dataset that keeps its table for the run and writes its file in the background."""

import logging
from concurrent.futures import Future, ThreadPoolExecutor

import pandas as pd
from kedro_datasets.pandas import ParquetDataset

from customer_segmentation.datasets.kept import KeepsLoadedTable

LOGGER = logging.getLogger(__name__)

# One writer thread: files are written in the order saved, and a write never waits for a core
# that another write holds. Python joins it at exit, so no file is left half written.
_WRITER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="parquet-writer")
_PENDING: list[Future] = []


def wait_for_background_writes(raise_errors: bool = True) -> None:
    """Block until every file saved so far is written; re-raise the first failed write."""
    failures = []
    while _PENDING:
        error = _PENDING.pop(0).exception()
        if error is not None:
            failures.append(error)
            LOGGER.error("Writing a Parquet file failed: %s", error)
    if failures and raise_errors:
        raise failures[0]


class KeptParquetDataset(KeepsLoadedTable, ParquetDataset):
    """``pandas.ParquetDataset`` that reads its file at most once per run and writes it in the
    background.

    In one ``kedro run`` a table saved by one pipeline is read by several later nodes: at
    10,000,000 customers reading the Parquet layers again cost about 20 s of the run, and writing
    them about 11 s. The table saved (or first loaded) is kept (``KeepsLoadedTable``); the file
    is written by a background thread while the next nodes run (Parquet encoding releases the
    GIL). The run waits for every write before it ends (``hooks.WaitForBackgroundWrites``), and
    releasing or checking the dataset waits for its own write, so a failed write still fails the
    run. Parquet keeps pandas' dtypes and index, so a kept table equals the file read back (the
    end-to-end tests compare both).
    """

    # Kedro's ParallelRunner refuses it (by name): another process could read a file this one is
    # still writing. SequentialRunner (the default) and ThreadRunner share the process.
    _SINGLE_PROCESS = True

    _writing: Future | None = None

    def _read(self) -> pd.DataFrame:
        return ParquetDataset.load(self)  # no write is pending: a save keeps its table

    def save(self, data: pd.DataFrame) -> None:
        """Keep the table and queue the file's write."""
        self._wait_for_write()
        self._kept = data.copy(deep=False)
        self._writing = _WRITER.submit(super().save, data)
        _PENDING.append(self._writing)

    def _exists(self) -> bool:
        self._wait_for_write()
        return super()._exists()

    def _release(self) -> None:
        self._wait_for_write()
        super()._release()

    def _wait_for_write(self) -> None:
        if self._writing is not None:
            writing, self._writing = self._writing, None
            writing.result()  # re-raises a failed write
