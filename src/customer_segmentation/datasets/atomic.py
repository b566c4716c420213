"""Stock kedro-datasets types whose files appear complete or not at all.

Kedro's datasets write straight to the final path, so a run killed mid-write leaves a truncated
file that the next run or a notebook reads as if it were whole. ``WrittenAtomically`` makes the
stock ``save`` write to a hidden sibling (``.<name>.partial``, same folder, so the same file
system) and renames it into place when the write has finished: a rename within a folder is
atomic on POSIX and Windows. Everything else (versioning, ``exists``, ``load``, hooks) is the stock
dataset's own.
"""

from pathlib import PurePosixPath
from typing import Any

import pandas as pd
from kedro.io.core import get_filepath_str
from kedro_datasets.json import JSONDataset as StockJSONDataset
from kedro_datasets.matplotlib import MatplotlibDataset as StockMatplotlibDataset
from kedro_datasets.pandas import CSVDataset as StockCSVDataset
from kedro_datasets.pandas import ParquetDataset as StockParquetDataset
from kedro_datasets.text import TextDataset as StockTextDataset

from customer_segmentation.core.reporting.spreadsheet import neutralise_formulas


class WrittenAtomically:
    """Mixin for a stock file dataset: ``save`` writes a hidden sibling, then renames it."""

    _partial_path: PurePosixPath | None = None

    def _get_save_path(self) -> PurePosixPath:
        return self._partial_path or super()._get_save_path()  # type: ignore[misc]

    def save(self, data: Any) -> None:
        """Save like the stock dataset, to ``.<name>.partial``; rename it when complete."""
        final = super()._get_save_path()  # type: ignore[misc]
        self._partial_path = final.with_name(f".{final.name}.partial")
        partial = get_filepath_str(self._partial_path, self._protocol)  # type: ignore[attr-defined]
        try:
            # The stock save, without Kedro's logging wrapper (this method already has one).
            super().save.__wrapped__(self, data)  # type: ignore[misc]
            self._fs.mv(partial, get_filepath_str(final, self._protocol))  # type: ignore[attr-defined]
        finally:
            self._partial_path = None
            if self._fs.exists(partial):  # type: ignore[attr-defined]
                self._fs.rm(partial)  # type: ignore[attr-defined]


class ParquetDataset(WrittenAtomically, StockParquetDataset):
    """``pandas.ParquetDataset``, written atomically."""


class JSONDataset(WrittenAtomically, StockJSONDataset):
    """``json.JSONDataset``, written atomically."""


class TextDataset(WrittenAtomically, StockTextDataset):
    """``text.TextDataset``, written atomically."""


class MatplotlibDataset(WrittenAtomically, StockMatplotlibDataset):
    """``matplotlib.MatplotlibDataset`` (one figure per file), written atomically."""


class CSVDataset(WrittenAtomically, StockCSVDataset):
    """``pandas.CSVDataset``, written atomically, for files people open in a spreadsheet.

    Text cells are neutralised against formula injection (``neutralise_formulas``) when saved;
    the Parquet tables keep the values unchanged.
    """

    def save(self, data: pd.DataFrame) -> None:
        """Save ``data`` with its text cells made safe for spreadsheets."""
        super().save(neutralise_formulas(data))
