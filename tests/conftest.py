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


@pytest.fixture(scope="session")
def spark():
    """One local Spark session for the whole test run (two cores, no UI, loopback only)."""
    from etl.spark.job import session

    s = session("local[2]", app="displacement-tests", partitions=2)
    yield s
    s.stop()


@pytest.fixture(scope="session")
def fakes_lake(spark, tmp_path_factory):
    """The FA-KES-shaped fixture plus corrupt lines, as JSONL, and the lake the Spark job makes of it."""
    from etl.spark import job
    from etl.spark.corpus import fakes_documents, write_jsonl

    root = tmp_path_factory.mktemp("lake")
    docs = root / "docs.jsonl"
    write_jsonl(fakes_documents(FIXTURES / "spark" / "fakes_like.csv"), docs)
    with open(docs, "a", encoding="utf-8") as f:
        f.write("{not json\n")
        f.write('{"id": "no-text", "text": 42}\n')
        f.write('{"title": "no id", "text": "5 people were killed"}\n')
    counts = job.extract(spark, str(docs), str(root / "lake"))
    return {"input": docs, "lake": root / "lake", "counts": counts}
