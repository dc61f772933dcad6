"""A tiny threaded HTTP server on 127.0.0.1 for replaying canned API responses in tests.

    with LocalServer() as server:
        server.route("/v2/items", [Reply(503, headers={"Retry-After": "1"}), Reply(json={"data": []})])
        server.route("/v2/pages", lambda request: Reply(json={"offset": request.query.get("offset")}))
        requests.get(server.url("/v2/items"))
        server.requests  # every request received, in order

A route holds a list of replies served in turn (the last one repeats) or a callable(request) -> Reply;
a list may mix both.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Reply:
    status: int = 200
    json: object = None
    body: bytes | str = b""
    headers: dict = field(default_factory=dict)
    content_type: str | None = None
    delay: float = 0.0  # seconds to wait before answering (timeouts)

    def payload(self) -> tuple[bytes, str]:
        if self.json is not None:
            return json.dumps(self.json).encode(), self.content_type or "application/json"
        body = self.body.encode() if isinstance(self.body, str) else self.body
        return body, self.content_type or "text/plain; charset=utf-8"


@dataclass
class Request:
    method: str
    path: str
    query: dict  # name -> last value
    headers: dict
    body: bytes

    def form(self) -> dict:
        return {k: v[-1] for k, v in parse_qs(self.body.decode()).items()}


class LocalServer:
    def __init__(self):
        self.routes: dict[str, object] = {}
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                request = Request(
                    method=self.command,
                    path=parts.path,
                    query={k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()},
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length) if length else b"",
                )
                reply = server._reply(request)
                if reply.delay:
                    time.sleep(reply.delay)
                payload, content_type = reply.payload()
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(payload)))
                    for name, value in reply.headers.items():
                        self.send_header(name, str(value))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout tests)

            do_GET = do_POST = do_PUT = do_DELETE = _answer

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str = "/") -> str:
        return self.base + path

    def route(self, path: str, replies) -> None:
        """Serve `replies` at `path`: a Reply, a callable, or a list of them served in turn (the last repeats)."""
        if isinstance(replies, Reply):
            replies = [replies]
        self.routes[path] = list(replies) if isinstance(replies, (list, tuple)) else replies

    def hits(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path == path]

    def _reply(self, request: Request) -> Reply:
        with self._lock:
            self.requests.append(request)
            route = self.routes.get(request.path)
            if route is None:
                return Reply(404, body=f"no route {request.path}")
            reply = route if callable(route) else route.pop(0) if len(route) > 1 else route[0]
            return reply(request) if callable(reply) else reply

    def __enter__(self) -> LocalServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
