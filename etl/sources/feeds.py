"""RSS and Atom feeds: each entry becomes a document once, and extraction turns its text into figures.

settings.feeds lists feed URLs or files, comma-separated; --from-file reads one feed file.
`DocumentStager` (shared with the ReliefWeb source) keeps each document once by URL and content hash and hands
the new ones to `etl.sources.articles.load_documents`, which extracts their figures with the warehouse's gazetteer.
"""

from __future__ import annotations

import hashlib
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import feedparser

from etl.model import Document
from etl.sources.base import Source, SourceError
from etl.sources.http import fetch, is_url, split


class FeedsSource(Source):
    name = "feeds"
    kind = "documents"
    description = "Articles and reports from RSS/Atom feeds, with the figures extracted from their text"
    licence = ("Each feed's own terms; texts are kept for analysis with their publisher, date and a link to the"
               " original, which remains the reference")
    url = ""
    requires = ()

    def configured(self, settings) -> bool:
        return bool(split(settings.feeds))

    def load(self, ctx) -> None:
        stager = DocumentStager(ctx)
        if ctx.options.from_file:
            path = Path(ctx.options.from_file)
            try:
                content = path.read_bytes()
            except FileNotFoundError:
                raise SourceError(f"{self.name}: no such file {path}") from None
            self.stage_feed(ctx, stager, content, str(path), path.name)
            stager.flush()
            return
        feeds = split(ctx.settings.feeds)
        if not feeds:
            raise SourceError(f"{self.name}: set DISPLACEMENT_FEEDS to comma-separated feed URLs or files")
        failures = []
        for i, location in enumerate(feeds):
            where = urlsplit(location).netloc or Path(location).name
            try:
                content = fetch(ctx, location, save_as=f"feed-{i}.xml")
                if content is not None:
                    self.stage_feed(ctx, stager, content, location, where)
            except SourceError as exc:  # one broken feed must not hide the others
                failures.append(str(exc))
                ctx.reject(str(exc), {"feed": location}, where)
        stager.flush()
        if failures and len(failures) == len(feeds):
            raise SourceError(failures[0] if len(failures) == 1 else f"{self.name}: all {len(feeds)} feeds failed;"
                              f" first: {failures[0]}")

    def stage_feed(self, ctx, stager, content: bytes, location: str, where: str) -> None:
        parsed = feedparser.parse(content)
        if not parsed.entries and (parsed.bozo or not parsed.feed):
            reason = getattr(parsed, "bozo_exception", None) or "no entries"
            raise SourceError(f"{self.name}: {where} is not an RSS or Atom feed ({str(reason).splitlines()[0]})")
        publisher = (parsed.feed.get("title") or urlsplit(location).netloc or None)
        for i, entry in enumerate(parsed.entries):
            ctx.advance()
            url = clean_url(entry.get("link") or entry.get("id") or "")
            text = html_to_text(_entry_html(entry)) or (entry.get("title") or "").strip()
            if not url or not text:
                ctx.reject("entry without a link or text", {k: entry.get(k) for k in ("id", "title", "link")},
                           f"{where}:entry {i + 1}")
                continue
            try:
                published = _entry_date(entry)
            except ValueError:
                ctx.reject(f"entry dated {entry.get('published')!r}, not a date",
                           {k: entry.get(k) for k in ("id", "title", "link", "published")},
                           f"{where}:entry {i + 1}")
                continue
            doc = Document(
                doc_id="feed-" + hashlib.sha1(url.encode()).hexdigest()[:16],
                text=text,
                url=url,
                title=(entry.get("title") or "").strip() or None,
                publisher=publisher,
                published=published,
            )
            stager.add(doc)


class DocumentStager:
    """Keep each document once (by URL and by SHA-256 of its text) and stage the new ones with their figures."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.urls: set[str] = set()
        self.hashes: set[str] = set()
        self.pending: list[Document] = []

    def seen(self, doc: Document) -> bool:
        """Seen earlier in this run, or stored already: same text anywhere, or this URL under another doc_id."""
        if doc.url in self.urls or doc.sha256 in self.hashes:
            return True
        self.urls.add(doc.url)  # the first copy met in a run is the one that counts
        self.hashes.add(doc.sha256)
        if self.ctx.con is None:
            return False
        row = self.ctx.con.execute(
            "SELECT doc_id FROM documents WHERE sha256 = ? OR (url = ? AND doc_id <> ?) LIMIT 1",
            [doc.sha256, doc.url, doc.doc_id],
        ).fetchone()
        return row is not None

    def add(self, doc: Document) -> bool:
        """Queue a document unless the warehouse or this run has it; an updated text is queued again."""
        if self.seen(doc):
            return False
        self.pending.append(doc)
        return True

    def flush(self) -> int:
        """Stage the queued documents and the figures extracted from them (etl.sources.articles does the work)."""
        from etl.sources.articles import load_documents

        documents, self.pending = self.pending, []
        if documents:
            load_documents(self.ctx, documents)
        return len(documents)


def clean_url(url: str) -> str:
    """The URL without its fragment and surrounding space: one document per page."""
    url = (url or "").strip()
    if not is_url(url):
        return url
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc.lower(), parts.path or "/", parts.query, ""))


def _entry_html(entry) -> str:
    for content in entry.get("content") or []:
        if content.get("value"):
            return content["value"]
    return entry.get("summary") or entry.get("description") or ""


def _entry_date(entry) -> date | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            return date(*value[:3])  # feedparser gives UTC
    return None


class _Text(HTMLParser):
    BLOCKS = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "blockquote",
              "section", "article", "header", "footer", "pre", "hr", "dd", "dt"}
    SKIP = {"script", "style", "noscript", "template"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Readable text from an HTML fragment: paragraphs on their own lines, tags and scripts gone."""
    if not markup:
        return ""
    if "<" in markup or "&" in markup:
        parser = _Text()
        parser.feed(markup)
        parser.close()
        markup = "".join(parser.parts)
    lines = (" ".join(line.split()) for line in markup.splitlines())
    text, blank = [], False
    for line in lines:
        if line:
            text.append(line)
            blank = False
        elif not blank and text:
            text.append("")
            blank = True
    return "\n".join(text).strip()
