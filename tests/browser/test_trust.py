"""The dashboard never misleads, in headless Chromium: units on cards, charts and the grid; the stock/flow switch
on /compare brings back the README's UN 80,000 vs SOHR "more than 100,000"; any typed date; every spelling of a
region; an undated document; a phone-sized screen."""

from __future__ import annotations

import os
import shutil
import time
from datetime import datetime
from pathlib import Path

import pytest
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, TimeoutException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

ROOT = Path(__file__).resolve().parents[2]
UNDATED = "undated-saraqib"
UNDATED_TEXT = "About 5,000 families fled Saraqib in Idlib on Tuesday, the UN said.\n"


@pytest.fixture
def trust_app(serve, demo_settings, tmp_path, browser):
    """The demo data plus an undated .txt article reporting households, loaded by the real ETL."""
    from etl import runner

    articles = tmp_path / "articles"
    articles.mkdir()
    for path in (ROOT / "data" / "articles").iterdir():
        shutil.copy(path, articles / path.name)
    undated = articles / f"{UNDATED}.txt"
    undated.write_text(UNDATED_TEXT)
    stamp = datetime(2020, 2, 4, 12).timestamp()
    os.utime(undated, (stamp, stamp))
    settings = demo_settings.__class__(**{**demo_settings.__dict__, "articles_dir": articles})
    results = runner.run(settings)
    assert all(r.status == "ok" for r in results), [(r.source, r.error) for r in results]
    yield serve(settings)
    browser.get("about:blank")  # leave the page before its server stops: no late request fails in the next test


def wait_for(browser, css: str, timeout: float = 15):
    return WebDriverWait(browser, timeout).until(EC.presence_of_element_located((By.CSS_SELECTOR, css)))


def texts(browser, css: str) -> list[str]:
    """innerText of every match, read in one go (Dash replaces elements as callbacks answer)."""
    return browser.execute_script(
        "return [...document.querySelectorAll(arguments[0])].map(e => e.innerText ?? e.textContent)", css)


def wait_text(browser, css: str, text: str, timeout: float = 15):
    WebDriverWait(browser, timeout).until(lambda b: any(text in t for t in texts(b, css)))


def test_units_on_cards_charts_and_grid(browser, trust_app):
    browser.get(trust_app + "/?admin1=SY07&metric=displaced")
    wait_text(browser, "#ov-card-displaced-flow-households .headline", "about 5,000 households")
    assert "people" in texts(browser, "#ov-card-displaced-flow .headline")[0]
    # Honest time: the newest figure's date (the curated rows end on 16 Mar 2020), then when the ETL last ran.
    wait_text(browser, "#as-of", "latest figure: 16 Mar 2020 · last refresh: ")
    assert texts(browser, "#as-of")[0].endswith(datetime.now().strftime("%d %b %Y"))
    # Households have their own chart, whose axis says so; the people chart says people.
    wait_for(browser, "#ov-trend-displaced-flow-households .ytitle")
    assert texts(browser, "#ov-trend-displaced-flow-households .ytitle") == ["households"]
    wait_for(browser, "#ov-trend-displaced-flow .ytitle")
    assert texts(browser, "#ov-trend-displaced-flow .ytitle") == ["people"]
    browser.get(trust_app + "/figures?admin1=SY07&metric=displaced")
    wait_text(browser, "#fig-grid .ag-cell", "about 5,000 households")
    cells = texts(browser, "#fig-grid .ag-cell[col-id='value']")
    assert cells and all(c.endswith((" people", " households")) for c in cells if c), cells
    assert browser.console_errors() == []


def hover_text(browser, chart: str) -> str:
    """The tooltip of the last data point of chart `chart`, hovered as a mouse would (again while the chart is
    still being drawn)."""
    def hovered(b):
        try:
            point = b.find_elements(By.CSS_SELECTOR, f"#{chart} .scatterlayer path.point")[-1]
            b.execute_script("arguments[0].scrollIntoView({block: 'center'})", point)
            ActionChains(b).move_to_element(point).pause(0.2).move_by_offset(1, 1).pause(0.3).perform()
        except (StaleElementReferenceException, NoSuchElementException, IndexError):
            return None
        return " ".join(t.strip() for t in texts(b, f"#{chart} .hoverlayer text")) or None

    return WebDriverWait(browser, 15).until(hovered)


