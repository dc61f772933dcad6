"""Shared fixtures: settings pointing at a temporary warehouse, and a warehouse loaded with the demo inputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).parent.parent


@pytest.fixture
def settings(tmp_path, monkeypatch) -> Settings:
    """Settings for a warehouse in tmp_path; no environment variable leaks in, no network source is configured."""
    for name in list(__import__("os").environ):
        if name.startswith("DISPLACEMENT_"):
            monkeypatch.delenv(name)
    return Settings(
        db=tmp_path / "warehouse.duckdb",
        articles_dir=tmp_path / "articles",
        curated_csv=tmp_path / "curated.csv",
        raw_dir=tmp_path / "raw",
        http_retries=2,
        http_timeout=5.0,
        memory_limit="512MB",
    )


@pytest.fixture
def demo_settings(tmp_path, monkeypatch) -> Settings:
    """Settings that read the bundled demo inputs and write a temporary warehouse."""
    for name in list(__import__("os").environ):
        if name.startswith("DISPLACEMENT_"):
            monkeypatch.delenv(name)
    return Settings(db=tmp_path / "warehouse.duckdb", raw_dir=tmp_path / "raw", memory_limit="512MB")


@pytest.fixture
def demo_warehouse(demo_settings) -> Settings:
    """A warehouse built from the bundled demo data (gazetteer, seed article, curated CSV)."""
    from etl import runner

    results = runner.run(demo_settings)
    assert all(r.status == "ok" for r in results), [(r.source, r.error) for r in results]
    return demo_settings
