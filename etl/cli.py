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
@click.version_option(package_name="displacement", prog_name="displacement")
@click.option("--log-level", type=click.Choice(["debug", "info", "warning", "error"]), default=None,
              help="Log to stderr from this level (default: warning; info for `etl schedule`).")
@click.option("--log-format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json: one JSON object per log line.")
@click.pass_context
def cli(ctx, log_level, log_format):
    """Displacement, casualty and damage figures from news and datasets, in one DuckDB warehouse."""
    from etl import logs

    logs.configure(log_level or "warning", log_format)
    ctx.obj = {"log_level": log_level}


@cli.command()
@click.option("--serve/--no-serve", default=True, show_default=True, help="Serve the dashboard after loading.")
@click.option("--host", default=None, help="Dashboard host (default: DISPLACEMENT_HOST).")
@click.option("--port", type=int, default=None, help="Dashboard port (default: DISPLACEMENT_PORT).")
def demo(serve, host, port):
    """Load the bundled demo data into the warehouse, then serve the dashboard."""
    settings = _settings()
    started = time.perf_counter()
    results = _run(settings, None, None)
    figures = _count_figures(settings)
    if not figures:
        from etl.resources import bundled

        raise UserError(f"the demo loaded no figures into {settings.db}: is the bundled data at "
                        f"{bundled('data')} missing? (reinstall the package)")
    click.echo(f"demo data loaded into {settings.db} in {time.perf_counter() - started:.1f}s: {figures} figures")
    if serve:
        _serve(settings, host, port)
    elif any(r.status != "ok" for r in results):
        sys.exit(1)


def _count_figures(settings) -> int:
    from etl.warehouse import reader_for

    reader = reader_for(settings)
    try:
        return reader.query("SELECT count(*) FROM v_figures")[1][0][0]
    except _known_errors():
        return 0
    finally:
        reader.close()


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
        if r.first_reject:
            more = r.rows_rejected - 1
            click.echo(f"  rejected: {r.first_reject}" + (f" (and {more} more: see v_rejects)" if more else ""))
    return results


@etl.command("status")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--fail-on-stale", is_flag=True, help="Exit with status 2 if a scheduled source is stale.")
def etl_status(fmt, fail_on_stale):
    """Per source: last success, last failure and its error, rows loaded, and whether it is stale."""
    from etl.status import source_status

    try:
        rows = source_status(_settings())
    except _known_errors() as exc:
        raise UserError(str(exc)) from None
    if fmt == "json":
        click.echo(json.dumps(rows, default=str, indent=2))
    else:
        columns = ["source", "last_success", "last_failure", "last_error", "last_rows_loaded", "figures", "stale"]
        _print_table(columns, [[r[c] for c in columns] for r in rows])
        _print_review_overlay(_settings())
    stale = [r["source"] for r in rows if r["stale"]]
    if fail_on_stale and stale:
        click.echo(f"error: stale: {', '.join(stale)}", err=True)
        sys.exit(2)


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
@click.option("--once", is_flag=True, help="Run what is due now, then exit (status 1 if a due source failed).")
@click.pass_context
def etl_schedule(ctx, once):
    """Run sources on the cron schedules in DISPLACEMENT_SCHEDULE until stopped (Ctrl-C)."""
    import logging

    from etl.schedule import run_forever

    if not (ctx.obj or {}).get("log_level"):
        logging.getLogger().setLevel(logging.INFO)
    try:
        failed = run_forever(_settings(), once=once)
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
        return
    if once and failed:
        click.echo(f"error: failed: {', '.join(failed)}", err=True)
        sys.exit(1)


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
    from etl.extract.documents import KNOWN, DocumentError, iter_paths, read_path_lenient
    from etl.extract.parallel import extract_many

    missing = [p for p in paths if not p.exists()]
    if missing:
        raise UserError(f"no such file or folder: {missing[0]}")
    unsupported = [p for p in paths if p.is_file() and p.suffix.lower() not in KNOWN]
    if unsupported:
        p = unsupported[0]
        raise UserError(f"{p}: unsupported file type {p.suffix or '(none)'} (want .txt, .md, .html, .htm or .jsonl)")
    db = str(_settings().db)
    out = sys.stdout
    count = {"read": 0, "failed": 0}

    def documents():
        for path in iter_paths(list(paths)):
            try:
                docs, bad = read_path_lenient(path)
            except DocumentError as exc:
                docs, bad = [], [(str(path), str(exc), "")]
            if not any(doc.text.strip() for doc in docs) and not bad:
                docs, bad = [], [(str(path), f"{path}: empty file", "")]
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