def test_tooltips_carry_the_unit(browser, trust_app):
    browser.get(trust_app + "/?admin1=SY07&unit=households")
    assert "5,000 households" in hover_text(browser, "ov-trend-displaced-flow-households")
    browser.get(trust_app + "/compare?admin1=SY07&kind=both")
    assert " people" in hover_text(browser, "cmp-chart")
    assert browser.console_errors() == []


def choose(browser, label: str, switch: str = "cmp-kind", url_has: str = "") -> None:
    """Click the switch's option starting with `label` until the URL has `url_has` (a click made while the page is
    still being drawn can be lost on a loaded machine)."""
    xpath = f"//*[@id='{switch}']//label[starts-with(normalize-space(), '{label}')]"

    def click(b):
        try:
            b.find_element(By.XPATH, xpath).click()
        except (StaleElementReferenceException, NoSuchElementException):
            return False
        try:
            WebDriverWait(b, 5).until(lambda b: url_has in b.current_url)
            return True
        except TimeoutException:
            return False

    WebDriverWait(browser, 30).until(click)


def test_stock_flow_switch_brings_back_the_un_sohr_comparison(browser, trust_app):
    browser.get(trust_app + "/compare?admin1=SY07")
    wait_text(browser, "#cmp-table", "80,000 people")
    assert "more than 100,000" not in texts(browser, "#cmp-table")[0]  # a stock, left out of the flows
    choose(browser, "Both", url_has="kind=both")
    wait_text(browser, "#cmp-table", "more than 100,000 people")
    table = texts(browser, "#cmp-table")[0]
    assert "80,000 people" in table and "total (stock)" in table and "new (flow)" in table
    legend = texts(browser, "#cmp-chart .legendtext")
    assert any(t.startswith("United Nations · new") for t in legend)
    assert any(t.startswith("Syrian Observatory") and t.endswith("· total") for t in legend), legend
    # The switch's other side: totals only.
    choose(browser, "Total", url_has="kind=stock")
    wait_text(browser, "#cmp-series-note", "totals (stocks)")
    assert browser.console_errors() == []


def test_typed_dates_before_the_first_figure_and_after_the_last(browser, trust_app):
    browser.get(trust_app + "/")
    wait_for(browser, "#ov-cards")
    start, end = WebDriverWait(browser, 10).until(
        lambda b: b.find_elements(By.CSS_SELECTOR, "input.dash-datepicker-input")[:2] or None)
    start.click()
    start.send_keys("1 Jun 2019", Keys.TAB)  # months before the first dated figure
    WebDriverWait(browser, 10).until(lambda b: "start=2019-06-01" in b.current_url)
    end.click()
    end.send_keys("2030-01-31", Keys.TAB)  # years after the last
    WebDriverWait(browser, 10).until(lambda b: "end=2030-01-31" in b.current_url)
    assert start.get_attribute("value") == "1 Jun 2019"
    wait_text(browser, "#ov-card-displaced-flow .headline", "people")
    # A period with no figures says so; nothing breaks.
    browser.get(trust_app + "/?start=2031-01-01&end=2031-12-31")
    wait_text(browser, "#ov-cards", "No figures for these filters")
    # The API's from/to mean the same on pages.
    browser.get(trust_app + "/compare?admin1=SY07&from=2019-12-01&to=2019-12-31")
    wait_text(browser, ".page-header", "Dec 2019")
    assert "Jan 2020" not in texts(browser, ".page-header")[0]
    assert browser.console_errors() == []


def test_the_calendar_reaches_1_december_2019(browser, trust_app):
    """The newest figure is from March 2020: the month arrow goes back past it and no day is disabled."""
    browser.get(trust_app + "/")
    wait_for(browser, "#ov-cards")
    WebDriverWait(browser, 10).until(lambda b: b.find_elements(By.CSS_SELECTOR, "input.dash-datepicker-input"))
    browser.find_elements(By.CSS_SELECTOR, "input.dash-datepicker-input")[0].click()
    back = WebDriverWait(browser, 10).until(
        EC.element_to_be_clickable((By.CSS_SELECTOR, ".dash-datepicker-content button[aria-label='Previous month']")))
    for _ in range(3):  # March 2020 -> December 2019
        back.click()
    wait_text(browser, ".dash-datepicker-controls .dash-dropdown-value", "December")
    days = browser.find_elements(By.CSS_SELECTOR, ".dash-datepicker-content td.dash-datepicker-calendar-date-inside")
    assert days and all(d.get_attribute("aria-disabled") == "false" for d in days)
    days[0].click()  # the 1st
    WebDriverWait(browser, 10).until(lambda b: "start=2019-12-01" in b.current_url)
    assert browser.console_errors() == []


