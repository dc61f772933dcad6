"""Time the review overlay at publish and the /review page on the 10-million-figure warehouse of
benchmarks/dashboard_queries.py.

    python benchmarks/review_page.py [--figures 10000000] [--keep DIR] [--reviews 1000]

Builds (or reuses, with --keep) the synthetic warehouse, publishes it, writes --reviews reviews into a review
store, then times: the overlay at publish (restore, apply, review_priority) the first time (every figure gets a
priority) and again (only what changed); the /review page's server-side rendering (its layout function, the same
one Dash calls) for a few filters; GET /api/review/<id>. Milliseconds are the median of 3 runs after one warm-up.
Not a test: record the numbers in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from dashboard_queries import build, publish, timed  # noqa: E402

from etl.review import overlay  # noqa: E402
from etl.review.store import ReviewStore, review_key  # noqa: E402
from etl.settings import Settings  # noqa: E402
from etl.warehouse import VIEWS, configure  # noqa: E402

CASES = {"no filter": {}, "country": {"country": "SYR"},
         "country+admin1+metric": {"country": "SYR", "admin1": "SY07", "metric": "displaced"},
         "rejected tab": {"status": "rejected"}}


def write_reviews(path: Path, store: Path, n: int) -> None:
    con = duckdb.connect(str(path), read_only=True)
    rows = con.execute(
        "SELECT figure_id, doc_id, doc_sha256, char_start, char_end, source, dataset, record_id, original_value,"
        f" original_metric FROM v_figures USING SAMPLE {n} ROWS (reservoir, 7)").fetchall()
    con.close()
    reviews = ReviewStore(store)
    for i, r in enumerate(rows):
        fig = dict(zip(("figure_id", "doc_id", "doc_sha256", "char_start", "char_end", "source", "dataset",
                        "record_id", "orig_value", "orig_metric"), r))
        status = ("rejected", "accepted", "corrected")[i % 3]
        reviews.save(review_key(fig), figure_id=fig["figure_id"], status=status, reviewer="bench",
                     expected_version=0, reason="duplicate" if status == "rejected" else None,
                     changes={"value": fig["orig_value"] + 1} if status == "corrected" else None)


def time_overlay(path: Path, store: Path) -> list[float]:
    out = []
    for _ in range(2):
        con = duckdb.connect(str(path))
        configure(con, "1GB", 2)
        con.execute("SET enable_progress_bar = false")
        start = time.perf_counter()
        counts = overlay.apply(con, store)
        out.append(time.perf_counter() - start)
        con.execute(VIEWS.read_text())  # the derived tables see the reviews, as at the end of a publish
        con.execute("CHECKPOINT")
        con.close()
        print(f"overlay: {counts} in {out[-1]:.1f} s; derived tables rebuilt in a further "
              f"{time.perf_counter() - start - out[-1]:.1f} s")
    return out


def time_page(path: Path, store: Path) -> None:
    import dashboard.app as dashboard_app

    dashboard_app.Warmer.start = lambda self: None  # time the page, not the cache warmer running beside it
    settings = Settings(db=path, review_db=str(store), review_without_auth=True, memory_limit="1GB", threads=2)
    app = dashboard_app.create_app(settings)
    from dashboard import queries
    from dashboard.pages import review as page

    queries.CACHING = False
    print("| /review | " + " | ".join(CASES) + " |")
    print("|---|" + "---:|" * len(CASES))
    cells = []
    for query in CASES.values():
        with app.server.test_request_context("/review"):
            cells.append(timed(lambda q=query: page.layout(**q)))
    print("| server-side render | " + " | ".join(f"{ms:.0f} ms" for ms in cells) + " |")
    client = app.server.test_client()
    figure_id = queries.review_queue(app.reader, queries.Filters(), "all", 1)[0]["figure_id"]
    ms = timed(lambda: client.get(f"/api/review/{figure_id}"))
    print(f"GET /api/review/<id>: {ms:.0f} ms")
    app.reader.close()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--figures", type=int, default=10_000_000)
    parser.add_argument("--reviews", type=int, default=1000)
    parser.add_argument("--keep", type=Path, help="build or reuse the warehouse in this folder")
    parser.add_argument("--no-publish", action="store_true", help="reuse a kept warehouse as it is")
    parser.add_argument("--page-only", action="store_true", help="time only the page (a kept, reviewed warehouse)")
    args = parser.parse_args(argv)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="review-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    path, store = folder / "bench.duckdb", folder / "bench.reviews.sqlite"
    if not path.exists():
        start = time.perf_counter()
        build(path, args.figures)
        print(f"built {args.figures:,} figures in {time.perf_counter() - start:.0f} s ({path})")
    if not args.page_only:
        if not args.no_publish:
            publish(path)
        store.unlink(missing_ok=True)
        write_reviews(path, store, args.reviews)
        time_overlay(path, store)
    time_page(path, store)


if __name__ == "__main__":
    main()
