"""A filter change on the overview in headless Chromium: the page stays standing and only what changed is sent."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import dashboard_data  # noqa: E402

# Marks the page, a chart that stays and its plot's DOM node; a filter change must keep all three.
MARK = """
window.__kept = [document.getElementById('ov-page'), document.getElementById('ov-trend-killed-all'),
                 document.querySelector('#ov-trend-killed-all .js-plotly-plot')];
"""
# Records every Dash callback answer (the renderer calls fetch for each).
RECORD = """
window.__answers = [];
const fetch0 = window.fetch;
window.fetch = function (url) {
  return fetch0.apply(this, arguments).then(r => {
    if (String(url).includes('_dash-update-component')) { r.clone().json().then(j => window.__answers.push(j)); }
    return r;
  });
};
"""
KEPT = """
const now = [document.getElementById('ov-page'), document.getElementById('ov-trend-killed-all'),
             document.querySelector('#ov-trend-killed-all .js-plotly-plot')];
return now.map((node, i) => node !== null && node === window.__kept[i]);
"""


@pytest.fixture
def small_app(serve, settings):
    dashboard_data.build(settings)
    return serve(settings)


def visible_charts(browser) -> list[str]:
    return browser.execute_script(
        "return [...document.querySelectorAll('#ov-trends .chart')].filter(e => e.offsetParent).map(e => e.id)")


def choose(browser, control: str, label: str) -> None:
    browser.find_element(By.ID, control).click()
    WebDriverWait(browser, 10).until(EC.element_to_be_clickable(
        (By.XPATH, f"//*[@role='option'][normalize-space()='{label}']"))).click()


def callback_answers(browser) -> list[dict]:
    """The Dash callback answers since the last call (recorded by RECORD)."""
    return browser.execute_script("const a = window.__answers.splice(0); return a;")


def test_a_filter_change_redraws_the_charts_in_place(browser, small_app):
    browser.get(small_app + "/?admin1=SY07")
    WebDriverWait(browser, 15).until(
        lambda b: len(b.find_elements(By.CSS_SELECTOR, "#ov-trends .js-plotly-plot")) == 4
        and b.find_elements(By.CSS_SELECTOR, "#ov-trend-killed-all .main-svg"))
    browser.execute_script(MARK + RECORD)

    choose(browser, "flt-metric", "killed")
    WebDriverWait(browser, 15).until(
        lambda b: b.find_elements(By.CSS_SELECTOR, "#ov-card-killed-all .headline")
        and visible_charts(b) == ["ov-trend-killed-all"])
    assert "at least 1,500" in browser.find_element(By.CSS_SELECTOR, "#ov-card-killed-all .headline").text
    assert browser.execute_script(KEPT) == [True, True, True]  # the page, the chart and its plot were kept

    answers = callback_answers(browser)
    assert not [a for a in answers if "_pages_content" in a.get("response", {})]  # the router sent no new page
    side = {k: v for a in answers for k, v in a.get("sideUpdate", {}).items()}
    assert "figure" in side["ov-trend-killed-all"]  # the chart that stays gets its new figure, nothing more
    assert side["ov-col-displaced-stock"] == {"style": {"display": "none"}}  # a chart not wanted now is hidden
    assert not [a for a in answers if "ov-trends" in a.get("response", {})]  # and #ov-trends is not sent again

    choose(browser, "flt-metric", "injured")  # the killed chart leaves, the injured one comes back
    WebDriverWait(browser, 15).until(lambda b: visible_charts(b) == ["ov-trend-injured-all"])
    assert browser.execute_script("return document.getElementById('ov-page') === window.__kept[0]")
    assert browser.console_errors() == []


def test_a_chart_first_needed_after_a_filter_change_is_added(browser, small_app):
    browser.get(small_app + "/?metric=killed")
    WebDriverWait(browser, 15).until(lambda b: b.find_elements(By.CSS_SELECTOR, "#ov-trend-killed-all .main-svg"))
    choose(browser, "flt-metric", "displaced")
    WebDriverWait(browser, 15).until(
        lambda b: set(visible_charts(b)) == {"ov-trend-displaced-stock", "ov-trend-displaced-flow"})
    WebDriverWait(browser, 15).until(lambda b: b.find_elements(By.CSS_SELECTOR, "#ov-trend-displaced-flow .main-svg"))
    assert browser.console_errors() == []
