"""Serve the dashboard (the code on PYTHONPATH) over one warehouse on 127.0.0.1, for the browser benchmarks.

    python benchmarks/serve_local.py WAREHOUSE PORT [--export-cap N]

Like `displacement serve` but without its start-up checks, so a 10M-figure warehouse answers as soon as the app is
built. Each Dash callback's server time is logged to stderr ("callback <output> <wall ms> <thread CPU ms>") by
Flask hooks (CPU time says what a callback costs when the machine is shared), and
--export-cap sets the figures downloads' row cap (so CSV and Excel can be timed on the same number of rows).
`start(...)` runs it as a subprocess and waits until it answers.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path


def start(db: Path, port: int, export_cap: int | None = None, log=None) -> subprocess.Popen:
    args = [sys.executable, str(Path(__file__).resolve()), str(db), str(port)]
    if export_cap:
        args += ["--export-cap", str(export_cap)]
    proc = subprocess.Popen(args, env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=log or subprocess.DEVNULL)
    from benchmarks.first_visit import wait_until_up

    return wait_until_up(proc, f"http://127.0.0.1:{port}/_dash-layout", 900, timeout=60)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("db", type=Path)
    parser.add_argument("port", type=int)
    parser.add_argument("--export-cap", type=int)
    args = parser.parse_args(argv)
    from flask import g, request
    from werkzeug.serving import make_server

    from dashboard import queries
    from dashboard.app import create_app
    from etl.settings import Settings

    if args.export_cap:
        queries.EXPORT_CAP.update(csv=args.export_cap, xlsx=args.export_cap)
    app = create_app(Settings.from_env(db=args.db, public_only="false"))
    server = app.server

    def _start():
        g.started, g.cpu = time.perf_counter(), time.thread_time()

    def _timed(response):
        if request.path == "/_dash-update-component" and "started" in g:
            body = request.get_json(silent=True) or {}
            ms, cpu = (time.perf_counter() - g.started) * 1000, (time.thread_time() - g.cpu) * 1000
            print(f"callback {body.get('output', '?')[:80]} {ms:.1f} {cpu:.1f}", file=sys.stderr, flush=True)
        return response

    # Added to the hook lists directly: the app's warm-up visit may already have run (Flask then refuses the
    # decorators).
    server.before_request_funcs.setdefault(None, []).insert(0, _start)
    server.after_request_funcs.setdefault(None, []).append(_timed)
    make_server("127.0.0.1", args.port, server, threaded=True).serve_forever()


if __name__ == "__main__":
    main()
