"""How long `displacement demo` takes until the dashboard answers.

    python benchmarks/demo_startup.py [--runs 3]

Starts `displacement demo --port P` on a fresh warehouse in a temporary folder, polls http://127.0.0.1:P/ and
prints the seconds until the first HTTP 200, then stops the server.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def once() -> float:
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        env = {**os.environ, "DISPLACEMENT_DB": os.path.join(tmp, "demo.duckdb")}
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "etl.cli", "demo", "--port", str(port)], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while time.perf_counter() - started < 120:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as r:
                        if r.status == 200:
                            return time.perf_counter() - started
                except OSError:
                    time.sleep(0.05)
            raise RuntimeError("the dashboard did not answer within 120 s")
        finally:
            proc.terminate()
            proc.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    times = [once() for _ in range(args.runs)]
    print("displacement demo until the dashboard answers: " + ", ".join(f"{t:.2f}s" for t in times)
          + f" (best {min(times):.2f}s over {args.runs} runs)")


if __name__ == "__main__":
    main()
