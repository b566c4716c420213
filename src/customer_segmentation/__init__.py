"""customer-segmentation: explained, actionable customer segments with Kedro."""

__version__ = "0.1.0"
