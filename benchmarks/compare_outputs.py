"""Compare the outputs of two runs of the project (e.g. before and after a refactoring).

Every published CSV and Parquet table (``data/current/02..08``; for a project from before
publication, ``data/02..08`` with the latest version of a versioned dataset) must be equal up to
a relative 1e-9 (`pandas.testing.assert_frame_equal`, dtypes checked), every JSON file equal with
floats compared to the same tolerance. Figures (PNG) and the HTML report are not compared, nor
``run_id`` columns and keys (each run's own id, e.g. in the membership export and the segment
snapshot).

Usage:
    python benchmarks/compare_outputs.py <project before> <project after> [--values-only]

``--values-only`` compares tables without their dtypes (a change of storage type, such as int64
to int16, with the same values).
"""

import json
import math
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.catalog import published_outputs  # noqa: E402

RTOL = 1e-9
RUN_COLUMNS = {"run_id"}  # columns and JSON keys that differ between any two runs by design


def same(a, b) -> bool:
    """JSON values equal, floats up to RTOL."""
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=RTOL, abs_tol=1e-12)
    if isinstance(a, dict) and isinstance(b, dict):
        keys = a.keys() - RUN_COLUMNS
        return keys == b.keys() - RUN_COLUMNS and all(same(a[key], b[key]) for key in keys)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def output_files(project: Path) -> dict[str, Path]:
    """Every output file by its path under the output folder: the published run's, or (a project
    from before publication) the latest version of each dataset in the layer folders."""
    data = project / "data"
    if (data / "current").is_dir():
        return published_outputs(project)
    files = {}
    # Sorted, so a later version of a versioned dataset (<path>/<version>/<name>) wins.
    for path in sorted(data.glob("0[2-8]_*/**/*")):
        versioned = path.parent.parent.name == path.name
        files[(path.parent.parent if versioned else path).relative_to(data).as_posix()] = path
    return {name: path for name, path in files.items() if path.is_file()}


def differences(before: Path, after: Path, check_dtype: bool = True) -> tuple[int, list[str]]:
    """Number of files compared and a line per file that differs or is missing."""
    found, compared = [], 0
    after_files = output_files(after)
    for name, path in output_files(before).items():
        if path.suffix not in {".csv", ".parquet", ".json"}:
            continue
        other = after_files.get(name, after / "data" / name)
        compared += 1
        if not other.exists():
            found.append(f"missing: {name}")
        elif path.suffix == ".json":
            if not same(json.loads(path.read_text()), json.loads(other.read_text())):
                found.append(f"differs: {name}")
        else:
            read = pd.read_parquet if path.suffix == ".parquet" else pd.read_csv
            old, new = (
                read(p).drop(columns=list(RUN_COLUMNS), errors="ignore") for p in (path, other)
            )
            try:
                pd.testing.assert_frame_equal(old, new, rtol=RTOL, check_dtype=check_dtype)
            except AssertionError as error:
                found.append(f"differs: {name}: {str(error)[:300]}")
    return compared, found


if __name__ == "__main__":
    compared, found = differences(
        Path(sys.argv[1]), Path(sys.argv[2]), check_dtype="--values-only" not in sys.argv[3:]
    )
    print("\n".join(found))
    print(f"{compared} files compared, {len(found)} differ")
    sys.exit(1 if found else 0)
