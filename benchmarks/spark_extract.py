"""Documents per second: `displacement extract` (and `--jobs 2` where it exists) against the Spark job in local mode.

  python benchmarks/spark_extract.py [--docs 20000] [--csv tests/fixtures/spark/fakes_like.csv] [--cores 1 2]

The FA-KES-shaped CSV is repeated with varied ids (`ID-2`, `ID-3`, …) up to --docs documents in one JSONL file.
Each command runs as its own process on the same file. For Spark, `start` is the JVM and session start-up and
`extract` the job itself (reading, mapInPandas, writing the lake); documents/s is given for both.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(cmd: list[str], env: dict) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=env)
    return time.perf_counter() - started


def spark_worker(cores: int, source: str, output: str) -> None:
    """Run inside a fresh process: one session with `cores`, one job; print the times as JSON."""
    from etl.spark import job

    started = time.perf_counter()
    spark = job.session(f"local[{cores}]", partitions=cores)
    ready = time.perf_counter()
    counts = job.extract(spark, source, output, partitions=cores * 4)
    done = time.perf_counter()
    spark.stop()
    print(json.dumps({"start": ready - started, "extract": done - ready, **counts}))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=20_000)
    ap.add_argument("--csv", type=Path, default=ROOT / "tests" / "fixtures" / "spark" / "fakes_like.csv")
    ap.add_argument("--cores", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--spark-worker", nargs=3, metavar=("CORES", "INPUT", "OUTPUT"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.spark_worker:
        spark_worker(int(args.spark_worker[0]), args.spark_worker[1], args.spark_worker[2])
        return 0
    from etl.spark.corpus import fakes_documents, write_jsonl

    env = {k: v for k, v in os.environ.items() if not k.startswith("DISPLACEMENT_")}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    with tempfile.TemporaryDirectory() as tmp:
        env["DISPLACEMENT_DB"] = str(Path(tmp) / "none.duckdb")  # the bundled gazetteer, as the Spark job uses
        docs = fakes_documents(args.csv)
        corpus = Path(tmp) / "corpus.jsonl"
        n = write_jsonl(docs, corpus, copies=math.ceil(args.docs / len(docs)))
        print(f"{n} documents ({corpus.stat().st_size / 1e6:.1f} MB), {os.cpu_count()} cores, "
              f"load average {os.getloadavg()[0]:.1f} at start")
        cli = [sys.executable, "-m", "etl.cli", "extract", str(corpus), "--json"]
        seconds = timed(cli, env)
        print(f"displacement extract            {seconds:7.1f} s  {n / seconds:7.0f} documents/s (whole process)")
        help_text = subprocess.run(cli[:4] + ["--help"], capture_output=True, text=True, env=env).stdout
        if "--jobs" in help_text:
            seconds = timed(cli + ["--jobs", "2"], env)
            print(f"displacement extract --jobs 2   {seconds:7.1f} s  {n / seconds:7.0f} documents/s (whole process)")
        else:
            print("displacement extract --jobs 2   (no --jobs option in this checkout)")
        for cores in args.cores:
            out = Path(tmp) / f"lake{cores}"
            started = time.perf_counter()
            proc = subprocess.run([sys.executable, __file__, "--spark-worker", str(cores), str(corpus), str(out)],
                                  check=True, capture_output=True, text=True, env=env)
            wall = time.perf_counter() - started
            got = json.loads(proc.stdout.strip().splitlines()[-1])
            print(f"Spark local[{cores}]                 {got['extract']:7.1f} s  {n / got['extract']:7.0f} documents/s"
                  f" (job; +{got['start']:.1f} s session start; whole process {wall:.1f} s,"
                  f" {n / wall:.0f} documents/s); {got['figures']} figures, {got['rejects']} rejects")
        print(f"load average {os.getloadavg()[0]:.1f} at end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