def test_idlib_finds_idleb(browser, trust_app):
    browser.get(trust_app + "/")
    wait_for(browser, "#ov-cards")
    browser.find_element(By.ID, "flt-admin1").click()
    search = WebDriverWait(browser, 10).until(
        EC.element_to_be_clickable((By.CSS_SELECTOR, "input.dash-dropdown-search")))
    search.send_keys("Idlib")
    option = WebDriverWait(browser, 10).until(
        EC.element_to_be_clickable((By.XPATH, "//*[@role='option'][normalize-space()='Idleb']")))
    option.click()
    WebDriverWait(browser, 10).until(lambda b: "admin1=SY07" in b.current_url)
    assert browser.console_errors() == []


def test_undated_document_is_dated_and_never_nat(browser, trust_app):
    browser.get(f"{trust_app}/documents/{UNDATED}")
    wait_text(browser, ".page-header", "04 Feb 2020")
    assert "file date" in texts(browser, ".page-header")[0]
    wait_text(browser, ".doc-figures", "about 5,000 households")
    for path in (f"/documents/{UNDATED}", "/compare?admin1=SY07&unit=households&kind=both",
                 "/?admin1=SY07&unit=households", "/figures?unit=households"):
        browser.get(trust_app + path)
        wait_for(browser, "#_pages_content > *")
        wait_text(browser, "body", "households")
        assert "NaT" not in texts(browser, "body")[0], path
    # Its figure is on the trend, at the file's date.
    browser.get(trust_app + "/?admin1=SY07&unit=households")
    wait_for(browser, "#ov-trend-displaced-flow-households g.trace")
    assert browser.console_errors() == []


def _rects(browser, css: str) -> list[dict]:
    return browser.execute_script(
        "return [...document.querySelectorAll(arguments[0])].map(e => e.getBoundingClientRect().toJSON())", css)


def _overlap(a: dict, b: dict) -> bool:
    return a["left"] < b["right"] - 1 and b["left"] < a["right"] - 1 and a["top"] < b["bottom"] - 1 \
        and b["top"] < a["bottom"] - 1


def test_phone_layout_folds_the_filters_and_keeps_charts_legible(browser, trust_app):
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True})
    try:
        browser.get(trust_app + "/?admin1=SY07")
        first_card = wait_for(browser, "#ov-cards .headline-card")
        assert browser.execute_script("return window.innerWidth") == 390
        # The filters fold behind one button: the first screen shows a headline figure.
        assert not browser.find_element(By.ID, "flt-country").is_displayed()
        toggle = browser.find_element(By.ID, "flt-toggle")
        assert toggle.is_displayed() and "1 set" in toggle.text
        assert browser.execute_script("return arguments[0].getBoundingClientRect().top", first_card) < 844
        toggle.click()
        WebDriverWait(browser, 5).until(lambda b: b.find_element(By.ID, "flt-country").is_displayed())
        # Charts keep a legible width (scrolling sideways) and no legend entry lies on another.
        wait_for(browser, "#ov-trends .legendtext")
        for chart in browser.find_elements(By.CSS_SELECTOR, "#ov-trends .chart"):
            assert browser.execute_script("return arguments[0].scrollWidth", chart) >= 560
        for chart_id in browser.execute_script(
                "return [...document.querySelectorAll('#ov-trends .chart')].map(e => e.id)"):
            rects = _rects(browser, f"#{chart_id} .legendtext")
            pairs = [(a, b) for i, a in enumerate(rects) for b in rects[i + 1:]]
            assert not any(_overlap(a, b) for a, b in pairs), chart_id
        # Nothing is wider than the screen except the charts, which scroll inside their box.
        assert browser.execute_script("return document.documentElement.scrollWidth") <= 390
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    # On a laptop the filters are simply there.
    browser.get(trust_app + "/")
    wait_for(browser, "#ov-cards")
    assert browser.find_element(By.ID, "flt-country").is_displayed()
    assert not browser.find_element(By.ID, "flt-toggle").is_displayed()