@cli.group()
def spark():
    """Run extraction on Spark (needs the [spark] extra and Java 17+)."""


@spark.command("extract")
@click.argument("source", metavar="INPUT")
@click.argument("output", metavar="OUTPUT")
@click.option("--master", default="local[*]", show_default=True, help="Spark master URL.")
@click.option("--partitions", type=int, help="Input partitions (default: as Spark splits the files).")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "parquet"]), help="Default: from the file names.")
@click.option("--mode", type=click.Choice(["error", "overwrite", "append"]), default="error", show_default=True,
              help="What to do when OUTPUT already holds a lake.")
def spark_extract(source, output, master, partitions, fmt, mode):
    """Extract figures from INPUT documents (JSONL or Parquet; a file, folder or glob) into a Parquet lake.

    Writes OUTPUT/figures and OUTPUT/documents, hive-partitioned as `displacement export` writes them, and
    OUTPUT/rejects with each unreadable document and its reason. Places resolve as `displacement extract` does.
    """
    try:
        from etl.spark import job
    except ImportError as exc:
        raise UserError(f"Spark is not installed ({exc.name}): pip install 'displacement[spark]'") from None
    settings = _settings()
    db = settings.db if job.has_places(settings.db) else None
    try:
        job.check_paths(source, output, mode)
        counts = job.extract(job.session(master, partitions=partitions), source, output, fmt=fmt,
                             partitions=partitions, mode=mode, db=db)
    except (job.JobError, *job.spark_errors()) as exc:
        raise UserError(str(exc).strip().splitlines()[0]) from None
    click.echo(" ".join(f"{table} {n}" for table, n in counts.items()))


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
@click.option("--all-rows", is_flag=True,
              help="Read every row, also of no-redistribution sources, when DISPLACEMENT_PUBLIC_ONLY is on.")
def sql(query, fmt, write, all_rows):
    """Run one read-only SQL query on the warehouse (query the v_* views; see docs/schema.md).

    With DISPLACEMENT_PUBLIC_ONLY on, it reads the public copy, like the SQL console."""
    from etl import readonly

    if write:
        raise UserError("`displacement sql` only reads; the warehouse is written by `displacement etl run`")
    try:
        columns, rows = readonly.query(_settings(), query, all_rows=all_rows)
    except _known_errors() as exc:
        raise UserError(str(exc).splitlines()[0] if str(exc).strip() else type(exc).__name__) from None
    if fmt == "json":
        click.echo(json.dumps([dict(zip(columns, r)) for r in rows], default=str, ensure_ascii=False))
    elif fmt == "csv":
        import csv

        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)
    else:
        _print_table(columns, rows)


@cli.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["parquet", "csv"]), default="parquet", show_default=True)
def export(directory, fmt):
    """Write every v_* view to DIRECTORY as Parquet or CSV, with a datapackage.json (see docs/schema.md).

    Figures go to DIRECTORY/figures/country_iso3=…/year=…/. Sources whose terms forbid redistribution are left
    out when DISPLACEMENT_PUBLIC_ONLY is on (the default without basic auth).
    """
    from etl.export import ExportError, timed_export

    settings = _settings()
    try:
        written, seconds, size = timed_export(settings.db, directory, fmt, settings.restricted,
                                              memory_limit=settings.memory_limit, threads=settings.threads)
    except (ExportError, SettingsError, *_known_errors()) as exc:
        raise UserError(str(exc).splitlines()[0]) from None
    for item in written:
        click.echo(f"{item.name:<12} {item.rows:>9} rows  {len(item.files):>5} files")
    click.echo(f"exported to {directory} ({size / 1e6:.1f} MB) in {seconds:.1f}s")


@cli.command()
@click.option("--host", default=None, help="Host to bind (default: DISPLACEMENT_HOST).")
@click.option("--port", type=int, default=None, help="Port (default: DISPLACEMENT_PORT).")
def serve(host, port):
    """Serve the dashboard."""
    _serve(_settings(), host, port)


def _check_port(host, port) -> None:
    """A one-line error, before anything starts, when the address is taken or cannot be used."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise UserError(f"cannot serve on {host}:{port}: {exc.strerror or exc}") from None
    family, _, _, _, address = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does: TIME_WAIT is no obstacle
        try:
            sock.bind(address)
        except OSError as exc:
            reason = "the port is in use (another dashboard?); pick another with --port" if exc.errno == 98 \
                else (exc.strerror or str(exc))
            raise UserError(f"cannot serve on {host}:{port}: {reason}") from None


def _serve(settings, host, port):
    from dashboard.app import create_app

    host = host or settings.host
    port = port or settings.port
    _check_port(host, port)
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
