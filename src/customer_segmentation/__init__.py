"""customer-segmentation: explained, actionable customer segments with Kedro."""

from customer_segmentation.memory import keep_arrow_freed_memory

# First, before any module loads pyarrow (whose pool reads this setting once): memory.py.
keep_arrow_freed_memory()

__version__ = "0.1.0"
