"""Small helpers shared by test modules."""

import duckdb


def query(settings, sql, params=()):
    """Rows of one query on the published warehouse, through a short read-only connection."""
    con = duckdb.connect(str(settings.db), read_only=True)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()
