"""The /sql console in headless Chromium: results, refusals, the time limit, text-only rendering, CSV download."""

from __future__ import annotations

import dataclasses
import time

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from dashboard import sql_sandbox
from etl import warehouse

XSS = """SELECT '<img src=x onerror="window.__xss=1">' AS x, 1 AS "<img src=y onerror=window.__xss=2>" """


def _build(settings) -> None:
    with warehouse.etl_lock(settings), warehouse.next_version(settings) as con:
        con.execute("INSERT INTO places VALUES ('SYR', 0, 'Syria', 'SYR', NULL, [], NULL, 't'),"
                    " ('SY07', 1, 'Idlib', 'SYR', 'SYR', [], NULL, 't')")
        for i, metric in enumerate(("displaced", "displaced", "killed")):
            con.execute(
                "INSERT INTO figures (figure_id, source, source_type, dataset, record_id, load_id, content_hash,"
                " metric, value, qualifier, unit, country_iso3, admin1_pcode, period_start, period_end)"
                " VALUES (?, 'test', 'dataset', 'test', ?, 1, 'h', ?, ?, 'exact', 'people', 'SYR', 'SY07',"
                " DATE '2020-01-01', DATE '2020-01-31')", [f"f{i}", f"r{i}", metric, 100 * (i + 1)])


@pytest.fixture(autouse=True)
def _stop_workers():
    yield
    sql_sandbox.shutdown()


@pytest.fixture
def console(serve, settings, browser):
    """The app on a tiny warehouse (2 s limit, 100 rows), with the browser on /sql."""
    _build(settings)
    base = serve(dataclasses.replace(settings, sql_timeout=2.0, sql_row_cap=100))
    browser.get(base + "/sql")
    WebDriverWait(browser, 30).until(lambda d: d.find_elements(By.ID, "sql-run"))
    return browser


def run(browser, query: str) -> None:
    box = browser.find_element(By.ID, "sql-query")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(Keys.DELETE)
    box.send_keys(query)
    browser.find_element(By.ID, "sql-run").click()


def text(browser, element_id: str) -> str:
    return browser.execute_script(
        "const e = document.getElementById(arguments[0]); return e ? e.innerText.trim() : ''", element_id)


def wait_for(browser, condition, timeout: float = 15):
    return WebDriverWait(browser, timeout, poll_frequency=0.1).until(lambda d: condition())


def _texts(browser, selector: str) -> list[str]:
    # Read in one script call: the grid re-renders under us, so element handles go stale.
    return browser.execute_script(
        "return Array.from(document.querySelectorAll(arguments[0]), e => e.textContent.trim())", selector)


def cells(browser) -> list[str]:
    return _texts(browser, "#sql-grid .ag-cell")


def script_errors(browser) -> list[dict]:
    """SEVERE console messages other than missing shell assets (the shell's own tests look after those)."""
    return [e for e in browser.console_errors() if e.get("source") != "network"]


def headers(browser) -> list[str]:
    return _texts(browser, "#sql-grid .ag-header-cell-text")


def test_a_query_shows_its_results(console):
    assert "v_figures" in text(console, "sql-schema")
    run(console, "SELECT metric, count(*) AS n FROM v_figures GROUP BY metric ORDER BY metric")
    wait_for(console, lambda: cells(console) == ["displaced", "2", "killed", "1"])
    assert headers(console) == ["metric", "n"]
    assert text(console, "sql-status").startswith("2 rows")
    assert text(console, "sql-error") == ""
    assert script_errors(console) == []


ATTACKS = [
    ("SELECT * FROM read_csv('/etc/passwd')", "cannot read or write files"),
    ("SELECT * FROM read_text('/etc/passwd')", "cannot read or write files"),
    ("SELECT * FROM glob('/*')", "cannot read or write files"),
    ("COPY (SELECT 1) TO '/tmp/console-x.csv'", "COPY statements are not allowed"),
    ("ATTACH '/tmp/console-x.duckdb'", "ATTACH statements are not allowed"),
    ("INSTALL httpfs", "INSTALL statements are not allowed"),
    ("LOAD httpfs", "LOAD statements are not allowed"),
    ("SET threads = 64", "SET statements are not allowed"),
    ("RESET threads", "RESET statements are not allowed"),
    ("PRAGMA version", "PRAGMA statements are not allowed"),
    ("CREATE TABLE x (a INTEGER)", "CREATE statements are not allowed"),
    ("INSERT INTO figures (figure_id) VALUES ('x')", "INSERT statements are not allowed"),
    ("DROP TABLE figures", "DROP statements are not allowed"),
    ("SELECT 1; DROP TABLE figures", "one statement at a time"),
    ("SELECT count(*) FROM range(10000000000000)", "stopped after 2 s"),
]


