"""The source registry: name -> class, imported on first use so `etl run curated` loads no HTTP code."""

from __future__ import annotations

import fnmatch
from importlib import import_module

from etl.sources.base import LoadContext, Options, Source, SourceError

REGISTRY = {
    "gazetteer": "etl.sources.gazetteer:GazetteerSource",
    "articles": "etl.sources.articles:ArticlesSource",
    "curated": "etl.sources.curated:CuratedSource",
    "feeds": "etl.sources.feeds:FeedsSource",
    "reliefweb": "etl.sources.reliefweb:ReliefWebSource",
    "hapi-idps": "etl.sources.hapi:HapiIdps",
    "hapi-refugees": "etl.sources.hapi:HapiRefugees",
    "hapi-returnees": "etl.sources.hapi:HapiReturnees",
    "hapi-conflict-events": "etl.sources.hapi:HapiConflictEvents",
    "unhcr-population": "etl.sources.unhcr:UnhcrPopulation",
    "idmc-gidd": "etl.sources.idmc:IdmcGidd",
    "idmc-idu": "etl.sources.idmc:IdmcIdu",
    "acled": "etl.sources.acled:AcledSource",
    "dtm": "etl.sources.dtm:DtmSource",
    "hxl": "etl.sources.hxl:HxlSource",
    "boundaries": "etl.sources.boundaries:BoundariesSource",
    "pcodes": "etl.sources.pcodes:PcodesSource",
    "lake": "etl.sources.lake:LakeSource",
}

_EXTRA: dict[str, type] = {}


def register(cls: type) -> type:
    """Add a source class at run time (plugins, tests)."""
    _EXTRA[cls.name] = cls
    return cls


def names() -> list[str]:
    return list(REGISTRY) + [n for n in _EXTRA if n not in REGISTRY]


def get(name: str) -> Source:
    if name in _EXTRA:
        return _EXTRA[name]()
    if name not in REGISTRY:
        raise SourceError(f"unknown source {name!r}; known: {', '.join(names())}")
    module, cls = REGISTRY[name].split(":")
    return getattr(import_module(module), cls)()


def match(patterns: list[str]) -> list[str]:
    """Source names matching names or globs (`hapi-*`), in registry order."""
    out = []
    for pattern in patterns:
        found = [n for n in names() if fnmatch.fnmatchcase(n, pattern)]
        if not found:
            raise SourceError(f"unknown source {pattern!r}; known: {', '.join(names())}")
        out += [n for n in found if n not in out]
    return out


__all__ = ["LoadContext", "Options", "Source", "SourceError", "get", "match", "names", "register"]
