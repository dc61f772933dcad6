"""Time `displacement export` (Parquet and CSV) on the demo and on the 10-million-figure warehouse that
benchmarks/dashboard_queries.py builds.

    python benchmarks/export_speed.py [--figures 10000000] [--keep DIR] [--memory-limit 1GB]

Prints seconds, size on disk and rows per view. Not a test: record the numbers in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.dashboard_queries import build  # noqa: E402
from etl.export import timed_export  # noqa: E402


def report(label: str, db: Path, out: Path, memory_limit: str) -> None:
    for fmt in ("parquet", "csv"):
        target = out / f"{label}-{fmt}"
        shutil.rmtree(target, ignore_errors=True)
        written, seconds, size = timed_export(db, target, fmt, restricted=True, memory_limit=memory_limit)
        figures = next(w for w in written if w.name == "figures")
        print(f"{label:<8} {fmt:<8} {seconds:7.1f} s {size / 1e6:9.1f} MB  figures: {figures.rows:,} rows in"
              f" {len(figures.files)} files")
        shutil.rmtree(target)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--figures", type=int, default=10_000_000)
    parser.add_argument("--keep", type=Path, help="build or reuse the big warehouse in this folder")
    parser.add_argument("--memory-limit", default="1GB")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        demo = tmp / "demo.duckdb"
        subprocess.run([sys.executable, "-m", "etl.cli", "demo", "--no-serve"], check=True, capture_output=True,
                       env={"DISPLACEMENT_DB": str(demo), "PATH": "/usr/bin:/bin",
                            "PYTHONPATH": str(Path(__file__).resolve().parent.parent)})
        report("demo", demo, tmp, args.memory_limit)
        folder = args.keep or tmp
        folder.mkdir(parents=True, exist_ok=True)
        big = folder / f"bench-{args.figures}.duckdb"
        if not big.exists():
            build(big, args.figures)
        report(f"{args.figures // 1_000_000}M", big, tmp, args.memory_limit)


if __name__ == "__main__":
    main()
