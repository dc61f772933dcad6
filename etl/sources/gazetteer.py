"""`gazetteer`: the bundled place names (countries, Syria's governorates and districts) into `places`."""

from __future__ import annotations

import csv

from etl.resources import bundled
from etl.sources.base import LoadContext, Source


class GazetteerSource(Source):
    name = "gazetteer"
    kind = "dataset"
    description = "Bundled gazetteer: countries, Syria's governorates and districts with OCHA p-codes and spellings"
    licence = "P-codes from OCHA CODs (CC BY-IGO); names and spellings compiled by the project (MIT)"

    def configured(self, settings) -> bool:
        return True

    def load(self, ctx: LoadContext) -> None:
        from etl.places import bundled_places

        ocha = ocha_country_names()
        for place in bundled_places():
            ctx.advance()
            ctx.place(**with_ocha_name(place, ocha))


def ocha_country_names() -> dict[str, tuple[str, list[str]]]:
    """iso3 -> (OCHA's name, its other terms), from data/gazetteer/ocha_countries.csv (ocha_countries.py)."""
    path = bundled("data", "gazetteer", "ocha_countries.csv")
    if not path.exists():
        return {}
    with open(path, encoding="utf-8", newline="") as f:
        return {r["iso3"]: (r["name"], [a for a in r["alt_names"].split("|") if a]) for r in csv.DictReader(f)}


def with_ocha_name(place: dict, ocha: dict) -> dict:
    """A country named as OCHA names it; its other names (CLDR's included) become alternates."""
    if place["admin_level"] != 0 or place["pcode"] not in ocha:
        return place
    name, alts = ocha[place["pcode"]]
    others = [n for n in [place["name"], *place["alt_names"], *alts] if n != name]
    return {**place, "name": name, "alt_names": list(dict.fromkeys(others))}
