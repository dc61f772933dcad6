"""The period a figure covers, and stock or flow; relative dates resolved against the publication date."""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from etl.extract import rx

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m} | {
    m.lower(): i for i, m in enumerate(calendar.month_abbr) if m} | {"sept": 9}
_MONTH = r"(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"

# "\b(?=[…])": the letters the alternatives start with, so other words fail at once (same matches)
EXPLICIT = re.compile(
    rf"\b(?=[\djfmasond])"
    rf"(?:(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?(?:\s*(?:-|–|to|and)\s*(?P<d1b>\d{{1,2}})(?:st|nd|rd|th)?)?\s+(?:of\s+)?"
    rf"(?P<m1>{_MONTH})(?:,?\s+(?P<y1>(?:19|20)\d\d))?"
    rf"|(?P<m2>{_MONTH})\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?(?:\s*(?:-|–|to|and)\s*(?P<d2b>\d{{1,2}}))?"
    rf"(?:,?\s+(?P<y2>(?:19|20)\d\d))?\b)",
    re.I,
)
RELATIVE = re.compile(
    r"\b(?=[\dytlomwfsep])(?P<rel>yesterday|today|tonight|this\s+morning|last\s+night|overnight|"
    r"(?:on\s+|last\s+|this\s+|late\s+|early\s+)?(?P<wd>monday|tuesday|wednesday|thursday|friday|saturday|sunday)|"
    r"this\s+week|last\s+week|past\s+week|this\s+month|last\s+month|past\s+month|this\s+year|last\s+year|"
    r"(?:past|last)\s+(?P<n>\d+|two|three|four|five|six|seven|ten|few)\s+(?P<unit>days|weeks|months)|"
    r"(?P<ago>\d+|two|three|four|five|six|seven|ten)\s+(?P<agounit>days|weeks|months)\s+ago)\b",
    re.I,
)
SINCE = re.compile(rf"\bsince\s+(?:the\s+)?(?:(?:early|late|mid)[- ])?(?:(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+"
                   rf"(?:of\s+)?"
                   rf"(?P<dm>{_MONTH})(?:,?\s+(?P<dy>(?:19|20)\d\d))?|(?P<m>{_MONTH})(?:\s+(?P<md>\d{{1,2}})\b)?"
                   rf"(?:,?\s+(?P<my>(?:19|20)\d\d))?|(?P<y>(?:19|20)\d\d)|(?P<other>\w+))", re.I)
AS_OF = re.compile(rf"\bas\s+of\s+(?:(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m>{_MONTH})"
                   rf"|(?P<m2>{_MONTH})\s+(?P<d2>\d{{1,2}}))"
                   rf"(?:,?\s+(?P<y>(?:19|20)\d\d))?", re.I)
STOCK = re.compile(
    r"\b(?=[sacrtihwufv])"
    r"(?:since|already|currently|remain|remains|remained|still|total\s+of\s+\d|in\s+total|so\s+far|to\s+date|"
    r"as\s+of|have\s+been\s+(?:killed|displaced)\s+since|"
    r"(?:war|conflict|uprising|crisis|fighting|violence)\s+(?:that\s+|which\s+)?(?:has|have|had)|"
    r"since\s+(?:19|20)\d\d)\b(?!-)",
    re.I,
)
# Present-tense states: a stock for people who are somewhere, not for deaths or evacuations.
STATE = re.compile(
    r"\b(?=[aihlt])"
    r"(?:are\s+(?:now\s+)?(?:displaced|living|staying|homeless|sheltering|hosted|in\s+need|refugees|in\s+camps|"
    r"at\s+hospitals|in\s+hospitals?)|is\s+home\s+to|home\s+to|live|living|hosts|hosting|are\s+internally|"
    r"there\s+are)\b",
    re.I,
)
WORDN = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "ten": 10, "few": 3}


def _num(s: str) -> int:
    return int(s) if s.isdigit() else WORDN.get(s.lower(), 2)


def _month_end(y: int, m: int) -> date:
    return date(y, m, calendar.monthrange(y, m)[1])


