"""Project-specific Kedro datasets."""

from customer_segmentation.datasets.figure import FigureDataset

__all__ = ["FigureDataset"]
