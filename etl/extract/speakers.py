"""The body behind a speaker's title: "a spokesman for X", "X's police chief", "Y, president of X" give X
(GUIDELINES 4.3). Pure phrase structure; orgs.csv only renames what it knows."""

from __future__ import annotations

import re

from etl.extract import rx

TITLES = (r"prime\s+minister|vice[\s-]president|gov\.?|"
          r"spokesm[ae]n|spokeswoman|spokeswomen|spokesperson|spokespeople|official|officials|officer|director|"
          r"director-general|director\s+general|chief|head|president|chairman|chairwoman|chair|secretary|"
          r"secretary-general|commissioner|commander|governor|mayor|administrator|coordinator|representative|"
          r"ambassador|envoy|minister|deputy|manager|superintendent|inspector|sheriff|captain|lieutenant|sergeant|"
          r"chief\s+executive|ceo|leader|member|source|sources|statement|report|communiqu[eé]|figures|data")
TITLE = re.compile(rf"\b(?:{TITLES})\b", re.I)
# "a spokesman for the Red Cross", "an official of X", "a source at X", "Y, president of X"
TITLE_OF = re.compile(rf"\b(?:{TITLES})\s+(?:of|for|at|with|from|in)\s+(?:the\s+)?(?P<body>(?-i:[A-Z]).*)$", re.I)
# "Haiti's Ambassador to the US", "Guangdong's police chief"
PLACE_TITLE = re.compile(rf"(?:^|,\s*)(?:the\s+)?(?P<place>[A-Z][\w.-]*(?:\s+[A-Z][\w.-]*){{0,3}})['’]s\s+"
                         rf"(?:[\w-]+\s+){{0,2}}?(?P<title>{TITLES})\b", re.I)
PERSON_OF = re.compile(r"^(?:(?:Dr|Mr|Mrs|Ms|Prof)\.?\s+)?[A-Z][\w'’.-]+(?:\s+[A-Z][\w'’.-]+){0,3}\s+(?:of|from|at)\s+"
                       r"(?:the\s+)?(?P<body>[A-Z][\w'’.&-]*(?:\s+(?:[A-Z][\w'’.&-]*|of|for|and))*)$")
BODY_NOUN = re.compile(r"\b(?:Hospital|Clinic|University|Institute|Agency|Office|Department|Ministry|Council|Committee|"
                       r"Commission|Authority|Society|Association|Union|Foundation|Centre|Center|Service|Services|"
                       r"Organi[sz]ation|Federation|Network|Group|Bureau|Board|Fund|Programme|Program|Red\s+Cross|"
                       r"Red\s+Crescent)\b")
APPOSED_TITLE = re.compile(rf",\s+(?:(?:a|an|the)\s+)?(?:[\w'’.-]+\s+){{0,3}}?(?:{TITLES})\b", re.I)
STATE_TITLES = re.compile(r"^(?:ambassador|envoy|president|prime\s+minister|minister|government|foreign\s+minister|"
                          r"vice\s+president|deputy|representative|governor|gov\b|mayor)", re.I)
# the words before a title name the body: "Kenai Police Chief", "U.S. Forest Service spokesman Rudy Evenson"
BODY_TITLE = re.compile(rf"^(?:(?:the|a|an)\s+)?(?P<body>[^,]+?)\s+(?:{TITLES})\b", re.I)
QUALIFIERS = re.compile(r"^(?:(?:local|senior|top|deputy|acting|assistant|zonal|regional|provincial|district|"
                        r"county|state|national|former|chief|press|public|information|media|a|an|the)\s+)+", re.I)
SERVICE = re.compile(r"\b(police|fire|sheriff|sheriff's)$", re.I)
COUNTRY_ABBREV = {"U.S.": "United States", "US": "United States", "U.K.": "United Kingdom", "UK": "United Kingdom",
                  "U.N.": "United Nations", "UN": "United Nations", "EU": "European Union"}
COUNTRY_NAMES = tuple(f"{name} " for name in COUNTRY_ABBREV.values())


