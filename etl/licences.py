"""Sources whose terms forbid redistributing their rows, kept out of public exports and the API.

`DISPLACEMENT_PUBLIC_ONLY` decides (etl.settings): on by default when basic auth is off, i.e. when the server is
open to anyone.
"""

from __future__ import annotations

NO_REDISTRIBUTION = {
    "acled": "ACLED Terms of Use: raw event data may not be redistributed",
    "dtm": "IOM DTM terms: non-commercial use, no redistribution",
    "hapi-idps": "IOM DTM terms (via HDX HAPI): non-commercial use, no redistribution",
}


def restricted_sources() -> list[str]:
    return sorted(NO_REDISTRIBUTION)


def sql_filter(column: str = "source") -> str:
    """A WHERE condition keeping rows of redistributable sources (names are constants, not user input)."""
    return f"{column} NOT IN ({', '.join(repr(s) for s in restricted_sources())})"
