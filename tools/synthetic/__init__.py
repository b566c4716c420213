"""Synthetic customers in the raw file's format, with planted segments kept in a separate file.

Quick use::

    from tools.synthetic import generate_frame, write_synthetic
    customers, segments = generate_frame(1_000, seed=1)
    write_synthetic("data/01_raw/big.csv", n_rows=10_000_000, seed=1)
"""

from tools.synthetic.dirt import DirtSettings
from tools.synthetic.generator import (
    GenerationReport,
    SyntheticChunk,
    generate_chunks,
    generate_frame,
    write_synthetic,
)
from tools.synthetic.segments import SEGMENT_NAMES

__all__ = [
    "SEGMENT_NAMES",
    "DirtSettings",
    "GenerationReport",
    "SyntheticChunk",
    "generate_chunks",
    "generate_frame",
    "write_synthetic",
]
