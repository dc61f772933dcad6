"""The one interface every source implements, and the context it loads into."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from etl.model import Bounds, Document, FigureError, check_figure, parse_date

SPILL_AT = 50_000  # staged figures held in memory at most; the rest wait in the warehouse's staging table


class SourceError(RuntimeError):
    """A source cannot run: a missing setting, a refused request, a file in the wrong shape. One line."""


@dataclass
class Options:
    from_file: Path | None = None  # load the provider's own published file instead of calling the API
    save: bool = False  # write raw responses under settings.raw_dir for replay
    full: bool = False  # ignore incremental cursors


class Source:
    name: str = ""
    kind: str = "dataset"  # "documents" or "dataset"
    description: str = ""
    licence: str = ""
    url: str = ""
    requires: tuple[str, ...] = ()  # Settings fields (credentials) that must be set to call the API

    def configured(self, settings) -> bool:
        """True when `etl run` with no SOURCE should run it: inputs present and no credentials needed."""
        return False

    def load(self, ctx: LoadContext) -> None:
        raise NotImplementedError

    def check_credentials(self, ctx: LoadContext) -> None:
        if ctx.options.from_file:
            return
        for name in self.requires:
            if not getattr(ctx.settings, name):
                raise SourceError(f"{self.name}: set DISPLACEMENT_{name.upper()} to call the API")


def bounds_for(settings) -> Bounds:
    """The plausibility bounds of `settings` (defaults for settings objects without them)."""
    values = getattr(settings, "plausible_values", None)
    dates = getattr(settings, "plausible_dates", None)
    if not values or not dates:
        return Bounds()
    try:
        return Bounds.parse(values, dates)
    except ValueError as exc:
        raise SourceError(f"DISPLACEMENT_PLAUSIBLE_VALUES/DATES: {exc}") from None


@dataclass
class LoadContext:
    """What a source hands back: documents, figures, places, rejects and cursor updates.

    Nothing is written until the runner merges it, in one transaction per source.
    """

    source: str
    settings: object
    options: Options
    run_id: int
    con: object = None  # the warehouse being built, for reading state and places only
    rows_read: int = 0
    documents: list = field(default_factory=list)
    figures: list = field(default_factory=list)
    places: list = field(default_factory=list)
    rejects: list = field(default_factory=list)
    state: dict = field(default_factory=dict)
    deleted_records: list = field(default_factory=list)  # (dataset, record_id) removed upstream
    progress: object = None  # callable(advance: int) or None
    spill: object = None  # callable(ctx): moves staged figures out of memory (the runner's staging table)
    staged: int = 0  # the next staging sequence number (0: nothing staged yet)
    stage_sql: object = None  # callable(sql): stages figures a source checked set-wise (the runner's)
    _bounds: Bounds | None = field(default=None, init=False, repr=False)

    @property
    def bounds(self) -> Bounds:
        if self._bounds is None:
            self._bounds = bounds_for(self.settings)
        return self._bounds

    def document(self, doc: Document, retrieved_at: datetime | None = None) -> bool:
        """Stage one document; one the contract refuses (a bad date) goes to rejects instead."""
        try:
            published = parse_date(doc.published)
            if published is not None and not self.bounds.earliest <= published <= self.bounds.latest():
                raise FigureError(f"published {published} is implausible")
        except FigureError as exc:
            self.reject(f"document {doc.doc_id}: {exc}", {"doc_id": doc.doc_id, "url": doc.url,
                                                          "title": doc.title, "published": doc.published},
                        doc.doc_id)
            return False
        self.documents.append(
            {
                "doc_id": doc.doc_id,
                "url": doc.url,
                "title": doc.title,
                "publisher": doc.publisher,
                "published": published,
                "retrieved_at": retrieved_at or datetime.now(UTC).replace(tzinfo=None, microsecond=0),
                "text": doc.text,
                "sha256": doc.sha256,
                "published_from": doc.published_from,
            }
        )
        return True

    def figure(self, location: str | None = None, **fields) -> bool:
        """Stage one figure; a figure that breaks the contract goes to rejects instead."""
        try:
            self.figures.append(check_figure(fields, self.bounds))
            if self.spill is not None and len(self.figures) >= SPILL_AT:
                self.spill(self)
            return True
        except FigureError as exc:
            self.reject(str(exc), fields, location)
            return False

    def reject(self, reason: str, raw, location: str | None = None) -> None:
        if not isinstance(raw, str):
            raw = json.dumps(raw, default=str, ensure_ascii=False, sort_keys=True)
        self.rejects.append({"reason": reason, "raw": raw, "location": location})

    def place(self, pcode, admin_level, name, country_iso3, parent_pcode=None, alt_names=(), geometry=None):
        self.places.append(
            {
                "pcode": pcode,
                "admin_level": int(admin_level),
                "name": name,
                "country_iso3": country_iso3,
                "parent_pcode": parent_pcode or None,
                "alt_names": sorted(set(alt_names)) if alt_names else None,
                "geometry": geometry if geometry is None or isinstance(geometry, str) else json.dumps(geometry),
            }
        )

    def get_state(self, key: str, default=None):
        if key in self.state:
            return self.state[key]
        if self.con is None:
            return default
        rows = self.con.execute(
            "SELECT value FROM source_state WHERE source = ? AND key = ?", [self.source, key]
        ).fetchall()
        return rows[0][0] if rows else default

    def set_state(self, key: str, value) -> None:
        self.state[key] = None if value is None else str(value)

    def delete_record(self, dataset: str, record_id: str) -> None:
        self.deleted_records.append((dataset, str(record_id)))

    def advance(self, n: int = 1) -> None:
        self.rows_read += n
        if self.progress:
            self.progress(n)

    def save_raw(self, name: str, content: bytes | str) -> Path | None:
        """Write a raw response under raw_dir/<source>/ when --save is on; returns the path."""
        if not self.options.save:
            return None
        folder = Path(self.settings.raw_dir) / self.source
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        return path
