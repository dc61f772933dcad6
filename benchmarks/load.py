"""20 users on the 10-million-figure warehouse while the SQL console is kept busy: latency percentiles.

    python benchmarks/load.py [--users 20] [--seconds 60] [--think 1.0] [--console 2] [--single 5]
                              [--db FILE | --keep DIR]

--db FILE serves an existing warehouse (e.g. a 10M-figure one built earlier; the server opens it read-only).
Otherwise it builds the synthetic warehouse of benchmarks/dashboard_queries.py (10M figures: slow, ~2 GB) in a
temporary folder, or builds/reuses DIR/bench.duckdb with --keep DIR. Without basic auth the server is public-only,
so the console reads a public copy: if the warehouse has none yet, it is built first, beside it in
<stem>.versions/public/ (minutes at 10M; untimed, once per published version). It starts `displacement serve`
on it (waitress, 8 threads, the defaults), times each request kind alone (--single requests each, one client, no
console: wall and the server's CPU per request), then runs for --seconds:
- --users simulated users, each looping over a page load (the overview page's content callback, as the browser
  asks it after navigation), /api/figures with a filter, /_dash-layout and /api/health, with --think seconds
  between requests;
- --console clients each keeping one never-ending SQL console query in flight (stopped by the time limit).
Prints p50/p95/p99 per request kind and overall, the error count, the server's CPU seconds and the load average
(1 min) before and after. About 2 minutes with the defaults on an existing warehouse. Not a test: record the
output in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

# CPU-bound and streaming, so it runs until the console's time limit (a cross join ran out of memory in 0.6 s)
SLOW = "SELECT sum(hash(range)) FROM range(1000000000000)"
FILTERS = ["", "?country=SYR", "?country=YEM&metric=displaced", "?metric=killed&start=2018-01-01&end=2019-12-31"]
API = ["country=SYR&admin1=SY07&metric=displaced&limit=100", "country=YEM&metric=killed&limit=100",
       "country=SDN&admin1=SD03&from=2016-01-01&to=2016-12-31&limit=50"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def page_callback(base: str) -> dict:
    """The body the browser posts to render a page: Dash pages' content callback, found in /_dash-dependencies."""
    deps = requests.get(f"{base}/_dash-dependencies", timeout=60).json()
    dep = next(d for d in deps if "_pages_content.children" in d["output"])
    return dep


def page_body(dep: dict, path: str, search: str) -> dict:
    values = {"pathname": path, "search": search, "hash": "", "href": f"http://x{path}{search}"}
    inputs = [{"id": i["id"], "property": i["property"], "value": values.get(i["property"])} for i in dep["inputs"]]
    state = [{"id": s["id"], "property": s["property"], "value": values.get(s["property"])}
             for s in dep.get("state", [])]
    outputs = [dict(zip(("id", "property"), o.rsplit(".", 1))) for o in dep["output"].strip(".").split("...")]
    return {"output": dep["output"], "outputs": outputs if dep["output"].startswith("..") else outputs[0],
            "inputs": inputs,
            "state": state, "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"]}


def ask(session, base: str, dep: dict, kind: str, rng: random.Random) -> bool:
    """One request of `kind`; True when it answered 200."""
    try:
        if kind == "page":
            reply = session.post(f"{base}/_dash-update-component",
                                 json=page_body(dep, "/", rng.choice(FILTERS)), timeout=120)
        elif kind == "api/figures":
            reply = session.get(f"{base}/api/figures?{rng.choice(API)}", timeout=120)
        elif kind == "layout":
            reply = session.get(f"{base}/_dash-layout", timeout=120)
        else:
            reply = session.get(f"{base}/api/health", timeout=120)
        return reply.status_code == 200
    except requests.RequestException:
        return False


def user(base: str, dep: dict, stop: threading.Event, think: float, out: list, seed: int, mix: list) -> None:
    rng = random.Random(seed)
    session = requests.Session()
    kinds = itertools.cycle(mix[seed % len(mix):] + mix[:seed % len(mix)])
    while not stop.is_set():
        kind = next(kinds)
        started = time.perf_counter()
        ok = ask(session, base, dep, kind, rng)
        out.append((kind, time.perf_counter() - started, ok))
        stop.wait(think * rng.uniform(0.5, 1.5))


