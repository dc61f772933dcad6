"""A filter change on the overview, in headless Chromium: time to the last chart drawn, and server time per callback.

    python benchmarks/filter_change.py WAREHOUSE [--changes metric=killed,metric=injured,...]

Serves WAREHOUSE (e.g. the 10M-figure warehouse of `benchmarks/dashboard_queries.py --keep DIR`) with
benchmarks/serve_local.py, the code on PYTHONPATH, which logs each Dash callback's server time. For each change
(a filter bar control and the option chosen, each one not asked before so that the query cache does not answer it),
it opens `/` afresh, waits until the charts are drawn and nothing is loading, chooses the option and measures in the
page, unthrottled: from the click on the option to the last change inside any plotly chart (a MutationObserver), once
no callback is pending and nothing has changed for a second. Prints per change: that time, the number of callbacks
and each callback's server time (the Flask hook's, request in to answer out), then a timeline in the browser (when each
callback request left and its answer arrived, from the click, and the last draw). Not a test: record the numbers in
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from benchmarks.first_visit import browser, free_port  # noqa: E402
from benchmarks.serve_local import start  # noqa: E402

CONTROLS = {"metric": "flt-metric", "source_type": "flt-source-type", "org": "flt-org", "country": "flt-country"}
LABELS = {"documents": "documents", "datasets": "datasets"}
# Last change inside a chart, and when the option was clicked (performance.now()).
WATCH = """
window.__lastDraw = 0; window.__t0 = null;
new MutationObserver(records => {
  if (records.some(r => r.target.closest && r.target.closest('.js-plotly-plot, .chart'))) {
    window.__lastDraw = performance.now();
  }
}).observe(document.body, {subtree: true, childList: true, attributes: true});
document.addEventListener('mousedown', () => { window.__t0 = performance.now(); }, {capture: true, once: false});
window.__calls = [];
const fetch0 = window.fetch;
window.fetch = function (url, init) {
  const start = performance.now();
  const out = (init && init.body && String(url).includes('_dash-update-component'))
    ? (JSON.parse(init.body).output || '?') : null;
  return fetch0.apply(this, arguments).then(r => {
    if (out) { window.__calls.push([out.slice(0, 24), start, performance.now()]); }
    return r;
  });
};
"""
CALLBACK = re.compile(r"^callback (\S+) ([0-9.]+) ([0-9.]+)$")


def settle(driver, quiet: float = 1.0, timeout: float = 300) -> None:
    """Until no callback is pending and no chart changed for `quiet` seconds."""
    deadline, last, seen = time.time() + timeout, time.time(), None
    while time.time() < deadline:
        state = driver.execute_script(
            "return [window.__lastDraw || 0, document.querySelectorAll('[data-dash-is-loading]').length]")
        if state[1] or state[0] != seen:
            seen, last = state[0], time.time()
        elif time.time() - last > quiet:
            return
        time.sleep(0.05)


def change(driver, base: str, log: Path, control: str, label: str) -> tuple[float, list[tuple[str, float, float]], str]:
    driver.get(base + "/")
    WebDriverWait(driver, 600).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#ov-trends .js-plotly-plot .main-svg"))
    driver.execute_script(WATCH)
    settle(driver)
    driver.find_element(By.ID, control).click()
    option = WebDriverWait(driver, 30).until(
        EC.element_to_be_clickable((By.XPATH, f"//*[@role='option'][normalize-space()='{label}']")))
    offset = log.stat().st_size
    driver.execute_script("window.__t0 = null;")
    option.click()
    settle(driver)
    t0, last, timeline = driver.execute_script("return [window.__t0, window.__lastDraw, window.__calls]")
    # In the browser, from the click: when each callback's request left and its answer arrived, then the last draw.
    steps = [f"{out.strip('.')} {start - t0:.0f}-{end - t0:.0f}" for out, start, end in timeline
             if t0 and start >= t0]
    timeline = "; ".join(steps + [f"last draw {last - t0:.0f}" if t0 else ""])
    with log.open() as handle:
        handle.seek(offset)
        calls = [(m[1], float(m[2]), float(m[3])) for line in handle if (m := CALLBACK.match(line.strip()))]
    return (last - t0) / 1000 if t0 and last > t0 else float("nan"), calls, timeline


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("--changes", default="metric=killed,metric=injured,source_type=documents,"
                                               "source_type=datasets")
    args = parser.parse_args(argv)
    changes = [c.split("=", 1) for c in args.changes.split(",")]
    with tempfile.TemporaryDirectory(prefix="filter-change-") as tmp:
        log = Path(tmp) / "server.log"
        port = free_port()
        with log.open("w") as sink:
            proc = start(args.warehouse, port, log=sink)
        driver = browser()
        base = f"http://127.0.0.1:{port}"
        results = []
        try:
            print(f"warehouse {args.warehouse}; load average {os.getloadavg()[0]:.1f} at start")
            for key, value in changes:
                seconds, calls, timeline = change(driver, base, log, CONTROLS[key], LABELS.get(value, value))
                results.append((seconds, calls))
                slow = max((ms for _, ms, _ in calls), default=0)
                slow_cpu = max((cpu for _, _, cpu in calls), default=0)
                detail = ", ".join(f"{name.strip('.')[:30]} {ms:.0f}/{cpu:.0f}" for name, ms, cpu in calls)
                print(f"{key}={value}: drawn after {seconds * 1000:.0f} ms; {len(calls)} callbacks, slowest "
                      f"{slow:.0f} ms wall, {slow_cpu:.0f} ms CPU on the server (wall/CPU ms: {detail})")
                print(f"  in the browser, ms from the click (request sent-answer in): {timeline}")
        finally:
            driver.quit()
            proc.terminate()
            proc.wait(timeout=60)
    drawn = statistics.median(s for s, _ in results)
    slowest = statistics.median(max((ms for _, ms, _ in c), default=0) for _, c in results)
    slowest_cpu = statistics.median(max((cpu for _, _, cpu in c), default=0) for _, c in results)
    print(f"median over {len(results)} changes: drawn after {drawn * 1000:.0f} ms, slowest callback {slowest:.0f} ms "
          f"wall / {slowest_cpu:.0f} ms CPU on the server; load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
