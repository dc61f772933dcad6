"""The package as a user installs it: a wheel that carries its data and assets and writes nothing into itself.

.ci/run also installs the wheel with all its dependencies into an empty venv; this test reuses this Python's
dependencies (a venv with --system-site-packages) so that it stays quick.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(ROOT)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return next(out.glob("displacement-*.whl"))


def test_the_wheel_carries_data_and_assets_and_no_warehouse(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    for expected in ("etl/bundled/data/curated/idlib_figures.csv", "etl/bundled/data/gazetteer/countries.csv",
                     "etl/bundled/data/articles/voa-idlib-2019-12-25.jsonl", "etl/bundled/assets/style.css",
                     "etl/bundled/assets/bootstrap.min.css", "etl/bundled/assets/dashAgGridComponentFunctions.js",
                     "etl/warehouse/views.sql", "dashboard/queries/overview_trend.sql"):
        assert expected in names, expected
    assert not [n for n in names if ".duckdb" in n or "__pycache__" in n or n.startswith("data/raw")]


def test_the_installed_wheel_loads_the_demo_from_another_directory_and_writes_there(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    proc = subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "--no-deps", str(wheel)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISPLACEMENT_") and k != "PYTHONPATH"}
    proc = subprocess.run([str(venv / "bin" / "displacement"), "demo", "--no-serve"], cwd=work, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    con = duckdb.connect(str(work / "data" / "displacement.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM v_figures").fetchall()[0][0] == 33
    con.close()
    # the code ran from the venv, not from this checkout, and wrote nothing into it
    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import etl.resources as r; print(r.bundled('data'))"],
                           cwd=work, env=env, capture_output=True, text=True).stdout.strip()
    assert where.startswith(str(venv)) and where.endswith("etl/bundled/data")
    assert not list(venv.rglob("*.duckdb*")) and not list(venv.rglob("*.etl-lock"))
