"""Quantities in text: digits, number words, vague amounts, hedges and ranges (CONTRACT.md tables)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from etl.extract import rx

UNITS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
         "seventeen eighteen nineteen").split()
TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
WORD_VALUE = {w: i for i, w in enumerate(UNITS)} | {w: 20 + 10 * i for i, w in enumerate(TENS)} | {"fourty": 40}
# Spanish, French and Portuguese words that IDMC excerpts use ("diez familias", "un centenar de casas")
FOREIGN = {"dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7, "ocho": 8, "nueve": 9, "diez": 10,
           "once": 11, "doce": 12, "quince": 15, "veinte": 20, "treinta": 30, "cuarenta": 40, "cincuenta": 50,
           "cien": 100, "un centenar": 100, "centenares": 200, "cientos": 200, "miles": 2000, "une centaine": 100,
           "dix": 10, "vingt": 20, "trente": 30, "cinquante": 50, "dez": 10, "vinte": 20,
           "centenas": 200, "milhares": 2000, "une dizaine": 10, "una decena": 10, "decenas": 24}
FOREIGN_VAGUE = {"centenares": (200, 200, 999), "cientos": (200, 200, 999), "miles": (2000, 2000, 9999),
                 "centenas": (200, 200, 999), "milhares": (2000, 2000, 9999), "decenas": (24, 24, 99)}
SCALE = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000, "dozen": 12,
         "lakh": 100_000, "crore": 10_000_000, "mil": 1_000, "mln": 1_000_000, "bn": 1_000_000_000, "m": 1_000_000,
         "k": 1_000}

_SMALL = rf"(?:(?:{'|'.join(TENS)}|fourty)(?:[\s-]+(?:{'|'.join(UNITS[1:10])}))?|{'|'.join(UNITS)})"
_WORDS = (rf"(?:{_SMALL}(?:\s+(?:hundred|thousand|million|billion|dozen)(?:\s+(?:and\s+)?{_SMALL}(?!\s+hundred))?)*"
          r"|an?\s+(?:hundred|thousand|million|dozen)(?:\s+and\s+a\s+half)?|half\s+a\s+million)")
_DIGITS = (r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3},\s000(?![\d,])"
           r"|\d{1,3}(?:\.\d{3})+(?![\d.,]|\s*(?:million|billion|m\b|mln|bn))"  # 2.000 (European)
           r"|\d{1,3}(?:[ \u00a0\u202f\u2009]\d{3})+(?![\d,.]\d)"  # 9 300
           r"|\d{1,3}(?:'\d{3})+|\d+(?:\.\d+)?)")
_SCALE = (r"(?:[\s-]*(?:million|billion|thousand|lakh|crore|mln|bn|mil(?=\s+[a-zà-ÿ]))s?\b"
          r"|(?:m|bn|k)(?![\w\ufffd'’]|\.\w))")
_VAGUE = (r"(?:tens\s+of\s+thousands|hundreds\s+of\s+thousands|dozens\s+of\s+thousands|"
          r"(?:several|a\s+few|few)\s+(?:dozen|hundred|thousand|million)s?(?:\s+thousand)?|"
          r"dozens|scores|hundreds|thousands|millions)")
_FOREIGN = r"(?:un\s+centenar|une\s+centaine|une\s+dizaine|una\s+decena|" + "|".join(
    sorted((k for k in FOREIGN if " " not in k), key=len, reverse=True)) + r")(?=\s+(?:de\s+|d')?[a-zà-ÿ])"
# PDF extraction glues a number to the word before it ("with14,593", "at least140,000", "Around1.6 million")
_GLUED = "|".join(rf"(?<=\b{w})" for w in ("with", "least", "around", "about", "between", "than", "over", "nearly",
                                           "almost", "some", "approximately", "estimated", "of", "to", "by"))
# (?=[\dzotf…]): the first characters a quantity can start with, so most word starts fail at once
_BODY = (rf"(?:(?P<vague>{_VAGUE})|(?P<num>{_DIGITS}){_SCALE}?|(?P<words>{_WORDS}){_SCALE}?|(?P<foreign>{_FOREIGN}))"
         r"(?![\w/]|[.,]\d|-(?!year|old|strong|member|plus|odd|\d)\w)")
CORE = re.compile(rf"(?:(?<![\w.,/$€£-])(?=[\dzotfsenhadmqcvu])|(?=\d)(?<=[a-z])(?:{_GLUED})){_BODY}", re.I)
CORE_LOW = rx.caseless(CORE)  # for lower-cased ASCII text (rx.lower_ascii)
DASHED = re.compile(rf"(?=\d){_BODY}", re.I)  # the second number of "10,000-15,000"
DASHED_LOW = rx.caseless(DASHED)
VAGUE = {  # value, low, high
    "dozens": (24, 24, 99), "scores": (40, 40, 99), "hundreds": (200, 200, 999), "thousands": (2000, 2000, 9999),
    "tens of thousands": (20_000, 20_000, 99_999), "hundreds of thousands": (200_000, 200_000, 999_999),
    "dozens of thousands": (24_000, 24_000, 99_999), "millions": (2_000_000, 2_000_000, None),
}
HEDGES = [  # (pattern written before the number, qualifier); first match wins, longest first
    (r"may\s+be\s+as\s+high\s+as|as\s+high\s+as|as\s+many\s+as|up\s+to|hasta", "up_to"),
    (r"at\s+least|no\s+fewer\s+than|no\s+less\s+than|not\s+less\s+than|a\s+minimum\s+of|por\s+lo\s+menos|"
     r"al\s+menos|au\s+moins", "at_least"),
    (r"more\s+than|over|upwards?\s+of|in\s+excess\s+of|above|exceeding|m[aá]s\s+de|plus\s+d(?:e|['’])|beyond",
     "more_than"),
    (r"less\s+than|fewer\s+than|under|below|menos\s+de|moins\s+de", "less_than"),
    (r"about|around|some|roughly|approximately|approx\.|an\s+estimated|estimated|nearly|almost|close\s+to|"
     r"circa|ca\.|an\s+approximate|approximate|alrededor\s+de|unas|unos|cerca\s+de|environ|pr[eè]s\s+de|"
     r"just\s+under|just\s+over|well\s+over", "approximately"),
]
# a hedge may be glued to the word before it ("displacedabout 4,400") and the number to the hedge ("least140,000")
HEDGE_BEFORE = re.compile(rf"(?:\b(?:{'|'.join(p for p, _ in HEDGES)})|(?<=[a-z])(?:about|around|nearly|approximately|"
                          rf"almost))\s*$", re.I)
HEDGE_KIND = [(re.compile(rf"^(?:{p})$", re.I), q) for p, q in HEDGES]
HEDGE_AFTER = re.compile(r"(?:\s*(?:or|and)\s+(?:more|over|above)\b|\+|-plus\b)", re.I)
PHONE = re.compile(r"\d{3}-\d{4}\b|\d+-\d+-\d")  # "375-6650", "800-555-1234"
YEARS = re.compile(r"(?:1[89]|20)\d\d-(?:(?:1[89]|20)?\d\d)\b")  # "2014-2015", "2014-15"
RANGE_TAIL = re.compile(r"\s*(?:-|–|—|to|and|or|a)\s*(?=\S)", re.I)
# "the toll has risen from 19 to 37": two counts, not a range
CHANGE_FROM = re.compile(r"\b(?:risen|rose|rises|rising|increased|increases|increasing|climbed|climbs|jumped|"
                         r"grown|grew|"
                         r"gone\s+up|went\s+up|dropped|drops|fell|fallen|decreased|declined|surged|soared)\s+"
                         r"(?:[\w-]+\s+){0,2}?from\s*$", re.I)
BETWEEN = re.compile(r"\b(?:between|from|de|entre)\s*$", re.I)


@dataclass
class Quantity:
    start: int
    end: int
    text: str
    value: int
    low: int | None
    high: int | None
    qualifier: str
    core_start: int
    core_end: int
    vague: bool = False
    decimal: bool = False
    bare_year: bool = False


def words_value(text: str) -> int | None:
    total, current, seen = 0, 0, False
    for tok in re.split(r"[\s-]+", text.lower()):
        if tok in ("and", ""):
            continue
        if tok in ("a", "an"):
            current = max(current, 1)
            continue
        if tok == "half":
            current = max(current, 1)
            continue
        if tok in WORD_VALUE:
            current += WORD_VALUE[tok]
            seen = True
        elif tok == "hundred":
            current = max(current, 1) * 100
            seen = True
        elif tok in ("thousand", "million", "billion", "dozen"):
            scale = SCALE[tok]
            current = max(current, 1) * scale
            if scale >= 1000:
                total += current
                current = 0
            seen = True
        else:
            return None
    if "half a million" in text.lower():
        return 500_000
    return total + current if seen else None


def digits_value(text: str) -> float:
    if rx.fullmatch(r"\d{1,3}(?:\.\d{3})+", text):
        text = text.replace(".", "")  # 2.000 (European thousands)
    clean = rx.sub(r"[,\s\u00a0\u202f\u2009']", "", text)
    return float(clean)


def _scale(text: str) -> int:
    m = rx.search(r"(million|billion|thousand|lakh|crore|mln|bn|mil|m|k)s?\s*$", text, re.I)
    return SCALE[m.group(1).lower()] if m else 1


def parse_core(m: re.Match) -> tuple[int, int | None, int | None, bool, bool] | None:
    """value, low, high, vague?, decimal-without-scale? of one CORE match."""
    text = m.group(0)
    if m.group("foreign"):
        key = rx.sub(r"\s+", " ", m.group("foreign").lower())
        if key in FOREIGN_VAGUE:
            value, low, high = FOREIGN_VAGUE[key]
            return value, low, high, True, False
        return FOREIGN[key], FOREIGN[key], FOREIGN[key], False, False
    if m.group("vague"):
        v = rx.sub(r"\s+", " ", m.group("vague").lower())
        if v in VAGUE:
            value, low, high = VAGUE[v]
            return value, low, high, True, False
        base = 12 if "dozen" in v else 100 if "hundred" in v else 1000 if "thousand" in v else 1_000_000
        if "hundred" in v and "thousand" in v:
            base = 100_000
        elif "dozen" in v and "thousand" in v:
            base = 12_000
        return 3 * base, 2 * base, 9 * base, True, False
    if m.group("num"):
        try:
            number = digits_value(m.group("num"))
        except ValueError:
            return None
        scale = _scale(text) if len(text) > len(m.group("num")) else 1
        decimal = scale == 1 and number != int(number)
        value = int(round(number * scale))
        return value, value, value, False, decimal
    value = words_value(m.group("words"))
    if value is None:
        return None
    if len(text) > len(m.group("words")):
        value *= _scale(text)
    return value, value, value, False, False


def find_quantities(text: str, start: int = 0, end: int | None = None) -> list[Quantity]:
    """Every quantity in text[start:end], hedges and ranges folded in; offsets into text."""
    end = len(text) if end is None else end
    out: list[Quantity] = []
    pos = start
    lowered = rx.lower_ascii(text)  # the groups' values do not depend on case; quantity_text is cut from text
    hay, core, dashed = (text, CORE, DASHED) if lowered is None else (lowered, CORE_LOW, DASHED_LOW)
    while True:
        m = core.search(hay, pos, end)
        if not m:
            break
        pos = m.end()
        parsed = parse_core(m)
        if parsed is None or (m.group("words") and not m.group("words").strip()):
            continue
        value, low, high, vague, decimal = parsed
        q = Quantity(m.start(), m.end(), text[m.start():m.end()], value, low, high, "vague" if vague else "exact",
                     m.start(), m.end(), vague, decimal)
        q.bare_year = bool(m.group("num") and rx.fullmatch(r"(?:1[89]|20)\d\d", m.group(0)))
        # range: "1,200-2,000", "between 250,000 and 300,000", "10 to 15"
        tail = RANGE_TAIL.match(text, m.end(), end)
        hyphen = text.startswith("-", m.end()) and text[m.end() + 1:m.end() + 2].isdigit()
        if hyphen and (vague or m.group("num") is None or YEARS.match(text, m.start(), end)
                       or PHONE.match(text, m.start(), end)):
            continue  # "2014-2015", "375-6650": no quantity, as before
        if tail and not vague and not CHANGE_FROM.search(text, max(start, m.start() - 40), m.start()):
            m2 = (dashed if hyphen else core).match(hay, tail.end(), end)
            joiner = tail.group(0).strip().lower()
            between = BETWEEN.search(text, max(start, m.start() - 12), m.start())
            if m2 and not m2.group("vague") and (joiner not in ("and", "or", "a") or between):
                p2 = parse_core(m2)
                if p2 and p2[0] > value and not p2[3]:
                    if _scale(m2.group(0)) > 1 and _scale(m.group(0)) == 1 and value < 1000:
                        value *= _scale(m2.group(0))  # "2 to 3 million"
                    if p2[0] > value:
                        q.end, q.core_end = m2.end(), m2.end()
                        q.text = text[q.start:q.end]
                        q.qualifier, q.value, q.low, q.high = "range", value, value, p2[0]
                        q.bare_year = False
                        if between and between.group(0).strip().lower() in ("between", "entre"):
                            q.start = between.start()
                            q.text = text[q.start:q.end]
                        pos = m2.end()
        if hyphen and q.qualifier != "range":
            continue  # "3-2", "1-0": two numbers joined by a hyphen that are no range
        if q.qualifier != "range":
            hedge = HEDGE_BEFORE.search(text, max(start, m.start() - 30), m.start())
            if hedge:
                phrase = rx.sub(r"\s+", " ", hedge.group(0).strip())
                for pattern, qual in HEDGE_KIND:
                    if pattern.match(phrase):
                        q.qualifier = qual
                        break
                q.start = hedge.start()
                q.text = text[q.start:q.end]
                q.bare_year = False
            elif HEDGE_AFTER.match(text, q.end, end):
                q.qualifier = "at_least"
            if q.qualifier in ("approximately",):
                q.low, q.high = value, value
                if vague:
                    q.qualifier = "vague"
            elif q.qualifier == "at_least":
                q.low, q.high = (low, high) if vague else (value, None)
                if vague:
                    q.qualifier = "vague"
            elif q.qualifier == "more_than":
                q.low, q.high = (low, high) if vague else (value, None)
                if vague:
                    q.qualifier = "vague"
            elif q.qualifier == "less_than":
                q.low, q.high = (None, value) if not vague else (low, high)
                if vague:
                    q.qualifier = "vague"
            elif q.qualifier == "up_to":
                q.low, q.high = (None, value) if not vague else (low, high)
                if vague:
                    q.qualifier = "vague"
        out.append(q)
    return out
