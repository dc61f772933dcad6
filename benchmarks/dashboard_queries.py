"""Time the dashboard's queries on a synthetic warehouse of 10 million figures.

    python benchmarks/dashboard_queries.py [--figures 10000000] [--keep DIR]

Builds the warehouse with DuckDB's generate_series in a temporary folder (about a minute), then does what a
publish does (migrations, then a full rebuild of the derived tables; timed), runs each page's queries for
a few filter combinations through the app's own query module and Reader, and prints milliseconds (median of 3
runs after one warm-up). Not a test: record the numbers in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dashboard import queries  # noqa: E402
from dashboard.filters import Filters  # noqa: E402
from etl.warehouse import Reader, compat, configure, migrate, scalar  # noqa: E402
from etl.warehouse.derived import rebuild  # noqa: E402

COUNTRIES = ("SYR", "YEM", "SDN")
METRICS = (
    "displaced", "evacuated", "refugees", "returned", "homeless", "sheltered", "killed", "injured",
    "casualties", "missing", "destroyed_housing", "damaged_housing", "affected", "in_need", "population",
)
QUALIFIERS = ("exact", "exact", "exact", "approximately", "more_than", "at_least", "vague", "range")


def _square(x: int, y: int) -> str:
    ring = [[x, y], [x + 1, y], [x + 1, y + 1], [x, y + 1], [x, y]]
    return '{"type":"Polygon","coordinates":[' + str(ring) + "]}"


def build(path: Path, n_figures: int, threads: int = 2) -> None:
    con = compat.connect(path)  # the storage format the ETL writes: a refresh need not rewrite the file first
    configure(con, "4GB", threads)
    con.execute("SET enable_progress_bar = false")
    migrate(con)
    n_docs = max(n_figures // 20, 10)
    places = []
    for c, iso3 in enumerate(COUNTRIES):
        places.append((iso3, 0, f"Country {iso3}", iso3, None, None))
        for a in range(1, 15):
            p1 = f"{iso3[:2]}{a:02d}"
            places.append((p1, 1, f"Region {p1}", iso3, iso3, _square(c * 10 + a % 5, a // 5)))
            for b in range(1, 6):
                places.append((f"{p1}{b:02d}", 2, f"District {p1}{b:02d}", iso3, p1, None))
    con.executemany(
        "INSERT INTO places (pcode, admin_level, name, country_iso3, parent_pcode, alt_names, geometry, source)"
        " VALUES (?, ?, ?, ?, ?, [], ?, 'bench')",
        places,
    )
    con.execute(
        "INSERT INTO sources (name, kind, description, licence, url)"
        " SELECT 'src' || i, CASE WHEN i % 3 = 0 THEN 'dataset' ELSE 'documents' END,"
        " 'synthetic source ' || i, 'CC BY', NULL FROM range(10) t(i)"
    )
    con.execute(
        "INSERT INTO etl_runs (run_id, source, started_at, finished_at, status, rows_read, rows_loaded,"
        " rows_rejected, error) SELECT r * 10 + s, 'src' || s, TIMESTAMP '2024-01-01' + INTERVAL (r) HOUR,"
        " TIMESTAMP '2024-01-01' + INTERVAL (r) HOUR + INTERVAL 30 SECOND,"
        " CASE WHEN (r + s) % 7 = 0 THEN 'failed' ELSE 'ok' END, 1000, 990, 10,"
        " CASE WHEN (r + s) % 7 = 0 THEN 'HTTP 503' END FROM range(200) a(r), range(10) b(s)"
    )
    con.execute(
        f"""INSERT INTO documents BY NAME SELECT 'd' || i AS doc_id, 'src' || (i % 10) AS source,
        'https://example.org/' || i AS url, 'Report ' || i AS title, 'Publisher ' || (i % 40) AS publisher,
        DATE '2014-01-01' + CAST(i % 4000 AS INTEGER) AS published, TIMESTAMP '2024-01-01' AS retrieved_at,
        'Synthetic report ' || i || ': about 1,000 people fled their homes, officials said.' AS text,
        md5(i::VARCHAR) AS sha256, 1 AS load_id
        FROM range({n_docs}) t(i)"""
    )
    metrics = "[" + ",".join(f"'{m}'" for m in METRICS) + "]"
    quals = "[" + ",".join(f"'{q}'" for q in QUALIFIERS) + "]"
    countries = "[" + ",".join(f"'{c}'" for c in COUNTRIES) + "]"
    con.execute(
        f"""INSERT INTO figures BY NAME
        WITH g AS (
            SELECT i, hash(i) AS h, {countries}[1 + i % 3] AS iso3, 1 + (i // 3) % 14 AS a1, 1 + (i // 42) % 5 AS a2,
                   i % 3 = 0 AS is_dataset
            FROM range({n_figures}) t(i)
        )
        SELECT 'f' || i AS figure_id, 'src' || (i % 10) AS source,
               CASE WHEN is_dataset THEN 'dataset' ELSE 'document' END AS source_type,
               CASE WHEN is_dataset THEN NULL ELSE 'd' || (i % {n_docs}) END AS doc_id,
               CASE WHEN is_dataset THEN 'set' || (i % 10) END AS dataset,
               CASE WHEN is_dataset THEN 'r' || i END AS record_id, 1 AS load_id, md5(i::VARCHAR) AS content_hash,
               {metrics}[1 + CAST(h % 15 AS INTEGER)] AS metric, CAST(h % 200000 AS BIGINT) AS value,
               CAST(h % 200000 AS BIGINT) AS value_low, CAST(h % 200000 AS BIGINT) + 1000 AS value_high,
               {quals}[1 + CAST(h % 8 AS INTEGER)] AS qualifier, 'people' AS unit,
               'Org ' || CAST(h % 25 AS INTEGER) AS claimed_by_org, 'somewhere' AS location_text,
               iso3 AS country_iso3, substr(iso3, 1, 2) || lpad(a1::VARCHAR, 2, '0') AS admin1_pcode,
               CASE WHEN i % 4 = 0 THEN substr(iso3, 1, 2) || lpad(a1::VARCHAR, 2, '0') || lpad(a2::VARCHAR, 2, '0')
               END AS admin2_pcode,
               DATE '2014-01-01' + CAST(h % 4000 AS INTEGER) AS period_end,
               CASE WHEN i % 2 = 0 THEN 'stock' ELSE 'flow' END AS stock_or_flow, 10 AS char_start, 16 AS char_end
        FROM g"""
    )
    con.execute(
        f"""INSERT INTO claims BY NAME
        SELECT 'c' || i AS claim_id, 'Org ' || (i % 25) AS claimed_by_org, {metrics}[1 + (i // 25) % 15] AS metric,
               {countries}[1 + i % 3] AS country_iso3,
               substr({countries}[1 + i % 3], 1, 2) || lpad((1 + i % 14)::VARCHAR, 2, '0') AS admin1_pcode,
               DATE '2014-01-01' + CAST(i % 4000 AS INTEGER) AS period_end, CAST(hash(i) % 200000 AS BIGINT) AS value,
               'exact' AS qualifier, 'people' AS unit, 'document' AS source_type, 1 AS n_figures, 1 AS n_documents,
               ['d1'] AS doc_ids, ['f1'] AS figure_ids,
               CASE WHEN i % 2 = 0 THEN 'stock' ELSE 'flow' END AS stock_or_flow
        FROM range({n_figures // 10}) t(i)"""
    )
    con.execute("CHECKPOINT")
    con.close()


def publish(path: Path, threads: int = 2) -> float:
    """What a full publish does after loading: migrations, views, derived tables rebuilt, checkpoint; seconds."""
    start = time.perf_counter()
    con = duckdb.connect(str(path))
    configure(con, "1GB", threads)  # the ETL's default memory limit
    con.execute("SET enable_progress_bar = false")
    migrate(con)
    rebuild(con, claims_too=False)  # keeps the made-up claims
    con.execute("CHECKPOINT")
    n_months = scalar(con, "SELECT count(*) FROM figure_months")
    con.close()
    seconds = time.perf_counter() - start
    print(f"published: derived tables rebuilt in {seconds:.0f} s ({n_months:,} rows in figure_months)")
    return seconds


CASES = {
    "no filter": Filters(),
    "country": Filters(country="SYR"),
    "country+admin1+metric": Filters(country="SYR", admin1="SY07", metric="displaced"),
    "metric+dates+org": Filters(metric="killed", start="2018-01-01", end="2019-12-31", org="Org 3"),
    "source_type+metric": Filters(source_type="dataset", metric="displaced"),
    "country+mid-month dates": Filters(country="YEM", start="2016-03-10", end="2017-08-20"),
}


def page_queries(reader: Reader, f: Filters) -> dict[str, callable]:
    """What each page runs when a filter changes (the same functions the pages call)."""
    return {
        "overview": lambda: queries.overview(reader, f),
        "compare": lambda: queries.compare(reader, f),
        "regions": lambda: (queries.region_values(reader, f), queries.region_shapes(reader, f, use_cache=False)),
        "figures (page 1, sorted by value)": lambda: queries.figure_rows(reader, f, 0, 100, [("value", "desc")], {}),
        "figures (page 500)": lambda: queries.figure_rows(reader, f, 50_000, 50_100, [], {}),
        "figures (text filter)": lambda: queries.figure_rows(
            reader, f, 0, 100, [], {"claimed_by_org": {"filterType": "text", "type": "contains", "filter": "org 1"}}
        ),
        "filter options": lambda: queries.filter_options(reader, f.country, use_cache=False),
        "sources": lambda: queries.sources(reader),
    }


def timed(fn, runs: int = 3) -> float:
    fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def bench_warehouse(description: str, prefix: str, argv=None) -> tuple[argparse.Namespace, Path]:
    """The options --figures, --threads and --keep DIR, and the synthetic warehouse's path: DIR/bench.duckdb, or one
    in a new temporary folder; built when missing."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--figures", type=int, default=10_000_000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="build or reuse the warehouse in this folder")
    args = parser.parse_args(argv)
    folder = args.keep or Path(tempfile.mkdtemp(prefix=prefix))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "bench.duckdb"
    if not path.exists():
        start = time.perf_counter()
        build(path, args.figures, args.threads)
        print(f"built {args.figures:,} figures in {time.perf_counter() - start:.0f} s ({path})")
    return args, path


def main(argv=None) -> None:
    args, path = bench_warehouse(__doc__.splitlines()[0], "dashboard-bench-", argv)
    publish(path, args.threads)
    reader = Reader(path, memory_limit="1GB", threads=args.threads)
    queries.CACHING = False  # time DuckDB, not the per-publish result cache
    print(f"| page query | {' | '.join(CASES)} |")
    print("|---|" + "---:|" * len(CASES))
    names = list(page_queries(reader, Filters()))
    results = {name: [] for name in names}
    for f in CASES.values():
        for name, fn in page_queries(reader, f).items():
            results[name].append(timed(fn))
    for name in names:
        print(f"| {name} | " + " | ".join(f"{ms:.0f} ms" for ms in results[name]) + " |")
    reader.close()


if __name__ == "__main__":
    main()