def _captions_clear(browser, page: str) -> None:
    """Every chart's caption lies wholly inside its chart and on no axis label or title."""
    browser.get(page)
    wait_for(browser, ".chart .annotation text")
    time.sleep(1)  # charts that follow the first one
    for chart_id in browser.execute_script("return [...document.querySelectorAll('.chart')].map(e => e.id)"):
        box = _rects(browser, f"#{chart_id} .main-svg")
        captions = _rects(browser, f"#{chart_id} .annotation text")
        labels = _rects(browser, f"#{chart_id} .xtitle") + _rects(browser, f"#{chart_id} .xtick text")
        for cap in captions:
            assert box and box[0]["left"] - 1 <= cap["left"] and cap["right"] <= box[0]["right"] + 1, chart_id
            assert box[0]["top"] - 1 <= cap["top"] and cap["bottom"] <= box[0]["bottom"] + 1, chart_id
            assert not any(_overlap(cap, label) for label in labels), chart_id


def test_captions_are_whole_and_clear_of_the_axes_on_a_laptop_and_a_phone(browser, trust_app):
    pages = [trust_app + "/regions", trust_app + "/?admin1=SY07", trust_app + "/compare?admin1=SY07&kind=both"]
    for page in pages:
        _captions_clear(browser, page)
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True})
    try:
        for page in pages:
            _captions_clear(browser, page)
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    assert browser.console_errors() == []


def test_curated_figure_traces_to_its_citation_and_record_offline(browser, trust_app):
    browser.get(trust_app + "/figures?admin1=SY07&source_type=document&org=Syrian%20Observatory%20for%20Human%20Rights")
    link = wait_for(browser, "#fig-grid a[href^='/figures?figure=']")
    link.click()
    wait_text(browser, "#fig-record", "idlib-")  # the record id (curated figures are keyed by content, not file)
    record = texts(browser, "#fig-record")[0]
    assert "Syrian Observatory for Human Rights" in record and "cited from" in record and "people" in record
    assert "record" in record and "idlib-" in record
    assert browser.console_errors() == []


def _number(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def test_one_latest_for_idleb_on_the_overview_and_the_regions_page(browser, trust_app):
    # New figures (flows): the overview's card and the regions page's bar give the same figure, with the same rule.
    browser.get(trust_app + "/?admin1=SY07")
    wait_text(browser, "#ov-card-displaced-flow .headline", "people")
    flow_card = texts(browser, "#ov-card-displaced-flow .headline")[0]
    stock_card = texts(browser, "#ov-card-displaced-stock .headline")[0]
    rule = texts(browser, ".latest-rule")[0]
    assert rule.startswith("Latest: ") and "districts" in rule
    assert "Latest figures for Idleb (SY07)" in texts(browser, ".page-header")[0]  # the place's name, not only its code
    browser.get(trust_app + "/regions")
    wait_for(browser, "#reg-bars .bartext")
    assert _number(texts(browser, "#reg-bars .bartext")[0]) == _number(flow_card)
    assert texts(browser, ".latest-rule")[0] == rule
    # Totals (stocks) are the switch's other side, never ranked against new figures.
    choose(browser, "Total", "reg-kind", url_has="kind=stock")
    wait_text(browser, ".page-header", "Displaced (total)")
    wait_for(browser, "#reg-bars .bartext")
    WebDriverWait(browser, 10).until(
        lambda b: _number(texts(b, "#reg-bars .bartext")[0]) == _number(stock_card))
    assert _number(stock_card) != _number(flow_card)
    assert browser.console_errors() == []


def test_figures_for_a_wider_area_are_offered_not_added(browser, trust_app):
    browser.get(trust_app + "/?admin1=SY07")
    wait_text(browser, "#ov-wider", "cover this region")
    note = texts(browser, "#ov-wider")[0]
    assert "figures for northwest Syria" in note and "not counted here" in note
    browser.find_element(By.LINK_TEXT, "See them").click()
    WebDriverWait(browser, 10).until(lambda b: "/figures?" in b.current_url and "country=SYR" in b.current_url)
    assert "admin1" not in browser.current_url and "scope=wider" in browser.current_url
    wait_text(browser, "#fig-grid", "northwest Syria")  # the wider areas' figures, each with its place as written
    places = texts(browser, "#fig-grid .ag-cell[col-id='place']")
    assert places and "Idleb" not in places and "Ma'arrat An Nu'man" not in places  # none of the region's own
    # With no region chosen there is nothing to offer.
    browser.get(trust_app + "/")
    wait_for(browser, "#ov-cards .headline-card")
    assert not browser.find_elements(By.ID, "ov-wider")
    assert browser.console_errors() == []
