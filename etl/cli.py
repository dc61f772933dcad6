"""The `displacement` command. Heavy modules are imported inside commands, so `extract` starts fast."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

from etl.settings import Settings, SettingsError


class UserError(click.ClickException):
    """A one-line error for the user; exit status 1."""

    def show(self, file=None):
        click.echo(f"error: {self.message}", err=True)


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as exc:
        raise UserError(str(exc)) from None


def _known_errors():
    import duckdb

    from etl.extract.documents import DocumentError
    from etl.model import FigureError
    from etl.sources.base import SourceError
    from etl.warehouse import WarehouseError

    return (DocumentError, FigureError, SourceError, WarehouseError, SettingsError, duckdb.Error, OSError)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli():
    """Displacement, casualty and damage figures from news and datasets, in one DuckDB warehouse."""


@cli.command()
@click.option("--serve/--no-serve", default=True, show_default=True, help="Serve the dashboard after loading.")
@click.option("--host", default=None, help="Dashboard host (default: DISPLACEMENT_HOST).")
@click.option("--port", type=int, default=None, help="Dashboard port (default: DISPLACEMENT_PORT).")
def demo(serve, host, port):
    """Load the bundled demo data into the warehouse, then serve the dashboard."""
    settings = _settings()
    started = time.perf_counter()
    results = _run(settings, None, None)
    click.echo(f"demo data loaded into {settings.db} in {time.perf_counter() - started:.1f}s")
    if serve:
        _serve(settings, host, port)
    elif any(r.status != "ok" for r in results):
        sys.exit(1)


@cli.group()
def etl():
    """Load sources into the warehouse."""


@etl.command("run")
@click.argument("sources", nargs=-1)
@click.option("--from-file", "from_file", type=click.Path(path_type=Path),
              help="Load the provider's own published file (API JSON, CSV or XLSX) instead of calling the API.")
@click.option("--save", is_flag=True, help="Write raw API responses under DISPLACEMENT_RAW_DIR for replay.")
@click.option("--full", is_flag=True, help="Ignore incremental cursors and load everything.")
def etl_run(sources, from_file, save, full):
    """Run SOURCES (globs allowed: 'hapi-*'); with none, every configured source that needs no credentials."""
    from etl.sources.base import Options

    if from_file and len(sources) != 1:
        raise UserError("--from-file needs exactly one SOURCE")
    if from_file and not from_file.exists():
        raise UserError(f"no such file {from_file}")
    results = _run(_settings(), list(sources) or None, Options(from_file=from_file, save=save, full=full))
    if any(r.status != "ok" for r in results):
        sys.exit(1)


def _run(settings, names, options):
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn

    from etl import runner
    from etl import sources as registry

    try:
        names = registry.match(names) if names else None
    except _known_errors() as exc:
        raise UserError(str(exc)) from None
    console = Console(stderr=True)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TextColumn("{task.completed} rows read"),
                  console=console, transient=True) as bar:

        def progress(name):
            task = bar.add_task(name, total=None)
            return lambda n: bar.advance(task, n)

        try:
            results = runner.run(settings, names, options, progress=progress)
        except _known_errors() as exc:
            raise UserError(str(exc)) from None
    for r in results:
        line = (f"{r.source:<22} {r.status:<6} read {r.rows_read:>7}  loaded {r.rows_loaded:>7}"
                f"  rejected {r.rows_rejected:>5}")
        click.echo(line + (f"  {r.error}" if r.error else ""))
    return results


@etl.command("status")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def etl_status(fmt):
    """Per source: last success, last failure and its error, rows loaded, and whether it is stale."""
    from etl.status import source_status

    try:
        rows = source_status(_settings())
    except _known_errors() as exc:
        raise UserError(str(exc)) from None
    if fmt == "json":
        click.echo(json.dumps(rows, default=str, indent=2))
        return
    columns = ["source", "last_success", "last_failure", "last_error", "last_rows_loaded", "figures", "stale"]
    _print_table(columns, [[r[c] for c in columns] for r in rows])
    _print_review_overlay(_settings())


def _print_review_overlay(settings):
    from etl.status import review_overlay

    try:
        applied, orphans = review_overlay(settings)
    except _known_errors():
        return  # a warehouse from before reviews: nothing to say
    click.echo(f"reviews applied at the last publish: {applied}; orphaned: {len(orphans)}")
    for r in orphans:
        click.echo(f"  orphaned {r['status']} by {r['reviewed_by']} at {r['reviewed_at']}: {r['review_key']}")


@cli.group()
def review():
    """The review store: corrections, rejections and acceptances made on /review."""


@review.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Write to this file instead of stdout.")
def review_export(fmt, output):
    """Every review change (who, when, before, after, note), newest first, from DISPLACEMENT_REVIEW_DB."""
    import csv
    import io
    import sqlite3

    from etl.review.export import COLUMNS, audit_rows

    try:
        rows = audit_rows(_settings().review_path)
    except sqlite3.Error as exc:
        raise UserError(f"review store: {exc}") from None
    if fmt == "json":
        text = json.dumps(rows, ensure_ascii=False, indent=1) + "\n"
    else:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
        text = buffer.getvalue()
    if output:
        try:
            output.write_text(text)
        except OSError as exc:
            raise UserError(f"cannot write {output}: {exc.strerror}") from None
    else:
        click.echo(text, nl=False)


@etl.command("schedule")
@click.option("--once", is_flag=True, help="Run what is due now, then exit.")
def etl_schedule(once):
    """Run sources on the cron schedules in DISPLACEMENT_SCHEDULE until stopped (Ctrl-C)."""
    import logging

    from etl.schedule import run_forever

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", stream=sys.stderr)
    try:
        run_forever(_settings(), once=once)
    except KeyboardInterrupt:
        click.echo("stopped", err=True)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per figure (JSON Lines).")
@click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True,
              help="Worker processes; the output is the same, in the same order.")
def extract(paths, as_json, jobs):
    """Extract figures from files or folders (.txt, .md, .html, .jsonl), as in the figure contract.

    Places resolve through the warehouse's gazetteer when there is one (every country once `pcodes` is
    loaded), else through the bundled one. Bad files and bad JSONL lines are reported and skipped.
    """
    from etl.extract.documents import DocumentError, iter_paths, read_path_lenient
    from etl.extract.parallel import extract_many

    missing = [p for p in paths if not p.exists()]
    if missing:
        raise UserError(f"no such file or folder: {missing[0]}")
    db = str(_settings().db)
    out = sys.stdout
    count = {"read": 0, "failed": 0}

    def documents():
        for path in iter_paths(list(paths)):
            try:
                docs, bad = read_path_lenient(path)
            except DocumentError as exc:
                docs, bad = [], [(str(path), str(exc), "")]
            for location, reason, _ in bad:
                click.echo(f"error: {location}: {reason}" if location not in reason else f"error: {reason}", err=True)
            count["read"] += len(docs)
            count["failed"] += len(bad)
            yield from docs

    for figures in extract_many(documents(), jobs, _gazetteer_at, db):
        for fig in figures:
            if as_json:
                out.write(json.dumps(fig, ensure_ascii=False) + "\n")
            else:
                who = fig["claimed_by_org"] or fig["claimed_by"] or "-"
                out.write(f"{fig['doc_id']}\t{fig['metric']}\t{fig['quantity_text']}\t{who}\t"
                          f"{fig['admin1_pcode'] or fig['country_iso3'] or '-'}\n")
    if count["failed"] and not count["read"]:
        sys.exit(1)


def _gazetteer_at(db: str):
    """The warehouse's gazetteer when it has places, else the bundled one (run once per extract process)."""
    from etl.places import Gazetteer

    if Path(db).exists():
        import duckdb

        try:
            con = duckdb.connect(db, read_only=True)
        except duckdb.Error:
            return Gazetteer.bundled()
        try:
            if con.execute("SELECT count(*) FROM places").fetchall()[0][0]:
                return Gazetteer.from_connection(con)
        except duckdb.Error:
            pass
        finally:
            con.close()
    return Gazetteer.bundled()


