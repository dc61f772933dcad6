"""Figures for a wider area that covers a chosen region ("northwest Syria": tagged to Syria and no region), in
headless Chromium: /regions and /compare offer them with their count, the link lists exactly them on /figures, and
a filter change that leaves none removes the note in place."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import dashboard_data  # noqa: E402


def _wider(fid: str, metric: str, value: int, org: str, end: date) -> dict:
    return dict(figure_id=fid, source="curated", source_type="dataset", dataset="wider", record_id=fid,
                metric=metric, value=value, value_low=value, value_high=value, qualifier="exact",
                claimed_by_org=org, location_text="northwest Syria", country_iso3="SYR",
                period_start=date(2019, 12, 1), period_end=end, stock_or_flow="flow")


# Two displaced figures and one killed figure for northwest Syria; the region Idlib (SY07) has its own figures.
WIDER = [_wider("nw-948", "displaced", 948_123, "OCHA", date(2020, 2, 23)),
         _wider("nw-961", "displaced", 961_456, "UNICEF", date(2020, 3, 5)),
         _wider("nw-killed", "killed", 1_710, "OHCHR", date(2020, 2, 13))]


@pytest.fixture
def wider_app(serve, settings, browser):
    dashboard_data.build(settings, extra_figures=WIDER)
    yield serve(settings)
    browser.get("about:blank")  # leave the page before its server stops


def wait_text(browser, css: str, text: str, timeout: float = 15) -> str:
    """The text of the first match once it holds `text`."""
    def found(b):
        now = b.execute_script("const e = document.querySelector(arguments[0]); return e && e.innerText", css)
        return now if now and text in now else False
    return WebDriverWait(browser, timeout).until(found)


def gone(browser, css: str, timeout: float = 15) -> None:
    WebDriverWait(browser, timeout).until(lambda b: not b.find_elements(By.CSS_SELECTOR, css))


def choose(browser, control: str, label: str) -> None:
    browser.find_element(By.ID, control).click()
    WebDriverWait(browser, 10).until(EC.element_to_be_clickable(
        (By.XPATH, f"//*[@role='option'][normalize-space()='{label}']"))).click()


def grid_rows(browser) -> list[dict]:
    """Every row the grid shows, as {column id: text}."""
    return browser.execute_script("""
        return [...document.querySelectorAll('#fig-grid .ag-center-cols-container .ag-row')].map(row =>
            Object.fromEntries([...row.querySelectorAll('.ag-cell')].map(c => [c.getAttribute('col-id'),
                                                                               c.innerText])));""")


def test_regions_offers_the_wider_figures_and_its_link_lists_exactly_them(browser, wider_app):
    browser.get(wider_app + "/regions?admin1=SY07")
    note = wait_text(browser, "#reg-wider", "cover this region")
    # The page ranks displaced figures: the two displaced ones, not the killed one.
    assert note.startswith("2 figures for northwest Syria cover this region and are not counted here.")
    browser.find_element(By.CSS_SELECTOR, "#reg-wider a").click()
    WebDriverWait(browser, 15).until(lambda b: "/figures?" in b.current_url)
    assert "scope=wider" in browser.current_url and "admin1" not in browser.current_url
    wait_text(browser, "#fig-scope", "Figures for wider areas of Syria, not tagged to one region")
    wait_text(browser, "#fig-count", "2 figures")  # what the note counted
    WebDriverWait(browser, 15).until(lambda b: len(grid_rows(b)) == 2)
    rows = grid_rows(browser)
    assert sorted(r["value"] for r in rows) == ["948,123 people", "961,456 people"]
    assert {r["place"] for r in rows} == {"northwest Syria"}  # none of Idlib's own figures
    # The other pages do not take the listing's scope along.
    assert "scope" not in browser.find_element(By.ID, "nav-overview").get_attribute("href")
    # The line's link shows every figure again, Idlib's too.
    browser.find_element(By.CSS_SELECTOR, "#fig-scope a").click()
    gone(browser, "#fig-scope")
    WebDriverWait(browser, 15).until(lambda b: any(r.get("place") == "Idlib" for r in grid_rows(b)))
    assert "scope" not in browser.current_url
    assert browser.console_errors() == []


def test_compare_offers_them_and_a_filter_change_updates_or_removes_the_note_in_place(browser, wider_app):
    browser.get(wider_app + "/compare?admin1=SY07")
    note = wait_text(browser, "#cmp-wider", "cover this region")
    assert note.startswith("2 figures for northwest Syria cover this region")
    browser.execute_script("window.__page = document.getElementById('cmp-page');"
                           "window.__chart = document.querySelector('#cmp-chart .js-plotly-plot');")
    choose(browser, "flt-metric", "killed")
    wait_text(browser, "#cmp-wider", "1 figure for northwest Syria covers this region and is not counted here.")
    choose(browser, "flt-metric", "injured")  # Idlib has an injured figure; no wider area has one
    wait_text(browser, "#cmp-top", "Injured")
    gone(browser, "#cmp-wider")
    # The page and its chart stayed standing: the note was updated in place, not with a new page.
    assert browser.execute_script("return document.getElementById('cmp-page') === window.__page"
                                  " && document.querySelector('#cmp-chart .js-plotly-plot') === window.__chart")
    assert browser.console_errors() == []


def test_regions_removes_the_note_in_place_when_a_filter_leaves_no_wider_figure(browser, wider_app):
    browser.get(wider_app + "/regions?admin1=SY07")
    wait_text(browser, "#reg-wider", "2 figures for northwest Syria")
    browser.execute_script("window.__page = document.getElementById('reg-page');")
    choose(browser, "flt-metric", "injured")
    WebDriverWait(browser, 15).until(lambda b: "metric=injured" in b.current_url)
    gone(browser, "#reg-wider")
    assert browser.execute_script("return document.getElementById('reg-page') === window.__page")
    # With no region chosen there is nothing to offer.
    browser.get(wider_app + "/regions?metric=displaced")
    wait_text(browser, "#reg-head", "Regions")
    assert not browser.find_elements(By.ID, "reg-wider")
    assert browser.console_errors() == []


def test_overview_updates_the_note_in_place(browser, wider_app):
    browser.get(wider_app + "/?admin1=SY07")
    wait_text(browser, "#ov-wider", "3 figures for northwest Syria cover this region")  # every metric counts
    browser.execute_script("window.__page = document.getElementById('ov-page');")
    choose(browser, "flt-metric", "killed")
    wait_text(browser, "#ov-wider", "1 figure for northwest Syria covers this region and is not counted here.")
    choose(browser, "flt-metric", "injured")
    WebDriverWait(browser, 15).until(lambda b: "metric=injured" in b.current_url)
    gone(browser, "#ov-wider")
    assert browser.execute_script("return document.getElementById('ov-page') === window.__page")
    assert browser.console_errors() == []
