"""Parenthetical citations: "(OCHA, 3 May)" closes the figures of its sentence or of its paragraph (GUIDELINES 4.5)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from etl.extract import rx

MONTHS = (r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|"
          r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?")
# "(OCHA, 3 May)", "(BNPB)": a name that starts with a capital, then perhaps a date ("(Source: X)" is a credit)
CITATION = re.compile(r"\(\s*(?P<credit>(?i:sources?|photo|credit)\s*:\s*)?"
                      r"(?P<name>[A-Z][\w.&'’/-]*(?:\s+(?:[A-Z][\w.&'’/-]*|of|for|the|and|on|de|du|des|la|le|del))*)"
                      r"\s*(?:[,;]\s*(?P<date>[^()]{1,30}?))?\s*\)")
DATE_LIKE = re.compile(rf"\d|\b(?:{MONTHS})\b", re.I)
NOT_A_NAME = re.compile(rf"^(?:{MONTHS}|monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|updated|"
                        r"photo|video|file|see|ibid|est|approx|pictured|above|below|left|right|note|for|by|"
                        r"courtesy|via|with|image|credit|from|in|at|on|and|or|but|not)\b", re.I)


# wire services and papers whose bare "(X)" tags a story: a credit or dateline, not a citation (GUIDELINES 4.4)
WIRES = re.compile(r"^(?:AFP|AP|UPI|AA|DPA|EFE|ANSA|PTI|IANS|ANI|UNI|KUNA|WAFA|SANA|IRNA|TASS|NNT|ST|BBC|CNN|VOA|"
                   r"IPS|MENA|APA|PNA|NAN|Xinhua|Reuters|Bernama|Kyodo|Yonhap|Antara|Anadolu|NEWSER|IRIN)$", re.I)


NONSPACE = re.compile(r"\S")


@dataclass
class Citation:
    start: int  # of the name inside the parenthesis
    end: int
    text: str
    span: tuple[int, int]  # the figures it closes lie in text[span[0]:span[1]]


def _looks_like_citation(m: re.Match) -> bool:
    name = m.group("name")
    if m.group("credit") or not name[:1].isupper() or NOT_A_NAME.match(name):
        return False  # "(Source: X)" credits the publisher
    date = m.group("date")
    if date is None:  # a bare "(BNPB)": an acronym that is no news wire
        return bool(rx.fullmatch(r"[A-Z][A-Z&-]{2,9}", name)) and not WIRES.match(name)
    return bool(DATE_LIKE.search(date)) and not WIRES.match(name)


def closing(text: str) -> list[Citation]:
    """Citations standing after the last sentence of a paragraph; each closes the figures since the paragraph
    began or since the citation before it. A bare "(X)" that ends the whole text is a credit, not a claim."""
    out: list[Citation] = []
    floor = 0
    for m in CITATION.finditer(text):
        if not _looks_like_citation(m):
            continue
        before = text[max(0, m.start() - 3):m.start()]
        after = text[m.end():m.end() + 4]
        if not rx.search(r"[.!?\"”’]\s*$", before) or not rx.match(r"\s|$", after) or \
                _spells(m.group("name"), text[max(0, m.start() - 120):m.start()]):
            continue  # inside a sentence, a dateline "(Reuters) -", or a name's acronym '"Northern Cyprus" (TRNC);'
        if m.group("date") is None and not NONSPACE.search(text, m.end()):
            continue  # "(ST)" under the text: the publisher's credit
        para = max(text.rfind("\n\n", 0, m.start()), _last_line_break(text, m.start()))
        begin = max(floor, para + 1 if para >= 0 else 0)
        out.append(Citation(m.start("name"), m.end("name"), m.group("name"), (begin, m.start())))
        floor = m.end()
    return out


def _last_line_break(text: str, pos: int) -> int:
    """The last newline before pos that ends a finished line (a wrapped PDF line is not a paragraph break)."""
    for m in reversed(list(rx.finditer(r"[.!?\"”):]\s*\n", text[:pos]))):
        return m.end() - 1
    return -1


def in_sentence(text: str, start: int, end: int) -> list[Citation]:
    """ "… 40 people died (BNPB, 3 May).", "displaced 90,000 people (UNHCR), mostly in …": a citation in
    parentheses covers the figures of its sentence (the nearest one when there are several). After a capitalised
    word it is an acronym ("the Arakan Army (AA)"), not a citation."""
    out = []
    for m in rx.finditer(r"\((?P<inner>[^()]{1,80})\)", text[start:end]):
        cm = CITATION.fullmatch(text, start + m.start(), start + m.end())
        if not cm or not _looks_like_citation(cm):
            continue
        prev = rx.search(r"([\w’'.-]+)\s*$", text[start:start + m.start()])
        after = text[start + m.end():start + m.end() + 4]
        if prev is None or prev.group(1)[:1].isupper() or rx.match(r"\s*[-–—:]", after):
            continue  # an acronym after its name, or a dateline "October 9 (BOR) –"
        if cm.group("date") is None and not NONSPACE.search(text, start + m.end()):
            continue  # "(WSJ)" under the text: the publisher's credit
        before = text[max(start, start + m.start() - 120):start + m.start()]
        if _spells(cm.group("name"), before):
            continue  # "internally displaced people (IDP)"
        if rx.search(r"[.!?\"”]?\s*$", text[start + m.end():end]).start() > 0 and \
                not rx.search(r"\d[\d,.]*(?:\s+[\w-]+){0,3}\s*$", before):
            continue  # inside the sentence a citation stands next to its number: "90,000 people (UNHCR)"
        out.append(Citation(cm.start("name"), cm.end("name"), cm.group("name"), (start, end)))
    return out


def _spells(acronym: str, before: str) -> bool:
    """Do the words before a parenthesis start with the acronym's letters ("internally displaced people (IDP)")?"""
    letters = acronym.replace(".", "").replace("&", "").lower()
    initials = [w[0].lower() for w in rx.findall(r"[^\W_]+", before)][-2 * len(letters):]
    if not letters.isalpha() or not initials or initials[-1] != letters[-1]:
        return False
    it = iter(initials)
    return all(c in it for c in letters)  # "water, sanitation and hygiene (WASH)", "non-food items (NFI)"


def spelt_name(name: str, acronym: str) -> str | None:
    """The last words of name whose initials spell acronym: "Giang Central Committee for Flood and Storm Control",
    "CCFSC" → "Central Committee for Flood and Storm Control"."""
    words = name.split()
    for i in range(len(words) - 1, -1, -1):
        if words[i][:1].isupper() and _spells(acronym, " ".join(words[i:])) and \
                words[i][0].lower() == acronym[0].lower():
            tail = " ".join(words[i:])
            if len([w for w in words[i:] if w[:1].isupper()]) >= len(acronym.replace(".", "")) - 1:
                return tail
    return None
