"""Time the /figures page's CSV and Excel downloads and the server's peak memory while it writes them.

    python benchmarks/figures_download.py WAREHOUSE [--rows 20000] [--runs 3]

Serves WAREHOUSE with benchmarks/serve_local.py (the code on PYTHONPATH), the row cap set to --rows, and downloads
every figure (no filter, newest first) as CSV and as Excel: from /export/figures.<fmt> where the code has that
route, else through the Dash callback that older code used (fig-download). Prints seconds to the last byte and the
server's peak resident memory during the download (VmHWM, reset before each run through /proc/PID/clear_refs).
Not a test: record the numbers in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.first_visit import free_port  # noqa: E402
from benchmarks.serve_local import start  # noqa: E402


def rss_mb(pid: int, key: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def via_route(base: str, fmt: str) -> int:
    with urllib.request.urlopen(f"{base}/export/figures.{fmt}", timeout=900) as response:
        return sum(len(chunk) for chunk in iter(lambda: response.read(1 << 16), b""))


def via_callback(base: str, fmt: str) -> int:
    clicked = {"csv": (1, None), "xlsx": (None, 1)}[fmt]
    body = {"output": "fig-download.data", "outputs": {"id": "fig-download", "property": "data"},
            "inputs": [{"id": "fig-csv", "property": "n_clicks", "value": clicked[0]},
                       {"id": "fig-xlsx", "property": "n_clicks", "value": clicked[1]}],
            "state": [{"id": "fig-state", "property": "data", "value": {"filters": "", "figure": None}},
                      {"id": "fig-grid", "property": "getRowsRequest", "value": None}],
            "changedPropIds": [f"fig-{fmt}.n_clicks"]}
    request = urllib.request.Request(f"{base}/_dash-update-component", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=900) as response:
        return len(response.read())


def has_route(base: str) -> bool:
    """Whether the code serves /export (older code answers any path with the app's page)."""
    try:
        with urllib.request.urlopen(f"{base}/export/figures.csv?figure=none", timeout=60) as response:
            return "attachment" in response.headers.get("Content-Disposition", "")
    except urllib.error.HTTPError:
        return False


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    port = free_port()
    proc = start(args.warehouse, port, export_cap=args.rows, log=sys.stderr)
    base = f"http://127.0.0.1:{port}"
    try:
        route = os.environ.get("FORCE_CALLBACK") is None and has_route(base)
        fetch = via_route if route else via_callback
        print(f"{'route' if route else 'callback'}; {args.rows:,} rows; load average "
              f"{os.getloadavg()[0]:.1f}; server memory at start {rss_mb(proc.pid, 'VmRSS'):.0f} MB")
        for fmt in ("csv", "xlsx"):
            times, cpus, peaks, size = [], [], [], 0
            for _ in range(args.runs):
                Path(f"/proc/{proc.pid}/clear_refs").write_text("5")
                cpu0, t0 = cpu_s(proc.pid), time.perf_counter()
                size = fetch(base, fmt)
                times.append(time.perf_counter() - t0)
                cpus.append(cpu_s(proc.pid) - cpu0)
                peaks.append(rss_mb(proc.pid, "VmHWM"))
            print(f"{fmt:<5} {statistics.median(times):6.2f} s to the last byte, "
                  f"{statistics.median(cpus):.2f} s server CPU (medians of {args.runs}), "
                  f"{size / 1e6:.1f} MB; server peak memory {max(peaks):.0f} MB")
    finally:
        proc.terminate()
        proc.wait(timeout=60)


if __name__ == "__main__":
    main()
