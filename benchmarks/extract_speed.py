"""Documents per second for the whole `extract` process (start-up included) over one CSV or JSONL file.

  python benchmarks/extract_speed.py FILE [--cmd "python -m etl.extract"] [--repeat 3] [--jobs N]

FILE is a .jsonl of documents (the `displacement extract` input) or a .csv with the FA-KES columns
(unit_id, article_title, article_content, source, date_iso), e.g.
../shared/data/articles/fakes_syria_news_casualty_annotated.csv, which is converted to a temporary .jsonl first.
The command is run as `CMD TMP.jsonl --json` (plus `--jobs N` when given, for `displacement extract`); the best
of --repeat runs is reported, as wall-clock documents/s and as documents per CPU-second of the process and its
workers (user + system time), which varies less on a shared machine, and the 1-minute load average at the end.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def to_jsonl(src: Path, dst: Path) -> int:
    n = 0
    with open(dst, "w", encoding="utf-8") as out:
        if src.suffix.lower() == ".jsonl":
            for line in open(src, encoding="utf-8"):
                if line.strip():
                    out.write(line if line.endswith("\n") else line + "\n")
                    n += 1
            return n
        csv.field_size_limit(1 << 30)
        with open(src, encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                doc = {"id": f"fakes-{row.get('unit_id') or n}", "text": row.get("article_content") or "",
                       "title": row.get("article_title"), "publisher": row.get("source"),
                       "published": (row.get("date_iso") or "")[:10] or None}
                out.write(json.dumps(doc, ensure_ascii=False) + "\n")
                n += 1
    return n


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file", type=Path)
    ap.add_argument("--cmd", default=f"{sys.executable} -m etl.extract")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=0, help="pass --jobs N to the command")
    a = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        docs = Path(tmp) / "docs.jsonl"
        n = to_jsonl(a.file, docs)
        best, best_cpu, figures = None, None, 0
        extra = ["--jobs", str(a.jobs)] if a.jobs else []
        for _ in range(max(1, a.repeat)):
            t = time.perf_counter()
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            run = subprocess.run(shlex.split(a.cmd) + [str(docs), "--json"] + extra, capture_output=True, text=True)
            seconds = time.perf_counter() - t
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
            if run.returncode != 0:
                print(run.stderr[-2000:], file=sys.stderr)
                print(f"FAILED: exit {run.returncode}")
                return 1
            figures = sum(1 for line in run.stdout.splitlines() if line.strip())
            best = seconds if best is None else min(best, seconds)
            best_cpu = cpu if best_cpu is None else min(best_cpu, cpu)
    print(f"{n} documents, {figures} figures in {best:.2f} s: {n / best:.1f} documents/s (whole process, best of "
          f"{a.repeat}); {best_cpu:.2f} CPU-s: {n / best_cpu:.1f} documents per CPU-second; load average "
          f"{os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
