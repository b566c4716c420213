"""Command line of the synthetic-data generator: ``python -m tools.synthetic`` (repository root)."""

import argparse
import sys
import time
from collections.abc import Sequence
from dataclasses import fields

from tools.synthetic.dirt import DirtSettings
from tools.synthetic.generator import DEFAULT_CHUNK_ROWS, write_synthetic
from tools.synthetic.transactions import iter_log_chunks, read_customers, write_log

DEFAULT_SEED = 42
DEFAULT_ROWS = 2_240


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tools.synthetic",
        description=(
            "Write synthetic customers in the raw marketing_campaign format (tab-separated) and "
            "their planted segments to a separate truth file. Same arguments, same bytes."
        ),
    )
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS, help="customers to write")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
    parser.add_argument("--output", required=True, help="raw customer file to write")
    parser.add_argument(
        "--truth-output",
        help="segment truth file (default: <output stem>_segments.csv next to the output)",
    )
    parser.add_argument(
        "--chunk-size",
        type=int,
        default=DEFAULT_CHUNK_ROWS,
        help="rows held in memory and written at once (does not change the output)",
    )
    parser.add_argument(
        "--id-offset", type=int, default=0, help="added to every ID (keeps separate files apart)"
    )
    parser.add_argument("--clean", action="store_true", help="plant no dirt at all")
    parser.add_argument(
        "--transactions-output",
        help=(
            "also write the customers' line-item log (Parquet) here, drawn with --seed from the "
            "written table (docs/transactions.md)"
        ),
    )
    dirt = parser.add_argument_group("dirt rates (share of rows; defaults mimic the real file)")
    for setting in fields(DirtSettings):
        flag = "--" + setting.name.replace("_", "-")
        dirt.add_argument(flag, type=type(setting.default), default=setting.default)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments, write both files, print a one-line summary per file."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.rows < 0 or args.chunk_size < 1:
        parser.error("--rows must be >= 0 and --chunk-size >= 1")
    try:
        settings = {f.name: getattr(args, f.name) for f in fields(DirtSettings)}
        dirt = DirtSettings.clean() if args.clean else DirtSettings(**settings)
    except ValueError as error:
        parser.error(str(error))
    started = time.perf_counter()
    report = write_synthetic(
        args.output,
        n_rows=args.rows,
        seed=args.seed,
        segments_path=args.truth_output,
        chunk_size=args.chunk_size,
        dirt=dirt,
        id_offset=args.id_offset,
    )
    seconds = time.perf_counter() - started
    print(f"wrote {report.rows:,} customers to {report.customers_path} in {seconds:.1f} s")
    shares = ", ".join(f"{name} {count:,}" for name, count in report.segment_counts.items())
    print(f"wrote their segments to {report.segments_path} ({shares})")
    if args.transactions_output:
        # From the file as written (dirt included), so the log matches the raw table's IDs.
        customers = read_customers(report.customers_path)
        chunks = iter_log_chunks(customers, reference_date=None, seed=args.seed)
        log = write_log(chunks, args.transactions_output, customers=len(customers))
        print(
            f"wrote {log.lines:,} transaction lines for {log.customers:,} customers to {log.path}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