def cpu_seconds(pid: int) -> float:
    """User + system CPU of process `pid` (all its threads, DuckDB's included) so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def alone(base: str, dep: dict, pid: int, kinds: list[str], n: int) -> None:
    """Each request kind alone, one client, n times in turn over its variants: median wall, server CPU each."""
    print(f"each request alone ({n} each, one client, no console), load average {os.getloadavg()[0]:.1f}:")
    print("| request | wall p50 ms | wall max ms | server CPU ms per request |")
    print("|---|---:|---:|---:|")
    session, rng = requests.Session(), random.Random(0)
    for kind in kinds:
        walls, cpu = [], cpu_seconds(pid)
        for _ in range(n):
            started = time.perf_counter()
            ok = ask(session, base, dep, kind, rng)
            walls.append(time.perf_counter() - started)
            if not ok:
                print(f"  {kind}: error")
        cpu = (cpu_seconds(pid) - cpu) / n
        print(f"| {kind} | {statistics.median(walls) * 1000:.0f} | {max(walls) * 1000:.0f} | {cpu * 1000:.0f} |")


def console(base: str, stop: threading.Event, out: list) -> None:
    session = requests.Session()
    while not stop.is_set():
        try:
            reply = session.post(f"{base}/api/sql", data={"q": SLOW}, timeout=120)
            out.append(reply.status_code)
            if reply.status_code == 429:
                stop.wait(0.5)
        except requests.RequestException:
            out.append(0)


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))] * 1000


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think", type=float, default=1.0)
    parser.add_argument("--console", type=int, default=2)
    parser.add_argument("--mix", default="page,api/figures,layout,health", help="request kinds each user cycles")
    parser.add_argument("--single", type=int, default=5, help="requests of each kind timed alone first (0: none)")
    parser.add_argument("--figures", type=int, default=10_000_000, help="figures of a warehouse it builds")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--db", type=Path, help="serve this existing warehouse file (opened read-only)")
    where.add_argument("--keep", type=Path, help="build or reuse DIR/bench.duckdb")
    args = parser.parse_args(argv)
    if args.db is not None:
        path = args.db
        if not path.exists():
            parser.error(f"--db {path}: no such file")
    else:
        folder = args.keep or Path(tempfile.mkdtemp(prefix="load-bench-"))
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "bench.duckdb"
    if not path.exists():
        import dashboard_queries

        dashboard_queries.build(path, args.figures)
        dashboard_queries.publish(path)
    from etl import public_copy

    if public_copy.ready(path) is None:  # the console's copy, built once per published version, before timing
        started = time.perf_counter()
        public_copy.ensure(path)
        print(f"built the console's public copy in {time.perf_counter() - started:.0f} s (untimed)")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISPLACEMENT_")}
    env.update(DISPLACEMENT_DB=str(path), PYTHONPATH=str(ROOT))
    server = subprocess.Popen([sys.executable, "-m", "etl.cli", "serve", "--port", str(port)], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if requests.get(f"{base}/api/health", timeout=60).ok:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.5)
        dep = page_callback(base)
        for search in FILTERS:  # one warm-up round, as after a publish the warmer would
            requests.post(f"{base}/_dash-update-component", json=page_body(dep, "/", search), timeout=300)
        if args.single:
            alone(base, dep, server.pid, args.mix.split(","), args.single)
        load_before, cpu_before = os.getloadavg()[0], cpu_seconds(server.pid)
        stop, samples, console_codes = threading.Event(), [], []
        threads = [threading.Thread(target=console, args=(base, stop, console_codes)) for _ in range(args.console)]
        threads += [threading.Thread(target=user, args=(base, dep, stop, args.think, samples, i,
                                                     args.mix.split(",")))
                    for i in range(args.users)]
        for t in threads:
            t.start()
        time.sleep(args.seconds)
        stop.set()
        for t in threads:
            t.join(180)
        load_after, cpu = os.getloadavg()[0], cpu_seconds(server.pid) - cpu_before
    finally:
        server.terminate()
        server.wait(30)
    print(f"{args.users} users, think {args.think:g} s, {args.seconds:g} s, console clients {args.console}"
          f" (answers {dict(sorted((c, console_codes.count(c)) for c in set(console_codes)))})")
    print("| request | n | errors | p50 ms | p95 ms | p99 ms |")
    print("|---|---:|---:|---:|---:|---:|")
    for kind in ("page", "api/figures", "layout", "health", "all"):
        rows = [s for s in samples if kind in ("all", s[0])]
        times = [t for _, t, _ in rows]
        errors = sum(1 for *_, ok in rows if not ok)
        print(f"| {kind} | {len(rows)} | {errors} | {pct(times, 50):.0f} | {pct(times, 95):.0f} |"
              f" {pct(times, 99):.0f} |")
    print(f"mean {statistics.mean(t for _, t, _ in samples) * 1000:.0f} ms; server CPU {cpu:.1f} s in"
          f" {args.seconds:g} s; load average (1 min) {load_before:.1f} before, {load_after:.1f} after")


if __name__ == "__main__":
    main()
