"""What one small refresh costs on a large warehouse: one new article, or 1,000 new figures.

    python benchmarks/refresh.py [--figures 1000000 3000000 10000000] [--runs 3] [--folder DIR] [--from FILE]

For each size, builds the synthetic warehouse of `benchmarks/dashboard_queries.py` (same builder, then its
publish step for the derived tables), starts `displacement serve` on it, then times `displacement etl run
articles` (one new article) and `displacement etl run curated` (a CSV of 1,000 new figures), each in a child
process, `--runs` times, with new content every time. For each refresh it prints the seconds (wall and CPU:
the machine may be shared), the bytes the child
wrote (/proc/self/io write_bytes), its peak memory (VmHWM), the growth of the live file and of every warehouse
file together, and the errors seen by readers running meanwhile: a loop of `displacement sql` and HTTP requests to
the dashboard (/api/health, /api/figures, /_dash-layout, /api/sql), per reader; the console's 408 (its time limit)
and 429 (its public copy still being built) are counted apart from failures. The first refresh after the build is a
warm-up, reported apart; `publish` says whether it replayed the journal or copied the file, `waiting for a CPU`
how long the child's threads sat runnable (the machine's load, not the refresh's cost). Not a test: record the
numbers in docs/benchmarks.md. Deletes the warehouse afterwards unless --folder; a --folder that already holds
`w<N>/displacement.duckdb` (from an earlier run) is reused as it is, so a rerun skips the build; `--from FILE`
copies a built warehouse there first (FILE itself is only read).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CSV_HEADER = ("record_id,metric,value,qualifier,unit,claimed_by_org,country_iso3,admin1_pcode,period_end,publisher,"
              "published\n")


def article(i: int) -> str:
    return (f"Fighting in Idlib {i}\n\nMore than {1000 + i:,} people fled their homes in Idlib, Syria, this week, the"
            f" United Nations said on {1 + i % 28} March 2024. At least {10 + i} people were killed.\n")


def curated_csv(i: int, n: int = 1000) -> str:
    rows = [f"r{i}-{k},displaced,{100 + k},exact,people,Org {k % 25},SYR,SY{1 + k % 14:02d},"
            f"2024-{1 + k % 12:02d}-15,Bench,2024-03-01\n" for k in range(n)]
    return CSV_HEADER + "".join(rows)


def child(source: str) -> None:
    """Run one refresh in this process and print what it cost as JSON."""
    import logging

    from etl import runner
    from etl.settings import Settings

    published: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: published.append(record.getMessage())
    logging.getLogger("etl").addHandler(handler)
    logging.getLogger("etl").setLevel(logging.INFO)
    start = time.perf_counter()
    error = None
    try:
        results = runner.run(Settings.from_env(), [source])
        error = "; ".join(r.error for r in results if r.status != "ok") or None
    except Exception as exc:  # noqa: BLE001 - the benchmark reports any failure
        error = str(exc).splitlines()[0][:200]
    seconds = time.perf_counter() - start
    io = dict(line.split(": ") for line in Path("/proc/self/io").read_text().splitlines())
    usage = resource.getrusage(resource.RUSAGE_SELF)
    how = next((m.split("(", 1)[1].split(",")[0] for m in published if m.startswith("published ")), "?")
    print(json.dumps({"seconds": seconds, "cpu": usage.ru_utime + usage.ru_stime, "write_bytes": int(io["write_bytes"]),
                      "maxrss_mb": _peak_rss_kb() / 1024, "error": error, "how": how, "queued": _run_queue_s()}))


def _run_queue_s() -> float:
    """Seconds this process's live threads waited for a CPU (/proc schedstat): the machine's load, not our cost."""
    total = 0
    for task in Path("/proc/self/task").iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            pass
    return total / 1e9


def _peak_rss_kb() -> int:
    """VmHWM: this process's own peak (ru_maxrss would start from the parent's peak at fork)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _sizes(db: Path) -> tuple[int, int]:
    live = db.stat().st_size
    total = sum(p.stat().st_size for p in db.parent.rglob("*") if p.is_file() and not p.is_symlink())
    return live, total


