"""Real-browser fixtures: the Dash app on a local port, driven by Debian's headless Chromium."""

from __future__ import annotations

import shutil
import threading

import pytest
from werkzeug.serving import make_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


def pytest_collection_modifyitems(items):
    for item in items:
        item.add_marker(pytest.mark.browser)


@pytest.fixture
def serve():
    """serve(settings) -> base URL of the app on 127.0.0.1; stopped after the test."""
    servers = []

    def start(settings):
        from dashboard.app import create_app

        app = create_app(settings)
        server = make_server("127.0.0.1", 0, app.server, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append((server, app))
        return f"http://127.0.0.1:{server.server_port}"

    yield start
    for server, app in servers:
        server.shutdown()
        close = getattr(app, "close_resources", None)
        if close:
            close()


@pytest.fixture
def live_app(serve, demo_warehouse):
    """The app over a warehouse built from the bundled demo data."""
    return serve(demo_warehouse)


@pytest.fixture(scope="session")
def _driver():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--window-size=1280,900",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


@pytest.fixture
def browser(_driver):
    """A Chromium session; `browser.console_errors()` returns SEVERE console messages since the last call."""
    _driver.get_log("browser")

    def console_errors():
        return [e for e in _driver.get_log("browser") if e.get("level") == "SEVERE"]

    _driver.console_errors = console_errors
    yield _driver
    _driver.delete_all_cookies()