@cli.command()
@click.argument("query")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--write", is_flag=True, hidden=True)
def sql(query, fmt, write):
    """Run one read-only SQL query on the warehouse (query the v_* views; see docs/schema.md)."""
    from etl import readonly

    if write:
        raise UserError("`displacement sql` only reads; the warehouse is written by `displacement etl run`")
    try:
        columns, rows = readonly.query(_settings(), query)
    except _known_errors() as exc:
        raise UserError(str(exc).splitlines()[0] if str(exc).strip() else type(exc).__name__) from None
    if fmt == "json":
        click.echo(json.dumps([dict(zip(columns, r)) for r in rows], default=str, ensure_ascii=False))
    elif fmt == "csv":
        import csv

        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
    else:
        _print_table(columns, rows)


@cli.command()
@click.option("--host", default=None, help="Host to bind (default: DISPLACEMENT_HOST).")
@click.option("--port", type=int, default=None, help="Port (default: DISPLACEMENT_PORT).")
def serve(host, port):
    """Serve the dashboard."""
    _serve(_settings(), host, port)


def _serve(settings, host, port):
    from dashboard.app import create_app

    host = host or settings.host
    port = port or settings.port
    app = create_app(settings)
    click.echo(f"dashboard at http://{host}:{port}/", err=True)
    try:
        from waitress import serve as waitress_serve

        waitress_serve(app.server, host=host, port=port, threads=8,
                       max_request_body_size=settings.max_request_bytes)  # bigger bodies are never buffered
    except ImportError:
        app.run(host=host, port=port, debug=False)


@cli.command("settings")
def show_settings():
    """Print every setting, its value (secrets masked) and its variable."""
    for name, value in _settings().public().items():
        click.echo(f"DISPLACEMENT_{name.upper():<32} {value}")


def _print_table(columns, rows):
    from rich.console import Console
    from rich.table import Table

    table = Table(*[str(c) for c in columns])
    for row in rows:
        table.add_row(*["" if v is None else str(v) for v in row])
    Console().print(table)


def main():
    cli(prog_name="displacement")


if __name__ == "__main__":
    main()
