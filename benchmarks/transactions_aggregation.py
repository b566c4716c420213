"""Time and peak memory of the per-customer RFM aggregation: DuckDB (embedded) against pandas.

For each size a synthetic line-item log is written in Parquet, chunk by chunk (synthetic customers
from ``tools.synthetic.generator``, their log from
``tools.synthetic.transactions``, with 1% dirt of each kind). Then each engine
aggregates it in its own subprocess under ``/usr/bin/time -v`` (wall time and peak resident
memory of the whole process, reading included):

- duckdb: ``core.features.transactions.rfm_from_log`` on ``ibis.duckdb`` reading the Parquet
  file itself;
- pandas: the same rules and aggregates written in pandas (``read_parquet`` of the needed columns,
  then vectorised masks and one ``groupby``), only up to ``--pandas-max-lines``.

Usage:
    python benchmarks/transactions_aggregation.py --sizes 1000000,10000000 \
        [--pandas-max-lines 10000000] [--workdir /tmp/transactions_bench] [--keep]
Results are printed as a Markdown table and written to benchmarks/results/transactions.json.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

CANONICAL = ("customer_id", "invoice", "timestamp", "quantity", "unit_price", "product")
RULES = {"cancellation_invoice_prefix": "C"}
LOG_SETTINGS = {"missing_customer_id_rate": 0.01, "zero_price_rate": 0.01}
CUSTOMER_CHUNK = 65_536
SEED = 20


def write_log(path: Path, lines: int) -> dict:
    """A synthetic log of exactly ``lines`` lines (customers drawn until it is long enough)."""
    from tools.synthetic import transactions as synthetic_log  # noqa: PLC0415
    from tools.synthetic.generator import generate_chunks  # noqa: PLC0415

    def chunks():
        written, block = 0, 0
        while written < lines:
            first_id = block * CUSTOMER_CHUNK * 10  # IDs of later blocks never collide
            customers = next(
                iter(generate_chunks(CUSTOMER_CHUNK, SEED + block, CUSTOMER_CHUNK, None, first_id))
            ).customers.to_pandas()
            table = pa.concat_tables(
                synthetic_log.iter_log_chunks(
                    customers, "2014-06-29", SEED + block, LOG_SETTINGS, CUSTOMER_CHUNK
                )
            )
            table = table.slice(0, lines - written)
            written += table.num_rows
            block += 1
            yield table

    started = time.perf_counter()
    stats = synthetic_log.write_log(chunks(), path)
    return {
        "lines": stats.lines,
        "seconds": time.perf_counter() - started,
        "bytes": path.stat().st_size,
    }


# ------------------------------------------------------------------ workers (run in subprocesses)


def run_duckdb(path: str) -> dict:
    from customer_segmentation.core import engine  # noqa: PLC0415
    from customer_segmentation.core.features import transactions as tx  # noqa: PLC0415

    con = engine.connect({"backend": "duckdb"})
    column_map = {name: name for name in CANONICAL}
    rfm, quality, _ = tx.rfm_from_log(con.read_parquet(path), column_map, RULES)
    return {"customers": len(rfm), "rows_in": quality["rows_in"], "monetary": rfm.monetary.sum()}


def run_pandas(path: str) -> dict:
    """The same rules and aggregates in pandas (status codes, then one groupby)."""
    log = pd.read_parquet(path, columns=list(CANONICAL))
    cancellation = log["invoice"].str.startswith("C").fillna(False).to_numpy()
    rejected = (
        log["customer_id"].isna().to_numpy()
        | log["timestamp"].isna().to_numpy()
        | log["invoice"].isna().to_numpy()
        | (~cancellation & ~(log["unit_price"] > 0).to_numpy())
        | (~cancellation & ~(log["quantity"] > 0).to_numpy())
    )
    valid = ~rejected & ~cancellation
    counts = {"rows_in": len(log), "valid": int(valid.sum()), "rejected": int(rejected.sum())}
    purchases = log[valid]
    per_customer = (
        purchases.assign(value=purchases["quantity"] * purchases["unit_price"])
        .groupby("customer_id")
        .agg(
            first_purchase=("timestamp", "min"),
            last_purchase=("timestamp", "max"),
            frequency=("invoice", "nunique"),
            monetary=("value", "sum"),
            distinct_products=("product", "nunique"),
        )
    )
    cancelled = log[cancellation & ~rejected].groupby("customer_id")["invoice"].nunique()
    per_customer["cancelled_invoices"] = cancelled.reindex(per_customer.index, fill_value=0)
    reference = log.loc[~rejected, "timestamp"].max().normalize() + pd.Timedelta(days=1)
    frequency = per_customer["frequency"].to_numpy()
    tenure = (reference - per_customer["first_purchase"].dt.normalize()).dt.days.to_numpy()
    span = (per_customer["last_purchase"] - per_customer["first_purchase"]).dt.total_seconds()
    per_customer["mean_days_between_purchases"] = np.where(
        frequency > 1, span / 86_400 / np.maximum(frequency - 1, 1), tenure
    )
    return {
        "customers": len(per_customer),
        "rows_in": counts["rows_in"],
        "monetary": float(per_customer["monetary"].sum()),
    }


# ------------------------------------------------------------------ driver


def measure(engine: str, path: Path) -> dict:
    """Run one engine in a fresh process under /usr/bin/time -v; wall time and peak RSS."""
    command = ["/usr/bin/time", "-v", sys.executable, __file__, "--worker", engine, str(path)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return {"engine": engine, "failed": done.stderr.strip().splitlines()[-3:]}
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", done.stderr)
    hours, minutes, seconds = (float(part) if part else 0.0 for part in wall.groups())
    peak_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr).group(1))
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return {
        "engine": engine,
        "wall_s": round(hours * 3600 + minutes * 60 + seconds, 2),
        "peak_rss_mb": round(peak_kb / 1024),
        **result,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000000,10000000")
    parser.add_argument("--pandas-max-lines", type=int, default=10_000_000)
    parser.add_argument("--workdir", default="/tmp/transactions_bench")
    parser.add_argument("--keep", action="store_true", help="keep the generated logs")
    parser.add_argument("--worker", nargs=2, metavar=("ENGINE", "LOG"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        engine, path = args.worker
        if engine == "duckdb":
            import customer_segmentation.core.features.transactions  # noqa: F401, PLC0415 - not timed
        started = time.perf_counter()
        result = {"duckdb": run_duckdb, "pandas": run_pandas}[engine](path)
        print(json.dumps({"aggregate_s": round(time.perf_counter() - started, 2), **result}))
        return

    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    rows = []
    for size in (int(float(part)) for part in args.sizes.split(",")):
        path = workdir / f"log_{size}.parquet"
        log = write_log(path, size)
        print(
            f"{size:,} lines: written in {log['seconds']:.1f} s, {log['bytes'] / 2**20:.0f} MiB",
            flush=True,
        )
        engines = ["duckdb"] + (["pandas"] if size <= args.pandas_max_lines else [])
        for engine in engines:
            result = {
                "lines": size,
                "parquet_mib": round(log["bytes"] / 2**20),
                **measure(engine, path),
            }
            print(json.dumps(result), flush=True)
            rows.append(result)
        if not args.keep:
            path.unlink()
    table = pd.DataFrame(rows)
    print(table.to_markdown(index=False) if _has_tabulate() else table.to_string(index=False))
    out = Path(__file__).parent / "results" / "transactions.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(rows, indent=2))


def _has_tabulate() -> bool:
    try:
        import tabulate  # noqa: F401, PLC0415
    except ImportError:
        return False
    return True


if __name__ == "__main__":
    main()
