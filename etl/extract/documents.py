"""Reading documents from files: .txt/.md, .html/.htm (main text via trafilatura) and .jsonl."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

from etl.model import Document, FigureError, parse_date

TEXT = {".txt", ".md"}
HTML = {".html", ".htm"}
JSONL = {".jsonl"}
KNOWN = TEXT | HTML | JSONL


class DocumentError(ValueError):
    """A file or line that cannot be read as a document; the message names the file (and line)."""


def iter_paths(paths) -> list[Path]:
    """Files to read: each file as given, each folder's files (not recursive); unknown extensions skipped."""
    out: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            out.extend(sorted(c for c in p.iterdir() if c.is_file() and c.suffix.lower() in KNOWN))
        elif p.suffix.lower() in KNOWN or not p.exists():
            out.append(p)
    return out


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DocumentError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise DocumentError(f"{path}: is a folder, not a file") from None
    except OSError as exc:
        raise DocumentError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if b"\x00" in data[:8192]:
        raise DocumentError(f"{path}: binary file, not text")
    for enc in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


def html_to_text(html: str) -> tuple[str, str | None, date | None]:
    """The article's main text, title and date: trafilatura, or a tag-stripping fallback when it is missing."""
    text = title = published = None
    try:
        import trafilatura

        got = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False, include_tables=False,
                                          include_images=False, deduplicate=True)
        if got is not None:
            get = got.get if isinstance(got, dict) else lambda k: getattr(got, k, None)
            text, title, raw_date = get("text"), get("title"), get("date")
            try:
                published = parse_date(raw_date)
            except FigureError:
                published = None
    except Exception:  # trafilatura absent or broken (e.g. lxml without html-clean): fall back
        text = None
    if not text:
        text, title = _strip_tags(html)
    return _drop_boilerplate(text), title, published


def _strip_tags(html: str) -> tuple[str, str | None]:
    import html as htmllib

    m = re.search(r"(?is)<title[^>]*>(.*?)</title>", html)
    title = htmllib.unescape(m.group(1)).strip() if m else None
    body = re.sub(r"(?is)<head\b.*?</head>", " ", html)
    body = re.sub(r"(?is)<(script|style|nav|header|footer|aside|figure|figcaption|form|noscript|button)\b.*?</\1>",
                  " ", body)
    body = re.sub(r"(?is)<(div|ul|section)\b[^>]*(?:menu|nav|share|social|footer|related|cookie)[^>]*>.*?</\1>",
                  " ", body)
    body = re.sub(r"(?i)<br\s*/?>|</p>|</h\d>|</li>|</div>|</tr>|</article>", "\n", body)
    body = htmllib.unescape(re.sub(r"(?s)<[^>]+>", " ", body))
    lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in body.splitlines()]
    return "\n".join(line for line in lines if line), title


def _drop_boilerplate(text: str) -> str:
    from etl.extract.text import BOILERPLATE

    keep = []
    for line in text.splitlines():
        if BOILERPLATE.match(line) or MENU.match(line):
            continue
        keep.append(line)
    return "\n".join(keep).strip()


MENU = re.compile(r"^\s*(?:[\w&'’ -]{1,20}\s*[|•·»]\s*){2,}[\w&'’ -]{1,20}\s*$")


def read_path(path: Path) -> list[Document]:
    """The documents in one file; raises DocumentError for a bad file or any bad line."""
    docs, bad = read_path_lenient(path)
    if bad:
        where, reason, _ = bad[0]
        raise DocumentError(f"{where}: {reason}")
    return docs


def read_path_lenient(path: Path) -> tuple[list[Document], list[tuple[str, str, str]]]:
    """Good documents plus (location, reason, raw line) for each bad jsonl line. Whole-file errors raise."""
    path = Path(path)
    suffix = path.suffix.lower()
    raw = _read_text(path)
    if suffix in TEXT:
        return [dated_text(path, raw)], []
    if suffix in HTML:
        text, title, published = html_to_text(raw)
        return [Document(doc_id=path.stem, text=text, title=title, published=published)], []
    if suffix in JSONL:
        docs, bad = [], []
        for n, line in enumerate(raw.splitlines(), 1):
            if not line.strip():
                continue
            where = f"{path}:{n}"
            try:
                docs.append(_from_json(line))
            except DocumentError as exc:
                bad.append((where, str(exc), line))
        return docs, bad
    raise DocumentError(f"{path}: unknown file type {suffix or '(none)'} (want .txt, .md, .html, .htm or .jsonl)")


FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
FRONT_KEY = re.compile(r"^([A-Za-z_]+)[ \t]*:[ \t]*(.*?)[ \t]*$", re.M)


def dated_text(path: Path, raw: str) -> Document:
    """A .txt/.md document, dated by its front matter (`date:` or `published:` between `---` lines, which also
    may give `title:`, `publisher:` and `url:`), else by the file's modification date; `published_from` says which."""
    fields, text = {}, raw
    match = FRONT_MATTER.match(raw)
    if match:
        fields = {k.lower(): v.strip("'\"") for k, v in FRONT_KEY.findall(match.group(1))}
        text = raw[match.end():]
    published, source = None, None
    for key in ("date", "published"):
        try:
            published = parse_date(fields.get(key) or None)
        except FigureError:
            raise DocumentError(f"{path}: bad date {fields[key]!r} in the front matter (want YYYY-MM-DD)") from None
        if published:
            source = "front matter"
            break
    if published is None:
        published = date.fromtimestamp(path.stat().st_mtime)
        source = "file date"
    return Document(doc_id=path.stem, text=text, title=fields.get("title") or None, url=fields.get("url") or None,
                    publisher=fields.get("publisher") or None, published=published, published_from=source)


def _from_json(line: str) -> Document:
    try:
        rec = json.loads(line)
    except json.JSONDecodeError as exc:
        raise DocumentError(f"bad JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(rec, dict):
        raise DocumentError("a line must be a JSON object")
    doc_id = rec.get("id")
    if doc_id is None or str(doc_id).strip() == "":
        raise DocumentError('missing "id"')
    text, html = rec.get("text"), rec.get("html")
    title = rec.get("title")
    try:
        published = parse_date(rec.get("published"))
    except FigureError:
        raise DocumentError(f"bad date {rec.get('published')!r} in \"published\" (want YYYY-MM-DD)") from None
    if isinstance(text, str):
        pass
    elif isinstance(html, str):
        text, html_title, html_date = html_to_text(html)
        title = title or html_title
        published = published or html_date
    else:
        raise DocumentError('needs "text" or "html" (a string)')
    for name in ("url", "title", "publisher"):
        value = rec.get(name) if name != "title" else title
        if value is not None and not isinstance(value, str):
            raise DocumentError(f'"{name}" must be a string')
    return Document(doc_id=str(doc_id), text=text, url=rec.get("url"), title=title,
                    publisher=rec.get("publisher"), published=published)