READERS = ("displacement sql", "/api/health", "/api/figures", "/_dash-layout", "/api/sql")


class Readers:
    """`displacement sql` in a loop and HTTP requests to the dashboard, counting requests and errors per reader
    until stopped. The console's 408 (its own time limit, not a publish error) is counted apart from failures."""

    def __init__(self, env: dict, port: int):
        self.env, self.port = env, port
        self.stop = threading.Event()
        self.requests = dict.fromkeys(READERS, 0)
        self.failed = dict.fromkeys(READERS, 0)
        self.console = {408: 0, 429: 0}  # /api/sql: its time limit, and its public copy still being built
        self.errors: list[str] = []
        self.threads = [threading.Thread(target=self._sql, daemon=True),
                        threading.Thread(target=self._http, daemon=True)]

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join()

    def _sql(self):
        while not self.stop.is_set():
            out = subprocess.run([sys.executable, "-m", "etl.cli", "sql", "SELECT count(*) AS n FROM v_figures"],
                                 env=self.env, capture_output=True, text=True)
            self.requests["displacement sql"] += 1
            if out.returncode:
                self.failed["displacement sql"] += 1
                self.errors.append("sql: " + (out.stderr.strip().splitlines() or ["?"])[-1][:200])

    def _http(self):
        paths = ["/api/health", "/api/figures?limit=5&country=SYR", "/_dash-layout",
                 "/api/sql?q=SELECT%20count(*)%20FROM%20v_documents"]  # the console's worker holds a copy too
        i = 0
        while not self.stop.is_set():
            path = paths[i % len(paths)]
            reader = path.split("?")[0]
            i += 1
            self.requests[reader] += 1
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=60) as r:
                    r.read()
            except urllib.error.HTTPError as exc:
                if reader == "/api/sql" and exc.code in self.console:
                    self.console[exc.code] += 1
                    continue
                self.failed[reader] += 1
                self.errors.append(f"{path}: {exc} {exc.read()[:120]!r}"[:300])
            except Exception as exc:  # noqa: BLE001 - every failure counts
                self.failed[reader] += 1
                self.errors.append(f"{path}: {exc}"[:200])

    def summary(self) -> str:
        """Failures per reader (of requests), then the console's time-limit and not-ready answers."""
        parts = [f"{self.failed[r]}/{self.requests[r]}" for r in READERS]
        return " · ".join(parts) + f" | {self.console[408]} · {self.console[429]}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(env: dict, port: int, log: Path | None = None) -> subprocess.Popen:
    """`displacement serve`; its log (a reader's 500 says why there) goes to `log`."""
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - the server's lifetime
    proc = subprocess.Popen([sys.executable, "-m", "etl.cli", "serve", "--port", str(port)], env=env,
                            stdout=out, stderr=out)
    for _ in range(600):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=30) as r:
                if r.status == 200:
                    return proc
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(0.5)
    proc.kill()
    raise SystemExit("the dashboard did not start")


def refresh(env: dict, db: Path, source: str) -> dict:
    before = _sizes(db)
    out = subprocess.run([sys.executable, __file__, "--child", source], env=env, capture_output=True, text=True)
    if out.returncode:
        return {"error": out.stderr.strip().splitlines()[-1][:300]}
    result = json.loads(out.stdout.strip().splitlines()[-1])
    after = _sizes(db)
    result.update(live_growth_mb=(after[0] - before[0]) / 1e6, total_growth_mb=(after[1] - before[1]) / 1e6,
                  live_mb=after[0] / 1e6, total_mb=after[1] / 1e6)
    return result


