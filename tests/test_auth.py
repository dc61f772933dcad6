"""Optional HTTP basic auth over the whole app: pages, Dash's own routes, assets and the API."""

from __future__ import annotations

import dataclasses
import threading

import dash
import pytest
import requests
from dash import html
from werkzeug.serving import make_server

from dashboard import api, auth, sql_sandbox
from etl import warehouse

USER, PASSWORD = "analyst", "s3cret:with-colon"


@pytest.fixture(autouse=True)
def _stop_workers():
    yield
    sql_sandbox.shutdown()


def _serve(flask_app, stop: list) -> str:
    server = make_server("127.0.0.1", 0, flask_app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    stop.append(server.shutdown)
    return f"http://127.0.0.1:{server.server_port}"


@pytest.fixture
def serve_bare():
    """serve_bare(settings) -> URL of a bare Dash app with auth installed and the API registered."""
    stop = []

    def start(settings):
        app = dash.Dash(__name__)
        app.layout = html.Div("hello", id="hello")
        auth.install(app.server, settings)
        reader = warehouse.reader_for(settings)
        stop.append(reader.close)
        api.register(app.server, settings, reader)
        return _serve(app.server, stop)

    yield start
    for fn in stop:
        fn()


ROUTES = ["/", "/api/figures", "/api/health", "/_dash-layout", "/_dash-dependencies", "/sql"]


@pytest.fixture
def protected(settings, serve_bare):
    _publish_empty(settings)
    return serve_bare(dataclasses.replace(settings, basic_auth=f"{USER}:{PASSWORD}"))


def _publish_empty(settings) -> None:
    with warehouse.etl_lock(settings), warehouse.next_version(settings):
        pass


@pytest.mark.parametrize("route", ROUTES)
def test_without_credentials_401_with_a_challenge(protected, route):
    response = requests.get(protected + route, timeout=10)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith('Basic realm="displacement"')
    assert PASSWORD not in response.text


@pytest.mark.parametrize("credentials", [(USER, "wrong"), ("admin", PASSWORD), ("", ""), (USER, PASSWORD[:-1]),
                                         (USER.upper(), PASSWORD)])
def test_wrong_credentials_401(protected, credentials):
    for route in ("/", "/api/figures", "/_dash-layout"):
        assert requests.get(protected + route, auth=credentials, timeout=10).status_code == 401


def test_other_schemes_401(protected):
    for header in ("Bearer abc", "Basic !!!not-base64", "Digest username=analyst"):
        assert requests.get(protected + "/", headers={"Authorization": header}, timeout=10).status_code == 401


def test_with_credentials_200(protected):
    for route in ("/", "/api/figures", "/api/health", "/_dash-layout", "/_dash-dependencies"):
        response = requests.get(protected + route, auth=(USER, PASSWORD), timeout=10)
        assert response.status_code == 200, (route, response.text[:200])
    assert "hello" in requests.get(protected + "/_dash-layout", auth=(USER, PASSWORD), timeout=10).text


def test_api_401_is_json(protected):
    response = requests.get(protected + "/api/figures", timeout=10)
    assert response.json()["error"] == "authentication required"


def test_off_by_default(settings, serve_bare):
    _publish_empty(settings)
    base = serve_bare(settings)
    for route in ("/", "/api/health", "/_dash-layout"):
        assert requests.get(base + route, timeout=10).status_code == 200


@pytest.mark.parametrize("value", ["nocolonsecret", ":topsecret", "someone:"])
def test_a_malformed_setting_is_refused_without_echoing_it(settings, value):
    app = dash.Dash(__name__)
    with pytest.raises(auth.AuthConfigError) as error:
        auth.install(app.server, dataclasses.replace(settings, basic_auth=value))
    assert "secret" not in str(error.value) and "someone" not in str(error.value)


def test_the_real_app_is_protected(settings):
    app_module = pytest.importorskip("dashboard.app")
    _publish_empty(settings)
    app = app_module.create_app(dataclasses.replace(settings, basic_auth=f"{USER}:{PASSWORD}"))
    stop = []
    try:
        base = _serve(app.server, stop)
        for route in ("/", "/api/figures", "/_dash-layout", "/sql"):
            assert requests.get(base + route, timeout=10).status_code == 401, route
            assert requests.get(base + route, auth=(USER, PASSWORD), timeout=10).status_code == 200, route
    finally:
        for fn in stop:
            fn()
        close = getattr(app, "close_resources", None)
        if close:
            close()
