"""Project datasets: stock kedro-datasets types written atomically, and two readers."""

from customer_segmentation.datasets.atomic import (
    CSVDataset,
    JSONDataset,
    MatplotlibDataset,
    ParquetDataset,
    TextDataset,
)
from customer_segmentation.datasets.delimited_text import DelimitedTextDataset
from customer_segmentation.datasets.figure import FigureDataset
from customer_segmentation.datasets.skops_model import SkopsDataset

__all__ = [
    "CSVDataset",
    "DelimitedTextDataset",
    "FigureDataset",
    "JSONDataset",
    "MatplotlibDataset",
    "ParquetDataset",
    "SkopsDataset",
    "TextDataset",
]
