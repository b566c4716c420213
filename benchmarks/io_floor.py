"""The I/O floor of a run: read the raw file exactly as ``raw_customers`` does, write an ID ->
segment table to Parquet, nothing else. Run in its own process by run_benchmarks.py.

Usage: python benchmarks/io_floor.py <project dir> <output parquet>
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from kedro.framework.session import KedroSession
from kedro.framework.startup import bootstrap_project
from kedro_datasets.pandas import ParquetDataset


def main(project: Path, output: Path) -> None:
    """Load ``raw_customers`` with the project's own catalog entry, then save the segment table."""
    bootstrap_project(project)
    with KedroSession.create(project_path=project, env="base") as session:
        raw_customers = session.load_context().catalog.get("raw_customers")
    started = time.perf_counter()
    raw = raw_customers.load()
    read_s = time.perf_counter() - started
    ids = pd.to_numeric(raw["ID"], errors="coerce").dropna().astype("int64")
    table = pd.DataFrame({"ID": ids.to_numpy(), "segment": np.ones(len(ids), dtype="int64")})
    started = time.perf_counter()
    ParquetDataset(filepath=str(output)).save(table)
    print(f"read_s={read_s:.3f} write_s={time.perf_counter() - started:.3f} rows={len(raw)}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
