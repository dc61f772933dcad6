"""The files that ship with the package (demo data, gazetteer, dashboard assets), read through importlib.resources.

A wheel carries the top-level `data/` and `assets/` folders inside the package as `etl/bundled/data` and
`etl/bundled/assets` (pyproject.toml, hatchling's force-include); a source checkout or editable install reads them
where they are. Every reader of bundled files asks `bundled()`.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent


def bundled(*parts: str) -> Path:
    """The path of a bundled file or folder: bundled('data', 'gazetteer', 'admin.csv'), bundled('assets')."""
    packaged = resources.files("etl").joinpath("bundled", *parts)
    if packaged.is_file() or packaged.is_dir():
        return Path(str(packaged))
    return CHECKOUT.joinpath(*parts)


def shown(path: Path) -> str:
    """A bundled path as the docs write it (`data/articles`); any other path as it is."""
    for root in (Path(str(resources.files("etl").joinpath("bundled"))), CHECKOUT):
        if path.is_absolute() and path.is_relative_to(root):
            return path.relative_to(root).as_posix()
    return path.as_posix()
