"""A Parquet dataset that keeps the table it saved or loaded for the rest of the run."""

import pandas as pd
from kedro_datasets.pandas import ParquetDataset


class KeptParquetDataset(ParquetDataset):
    """``pandas.ParquetDataset`` that writes as usual but reads the file at most once per run.

    In one ``kedro run`` a table saved by one pipeline is read by several later nodes: at
    10,000,000 customers reading the Parquet layers again cost about 20 s of the run. The table is
    kept from its save (or first load) until Kedro releases the dataset, which it does as soon
    as no remaining node of the run needs it. Loads return a shallow copy: with pandas'
    copy-on-write a node cannot change what the next node reads. Parquet keeps pandas' dtypes
    and index, so a kept table equals the file read back (the end-to-end tests compare both).
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._kept: pd.DataFrame | None = None

    def load(self) -> pd.DataFrame:
        """The kept table, or the file (then kept)."""
        if self._kept is None:
            self._kept = super().load()
        return self._kept.copy(deep=False)

    def save(self, data: pd.DataFrame) -> None:
        """Write the file and keep the table."""
        super().save(data)
        self._kept = data.copy(deep=False)

    def _release(self) -> None:
        super()._release()
        self._kept = None
