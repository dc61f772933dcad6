"""A chosen region's note on the figures for wider areas that cover it ("2 figures for northwest Syria cover this
region"): tagged to its country and no region, so no region's figures count them. Offered with a link to exactly
those figures (/figures?scope=wider), never added. The overview, /regions and /compare show it."""

from __future__ import annotations

from dash import dcc, html

from dashboard import queries
from dashboard.filters import Filters


def listing(r, f: Filters) -> Filters | None:
    """The filters of the figures listing that holds them: f's region's country, no region, scope=wider (the
    other filters kept); None when no region is chosen."""
    region = f.admin2 or f.admin1
    if not region:
        return None
    country = f.country or (queries.place(r, region) or {}).get("country_iso3")
    if not country:
        return None
    return f.with_(country=country, admin1=None, admin2=None, kind=None, scope="wider")


def note(r, f: Filters, id_: str):
    """The note (a small paragraph with id `id_`) for filters `f` as the page applies them, or None."""
    wider = listing(r, f)
    if wider is None:
        return None
    areas = queries.wider_areas(r, wider)
    if areas.empty:
        return None
    parts = [_count(int(a.n), f" for {a.area}") for a in areas.itertuples()]
    rest = int(areas["n_all"].iloc[0]) - int(areas["n"].sum())
    if rest:
        others = int(areas["areas_all"].iloc[0]) - len(areas)
        parts.append(_count(rest, f" for {others} other area{'s' if others != 1 else ''}"))
    verb = "covers this region and is" if int(areas["n_all"].iloc[0]) == 1 else "cover this region and are"
    return html.P([" · ".join(parts) + f" {verb} not counted here. ",
                   dcc.Link("See them", href="/figures" + wider.to_query())], className="small wider-note", id=id_)


def _count(n: int, what: str) -> str:
    return f"{n:,} figure{'s' if n != 1 else ''}{what}"
