"""Scripts and styles that never change under their URL, sent brotli-compressed at the best quality.

Brotli at quality 11 is about 18% smaller than the gzip flask-compress sends (plotly.js basic bundle: 406 -> 333 kB),
but takes seconds per megabyte, so each file is compressed once, in a background thread, and kept in memory and on
disk by content hash ($XDG_CACHE_HOME or ~/.cache, then displacement/brotli/). Until a file's copy is ready,
flask-compress answers with gzip as before. A warm-up visit of `/` at start fills the cache for the first screen.
"""

from __future__ import annotations

import hashlib
import logging
import os
import queue
import re
import threading
from pathlib import Path

import brotli
import flask

log = logging.getLogger(__name__)

QUALITY = 11
TYPES = ("application/javascript", "text/javascript", "text/css")
SCRIPT_URL = re.compile(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"')


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "displacement" / "brotli"


class BrotliCache:
    def __init__(self, folder: Path | None = None):
        self.folder = folder or cache_dir()
        self.memory: dict[str, bytes] = {}
        self.pending: set[str] = set()
        self.lock = threading.Lock()
        self.work: queue.Queue = queue.Queue()
        self.thread: threading.Thread | None = None

    def get(self, data: bytes) -> bytes | None:
        """The compressed copy of `data` if ready; otherwise None, and one is made in the background."""
        key = hashlib.sha256(data).hexdigest()
        with self.lock:
            if key in self.memory:
                return self.memory[key]
        file = self.folder / f"{key}.br"
        try:
            body = file.read_bytes()
        except OSError:
            body = None
        if body is not None:
            with self.lock:
                self.memory[key] = body
            return body
        with self.lock:
            if key not in self.pending:
                self.pending.add(key)
                self.work.put((key, data))
                if self.thread is None:
                    self.thread = threading.Thread(target=self._run, daemon=True, name="brotli-cache")
                    self.thread.start()
        return None

    def _run(self) -> None:
        while True:
            key, data = self.work.get()
            body = brotli.compress(data, quality=QUALITY)
            with self.lock:
                self.memory[key] = body
                self.pending.discard(key)
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                tmp = self.folder / f"{key}.{os.getpid()}.tmp"
                tmp.write_bytes(body)
                tmp.replace(self.folder / f"{key}.br")
            except OSError as err:  # a read-only home: the memory copy still serves
                log.info("brotli cache not kept on disk: %s", err)


CACHE = BrotliCache()  # one per process: every app in it serves the same files


def immutable(request: flask.Request, prefix: str) -> bool:
    """A fingerprinted asset (?m=<mtime>) or Dash component file (name.v1_2_3m<mtime>.js)."""
    path = request.path
    if path.startswith(prefix + "assets/"):
        return "m" in request.args
    return path.startswith(prefix + "_dash-component-suites/") and re.search(r"\.v[\w]+m\d+\.", path) is not None


def install(server: flask.Flask, prefix: str, cache: BrotliCache = CACHE) -> None:
    """Answer GETs of immutable scripts and styles with the cached brotli copy when the browser accepts br.
    Registered after flask-compress, so it runs first; flask-compress leaves an encoded response alone."""

    @server.after_request
    def send_brotli(response):
        request = flask.request
        if (request.method != "GET" or response.status_code != 200 or response.mimetype not in TYPES
                or "Content-Encoding" in response.headers or "br" not in request.headers.get("Accept-Encoding", "")
                or not immutable(request, prefix)):
            return response
        response.direct_passthrough = False
        body = cache.get(response.get_data())
        if body is None:
            return response
        response.set_data(body)
        response.headers["Content-Encoding"] = "br"
        response.vary.add("Accept-Encoding")
        etag, weak = response.get_etag()
        if etag:
            response.set_etag(etag + "-br", weak)
        return response


def warm(server: flask.Flask, path: str = "/") -> None:
    """Ask for `path` and every script and style its index names, so their brotli copies get made."""
    try:
        client = server.test_client()
        index = client.get(path).get_data(as_text=True)
        for url in SCRIPT_URL.findall(index):
            client.get(url.replace("&amp;", "&"), headers={"Accept-Encoding": "br"}).close()
    except Exception as err:  # warming is an optimisation: never stop the app for it
        log.info("brotli warm-up skipped: %s", err)
