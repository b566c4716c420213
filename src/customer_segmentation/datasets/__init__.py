"""Project-specific Kedro datasets."""

from customer_segmentation.datasets.delimited_text import DelimitedTextDataset
from customer_segmentation.datasets.figure import FigureDataset
from customer_segmentation.datasets.kept_parquet import KeptParquetDataset

__all__ = ["DelimitedTextDataset", "FigureDataset", "KeptParquetDataset"]
