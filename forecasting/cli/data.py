"""``primary-forecast data build``: rebuild the committed tables from the raw public files."""
from __future__ import annotations

import sys
import time
from pathlib import Path

from features.kernel.paths import PROCESSED_DIR, raw_dir


def add_parser(sub) -> None:
    p = sub.add_parser("data", help="build the derived data tables")
    dsub = p.add_subparsers(dest="data_command", required=True)
    b = dsub.add_parser("build", help="build data/processed from the raw public files")
    b.add_argument("--raw", default=None, help="raw-data folder (default: $PRIMARY_FORECAST_RAW or ../shared/data/raw)")
    b.add_argument("--out", default=str(PROCESSED_DIR), help="output folder for the tables")
    b.add_argument("--accept-counts", action="store_true",
                   help="accept raw files / cycles with fewer rows or other loser counts than the last "
                        "accepted build (the manifest's expectations); default: refuse them")
    b.set_defaults(func=run_build)


def run_build(args) -> int:
    from features.table.build import (
        STEPS,
        build_table,
        check_raw_rows,
        check_table_counts,
        coverage,
        expected_counts,
        missing_by_group,
        summary,
        write_outputs,
    )

    raw = raw_dir(args.raw)
    expected = expected_counts(Path(args.out))
    if not args.accept_counts:
        check_raw_rows(raw, expected)               # a truncated raw file fails before the build
    start = time.time()
    step = {"n": 0}

    def progress(msg: str) -> None:
        step["n"] += 1
        print(f"[{step['n']:>2}/{len(STEPS)}] {msg:<20} ({time.time() - start:5.1f}s)", file=sys.stderr, flush=True)

    result = build_table(raw, progress=progress)
    if not args.accept_counts:
        check_table_counts(result.table, expected)
    manifest = write_outputs(result, raw, Path(args.out))
    print(f"\nbuilt {manifest['rows_total']} rows in {time.time() - start:.1f}s -> {args.out}")
    print("\nPer cycle:")
    print(summary(result.table).to_string())
    print("\nFeature coverage (past cycles, share of rows):")
    print(coverage(result.table).to_string(float_format=lambda v: f"{v:.3f}"))
    print(f"\nbioguide match: {result.match_report}")
    print("\nMissing values per feature group (cells missing / cells, all cycles):")
    print(missing_by_group(result.table).to_string())
    return 0
