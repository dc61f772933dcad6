"""Countries in a speaker's name: "Cuba's state news agency", "the Taiwanese government", "the Health Ministry"
in a story about Gaza. Names and demonyms come from demonyms.csv (written by make_demonyms.py)."""

from __future__ import annotations

import csv
import functools
import re
from pathlib import Path

from etl.extract import rx

DEMONYMS = Path(__file__).with_name("demonyms.csv")
SPELLING = {"defense": "Defence", "labor": "Labour", "home": "Home Affairs"}  # body names as the guidelines write them
MINISTRY_OF = re.compile(r"\b(?i:minist(?:ry|er))\s+(?i:of|for)\s+(?:the\s+)?"
                         r"(?P<field>[A-Z][\w'’-]*(?:(?:,\s*|\s+(?:and|of|for)\s+|\s+)[A-Z][\w'’-]*)*)")
FIELD_MINISTRY = re.compile(r"(?P<field>(?:[\w'’-]+\s+){0,3}[\w'’-]+)\s+ministry\b", re.I)
FIELD_STOP = {"the", "a", "an", "its", "their", "at", "of", "for", "in", "from", "with", "by", "official", "officials",
              "source", "sources", "spokesman", "spokeswoman", "said", "says", "according", "to", "and"}
OWNER_FIRST = re.compile(r"\b(?:Committee|Commission|Department|Directorate|Office|Agency|Institute|Service|"
                         r"Centre|Center|Unit|Council|Board)\b", re.I)
GOVERNMENT = re.compile(r"^(?:the\s+)?(?:(?P<a>[A-Z][\w.'’ -]*?)(?:['’]s)?\s+(?:government|junta|military\s+government)"
                        r"|government\s+of\s+(?:the\s+)?(?P<b>[A-Z][\w.'’ -]*))$", re.I)


@functools.lru_cache(maxsize=1)
def table() -> tuple[dict[str, tuple[str, str]], dict[str, str], re.Pattern]:
    """iso3 → (country, demonym); lower-case name or demonym → iso3; a pattern finding either in text."""
    by_iso: dict[str, tuple[str, str]] = {}
    lookup: dict[str, str] = {}
    with open(DEMONYMS, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    # a demonym shared by territories ("French") belongs to the country whose name it starts like
    rows.sort(key=lambda r: r["demonym"][:4].lower() != r["country"][:4].lower())
    for r in rows:
        by_iso[r["iso3"]] = (r["country"], r["demonym"])
        for key in (r["country"], r["demonym"]):
            lookup.setdefault(key.lower(), r["iso3"])
    names = sorted(lookup, key=len, reverse=True)
    pattern = re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(n) for n in names) + r")(?![\w-])", re.I)
    return by_iso, lookup, pattern


@functools.lru_cache(maxsize=8192)
def named_country(text: str) -> str | None:
    """The ISO3 code of the first country named, or described by its demonym, in text (capitalised)."""
    _, lookup, pattern = table()
    for m in pattern.finditer(text):
        if m.group(0)[:1].isupper():
            return lookup[m.group(0).lower()]
    return None


def demonym(iso3: str | None) -> str | None:
    got = table()[0].get(iso3 or "")
    return got[1] if got else None


def government(phrase: str) -> str | None:
    """ "the Taiwanese government", "Haiti's government", "the government of Haiti" → "Government of Haiti"."""
    m = GOVERNMENT.match(phrase.strip())
    if not m:
        return None
    who = (m.group("a") or m.group("b") or "").strip()
    by_iso, lookup, _ = table()
    iso3 = lookup.get(who.lower())
    return f"Government of {by_iso[iso3][0]}" if iso3 else None


def ministry(phrase: str, country: str | None, strip_places=None) -> str | None:
    """ "the Defense Ministry" in a story about Serbia → "Serbian Ministry of Defence" (GUIDELINES 4.3: the
    country is added when the name alone is ambiguous). country is the document's; one named in the phrase wins."""
    head = rx.search(r"\b(?i:minist(?:ry|er))\b", phrase)
    if head and OWNER_FIRST.search(phrase[:head.start()]):
        return None  # "the Committee for Emergency Situations of the Ministry …": the committee speaks
    m = MINISTRY_OF.search(phrase)
    field = m.group("field") if m else None
    if field and ((strip_places is not None and not strip_places(field).strip(" ,")) or
                  rx.match(r"\s+(?:region|state|province|county|district|city|area)\b", phrase[m.end("field"):])):
        return None  # "the information minister for Yei region": a place is no portfolio
    if field and "," in field and not rx.search(r",[^,]*\band\b[^,]*$", field):
        field = field.split(",")[0]  # "Minister of Interior, Deputy Prime Minister X": a list needs its "and"
    if field is None:
        m = FIELD_MINISTRY.search(phrase)
        if not m:
            return None
        words = []
        for w in reversed(m.group("field").split()):  # the words right before "ministry": its portfolio
            if w.lower() in FIELD_STOP or w.lower().endswith(("'s", "’s")) or named_country(w) or not w[:1].isalpha():
                break
            words.insert(0, w)
        if not words:
            return None
        field = " ".join(words)
    field = " ".join(SPELLING.get(w.lower(), w[:1].upper() + w[1:]) if w.lower() not in ("and", "of", "for")
                     else w.lower() for w in field.split())
    nation = demonym(named_country(phrase) or country)
    return f"{nation} Ministry of {field}" if nation else f"Ministry of {field}"


def possessive_country(phrase: str) -> str | None:
    """ "Cuba's state news agency" → CUB: the country that owns the body."""
    m = rx.search(r"([A-Z][\w.-]*(?:\s+[A-Z][\w.-]*)?)['’]s\b", phrase)
    return named_country(m.group(1)) if m else None
