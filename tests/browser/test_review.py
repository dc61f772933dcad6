"""/review in headless Chromium: a correction survives two `etl run`s, a rejection leaves the charts and the
toggle brings it back, keyboard shortcuts, and a conflict notice when someone else saved first."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys

import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from etl import runner
from tests.review_helpers import figures, save

TREND_VALUES = ("return Array.from(document.querySelectorAll('#ov-trends .js-plotly-plot'))"
                ".flatMap(g => (g._fullData || []).flatMap(t => Array.from(t.y || [])));")


@pytest.fixture
def review_app(serve, demo_warehouse):
    settings = dataclasses.replace(demo_warehouse, review_without_auth=True)
    return serve(settings), settings


def wait_for(browser, css: str, timeout: float = 20):
    return WebDriverWait(browser, timeout).until(EC.presence_of_element_located((By.CSS_SELECTOR, css)))


def _trend_values(browser) -> set[int]:
    """Every value the overview's trend charts draw (once they have drawn)."""
    wait_for(browser, "#ov-trends .js-plotly-plot")
    WebDriverWait(browser, 20).until(lambda b: b.execute_script(TREND_VALUES))
    return {int(v) for v in browser.execute_script(TREND_VALUES)}


def click(browser, css: str):
    element = browser.find_element(By.CSS_SELECTOR, css)
    browser.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", element)
    element.click()


def _etl_run(settings):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISPLACEMENT_")}
    proc = subprocess.run([sys.executable, "-m", "etl.cli", "etl", "run"], capture_output=True, text=True,
                          env=env | {"DISPLACEMENT_DB": str(settings.db)}, timeout=300)
    assert proc.returncode == 0, proc.stderr


def test_a_correction_made_in_chromium_survives_two_etl_runs(browser, review_app):
    base, settings = review_app
    fig = figures(settings, "doc_id IS NOT NULL AND metric = 'displaced'")[0]
    browser.get(f"{base}/review?figure={fig['figure_id']}")
    value = wait_for(browser, "#rv-value")
    assert "Reviewing as local" in browser.find_element(By.ID, "rv-role").text
    assert browser.find_element(By.ID, "rv-mark").text  # the number is marked in its sentence
    for field in (value, browser.find_element(By.ID, "rv-low"), browser.find_element(By.ID, "rv-high")):
        field.send_keys(Keys.CONTROL, "a")
        field.send_keys("123456")
    browser.find_element(By.ID, "rv-note").send_keys("the article says 123,456")
    click(browser, "#rv-save")
    assert "Saved: corrected by local" in wait_for(browser, "#rv-saved").text
    assert browser.console_errors() == []
    for _ in range(2):
        _etl_run(settings)
        # the server's reader reopens the new file first: DuckDB keeps one instance per path in a process
        assert requests.get(base + "/api/health", timeout=30).status_code == 200
        now = figures(settings, "figure_id = ?", [fig["figure_id"]])[0]
        assert (now["value"], now["orig_value"], now["review_status"]) == (123456, fig["value"], "corrected")
    browser.get(f"{base}/review?figure={fig['figure_id']}&status=corrected")
    assert wait_for(browser, "#rv-value").get_attribute("value") == "123456"
    assert browser.find_element(By.ID, "rv-status").text == "corrected by local"
    click(browser, "#rv-history summary")
    history = browser.find_element(By.ID, "rv-history").text
    assert "local: corrected: value → 123456" in history and "“the article says 123,456”" in history


def test_a_rejected_figure_leaves_the_charts_and_the_toggle_brings_it_back(browser, review_app):
    base, settings = review_app
    browser.get(base + "/")
    shown = _trend_values(browser)
    counts = {}
    for f in figures(settings, "metric = 'displaced'"):
        counts[f["value"]] = counts.get(f["value"], 0) + 1
    value = max(v for v in shown if counts.get(v) == 1)  # drawn, and reported once: rejecting it removes it
    target = figures(settings, "metric = 'displaced' AND value = ?", [value])[0]
    browser.get(f"{base}/review?figure={target['figure_id']}")
    wait_for(browser, "#rv-reject")
    browser.find_element(By.TAG_NAME, "body").send_keys("r")  # keyboard: reject, not a figure
    assert "rejected (not a figure)" in wait_for(browser, "#rv-saved").text
    runner.run(settings)
    browser.get(base + "/")
    assert value not in _trend_values(browser)
    assert "Include figures reviewers rejected" in browser.find_element(By.ID, "flt-rejected").text
    click(browser, "#flt-rejected")
    WebDriverWait(browser, 20).until(lambda b: value in {int(v) for v in b.execute_script(TREND_VALUES)})
    assert "rejected=show" in browser.current_url
    assert "leave them out" in browser.find_element(By.ID, "flt-rejected").text
    assert browser.console_errors() == []


def test_a_second_reviewer_sees_a_conflict_notice_and_keys_move_on(browser, review_app):
    base, settings = review_app
    fig = figures(settings, "doc_id IS NOT NULL")[0]
    browser.get(f"{base}/review?figure={fig['figure_id']}")
    wait_for(browser, "#rv-accept")
    save(settings, fig, "rejected", reviewer="bob", reason="duplicate", note="same as OCHA's")
    browser.find_element(By.TAG_NAME, "body").send_keys("a")  # keyboard: accept
    notice = wait_for(browser, "#rv-conflict").text
    assert "bob saved this figure first" in notice and "duplicate" in notice and "same as OCHA's" in notice
    assert f"figure={fig['figure_id']}" in browser.current_url  # not moved on: nothing was saved
    browser.find_element(By.TAG_NAME, "body").send_keys("n")  # keyboard: next
    WebDriverWait(browser, 20).until(lambda b: f"figure={fig['figure_id']}" not in b.current_url)
    assert browser.console_errors() == []