def test_attacks_are_refused_and_the_page_keeps_working(console):
    for i, (attack, phrase) in enumerate(ATTACKS):
        started = time.monotonic()
        run(console, attack)
        wait_for(console, lambda phrase=phrase: phrase in text(console, "sql-error"), timeout=20)
        assert time.monotonic() - started < 10, attack
        assert cells(console) == [], attack
        run(console, f"SELECT {i} AS ok")  # the console still answers, and clears the error
        wait_for(console, lambda i=i: cells(console) == [str(i)])
        assert text(console, "sql-error") == ""
    assert script_errors(console) == []


def test_html_in_results_is_text(console):
    run(console, XSS)
    wait_for(console, lambda: cells(console) == ['<img src=x onerror="window.__xss=1">', "1"])
    assert headers(console) == ["x", "<img src=y onerror=window.__xss=2>"]
    time.sleep(0.5)
    assert console.execute_script("return typeof window.__xss") == "undefined"
    assert console.find_elements(By.CSS_SELECTOR, "#sql-grid img, #sql-error img") == []


def test_html_in_an_error_is_text(console):
    run(console, """SELECT * FROM "<img src=x onerror=window.__xss=3>" """)
    wait_for(console, lambda: "<img src=x onerror=window.__xss=3>" in text(console, "sql-error"))
    assert console.execute_script("return typeof window.__xss") == "undefined"
    assert console.find_elements(By.CSS_SELECTOR, "#sql-error img") == []


def test_cells_are_never_blanked_by_type_guessing(console):
    # AG Grid guesses a column's type from the first row; a guessed "date" column showed other text as blank.
    run(console, "SELECT x FROM (VALUES ('2020-01-01'), ('not a date'), (NULL)) t(x)")
    wait_for(console, lambda: cells(console) == ["2020-01-01", "not a date", ""])
    run(console, "SELECT 'plain text' AS x")  # same column position, next result: not blanked either
    wait_for(console, lambda: cells(console) == ["plain text"])


def test_truncated_notice(console):
    run(console, "SELECT * FROM range(1000)")
    wait_for(console, lambda: "first 100 rows" in text(console, "sql-truncated"))
    run(console, "SELECT * FROM range(5)")
    wait_for(console, lambda: text(console, "sql-status").startswith("5 rows"))
    assert text(console, "sql-truncated") == ""


def test_an_example_fills_the_box(console):
    examples = console.find_elements(By.CSS_SELECTOR, "[id*='sql-example']")
    assert len(examples) >= 3
    examples[-1].click()
    wait_for(console, lambda: "v_sources" in console.find_element(By.ID, "sql-query").get_attribute("value"))
    console.find_element(By.ID, "sql-run").click()
    wait_for(console, lambda: text(console, "sql-status").endswith(" s"))
    assert text(console, "sql-error") == ""


def test_every_example_runs_on_the_demo_warehouse(live_app, browser):
    browser.get(live_app + "/sql")
    wait_for(browser, lambda: browser.find_elements(By.ID, "sql-run"), timeout=30)
    for i in range(len(browser.find_elements(By.CSS_SELECTOR, "[id*='sql-example']"))):
        run(browser, f"SELECT 'sentinel {i}' AS s")  # a known result, so the example's result shows as a change
        wait_for(browser, lambda i=i: cells(browser) == [f"sentinel {i}"])
        browser.find_elements(By.CSS_SELECTOR, "[id*='sql-example']")[i].click()
        wait_for(browser, lambda i=i: "sentinel" not in browser.find_element(By.ID, "sql-query").get_attribute("value"))
        browser.find_element(By.ID, "sql-run").click()
        wait_for(browser, lambda i=i: cells(browser) != [f"sentinel {i}"] or text(browser, "sql-error"))
        assert text(browser, "sql-error") == "", i
        assert cells(browser), i  # the demo data answers every example


def test_the_query_can_come_from_the_url(serve, settings, browser):
    _build(settings)
    base = serve(settings)
    browser.get(base + "/sql?q=SELECT%2042%20AS%20answer")
    wait_for(browser, lambda: browser.find_elements(By.ID, "sql-query"), timeout=30)
    assert browser.find_element(By.ID, "sql-query").get_attribute("value") == "SELECT 42 AS answer"


def test_csv_download(console, tmp_path):
    console.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    run(console, "SELECT metric, value FROM v_figures ORDER BY value")
    wait_for(console, lambda: text(console, "sql-status").startswith("3 rows"))
    console.find_element(By.ID, "sql-download-button").click()
    target = tmp_path / "query.csv"
    wait_for(console, target.exists)
    assert target.read_text().splitlines() == ["metric,value", "displaced,100", "displaced,200", "killed,300"]


def test_disabled(serve, settings, browser):
    _build(settings)
    base = serve(dataclasses.replace(settings, sql_enabled=False))
    browser.get(base + "/sql")
    wait_for(browser, lambda: "turned off" in text(browser, "sql-disabled"), timeout=30)
    assert browser.find_elements(By.ID, "sql-run") == [] and browser.find_elements(By.ID, "sql-query") == []
    assert not browser.find_element(By.ID, "nav-sql").is_displayed()  # no link to a console that is off
