"""Place names that do not say where a figure is: a territory of the past, a destination people were taken to."""

from __future__ import annotations

import re
from dataclasses import replace

from etl.places import Place

NOWHERE = Place("", 0, "", None, None, None)  # no one country of today
# a territory that is no state of today ("pre-war Syria" is still Syria)
PAST_BEFORE = re.compile(r"\b(?:historic(?:al)?|former|ancient|mandate|mandatory|ottoman|pre-partition)\s+$", re.I)
NATIVE_BEFORE = re.compile(r"\b(?:natives?|nationals?|citizens?|passport\s+holders?)\s+of\s+(?:the\s+)?$", re.I)
AREAS_AFTER = re.compile(r"\s+(?:states|provinces|regions|governorates|districts|counties|prefectures|departments|"
                         r"oblasts|municipalities)\b", re.I)
TO_BEFORE = re.compile(r"\b(?:to|into|towards|toward)\s+(?:the\s+)?(?:neighbou?ring\s+)?$", re.I)
MOVED = re.compile(r"\b(?:fled|flee|flees|fleeing|taken|took|take|taking|brought|bring|bringing|transferred|"
                   r"deported|moved|relocated|evacuated|evacuating|driven|expelled|sent|bussed|bused|airlifted|"
                   r"flown|carried|escaped|crossed|pushed)\b", re.I)
CLAUSE_END = re.compile(r"[.;:!?]")
LISTED = re.compile(r"[\s,]*(?:and|or|&)?[\s,]*(?:the\s+)?")
MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
DATELINE_AFTER = re.compile(r"\s*(?:\(|[-–—]|,\s*(?:[A-Z][a-z]+\s+\d|\d{1,2}\s+" + MONTH + r"\s))")
# "Beijing, July 14 (IANS)", "Kabul, 3 May (Reuters) –", "Manila (AFP) -"
LEAD_DATELINE = re.compile(r",?\s*(?:" + MONTH + r"\s+\d{1,2}|\d{1,2}\s+" + MONTH + r")?(?:,?\s*\d{4})?\s*"
                           r"(?:\([A-Za-z][\w .&/-]{1,30}\)\s*(?:[-–—:]\s*)?|[-–—]\s)")


def dateline(text: str, m) -> bool:
    """ "BEIRUT (Reuters) -", "BANGKOK, 11 September 2013 (NNT)", and at the start of a line "Beijing, July 14
    (IANS)": the newsroom that filed the story, not a place of its figures."""
    if m.text.isupper() and len(m.text) > 3 and (DATELINE_AFTER.match(text, m.end, m.end + 16)
                                                 or text[m.start - 1:m.start] == "[" and text[m.end:m.end + 1] == "]"):
        return True  # "[JAKARTA] Rescuers were dispatched …" too
    line = text.rfind("\n", 0, m.start) + 1
    return not text[line:m.start].strip() and bool(LEAD_DATELINE.match(text, m.end, m.end + 60))


def nationality(text: str, m) -> bool:
    """ "a native of Kazakhstan", "citizens of Tunisia": where people come from, not where the figure is."""
    return m.place.level == 0 and bool(NATIVE_BEFORE.search(text, max(0, m.start - 30), m.start))


def several(text: str, end: int, places, gaz):
    """(country, text) for a figure over a list of admin areas that ends in a plural ("in Khartoum, Kassala, Gezira
    and White Nile states"), even when some names in it are not known; else None."""
    after = [m for m in places if m.start >= end and m.place.level >= 1]
    last = next((k for k, m in enumerate(after) if AREAS_AFTER.match(text, m.end)), None)
    if not last:
        return None
    run = after[:last + 1]
    if CLAUSE_END.search(text, end, run[-1].end) or run[0].start - end > 40 \
            or len({m.place.country for m in run}) > 1 or len({gaz.codes(m.place)[1] for m in run}) < 2:
        return None
    country = gaz.places.get(run[0].place.country)
    return (country, " ".join(m.text for m in run)) if country is not None else None


def past(text: str, m):
    """ "historical Palestine", "the former Yugoslavia": a country of the past, which gives no country today."""
    if m.place.level == 0 and PAST_BEFORE.search(text, max(0, m.start - 25), m.start):
        return replace(m, pcode="", place=NOWHERE._replace(name=m.text))
    return m


def destinations(text: str, start: int, places) -> list:
    """The places of a sentence that people were moved to ("evacuated 446 children from the area and taken them
    to Russia", "driven out to the West Bank and Gaza Strip"), with the places listed right after them."""
    out = []
    for i, m in enumerate(places):
        if out and out[-1] is places[i - 1] and LISTED.fullmatch(text, places[i - 1].end, m.start):
            out.append(m)
            continue
        if not TO_BEFORE.search(text, max(start, m.start - 30), m.start):
            continue
        clause = text[max(start, m.start - 120):m.start]
        cut = max((c.end() for c in CLAUSE_END.finditer(clause)), default=0)
        if MOVED.search(clause, cut):
            out.append(m)
    return out


def away(text: str, start: int, places, metric: str, context) -> list:
    """A displacement or evacuation figure's places without the destinations in another country than the
    sentence's other places, or else than the context's: the figure counts people where they were moved from."""
    if metric not in ("displaced", "evacuated") or not places:
        return places
    dest = destinations(text, start, places)
    if not dest:
        return places
    rest = [m for m in places if m not in dest]
    home = {m.place.country for m in rest} if rest else ({context[0].country} if context else None)
    if not home:
        return places
    return [m for m in places if m not in dest or m.place.country in home]
