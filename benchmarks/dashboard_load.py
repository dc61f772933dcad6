"""How many analysts one dashboard process serves: N simulated users against `displacement serve`.

  python benchmarks/dashboard_load.py [--users 20] [--seconds 30] [--db WAREHOUSE]

Starts `displacement serve` on 127.0.0.1 (a free port) over WAREHOUSE (default: the demo warehouse, built in a
temporary folder), then runs --users threads for --seconds. Each user asks for what a page view asks for: the
pages' content callback (`/_dash-update-component`) for the overview, compare, regions and figures pages with a
random filter set, and one `/api/figures` page in ten. No think time: each user sends its next request as soon as
the last one answers, so the throughput is the process's capacity. Prints requests/s, errors and the p50, p95 and
p99 latencies. Only loopback traffic; every loop is bounded in time and count.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = ("/", "/compare", "/regions", "/figures")
COUNTRIES = (None, "SYR")
ADMIN1 = (None, None, "SY07", "SY02", "SY03")
METRICS = (None, "displaced", "killed", "injured")
PERIODS = ((None, None), ("2019-12-01", "2020-03-31"), ("2020-01-01", "2020-01-31"))
MAX_REQUESTS_PER_USER = 100_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def search(rng: random.Random) -> str:
    start, end = rng.choice(PERIODS)
    params = {"country": rng.choice(COUNTRIES), "admin1": rng.choice(ADMIN1), "metric": rng.choice(METRICS),
              "from": start, "to": end}
    return "&".join(f"{k}={v}" for k, v in params.items() if v)


def page_view(base: str, path: str, query: str) -> urllib.request.Request:
    body = {"output": ".._pages_content.children..._pages_store.data..",
            "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                       {"id": "_pages_location", "property": "search", "value": f"?{query}" if query else ""}],
            "changedPropIds": ["_pages_location.pathname"], "state": []}
    return urllib.request.Request(f"{base}/_dash-update-component", data=json.dumps(body).encode(),
                                  headers={"Content-Type": "application/json"}, method="POST")


def user(base: str, seed: int, deadline: float, out: list, errors: list) -> None:
    rng = random.Random(seed)
    for _ in range(MAX_REQUESTS_PER_USER):
        if time.perf_counter() >= deadline:
            return
        query = search(rng)
        if rng.random() < 0.1:
            req = urllib.request.Request(f"{base}/api/figures?{query}&format=json")
        else:
            req = page_view(base, rng.choice(PAGES), query)
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                resp.read()
                ok = resp.status == 200
        except Exception as exc:  # noqa: BLE001 - an error is counted, not raised
            ok = False
            errors.append(type(exc).__name__)
        took = time.perf_counter() - started
        if ok:
            out.append(took)
        elif not errors or errors[-1] != "status":
            errors.append("status")


def wait_ready(base: str, proc, limit: float = 180) -> None:
    deadline = time.perf_counter() + limit
    while time.perf_counter() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"displacement serve exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/api/health", timeout=5):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("the dashboard did not answer in time")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--users", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--db", type=Path, help="warehouse to serve (default: the demo warehouse in a temp folder)")
    args = ap.parse_args(argv)
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISPLACEMENT_")}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "demo.duckdb"
        env["DISPLACEMENT_DB"] = str(db)
        if args.db is None:
            subprocess.run([sys.executable, "-m", "etl.cli", "demo", "--no-serve"], check=True, env=env,
                           stdout=subprocess.DEVNULL)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        proc = subprocess.Popen([sys.executable, "-m", "etl.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_ready(base, proc)
            latencies: list[float] = []
            errors: list[str] = []
            deadline = time.perf_counter() + args.seconds
            threads = [threading.Thread(target=user, args=(base, i, deadline, latencies, errors))
                       for i in range(args.users)]
            started = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            wall = time.perf_counter() - started
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [float("nan")] * 99
    print(f"{args.users} users for {wall:.0f} s on {os.cpu_count()} cores (load average {os.getloadavg()[0]:.1f}):"
          f" {len(latencies)} answers, {len(errors)} errors, {len(latencies) / wall:.1f} requests/s;"
          f" p50 {q[49] * 1000:.0f} ms, p95 {q[94] * 1000:.0f} ms, p99 {q[98] * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
