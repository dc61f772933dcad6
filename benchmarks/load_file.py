"""Loading a large HXL file: wall time and peak memory of `displacement etl run hxl --from-file`, against
DuckDB's own read_csv of the same file; and the cost of rejects.

    python benchmarks/load_file.py [--mb 200] [--rejects 0.0] [--dir /tmp]

Generates an HXL-tagged CSV of about --mb megabytes in --dir (a --rejects share of its rows carry a bad count),
loads it into a fresh warehouse in a subprocess (peak RSS from getrusage; per-phase wall and CPU seconds from the
`etl.phases` debug log), then times read_csv over it. `--keep` leaves the folder (file and warehouse) in place.
Not a test: record the numbers in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent


def generate(path: Path, mb: float, rejects: float) -> int:
    rows, size, every = 0, 0, int(1 / rejects) if rejects else 0
    with open(path, "w") as out:
        out.write("Country,Admin1,Admin2,Date,IDPs,Killed,Source\n")
        out.write("#country+code,#adm1+code,#adm2+code,#date,#affected+idps,#affected+killed,#meta+source\n")
        start = date(2000, 1, 1)
        while size < mb * 1e6:
            day = (start + timedelta(days=rows // 70 % 9000)).isoformat()  # dates stay plausible
            killed = "inf" if every and rows % every == 0 else str(rows % 13)
            admin1 = f"SY{rows % 14 + 1:02d}"
            admin2 = f"{admin1}{rows // 630_000 * 5 + rows % 5 + 1:03d}"  # every row its own place and day
            line = f"SYR,{admin1},{admin2},{day},{rows % 9000},{killed},OCHA\n"
            out.write(line)
            size += len(line)
            rows += 1
    return rows


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=200)
    parser.add_argument("--rejects", type=float, default=0.0, help="share of rows with a bad count, e.g. 0.01")
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--keep", action="store_true", help="leave the file and warehouse in place")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="load-file-", dir=args.dir))
    path = folder / "big_hxl.csv"
    rows = generate(path, args.mb, args.rejects)
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISPLACEMENT_")}
    env.update(DISPLACEMENT_DB=str(folder / "w.duckdb"), PYTHONPATH=str(ROOT))
    load = os.getloadavg()[0]
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "etl.cli", "--log-level", "debug", "--log-format", "json",
                           "etl", "run", "hxl", "--from-file", str(path)],
                          env=env, cwd=folder, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak_mb, cpu = usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime
    print(done.stdout.strip() or done.stderr.strip()[-2000:])
    for name, wall, cpu_s in phases(done.stderr):
        print(f"  {name:<32} {wall:7.1f} s wall {cpu_s:7.1f} s CPU")
    con = duckdb.connect()
    con.execute("SET threads = 2")
    started, cpu_started = time.perf_counter(), time.process_time()
    con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{path}', skip=2, header=false)")
    read_csv, read_cpu = time.perf_counter() - started, time.process_time() - cpu_started
    print(f"{path.stat().st_size / 1e6:.0f} MB, {rows:,} rows: etl run {seconds:.1f} s wall, {cpu:.1f} s CPU,"
          f" peak {peak_mb:.0f} MB; DuckDB read_csv {read_csv:.1f} s wall, {read_cpu:.1f} s CPU"
          f" ({seconds / read_csv:.1f}x wall, {cpu / read_cpu:.1f}x CPU); load average {load:.1f}")
    con.close()
    if args.keep:
        print(f"kept {folder}")
    else:
        shutil.rmtree(folder)


def phases(log: str) -> list[tuple[str, float, float]]:
    """The `phase <name> <wall> <cpu>` lines of the etl.phases logger, in order."""
    found = []
    for line in log.splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if entry.get("logger") == "etl.phases":
            name, wall, cpu = entry["message"].removeprefix("phase ").rsplit(" ", 2)
            found.append((name, float(wall), float(cpu)))
    return found


if __name__ == "__main__":
    main()
