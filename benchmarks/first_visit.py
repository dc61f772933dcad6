"""A first visit and a filter change, measured in headless Chromium.

    python benchmarks/first_visit.py [--warehouse FILE] [--mbit 1.5] [--latency 40] [--runs 3] [--requests]

Starts `displacement serve` (the code on PYTHONPATH) on a free port over the demo warehouse (built in a temporary
folder with `displacement demo --no-serve`), or over FILE (for example the 10-million-figure warehouse that
`benchmarks/dashboard_queries.py --keep DIR` leaves in DIR/bench.duckdb). Then, in Debian's Chromium driven by
selenium, with the browser cache off and the network throttled through the DevTools protocol
(Network.emulateNetworkConditions):

- first-visit bytes: everything `/` downloads until its charts are drawn (compressed sizes on the wire);
- time to first chart: from navigation to the first drawn plotly chart, at --mbit Mbit/s and --latency ms;
- filter change (unthrottled): choosing the metric "killed" on the overview until the new card and chart are
  drawn, and the server time of each Dash callback that change caused (request start to first response byte).

Prints medians over --runs; --requests also lists what the first visit downloaded, in order.
Not a test: record the numbers in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
# Records when the first plotly chart has drawn its SVG (performance.now(), ms since navigation start).
FIRST_CHART = """
new MutationObserver((_, obs) => {
  if (document.querySelector('.js-plotly-plot .main-svg')) {
    window.__firstChart = performance.now(); obs.disconnect();
  }
}).observe(document, {subtree: true, childList: true});
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(db: Path, port: int) -> subprocess.Popen:
    env = os.environ | {"DISPLACEMENT_DB": str(db)}
    proc = subprocess.Popen(["displacement", "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    return wait_until_up(proc, f"http://127.0.0.1:{port}/api/health", 600)


def wait_until_up(proc: subprocess.Popen, url: str, seconds: float, timeout: float = 2) -> subprocess.Popen:
    """Return `proc` once `url` answers; stop it and exit if it dies or stays silent for `seconds`."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with {proc.returncode}")
        try:
            urllib.request.urlopen(url, timeout=timeout)
            return proc
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise SystemExit(f"the dashboard did not answer within {seconds:.0f} s")


def browser() -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                 "--no-first-run", "--disable-background-networking", "--window-size=1280,900"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(300)
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": FIRST_CHART})
    return driver


def throttle(driver, mbit: float | None, latency: float) -> None:
    rate = -1 if mbit is None else mbit * 1_000_000 / 8
    driver.execute_cdp_cmd("Network.emulateNetworkConditions", {
        "offline": False, "latency": latency if mbit else 0, "downloadThroughput": rate, "uploadThroughput": rate})


def requests(driver) -> list[tuple[float, float, int, str]]:
    """(start s, end s, bytes on the wire, URL) of each request finished since the last call, in start order
    (Network.loadingFinished: encoded, i.e. compressed, sizes; times from the first request)."""
    started, done = {}, []
    for entry in driver.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        params = msg.get("params", {})
        if msg.get("method") == "Network.requestWillBeSent":
            started[params["requestId"]] = (params["timestamp"], params["request"]["url"])
        elif msg.get("method") == "Network.loadingFinished" and params.get("requestId") in started:
            t0, url = started[params["requestId"]]
            done.append((t0, params["timestamp"], int(params.get("encodedDataLength", 0)), url))
    first = min((t for t, *_ in done), default=0)
    return sorted((t - first, end - first, n, url) for t, end, n, url in done)


def wire_bytes(driver) -> int:
    return sum(n for _, _, n, _ in requests(driver))


def idle(driver, quiet: float = 1.0, timeout: float = 300) -> None:
    """Wait until no Dash callback is pending and no resource arrived for `quiet` seconds."""
    deadline, last, count = time.time() + timeout, time.time(), -1
    while time.time() < deadline:
        n = driver.execute_script("return performance.getEntriesByType('resource').length")
        loading = driver.execute_script("return document.querySelectorAll('[data-dash-is-loading]').length")
        if n != count or loading:
            count, last = n, time.time()
        elif time.time() - last > quiet:
            return
        time.sleep(0.1)


def first_visit(driver, base: str, mbit: float, latency: float, show: bool = False) -> tuple[int, float]:
    driver.get("about:blank")
    wire_bytes(driver)
    throttle(driver, mbit, latency)
    driver.get(base + "/")
    WebDriverWait(driver, 300, poll_frequency=0.05).until(lambda d: d.execute_script("return window.__firstChart"))
    seconds = driver.execute_script("return window.__firstChart") / 1000
    idle(driver)
    throttle(driver, None, 0)
    done = requests(driver)
    if show:
        print("start s    end s      bytes  URL")
        for start, end, n, url in done:
            print(f"{start:7.2f} {end:8.2f} {n:10,d}  {url.removeprefix(base)[:100]}")
    return sum(n for _, _, n, _ in done), seconds


def filter_change(driver, base: str) -> tuple[float, list[float]]:
    """Seconds from choosing metric=killed to the new card and chart drawn; server ms per callback it caused."""
    throttle(driver, None, 0)
    driver.get(base + "/")
    WebDriverWait(driver, 120).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#ov-trends .js-plotly-plot .main-svg"))
    idle(driver, quiet=0.5)
    driver.execute_script("performance.clearResourceTimings(); window.__t0 = null;")
    driver.find_element(By.ID, "flt-metric").click()
    option = WebDriverWait(driver, 10).until(
        EC.element_to_be_clickable((By.XPATH, "//*[@role='option'][normalize-space()='killed']")))
    start = time.perf_counter()
    option.click()
    WebDriverWait(driver, 120, poll_frequency=0.01).until(lambda d: d.execute_script(
        "const c = document.querySelector('#ov-cards [id^=\"ov-card-killed\"]');"
        "const g = [...document.querySelectorAll('#ov-trends .js-plotly-plot')].filter(e => e.offsetParent);"  # visible
        "return c && g.length === 1 && g[0].querySelector('.main-svg') &&"
        " !document.querySelector('[data-dash-is-loading]');"))
    seconds = time.perf_counter() - start
    server = driver.execute_script(
        "return performance.getEntriesByType('resource').filter(e => e.name.includes('_dash-update-component'))"
        ".map(e => e.responseStart - e.requestStart)")
    return seconds, server


def demo_warehouse(folder: Path) -> Path:
    db = folder / "demo.duckdb"
    env = os.environ | {"DISPLACEMENT_DB": str(db)}
    subprocess.run(["displacement", "demo", "--no-serve"], env=env, check=True, stdout=subprocess.DEVNULL)
    return db


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--warehouse", type=Path, help="serve this warehouse file instead of the demo")
    parser.add_argument("--mbit", type=float, default=1.5, help="download and upload rate, Mbit/s")
    parser.add_argument("--latency", type=float, default=40.0, help="added round-trip latency, ms")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--requests", action="store_true", help="list the first visit's requests, in order")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="first-visit-") as tmp:
        db = args.warehouse or demo_warehouse(Path(tmp))
        port = free_port()
        proc = serve(db, port)
        driver = browser()
        base = f"http://127.0.0.1:{port}"
        try:
            visits = [first_visit(driver, base, args.mbit, args.latency, args.requests and i == 0)
                      for i in range(args.runs)]
            changes = [filter_change(driver, base) for _ in range(args.runs)]
        finally:
            driver.quit()
            proc.terminate()
            proc.wait(timeout=30)
    n_bytes = statistics.median(b for b, _ in visits)
    first = statistics.median(s for _, s in visits)
    change = statistics.median(s for s, _ in changes)
    server = [max(ms) for _, ms in changes if ms]
    n_calls = statistics.median(len(ms) for _, ms in changes)
    print(f"warehouse: {db if args.warehouse else 'demo'}")
    print(f"first visit: {n_bytes / 1e6:.2f} MB on the wire; first chart after {first:.1f} s at {args.mbit} Mbit/s, "
          f"{args.latency:.0f} ms (median of {args.runs})")
    print(f"filter change (metric=killed on /): drawn after {change * 1000:.0f} ms; {n_calls:.0f} callbacks, "
          f"slowest server time {statistics.median(server) if server else 0:.0f} ms (median of {args.runs})")


if __name__ == "__main__":
    sys.exit(main())
