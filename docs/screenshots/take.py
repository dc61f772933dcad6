"""Retake every screenshot in this folder from the current app, over the demo data.

    PYTHONPATH=$PWD python3 docs/screenshots/take.py [--boundaries ADMIN1.geojson] [--only NAME…]

Builds the demo warehouse in a temporary folder (`displacement demo --no-serve`), loads Syria's governorate
boundaries into it when --boundaries is given (an OCHA COD-AB admin 1 GeoJSON, as the README's regions step says;
without it the regions page shows its ranked bars only), serves it with `displacement serve` on a free port (review
on, as on a trusted local install) and takes each page in headless Chromium: at 1280 px wide, full height, and the
overview on a phone (390 x 844) and a tablet (820 x 1180). PNGs are shrunk with pngquant when it is installed
(Debian: apt-get install pngquant).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "benchmarks"))
from first_visit import browser, free_port, wait_until_up  # noqa: E402

SQL = ("SELECT claimed_by_org, metric, stock_or_flow, unit, count(*) AS figures, max(value) AS largest "
       "FROM v_figures "
       "WHERE admin1_pcode = 'SY07' GROUP BY ALL ORDER BY figures DESC")
# name: (path, what must be drawn before the shot, window width, window height or None for the full page)
SHOTS = {
    "overview": ("/?admin1=SY07", "#ov-trends .js-plotly-plot .main-svg", 1280, None),
    "overview-phone": ("/?admin1=SY07", "#ov-cards .headline-card", 390, 844),
    "overview-tablet": ("/?admin1=SY07", "#ov-trends .js-plotly-plot .main-svg", 820, 1180),
    "compare": ("/compare?admin1=SY07&metric=displaced&start=2019-12-01&end=2019-12-31&kind=both",
                "#cmp-chart .main-svg", 1280, None),
    "regions": ("/regions", "#reg-bars .main-svg", 1280, None),
    "figures": ("/figures?admin1=SY07&metric=displaced", "#fig-grid .ag-cell", 1280, 900),
    "documents": ("/documents/{doc}", ".doc-figures", 1280, 1500),
    "sql": ("/sql?q=" + SQL.replace(" ", "%20").replace("'", "%27"), "#sql-query", 1280, 900),
    "sources": ("/sources", "#src-refresh", 1280, None),
    "review": ("/review", "#_pages_content > *", 1280, 1300),
}
MAX_HEIGHT = 2400
# name: (what to click once the page is ready, what must then be drawn)
CLICKS = {"sql": ("#sql-run", "#sql-grid .ag-cell")}


def displacement(*args: str, env: dict) -> None:
    subprocess.run(["displacement", *args], env=env, check=True, stdout=subprocess.DEVNULL)


def build(folder: Path, boundaries: Path | None) -> dict:
    env = os.environ | {"DISPLACEMENT_DB": str(folder / "demo.duckdb"), "DISPLACEMENT_REVIEW_DB":
                        str(folder / "reviews.sqlite"), "DISPLACEMENT_REVIEW_WITHOUT_AUTH": "true"}
    displacement("demo", "--no-serve", env=env)
    if boundaries:
        displacement("etl", "run", "boundaries", "--from-file", str(boundaries), env=env)
    return env


def shoot(driver, base: str, name: str, doc: str, out: Path) -> Path:
    path, ready, width, height = SHOTS[name]
    phone = width < 600
    if phone:
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": True})
    else:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        driver.set_window_size(width, height or 900)
    driver.get(base + path.format(doc=doc))
    WebDriverWait(driver, 60).until(lambda d: d.find_elements(By.CSS_SELECTOR, ready))
    if name in CLICKS:
        button, drawn = CLICKS[name]
        driver.find_element(By.CSS_SELECTOR, button).click()
        WebDriverWait(driver, 60).until(lambda d: d.find_elements(By.CSS_SELECTOR, drawn))
    time.sleep(2.5)  # callbacks that follow the first drawing (cards, captions, legends)
    if height is None:
        full = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(width, min(full + 140, MAX_HEIGHT))  # + the window's own chrome
        time.sleep(1.5)
    target = out / f"{name}.png"
    driver.save_screenshot(str(target))
    if phone:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    if shutil.which("pngquant"):
        subprocess.run(["pngquant", "--force", "--skip-if-larger", "--quality", "70-95", "--output", str(target),
                        str(target)], check=False)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--boundaries", type=Path, help="an admin 1 GeoJSON for the regions map")
    parser.add_argument("--only", nargs="+", choices=sorted(SHOTS), help="retake only these")
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="screenshots-") as tmp:
        env = build(Path(tmp), args.boundaries)
        doc = subprocess.run(["displacement", "sql", "SELECT doc_id FROM v_documents ORDER BY published LIMIT 1",
                              "--format", "csv"], env=env, check=True, capture_output=True, text=True
                             ).stdout.splitlines()[1]
        port = free_port()
        proc = subprocess.Popen(["displacement", "serve", "--port", str(port)], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        driver = None
        try:
            wait_until_up(proc, f"http://127.0.0.1:{port}/api/health", 120)
            driver = browser()
            for name in args.only or SHOTS:
                target = shoot(driver, f"http://127.0.0.1:{port}", name, doc, args.out)
                print(f"{target.name}: {target.stat().st_size / 1000:.0f} kB")
        finally:
            if driver:
                driver.quit()
            proc.terminate()
            proc.wait(30)


if __name__ == "__main__":
    main()
