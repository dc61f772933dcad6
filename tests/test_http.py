"""HttpClient against a local server: retries honouring Retry-After, auth errors, timeouts, no secrets in messages."""

from __future__ import annotations

import dataclasses
import socket
import time

import pytest
from localserver import LocalServer, Reply

from etl.sources.base import LoadContext, Options, SourceError
from etl.sources.http import HttpClient

SECRET = "s3cr3t-key-value"


@pytest.fixture
def server():
    with LocalServer() as s:
        yield s


def client(settings, save=False, **kwargs):
    ctx = LoadContext(source="demo", settings=settings, options=Options(save=save), run_id=1)
    return HttpClient(ctx, **kwargs)


def test_retries_429_honouring_retry_after(server, settings):
    server.route("/items", [Reply(429, headers={"Retry-After": "1"}), Reply(json={"data": [1]})])
    started = time.monotonic()
    assert client(settings).get_json(server.url("/items")) == {"data": [1]}
    assert len(server.hits("/items")) == 2
    assert time.monotonic() - started >= 0.9  # waited as told


def test_retries_503_then_succeeds(server, settings):
    server.route("/items", [Reply(503, headers={"Retry-After": "0"}), Reply(503), Reply(json={"ok": True})])
    assert client(settings, backoff=0.01).get_json(server.url("/items")) == {"ok": True}
    assert len(server.hits("/items")) == 3


def test_gives_up_after_the_configured_retries(server, settings):
    server.route("/items", Reply(502))
    with pytest.raises(SourceError, match=r"demo: http://127\.0\.0\.1:\d+/items answered HTTP 502"):
        client(settings, backoff=0.01).get(server.url("/items"))
    assert len(server.hits("/items")) == settings.http_retries + 1


def test_does_not_retry_other_client_errors(server, settings):
    server.route("/items", Reply(404))
    with pytest.raises(SourceError, match="HTTP 404"):
        client(settings).get(server.url("/items"))
    assert len(server.hits("/items")) == 1


@pytest.mark.parametrize("status", [401, 403])
def test_auth_error_names_the_setting_not_the_secret(server, settings, status):
    server.route("/items", Reply(status, json={"detail": f"bad key {SECRET}"}))
    with pytest.raises(SourceError) as caught:
        client(settings, auth_settings=("dtm_subscription_key",)).get(
            server.url("/items"), params={"app_identifier": SECRET}, headers={"X-Key": SECRET}
        )
    message = str(caught.value)
    assert f"HTTP {status}" in message and "DISPLACEMENT_DTM_SUBSCRIPTION_KEY" in message
    assert SECRET not in message and "app_identifier" not in message  # the query string is never shown
    assert len(server.hits("/items")) == 1


def test_passthrough_returns_the_response(server, settings):
    server.route("/items", Reply(401))
    assert client(settings).get(server.url("/items"), passthrough=(401,)).status_code == 401


def test_timeout(server, settings):
    server.route("/slow", Reply(json={}, delay=1.5))
    quick = dataclasses.replace(settings, http_timeout=0.3, http_retries=1)
    started = time.monotonic()
    with pytest.raises(SourceError, match=r"/slow timed out after 0\.3s"):
        client(quick, backoff=0.01).get(server.url("/slow"), params={"key": SECRET})
    assert time.monotonic() - started < 5
    assert len(server.hits("/slow")) == 2  # a timed-out read is retried too


def test_unreachable_host_without_query_in_message(settings):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    quick = dataclasses.replace(settings, http_retries=0)
    with pytest.raises(SourceError) as caught:
        client(quick).get(f"http://127.0.0.1:{port}/items?key={SECRET}")
    assert "cannot reach" in str(caught.value) and SECRET not in str(caught.value)


def test_save_keeps_raw_responses_in_order(server, settings):
    server.route("/items", Reply(json={"data": [1, 2]}))
    http = client(settings, save=True)
    http.get_json(server.url("/items"), save_as="page-1")
    http.get_json(server.url("/items"))
    folder = settings.raw_dir / "demo"
    assert sorted(p.name for p in folder.iterdir()) == ["page-1.json", "response-0002.json"]
    assert (folder / "page-1.json").read_text() == '{"data": [1, 2]}'


def test_no_save_without_the_option(server, settings):
    server.route("/items", Reply(json={}))
    client(settings).get_json(server.url("/items"), save_as="page-1")
    assert not (settings.raw_dir / "demo").exists()


def test_non_json_answer(server, settings):
    server.route("/items", Reply(body="<html>maintenance</html>", content_type="text/html"))
    with pytest.raises(SourceError, match="did not return JSON"):
        client(settings).get_json(server.url("/items"))
