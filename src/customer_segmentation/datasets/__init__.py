"""Project-specific Kedro datasets."""

from customer_segmentation.datasets.delimited_text import DelimitedTextDataset
from customer_segmentation.datasets.figure import FigureDataset

__all__ = ["DelimitedTextDataset", "FigureDataset"]
