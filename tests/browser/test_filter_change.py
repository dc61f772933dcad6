"""A filter change on the overview in headless Chromium: the page stays standing and only what changed is sent."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from selenium.common.exceptions import StaleElementReferenceException
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

STALE = (StaleElementReferenceException,)  # an element Dash re-rendered between find and read


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


def kept(browser, *selectors: str) -> None:
    """Mark the DOM nodes `selectors` find, to check after a filter change that they were kept (not drawn anew)."""
    browser.execute_script("window.__kept = arguments[0].map(s => document.querySelector(s));", list(selectors))


def still_kept(browser, *selectors: str) -> list[bool]:
    return browser.execute_script(
        "return arguments[0].map((s, i) => window.__kept[i] !== null"
        " && document.querySelector(s) === window.__kept[i]);",
        list(selectors))


def plot_data(browser, chart: str) -> list:
    return browser.execute_script(
        f"const gd = document.querySelector('#{chart} .js-plotly-plot');"
        "const plain = v => (v && v._inputArray ? Array.from(v._inputArray) : v);"  # typed arrays (bdata)
        "return gd ? gd.data.map(t => [t.name, plain(t.x), plain(t.y)]) : null;")


def sent_figures(answers: list[dict]) -> set[str]:
    """Ids of the components given a new figure through set_props."""
    return {k for a in answers for k, v in a.get("sideUpdate", {}).items() if "figure" in v}


def test_compare_updates_in_place(browser, small_app):
    browser.get(small_app + "/compare?admin1=SY07")
    WebDriverWait(browser, 15, ignored_exceptions=STALE).until(
        lambda b: "80,000 people" in b.find_element(By.ID, "cmp-table").text)
    nodes = ("#cmp-page", "#cmp-chart", "#cmp-chart .js-plotly-plot")
    kept(browser, *nodes)
    browser.execute_script(RECORD)

    choose(browser, "flt-metric", "killed")
    WebDriverWait(browser, 15, ignored_exceptions=STALE).until(
        lambda b: "at least 1,500 people" in b.find_element(By.ID, "cmp-table").text)
    assert "80,000" not in browser.find_element(By.ID, "cmp-table").text
    assert browser.find_element(By.CSS_SELECTOR, "#cmp-top h1 + p").text.startswith("Killed · ")
    WebDriverWait(browser, 15).until(lambda b: [t[2] for t in plot_data(b, "cmp-chart")
                                                if (t[0] or "").startswith("Syrian Observatory")] == [[1500]])
    assert still_kept(browser, *nodes) == [True, True, True]  # the page, the chart and its plot were kept
    answers = callback_answers(browser)
    assert not [a for a in answers if "_pages_content" in a.get("response", {})]  # the router sent no new page
    assert "cmp-chart" in sent_figures(answers)
    assert not [a for a in answers if "cmp-body" in a.get("response", {})]  # the body is not sent again
    assert browser.console_errors() == []


def test_regions_update_in_place(browser, small_app):
    browser.get(small_app + "/regions?metric=displaced")
    WebDriverWait(browser, 15).until(lambda b: b.find_elements(By.CSS_SELECTOR, "#reg-bars g.point path")
                                     and b.find_elements(By.CSS_SELECTOR, "#reg-map .js-plotly-plot"))
    assert max(plot_data(browser, "reg-bars")[0][1]) == 900_000  # flows by default (2.7M is a stock)
    nodes = ("#reg-page", "#reg-map .js-plotly-plot", "#reg-bars .js-plotly-plot")
    kept(browser, *nodes)
    browser.execute_script(RECORD)

    choose(browser, "flt-metric", "killed")
    WebDriverWait(browser, 15).until(lambda b: plot_data(b, "reg-bars")[0][1] == [1500])
    assert browser.find_element(By.CSS_SELECTOR, "#reg-head p").text.startswith("Killed per admin 1 area")
    assert still_kept(browser, *nodes) == [True, True, True]
    answers = callback_answers(browser)
    assert not [a for a in answers if "_pages_content" in a.get("response", {})]
    assert {"reg-map", "reg-bars"} <= sent_figures(answers)
    assert not [a for a in answers if "reg-body" in a.get("response", {})]
    assert browser.console_errors() == []
