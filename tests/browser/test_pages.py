"""The dashboard in headless Chromium: pages load offline without console errors, filters drive the URL and the
charts and survive a reload, documents highlight figures, and fetched text is never run as HTML."""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import dashboard_data  # noqa: E402

PAGES = {
    "/": "ov-cards",
    "/compare": "cmp-chart",
    "/regions": "reg-bars",
    "/figures": "fig-grid",
    "/sources": "src-table",
    f"/documents/{dashboard_data.SEED_ID}": "doc-text",
}
XSS_TEXT = ('Shelling hit the town. <script>window.__xss=1</script> Witnesses said '
            '<img src=x onerror="window.__xss=1"> 5,000 people fled.')

STALE = (StaleElementReferenceException,)  # an element Dash re-rendered between find and read


@pytest.fixture
def small_app(serve, settings):
    """The app over the small test warehouse, with boundaries and a hostile document."""
    dashboard_data.build(settings, extra_documents=[{"doc_id": "xss", "text": XSS_TEXT, "title": "<i>title</i>"}])
    return serve(settings)


def wait_for(browser, css: str, timeout: float = 15):
    return WebDriverWait(browser, timeout).until(EC.presence_of_element_located((By.CSS_SELECTOR, css)))


def foreign_requests(browser, base: str) -> list[str]:
    """Every resource the page loaded that did not come from the app's own host."""
    host = urlparse(base).netloc
    urls = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    return [u for u in urls if urlparse(u).scheme in ("http", "https", "ws", "wss") and urlparse(u).netloc != host]


def test_every_page_loads_offline_without_console_errors(browser, live_app):
    for path, element in PAGES.items():
        browser.get(live_app + path)
        wait_for(browser, f"#{element}")
        wait_for(browser, "#_pages_content > *")
        assert browser.console_errors() == [], path
        assert foreign_requests(browser, live_app) == [], path
    browser.get(live_app + "/sql")
    wait_for(browser, "#_pages_content > *")
    assert browser.console_errors() == []


def test_demo_document_highlights_the_seed_figure(browser, live_app):
    browser.get(f"{live_app}/documents/{dashboard_data.SEED_ID}")
    wait_for(browser, "#doc-text mark")
    marks = [m.text for m in browser.find_elements(By.CSS_SELECTOR, "#doc-text mark")]
    assert "80,000" in marks
    link = browser.find_element(By.XPATH, "//mark[text()='80,000']/ancestor::a")
    assert link.get_attribute("id").startswith("fig-")
    assert "/figures?figure=" in link.get_attribute("href")


def test_filters_update_url_and_charts_and_survive_reload(browser, small_app):
    browser.get(small_app + "/?admin1=SY07")
    card = wait_for(browser, "#ov-card-displaced-flow .headline")
    WebDriverWait(browser, 10).until(lambda b: "900,000" in card.text)
    WebDriverWait(browser, 10).until(lambda b: len(b.find_elements(By.CSS_SELECTOR, "#ov-trends .js-plotly-plot")) == 4)

    browser.find_element(By.ID, "flt-metric").click()
    option = WebDriverWait(browser, 10).until(
        EC.element_to_be_clickable((By.XPATH, "//*[@role='option'][normalize-space()='killed']")))
    option.click()
    WebDriverWait(browser, 10).until(lambda b: "metric=killed" in b.current_url)
    assert "admin1=SY07" in browser.current_url
    WebDriverWait(browser, 10).until(
        lambda b: b.find_elements(By.CSS_SELECTOR, "#ov-card-killed-all .headline")
        and len([e for e in b.find_elements(By.CSS_SELECTOR, "#ov-trends .js-plotly-plot") if e.is_displayed()]) == 1)
    assert "at least 1,500" in browser.find_element(By.CSS_SELECTOR, "#ov-card-killed-all .headline").text

    browser.refresh()
    headline = wait_for(browser, "#ov-card-killed-all .headline")
    assert "at least 1,500" in headline.text
    WebDriverWait(browser, 10, ignored_exceptions=STALE).until(
        lambda b: "killed" in b.find_element(By.ID, "flt-metric").text)
    # The nav links carry the filters to the other pages.
    compare_href = browser.find_element(By.ID, "nav-compare").get_attribute("href")
    assert "metric=killed" in compare_href and "admin1=SY07" in compare_href
    assert browser.console_errors() == []


def test_region_click_narrows_every_page(browser, small_app):
    browser.get(small_app + "/regions?metric=displaced")
    wait_for(browser, "#reg-map .js-plotly-plot, #reg-map.js-plotly-plot")
    wait_for(browser, "#reg-bars g.point path")
    top_bar = browser.find_elements(By.CSS_SELECTOR, "#reg-bars g.point path")[-1]  # Idlib, the largest
    # Plotly listens on its drag layer above the bars: hover the bar, then click there.
    ActionChains(browser).move_to_element(top_bar).pause(0.3).click().perform()
    WebDriverWait(browser, 10).until(lambda b: "admin1=SY07" in b.current_url)
    browser.find_element(By.ID, "nav-overview").click()
    WebDriverWait(browser, 10).until(lambda b: urlparse(b.current_url).path == "/")
    assert "admin1=SY07" in browser.current_url
    assert browser.console_errors() == []


def test_figures_grid_pages_from_the_server_and_links_to_documents(browser, small_app):
    browser.get(small_app + "/figures?admin1=SY07")
    WebDriverWait(browser, 15, ignored_exceptions=STALE).until(
        lambda b: "10 figures" in b.find_element(By.ID, "fig-count").text)
    link = wait_for(browser, "#fig-grid a[href^='/documents/']")
    assert f"/documents/{dashboard_data.SEED_ID}#fig-" in link.get_attribute("href")
    link.click()
    wait_for(browser, "#doc-text mark")
    WebDriverWait(browser, 5).until(lambda b: b.find_elements(By.CSS_SELECTOR, "a.fig-mark.flash"))
    assert browser.console_errors() == []


def test_document_text_with_markup_stays_text(browser, small_app):
    browser.get(small_app + "/documents/xss")
    body = wait_for(browser, "#doc-text")
    WebDriverWait(browser, 10).until(lambda b: "window.__xss" in body.text)
    assert "<script>window.__xss=1</script>" in body.text
    assert '<img src=x onerror="window.__xss=1">' in body.text
    assert browser.execute_script("return typeof window.__xss") == "undefined"
    assert browser.find_elements(By.CSS_SELECTOR, "#doc-text script, #doc-text img") == []
    assert browser.find_element(By.CSS_SELECTOR, "h1").text == "<i>title</i>"
