"""Review over HTTP against a real server process: who may review, CSRF, conflicts, a killed server, a publish
running while reviewers save."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest
import requests

from etl.review.store import ReviewStore
from tests.review_helpers import figures
from tests.test_cli import displacement

READER, REVIEWERS = ("reader", "r3ad"), {"alice": "a-pass:1", "bob": "b-pass"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(demo_warehouse):
    """server(**env) -> base URL of `displacement serve` (a subprocess) over the demo warehouse."""
    procs = []

    def start(**env):
        port = _free_port()
        full = {k: v for k, v in os.environ.items() if not k.startswith("DISPLACEMENT_")}
        full |= {"DISPLACEMENT_DB": str(demo_warehouse.db), "DISPLACEMENT_PORT": str(port)} | env
        proc = subprocess.Popen([sys.executable, "-m", "etl.cli", "serve"], env=full,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        procs.append(proc)
        base = f"http://127.0.0.1:{port}"
        auth = READER if env.get("DISPLACEMENT_BASIC_AUTH") else None
        for _ in range(300):
            try:
                requests.get(base + "/api/health", auth=auth, timeout=2)
                return base, proc
            except requests.ConnectionError:
                time.sleep(0.1)
        raise AssertionError(proc.stderr.read().decode())

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait()


def _auth_env():
    return {"DISPLACEMENT_BASIC_AUTH": ":".join(READER),
            "DISPLACEMENT_REVIEWERS": ",".join(f"{u}:{p}" for u, p in REVIEWERS.items())}


def _open(base, figure_id, auth=None):
    answer = requests.get(f"{base}/api/review/{figure_id}", auth=auth, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _post(base, auth, token, **payload):
    return requests.post(f"{base}/api/review", json=payload, auth=auth, timeout=30,
                         headers={"X-CSRF-Token": token} if token else {})


def test_reviewers_review_and_everyone_else_reads(server, demo_warehouse):
    base, _ = server(**_auth_env())
    fig = figures(demo_warehouse, "doc_id IS NOT NULL")[0]["figure_id"]
    as_reader = _open(base, fig, READER)
    assert as_reader["reviewer"] is None and as_reader["token"] is None
    alice = ("alice", REVIEWERS["alice"])
    opened = _open(base, fig, alice)
    assert opened["reviewer"] == "alice" and opened["version"] == 0
    assert _post(base, READER, opened["token"], figure_id=fig, action="accept", version=0).status_code == 403
    assert _post(base, alice, None, figure_id=fig, action="accept", version=0).status_code == 403
    assert _post(base, alice, "0" * 64, figure_id=fig, action="accept", version=0).status_code == 403
    bob_token = _open(base, fig, ("bob", REVIEWERS["bob"]))["token"]
    assert _post(base, alice, bob_token, figure_id=fig, action="accept", version=0).status_code == 403
    assert requests.get(f"{base}/api/review/{fig}", auth=("alice", "wrong"), timeout=30).status_code == 401
    assert ReviewStore(demo_warehouse.review_path).log() == []
    saved = _post(base, alice, opened["token"], figure_id=fig, action="reject", version=0, note="a date")
    assert saved.status_code == 200, saved.text
    assert saved.json()["review"]["reviewed_by"] == "alice"
    audit = requests.get(f"{base}/api/reviews", auth=READER, timeout=30).json()
    assert [(c["reviewed_by"], c["status"], c["note"]) for c in audit["changes"]] == [("alice", "rejected", "a date")]


def test_two_reviewers_saving_the_same_figure_get_a_conflict_not_an_overwrite(server, demo_warehouse):
    base, _ = server(**_auth_env())
    fig = figures(demo_warehouse, "doc_id IS NOT NULL")[0]["figure_id"]
    alice, bob = ("alice", REVIEWERS["alice"]), ("bob", REVIEWERS["bob"])
    a, b = _open(base, fig, alice), _open(base, fig, bob)
    first = _post(base, alice, a["token"], figure_id=fig, action="correct", version=a["version"],
                  values={"value": 91000, "value_low": 91000, "value_high": 91000})
    assert first.status_code == 200, first.text
    second = _post(base, bob, b["token"], figure_id=fig, action="duplicate", version=b["version"])
    assert second.status_code == 409
    assert second.json()["current"]["reviewed_by"] == "alice"
    assert second.json()["current"]["changes"]["value"] == 91000
    assert ReviewStore(demo_warehouse.review_path).get(second.json()["current"]["review_key"])["status"] == "corrected"


def test_review_is_off_without_auth_unless_turned_on(server, demo_warehouse):
    fig = figures(demo_warehouse, "doc_id IS NOT NULL")[0]["figure_id"]
    base, _ = server()
    closed = _open(base, fig)
    assert closed["reviewer"] is None
    assert _post(base, None, "x", figure_id=fig, action="accept", version=0).status_code == 403
    base, _ = server(DISPLACEMENT_REVIEW_WITHOUT_AUTH="true")
    opened = _open(base, fig)
    assert opened["reviewer"] == "local"
    bad = _post(base, None, opened["token"], figure_id=fig, action="correct", version=0, values={"value": "lots"})
    assert bad.status_code == 400 and "value" in bad.json()["error"]
    bad = _post(base, None, opened["token"], figure_id=fig, action="correct", version=0, values={"metric": "x"})
    assert bad.status_code == 400 and "metric" in bad.json()["error"]
    missing = _post(base, None, opened["token"], figure_id="nope", action="accept", version=0)
    assert missing.status_code == 404
    assert _post(base, None, opened["token"], figure_id=fig, action="accept", version=0).status_code == 200


def test_a_server_killed_mid_save_loses_nothing_it_acknowledged(server, demo_warehouse):
    base, proc = server(DISPLACEMENT_REVIEW_WITHOUT_AUTH="true")
    ids = [f["figure_id"] for f in figures(demo_warehouse)]
    token = _open(base, ids[0])["token"]
    acknowledged, stop = [], threading.Event()

    def save_all():
        for figure_id in ids:
            if stop.is_set():
                return
            try:
                answer = _post(base, None, token, figure_id=figure_id, action="accept", version=0)
            except requests.RequestException:
                return
            if answer.status_code == 200:
                acknowledged.append(figure_id)

    worker = threading.Thread(target=save_all)
    worker.start()
    while len(acknowledged) < 5:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)  # mid-stream: saves are in flight
    stop.set()
    worker.join(timeout=60)
    stored = {r["figure_id"] for r in ReviewStore(demo_warehouse.review_path).by_figure(ids).values()}
    assert set(acknowledged) <= stored
    assert len(acknowledged) >= 5


def test_a_publish_running_during_reviews_loses_no_review(server, demo_warehouse):
    base, _ = server(DISPLACEMENT_REVIEW_WITHOUT_AUTH="true")
    ids = [f["figure_id"] for f in figures(demo_warehouse, "doc_id IS NOT NULL")]
    token = _open(base, ids[0])["token"]
    env = {"DISPLACEMENT_DB": str(demo_warehouse.db)}
    publish = subprocess.Popen([sys.executable, "-m", "etl.cli", "etl", "run", "--full"],
                               env={k: v for k, v in os.environ.items() if not k.startswith("DISPLACEMENT_")} | env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    saved = []
    for figure_id in ids:
        answer = _post(base, None, token, figure_id=figure_id, action="reject", version=0)
        assert answer.status_code == 200, answer.text
        saved.append(figure_id)
    assert publish.wait(timeout=300) == 0, publish.stderr.read().decode()
    assert len(ReviewStore(demo_warehouse.review_path).log()) == len(ids)
    assert displacement("etl", "run", env=env).returncode == 0
    statuses = {f["figure_id"]: f["review_status"] for f in figures(demo_warehouse)}
    assert all(statuses[f] == "rejected" for f in saved)