def _safe(y, m, d) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _as_of(sentence: str, published: date | None) -> date | None:
    """ "as of 25 December": the date a running total was counted."""
    m = AS_OF.search(sentence)
    if not m:
        return None
    month = MONTHS[(m.group("m") or m.group("m2")).lower().rstrip(".")]
    day = int(m.group("d") or m.group("d2"))
    year = int(m.group("y")) if m.group("y") else (published.year if published else None)
    if year and published and not m.group("y") and (month, day) > (published.month, published.day):
        year -= 1
    return _safe(year, month, day) if year else None


def period(sentence: str, published: date | None) -> tuple[date | None, date | None]:
    """(start, end) named or implied by the sentence; relative phrases need the publication date."""
    s = SINCE.search(sentence)
    if s:
        start = None
        if s.group("y"):
            start = date(int(s.group("y")), 1, 1)
        elif s.group("m") or s.group("dm"):
            month = MONTHS[(s.group("m") or s.group("dm")).lower().rstrip(".")]
            day = int(s.group("d") or s.group("md") or 1)
            given = s.group("my") or s.group("dy")
            year = int(given) if given else (published.year if published else None)
            if year and published and not given and (month, day) > (published.month, published.day):
                year -= 1
            start = _safe(year, month, day) if year else None
        end = _as_of(sentence, published) or published
        if start and (end is None or start <= end):
            return start, end
    m = EXPLICIT.search(sentence)
    if m:
        month = MONTHS.get((m.group("m1") or m.group("m2") or "").lower().rstrip("."))
        day = int(m.group("d1") or m.group("d2"))
        day2 = m.group("d1b") or m.group("d2b")
        year = m.group("y1") or m.group("y2")
        year = int(year) if year else (published.year if published else None)
        if month and year:
            if published and not (m.group("y1") or m.group("y2")) and (month, day) > (published.month, published.day):
                year -= 1
            a = _safe(year, month, day)
            b = _safe(year, month, int(day2)) if day2 else a
            if a and b and a <= b:
                return a, b
    r = RELATIVE.search(sentence)
    if r and published:
        rel = r.group("rel").lower()
        if r.group("wd"):
            wd = WEEKDAYS.index(r.group("wd").lower())
            back = (published.weekday() - wd) % 7
            if rel.startswith("last") and back == 0:
                back = 7
            d = published - timedelta(days=back)
            return d, d
        if rel.startswith("yesterday") or rel == "last night":
            d = published - timedelta(days=1)
            return d, d
        if rel in ("today", "tonight", "this morning", "overnight"):
            return published, published
        if "this week" in rel or "past week" in rel:
            return published - timedelta(days=6), published
        if "last week" in rel:
            monday = published - timedelta(days=published.weekday() + 7)
            return monday, monday + timedelta(days=6)
        if "this month" in rel:
            return published.replace(day=1), published
        if "last month" in rel or "past month" in rel:
            if "past" in rel:
                return published - timedelta(days=30), published
            first = published.replace(day=1) - timedelta(days=1)
            return first.replace(day=1), first
        if "this year" in rel:
            return published.replace(month=1, day=1), published
        if "last year" in rel:
            return date(published.year - 1, 1, 1), date(published.year - 1, 12, 31)
        if r.group("n"):
            n = _num(r.group("n"))
            days = n * {"days": 1, "weeks": 7, "months": 30}[r.group("unit").lower()]
            return published - timedelta(days=days), published
        if r.group("ago"):
            n = _num(r.group("ago"))
            d = published - timedelta(days=n * {"days": 1, "weeks": 7, "months": 30}[r.group("agounit").lower()])
            return d, d
    return None, None


def stock_or_flow(sentence: str, metric: str) -> str:
    if metric in ("population", "in_need"):
        return "stock"
    if STOCK.search(sentence) or (metric not in ("killed", "casualties", "missing", "evacuated", "destroyed_housing",
                                                  "damaged_housing") and STATE.search(sentence)):
        if metric in ("destroyed_housing", "damaged_housing") and not rx.search(r"\bsince\b", sentence, re.I):
            return "flow"
        if rx.search(r"\bas\s+of\b", sentence, re.I) and not rx.search(
                r"\b(?:since|remain|still|are|live|living|currently)\b", sentence, re.I):
            return "flow"
        return "stock"
    if metric == "sheltered":
        return "stock"
    return "flow"
