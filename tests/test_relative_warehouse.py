"""The default warehouse path is relative (./data/displacement.duckdb): publishing there must keep the live copy."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(cwd, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISPLACEMENT_")}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run([sys.executable, "-m", "etl.cli", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


def test_refreshes_of_a_warehouse_at_a_relative_path_keep_every_figure(tmp_path):
    assert run(tmp_path, "demo", "--no-serve").returncode == 0
    for _ in range(3):
        proc = run(tmp_path, "etl", "run", "curated", "articles")
        assert proc.returncode == 0, proc.stdout + proc.stderr
    live = tmp_path / "data" / "displacement.duckdb"
    assert live.is_symlink() and live.resolve().exists()
    proc = run(tmp_path, "sql", "SELECT count(*) FROM v_figures WHERE source IN ('curated', 'articles')",
               "--format", "csv")
    assert proc.returncode == 0 and proc.stdout.split() == ["count_star()", "33"], proc.stdout + proc.stderr
