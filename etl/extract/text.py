"""Text helpers: boilerplate lines, headline split, sentences with offsets, date-like spans."""

from __future__ import annotations

import re
from dataclasses import dataclass

from etl.extract import rx

BOILERPLATE = re.compile(
    r"^\s*(?:accessibility links|breaking news|skip to (?:main )?content|skip navigation|share(?: this)?(?: on \w+)?|"
    r"print|tweet|email|e-mail|facebook|twitter|whatsapp|linkedin|telegram|menu|search|sign in|log in|subscribe|"
    r"advertisement|related(?: news| stories| articles)?|read more|more stories|comments?|"
    r"follow us.*|cookies?.*|all rights reserved.*|copyright.*|©.*|photo:.*|image:.*|video:.*|slideshow.*)\s*$",
    re.I,
)
ABBREV = re.compile(
    r"(?:\b(?:[A-Z]\.)+|\b(?:Mr|Mrs|Ms|Dr|Prof|Gen|Maj|Col|Lt|Capt|Sgt|Gov|Sen|Rep|St|Mt|No|Nos|Jan|Feb|Mar|Apr|"
    r"Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|approx|est|vs|etc|Inc|Co|Corp|Ltd|al|Ave|Rd|p\.m|a\.m)\.)$"
)
SENT_END = re.compile(r"[.!?]+(?:[\"'”’)\]]*\s+|(?<=[a-z]{2}[.!?])(?=[A-Z][a-z]))|\n\s*\n+|\n(?=\s*[-•*])")
# (the second branch: "…, authorities said.The mudslides", sentences glued without a space)
MONTHS = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
          r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[uû]t|"
          r"septembre|octobre|novembre|d[ée]cembre|enero|febrero|marzo|abril|mayo|junio|julio|agosto|"
          r"septiembre|octubre|noviembre|diciembre)")
@dataclass
class Sentence:
    start: int
    end: int
    text: str
    headline: bool = False
    paragraph: int = 0


def boilerplate_end(text: str) -> int:
    """Offset after the leading boilerplate lines (menus, "Breaking News", share buttons)."""
    pos = 0
    for line in text.splitlines(keepends=True):
        if line.strip() and not BOILERPLATE.match(line):
            break
        pos += len(line)
        if pos > 2000:
            break
    return pos


CONTINUES = set("""
and or of the in to a an from by on at for with la le les de des du par et en el los las del y por para que
""".split())  # a line ending in one of these runs on into the next


def _split_lines(text: str, start: int, end: int):
    """Single newlines end a sentence when the line looks finished (PDF text wraps mid-sentence)."""
    pos = start
    for m in rx.finditer(r"\n", text[start:end]):
        cut = start + m.start()
        before = text[pos:cut].rstrip()
        after = text[cut + 1:end].lstrip()
        if not before:
            continue
        last = before[-1]
        nxt = after[:1]
        words = before.split()
        if rx.search(r"\d$", before) and not rx.match(r"\d", after):
            continue  # "321\nHouses\ndestroyed": a table cell runs on
        if last in ".!?:;\"”" or (nxt[:1].isupper() and last not in ",-" and words
                                  and words[-1].lower() not in CONTINUES
                                  and len(words) <= 14):
            yield pos, cut
            pos = cut + 1
    yield pos, end


def sentences(text: str, title: str | None = None, skip_to: int = 0) -> list[Sentence]:
    out: list[Sentence] = []
    head_end = -1
    if title:
        head_end = _title_end(text, title, skip_to)
    paragraph = 0
    for ps, pe in _paragraphs(text, skip_to):
        for ls, le in _split_lines(text, ps, pe):
            pos = ls
            if head_end > ls and head_end < le:
                # the headline runs into the body: split it off
                out.extend(_mk(text, pos, head_end, paragraph, headline=True))
                pos = head_end
            for m in SENT_END.finditer(text, pos, le):
                cut = m.start()
                if text[cut] == "." and "\n" not in m.group(0):
                    before = text[max(pos, cut - 20):cut + 1]
                    if ABBREV.search(before) and not nxt_is_new(text, m.end()):
                        continue
                out.extend(_mk(text, pos, m.end(), paragraph, headline=0 < head_end and pos < head_end))
                pos = m.end()
            out.extend(_mk(text, pos, le, paragraph, headline=pos < head_end and head_end > 0))
        paragraph += 1
    return out


def nxt_is_new(text: str, pos: int) -> bool:
    """After an abbreviation's period: a new sentence only if a capitalised function word follows."""
    m = rx.match(r"\s*[\"“]?(The|A|An|But|And|In|On|At|It|He|She|They|We|This|That|There|Meanwhile|However)\b",
                 text[pos:pos + 20])
    return bool(m)


def _mk(text, start, end, paragraph, headline=False):
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        yield Sentence(start, end, text[start:end], headline, paragraph)


def _paragraphs(text: str, skip_to: int):
    pos = skip_to
    for m in rx.finditer(r"\n\s*\n", text[skip_to:]):
        yield pos, skip_to + m.start()
        pos = skip_to + m.end()
    yield pos, len(text)


def _norm(s: str) -> str:
    return rx.sub(r"[^a-z0-9]+", " ", s.lower()).strip()


def _title_end(text: str, title: str, skip_to: int) -> int:
    """End offset of the title when the text starts with it (within the first 300 characters)."""
    want = _norm(title)
    if len(want) < 8:
        return -1
    window = text[skip_to:skip_to + 300 + len(title)]
    words = want.split()
    # walk the window's word tokens and find the title's words in sequence
    toks = [(m.start(), m.end(), m.group().lower()) for m in rx.finditer(r"[A-Za-z0-9]+", window)]
    for i in range(len(toks)):
        if toks[i][2] != words[0] or toks[i][0] > 300:
            continue
        j, k = i, 0
        while j < len(toks) and k < len(words) and toks[j][2] == words[k]:
            j += 1
            k += 1
        if k == len(words) or (k >= 6 and j < len(toks) and k >= len(words) - 2):
            end = toks[j - 1][1]
            rest = window[end:end + 3]
            end += len(rest) - len(rest.lstrip(".:!?"))
            return skip_to + end
    return -1


DATE_BEFORE = re.compile(rf"(?:\b(?:{MONTHS}|(?:jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\.),?\s+"
                         rf"(?:\d{{1,2}}(?:st|nd|rd|th)?\s*(?:-|–|and|to|&)\s*)?"
                         r"|\d[-/.:]|\b(?:19|20)\d\d\s*[-–/]\s*)$", re.I)
DATE_AFTER = re.compile(rf"(?:st|nd|rd|th)?(?:\s*(?:-|–|and|to|&)\s*\d{{1,2}}(?:st|nd|rd|th)?)?\s*(?:of\s+|de\s+)?"
                        rf"{MONTHS}\b|[-/.:]\d|\s*[ap]\.?m\b|\s*(?:h|hrs|gmt|utc|local\s+time)\b", re.I)


def is_date(text: str, start: int, end: int) -> bool:
    """Is the number at text[start:end] part of a date or a time ("24 December", "Dec. 24", "09:00")?"""
    if not rx.fullmatch(r"\d{1,2}(?:\s*(?:-|–|and|to|&)\s*\d{1,2})?|\d{4}", text[start:end].strip()):
        return bool(rx.match(r"[-/.:]\d", text[end:end + 2]))  # 474,000 is no day of the month
    return bool(DATE_BEFORE.search(text, max(0, start - 16), start) or DATE_AFTER.match(text, end, end + 24))
