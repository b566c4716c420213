"""Project datasets: stock kedro-datasets types written atomically, two readers, and the
segment history's "latest earlier version, if any" (history.py)."""

from customer_segmentation.datasets.atomic import (
    CSVDataset,
    JSONDataset,
    MatplotlibDataset,
    ParquetDataset,
    TextDataset,
)
from customer_segmentation.datasets.delimited_text import DelimitedTextDataset
from customer_segmentation.datasets.figure import FigureDataset
from customer_segmentation.datasets.history import HistoryJSONDataset, HistoryParquetDataset
from customer_segmentation.datasets.skops_model import SkopsDataset

__all__ = [
    "CSVDataset",
    "DelimitedTextDataset",
    "FigureDataset",
    "HistoryJSONDataset",
    "HistoryParquetDataset",
    "JSONDataset",
    "MatplotlibDataset",
    "ParquetDataset",
    "SkopsDataset",
    "TextDataset",
]