def bench(n: int, folder: Path, runs: int, base: Path | None = None, source: Path | None = None,
          public_only: str = "auto") -> None:
    """`folder` holding a warehouse already (a run with --folder before) reuses it as it is; `source`: copy
    this built and published warehouse file instead of building one (the file itself is never opened)."""
    from benchmarks.dashboard_queries import build, publish

    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "displacement.duckdb"
    start = time.perf_counter()
    if db.exists():
        how = "reused"
    elif source:
        shutil.copyfile(source, db)
        how = f"copied from {source}"
    else:
        if base and (base / f"b{n}.duckdb").exists():
            shutil.copyfile(base / f"b{n}.duckdb", db)  # base tables built earlier by dashboard_queries.build
        else:
            build(db, n)
        publish(db)
        how = "built"
    print(f"\n## {n:,} figures: {how} in {time.perf_counter() - start:.0f} s,"
          f" {os.path.getsize(os.path.realpath(db)) / 1e6:.0f} MB; load average {_load()}", flush=True)
    articles, csv = folder / "articles", folder / "curated.csv"
    articles.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISPLACEMENT_")}
    env.update(PYTHONPATH=str(ROOT), DISPLACEMENT_DB=str(db), DISPLACEMENT_ARTICLES_DIR=str(articles),
               DISPLACEMENT_CURATED_CSV=str(csv), DISPLACEMENT_PUBLIC_ONLY=public_only)
    port = _free_port()
    server = serve(env, port, folder / "serve.log")
    first = len(list(articles.glob("bench-*.txt")))  # new content each time, also in a reused folder
    try:
        print("| refresh | publish | s | CPU s | waiting for a CPU s | written MB | peak RSS MB | live file growth MB |"
              " all files growth MB | live MB | load | reader failures / requests: " + " · ".join(READERS) +
              " | /api/sql 408 · 429 | error |")
        print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---|")
        for i in range(first, first + runs + 1):
            for kind in ("articles", "curated"):
                if kind == "articles":
                    (articles / f"bench-{i}.txt").write_text(article(i))
                else:
                    csv.write_text(curated_csv(i))
                load = _load()
                with Readers(env, port) as readers:
                    r = refresh(env, db, kind)
                    time.sleep(1)  # readers also cross the moment just after the switch
                label = ("warm-up " if i == first else "") + ("1 article" if kind == "articles" else "1,000 figures")
                if "seconds" in r:
                    print(f"| {label} | {r['how']} | {r['seconds']:.1f} | {r['cpu']:.1f} | {r['queued']:.1f} |"
                          f" {r['write_bytes'] / 1e6:.0f} | {r['maxrss_mb']:.0f} |"
                          f" {r['live_growth_mb']:.1f} | {r['total_growth_mb']:.1f} | {r['live_mb']:.0f} | {load} |"
                          f" {readers.summary()} | {r['error'] or ''} |", flush=True)
                else:
                    print(f"| {label} | | | | | | | | | | {load} | {readers.summary()} | {r['error']} |", flush=True)
                for e in readers.errors[:3]:
                    print(f"    reader error: {e}", flush=True)
    finally:
        server.terminate()
        server.wait()


def _load() -> str:
    return os.getloadavg()[0].__format__(".1f")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--figures", type=int, nargs="+", default=[1_000_000, 3_000_000, 10_000_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--folder", type=Path, help="build here and keep the files")
    parser.add_argument("--base", type=Path, help="copy bN.duckdb from here instead of building it")
    parser.add_argument("--from", dest="source", type=Path,
                        help="copy this built and published warehouse file instead of building (one --figures)")
    parser.add_argument("--public-only", default="auto", choices=("auto", "true", "false"),
                        help="the readers' console on its public copy (auto, the default) or on the warehouse (false:"
                             " on a large warehouse the public copy's first build takes minutes, and `displacement"
                             " sql` waits for it)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child)
    for n in args.figures:
        folder = (args.folder or Path(tempfile.mkdtemp(prefix="refresh-bench-"))) / f"w{n}"
        try:
            bench(n, folder, args.runs, args.base, args.source, args.public_only)
        finally:
            if not args.folder:
                shutil.rmtree(folder.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
