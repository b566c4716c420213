"""The I/O floor of a run: read the raw file exactly as ``raw_customers`` does, write an ID ->
segment table to Parquet, nothing else. Run in its own process by run_benchmarks.py.

No Kedro session is opened (its start-up is a fixed cost of every run, measured apart as
``kedro registry list``): the file dataset inside the catalog entry (a ``CachedDataset`` wraps it)
is built from its configuration alone.

Usage: python benchmarks/io_floor.py <project dir> <output parquet>
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from kedro.config import OmegaConfigLoader
from kedro.io import AbstractDataset
from kedro_datasets.pandas import ParquetDataset


def main(project: Path, output: Path) -> None:
    """Load ``raw_customers`` with the project's own catalog entry, then save the segment table."""
    catalog = OmegaConfigLoader(
        conf_source=str(project / "conf"), base_env="base", default_run_env="local"
    )["catalog"]
    entry = catalog["raw_customers"]
    config = dict(entry.get("dataset", entry))  # the file dataset under a CachedDataset
    config["filepath"] = str(project / config["filepath"])
    raw_customers = AbstractDataset.from_config("raw_customers", config)
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
