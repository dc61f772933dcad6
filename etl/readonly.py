"""`displacement sql`: one read statement on the warehouse, opened read-only and locked down in the engine.

The connection cannot write (read_only), reach other files or the network (enable_external_access off, so no
COPY … TO, EXPORT DATABASE or ATTACH), load extensions, or change those settings afterwards. With
DISPLACEMENT_PUBLIC_ONLY on it opens the public copy (etl.public_copy) instead of the warehouse, like the console;
`--all-rows` opens the warehouse itself, for the operator on the server (who can read the file anyway).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from etl import public_copy
from etl.warehouse import WarehouseError

READS = (duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN)


class QueryRefused(WarehouseError):
    """A query `displacement sql` will not run; the message says why, in one line."""


def one_statement(sql: str):
    """The one statement in `sql`; QueryRefused for none, several, or one that is not a read."""
    if not (sql or "").strip():
        raise QueryRefused("the query is empty: give one SELECT statement")
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        raise QueryRefused(str(exc).strip().splitlines()[0]) from None
    if len(statements) != 1:
        raise QueryRefused(f"one statement at a time, please (this text holds {len(statements)})" if statements
                           else "the query is empty: give one SELECT statement")
    statement = statements[0]
    if statement.type not in READS:
        word = statement.query.split(None, 1)[0].upper() if statement.query.strip() else statement.type.name
        raise QueryRefused(f"{word} statements are not allowed: `displacement sql` is read-only")
    return statement


def query(settings, sql: str, all_rows: bool = False) -> tuple[list[str], list[tuple]]:
    """(columns, rows) of one read statement on the warehouse; with DISPLACEMENT_PUBLIC_ONLY on (and not
    `all_rows`), on its public copy, which holds no row of a no-redistribution source (built first if missing)."""
    statement = one_statement(sql)
    path = Path(settings.db)
    if not path.exists():
        raise WarehouseError(f"no warehouse at {path}: run `displacement demo` or `displacement etl run` first")
    if settings.restricted and not all_rows:
        path = public_copy.ensure(path, settings.memory_limit, settings.threads)
    con = duckdb.connect(str(path), read_only=True, config={
        "autoinstall_known_extensions": False, "autoload_known_extensions": False,
        "allow_community_extensions": False,
        "memory_limit": settings.memory_limit, "threads": int(settings.threads),
    })
    try:
        con.execute("SET enable_progress_bar = false")  # DuckDB draws it on stdout, where the result goes
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
        con.execute(statement.query)
        columns = [d[0] for d in con.description or []]
        return columns, con.fetchall()
    except duckdb.Error as exc:
        raise WarehouseError(str(exc).strip().splitlines()[0]) from None
    finally:
        con.close()