def expand(name: str) -> str:
    """ "U.S. Forest Service" → "United States Forest Service": a leading country abbreviation written out."""
    m = rx.match(r"(U\.S\.|US|U\.K\.|UK|U\.N\.|UN|EU)\s+(?=[A-Z])", name)
    return COUNTRY_ABBREV[m.group(1)] + " " + name[m.end():] if m else name


def body_of(phrase: str, strip_places, demonyms=frozenset()) -> str | None:
    """The named body a titled speaker speaks for, or None when the title names no body."""
    phrase = phrase.strip(" ,\"“”")
    if not TITLE.search(phrase) and not rx.search(r"\s(?:of|from|at)\s", phrase):
        return None  # no title and no "X of Y": nothing to read
    m = TITLE_OF.search(phrase)
    if m:
        body = rx.sub(r"[,;].*$", "", m.group("body")).strip()
        body = rx.sub(r"^(?:the\s+)", "", body, flags=re.I)
        # "… Center in Washington": the body, not its seat
        body = rx.sub(r"\s+(?:in|at|based\s+in)\s+[A-Z][\w.-]*(?:\s+[A-Z][\w.-]*)*$", "", body)
        if not strip_places(body).strip() and STATE_TITLES.match(m.group(0)):
            return f"Government of {body}"  # "the Governor of Aceh", "the mayor of Kuching"
        if _named(body, strip_places, demonyms):
            return expand(body)
    m = PERSON_OF.match(phrase)
    if m and BODY_NOUN.search(m.group("body")) and _named(m.group("body"), strip_places, demonyms):
        return expand(m.group("body"))  # "Dr. Amina Yusuf of Maiduguri General Hospital"
    m = PLACE_TITLE.search(phrase)
    if m and not strip_places(m.group("place")).strip():
        place = m.group("place")
        if STATE_TITLES.match(m.group("title")) or rx.match(r"(?:ambassador|president|prime)",
                                                              phrase[m.start("title"):], re.I):
            return f"Government of {place}"
    m = BODY_TITLE.match(phrase)
    if m:
        if rx.match(r"['’]s\b", phrase[m.end():]):
            return None  # "the UN Resident Coordinator's Office": the title is not the head
        body = QUALIFIERS.sub("", m.group("body").strip(" ,") + " ").strip()
        body = rx.sub(r"(?:\s+(?:Special|Senior|Deputy|Principal|Chief|Executive|General|Additional|Joint|Assistant|"
                      r"Acting|Regional|Zonal))+$", "", body)  # "the DMD Special Secretary"
        if rx.search(r"\b(?:of|for|the|and|to)$", body, re.I):
            return None  # "the Office of the Prime Minister": the title is inside the name
        words = body.split()
        if not words or not any(w[:1].isupper() for w in words):
            return None
        if len(words) == 1 and not strip_places(body).strip() and STATE_TITLES.match(phrase[m.end("body"):].strip()):
            return f"Government of {body}"  # "Albay Gov. Al Bichara", "Kuching Mayor X"
        if SERVICE.search(body) and len(words) > 1 and words[0][:1].isupper():
            return expand(rx.sub(r"\b\w+$", lambda w: w.group(0).title(), body) + " Department")
        if len(words) == 1 and not rx.fullmatch(r"[A-Z][A-Z.&-]+", body):
            return None  # "Station Manager X": one capitalised word is no body's name
        if words[-1][:1].isupper() and _named(body, strip_places, demonyms) and len(words) <= 8:
            return expand(body)
    return None


def _named(body: str, strip_places, demonyms) -> bool:
    """A capitalised name that is more than a demonym ("Kurdish officials", "the Syrian army" name no body)."""
    words = rx.findall(r"[\w'’.&-]+", body)
    if not words or not words[-1][:1].isupper():
        return False
    caps = [w for w in words if w[:1].isupper() and w.lower() not in demonyms]
    return bool(caps) and (len(words) > 1 or bool(strip_places(body).strip()))
