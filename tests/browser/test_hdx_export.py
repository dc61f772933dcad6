"""The /figures page's CSV download in headless Chromium: licence, attribution and an HXL row the `hxl` source
loads back."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

sys.path.insert(0, str(Path(__file__).parent.parent.parent))
from tests.helpers import query  # noqa: E402
from tests.test_cli import displacement  # noqa: E402

STALE = (StaleElementReferenceException,)  # an element Dash re-rendered between find and read


def test_figures_csv_download_carries_licence_and_an_hxl_row_the_hxl_source_reads(browser, live_app,
                                                                                     demo_warehouse, tmp_path):
    browser.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    browser.get(live_app + "/figures")
    WebDriverWait(browser, 30, ignored_exceptions=STALE).until(
        lambda b: "33 figures" in b.find_element(By.ID, "fig-count").text)
    browser.find_element(By.ID, "fig-csv").click()
    WebDriverWait(browser, 30).until(lambda b: [p for p in tmp_path.glob("figures-*.csv")])
    target = next(tmp_path.glob("figures-*.csv"))
    with open(target, newline="") as handle:
        rows = list(csv.reader(handle))
    header, tags = rows[0], rows[1]
    assert tags[header.index("metric")] == "#indicator+code" and tags[header.index("licence")] == "#meta+licence"
    assert len(rows) == 2 + 33 and all(r[header.index("licence")] and r[header.index("attribution")] for r in rows[2:])
    env = {"DISPLACEMENT_DB": str(tmp_path / "back.duckdb")}
    proc = displacement("etl", "run", "hxl", "--from-file", str(target), env=env)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    back = query(type(demo_warehouse)(db=tmp_path / "back.duckdb"), "SELECT record_id, metric, value FROM figures")
    assert sorted(back) == sorted(query(demo_warehouse, "SELECT figure_id, metric, value FROM figures"))
