"""Who gives a figure: "X said", "according to X", headline sources, back-references, canonical names."""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass
from pathlib import Path

from etl.extract import citations, nations, rx, speakers

ORGS = Path(__file__).with_name("orgs.csv")
VERBS = (r"said|says|say|told|tells|reported|reports|report|estimated|estimates|estimate|documented|claims|"
         r"confirmed|confirms|announced|announces|stated|added|adds|noted|notes|counted|recorded|"
         r"claimed|tallied|quoted|cited|warned|warns|indicated|indicates|explained|put the toll|"
         r"put the death toll|puts the toll|put the number|puts the number|registered|verified|showed|"
         r"informed|declared|revealed|mentioned|wrote|tweeted|posted|has said|had said|has reported|had reported|"
         r"have said|have reported|have documented|has documented|said on|reported on|also said|later said|"
         r"said in a statement|said in a report|reported that|said that|reporting|saying|estimating|published|"
         r"has published|have published|tallied|listed|put the number")
VERB = re.compile(rf"\b(?=[a-z])(?:{VERBS})\b")  # (?=[a-z]): skip word ends and capitals fast
ACCORDING = re.compile(r"\b(?=\w)(?:according\s+to|citing|quoting|as\s+reported\s+by|reported\s+by|per(?!\s+cent)|"
                       r"data\s+from|based\s+on|"
                       r"(?:identified|recorded|registered|counted|verified|documented)\s+by|"
                       r"(?:identifi|recens|enregistr|registrad|contabilizad)\S*\s+(?:par|por)(?:\s+(?:la|le|les|el|los))?|"
                       r"figures\s+from|statistics\s+from|estimates\s+from|said\s+by|by\s+the\s+count\s+of|"
                       r"seg[uú]n|selon|d'apr[eè]s)\s+", re.I)
ACCORDING_LOW = rx.caseless(ACCORDING)  # for lower-cased ASCII text (rx.lower_ascii)
LOOSE_STOP = set("""
has have had is are was were will would said says say killed displaced fled reported estimated there here which
who that where when died en dans in on during from since between across until through following amid among within
over about around more nearly almost least up hundreds thousands dozens millions scores
tens several one two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty hundred
""".split())
NAME_PARTICLE = re.compile(r"(?:al|el|ad|as|ash|ar|az|an|at)-[A-Z][\w'’-]*|bin|ibn|bint|de|del|da|van|von|der|la|le")
TIME_WORDS = set("""
monday tuesday wednesday thursday friday saturday sunday mondays tuesdays wednesdays thursdays fridays saturdays
sundays january february march april may june july august september october november december today yesterday
tonight late early
""".split())
SENTENCE_ADVERBS = set("""
later earlier meanwhile also separately however but and yesterday today tonight monday tuesday wednesday thursday
friday saturday sunday wednesdays thursdays in on at last this updated
""".split())
AUX_BEFORE = re.compile(r"(?:\s+(?:has|have|had|also|previously|earlier|later|reportedly|further|again|separately|"
                        r"itself|is|are|was|were|had\s+previously|has\s+also|have\s+also|also\s+has|yesterday|"
                        r"today|tonight|on\s+(?:mon|tues|wednes|thurs|fri|satur|sun)day))+\s*$", re.I)
POSSESSIVE = re.compile(r"(?P<src>\b[A-Z][\w.&'-]*(?:\s+[A-Z][\w.&'-]*){0,5})['’]s\s+(?:latest\s+|new\s+|own\s+)?"
                        r"(?:figures|count|tally|data|report|estimates?|statistics|numbers|toll)\b")
NP_WORDS = set("""
the a an of for and at in on from local medical security state news agency agencies monitoring monitor group groups war
rights human activists activist sources source officials official spokesman spokeswoman spokesperson director head
chief minister ministry media residents resident witnesses witness medics medic doctors doctor rescuers rescue
workers worker authorities authority government army military police forces force opposition rebels rebel network
tv television channel office committee council organisation organization observatory coalition command reporter
correspondent correspondents reporters staff members member team teams volunteers volunteer civil defence defense
based
hospital hospitals health provincial district municipal regional national international humanitarian aid
relief team legal general deputy senior top unnamed anonymous independent pro-government pro-regime pro-opposition
british-based britain-based uk-based london-based activist-run opposition-run state-run government-run
observers observer journalists journalist colleague governor mayor commander commanders fighters administration
emergency services service department directorate command center centre unit units brigade brigades
documentation coordination committees reports report statement statements spokesmen
""".split())
# lowercase words that may sit inside a speaker's phrase ("San Bernardino County fire spokesman") without making
# it generic (so not in NP_WORDS, which _proper() discounts)
PHRASE_WORDS = NP_WORDS | set("""
fire county city disaster management forest weather interior affairs chiefs home foreign finance education environment
agriculture water energy irrigation labour labor social welfare transport works planning housing meteorological
meteorology geological seismological protection response risk reduction safety public migration immigration
""".split())
GENERIC_HEADS = set("""
activists activist sources source officials official residents resident witnesses witness medics medic doctors
doctor rescuers rescue workers worker authorities authority monitor ngo reports report media critics opposition
people people observers observer journalists journalist reporters correspondent correspondents staff volunteers
police army military government rebels rebel fighters commander commanders group groups hospital hospitals
teams team members member officer officers spokesman spokesperson spokeswoman agencies
""".split())
BACKREF = re.compile(r"^(?:the|this|that)\s+(?:[\w-]+\s+){0,3}?(?:monitor|observatory|group|organi[sz]ation|agency|"
                     r"ngo|network|committee|body|centre|center|ministry|office|channel|coalition|watchdog|story|"
                     r"report|tv|television|station|outlet|newspaper|paper|website|broadcaster|statement|"
                     r"news\s+agency)$", re.I)
SOURCE_BACKREF = re.compile(r"^(?:the|this|that|same)\s+(?:same\s+)?(?:source|sources|reporter|correspondent)$", re.I)
PRONOUN = re.compile(r"^(?:it|they|he|she)$", re.I)
INDEFINITE = re.compile(r"^(?:an?|one|two|three|several|some|many|other|unnamed|anonymous)\b", re.I)
DEMONYMS = set("""
syrian syrians russian russians turkish iranian iraqi kurdish lebanese american british french german israeli
jordanian saudi qatari emirati afghan yemeni libyan sudanese egyptian chinese western arab local foreign
palestinian u.s. us u.n. un european
""".split())
DESCRIPTORS = re.compile(r"^(?:the\s+)?(?:(?:britain|uk|london|u\.k\.|damascus|beirut|istanbul|turkey|us|u\.s\.)"
                         r"[- ]based|"
                         r"activist[- ]run|opposition[- ]run|state[- ]run|government[- ]run|opposition|"
                         r"pro-government|pro-regime|independent|monitoring\s+group|monitoring\s+group\s+the|"
                         r"monitor|group)\s+", re.I)


@dataclass
class Attribution:
    start: int
    end: int
    text: str
    org: str | None
    kind: str  # "named", "generic", "person", "backref"
    scope: str = ""  # "sentence": a closing citation covers every figure of it; "clause": "according to X"


@functools.lru_cache(maxsize=1)
def org_table() -> tuple[dict[str, str], re.Pattern]:
    table: dict[str, str] = {}
    with open(ORGS, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            canon = row["canonical"].strip()
            for alias in [canon] + row["aliases"].split("|"):
                alias = alias.strip()
                if alias:
                    table.setdefault(_norm(alias), canon)
    names = sorted(table, key=len, reverse=True)
    pattern = re.compile(r"(?<![\w.])(?:" + "|".join(re.escape(n) for n in names) + r")(?:['’]?s(?=\s))?(?![\w])")
    return table, pattern


# words of an alias that names no one body by itself ("Health Ministry", "civil defence", "State TV")
COMMON_ALIAS_WORDS = set("""
the of for and health interior ministry civil defence defense state news agency tv television media national disaster
disasters management authority official army government police command foreign affairs migration displacement
response force red crescent cross office department fire service services emergency general directorate council
commission board coordination committee local network reporter correspondent spokesman organization organisation
centre center mitigation relief rescue protection risk reduction meteorological agency
""".split())


@functools.lru_cache(maxsize=1)
def org_countries() -> tuple[dict[str, str], set[str]]:
    """canonical → ISO3 of a national body (orgs.csv `country`); the aliases too common to name it abroad."""
    countries: dict[str, str] = {}
    common: set[str] = set()
    with open(ORGS, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            iso3 = (row.get("country") or "").strip()
            if not iso3:
                continue
            countries[row["canonical"].strip()] = iso3
            for alias in [row["canonical"]] + row["aliases"].split("|"):
                words = alias.split()
                if words and all(w.lower() in COMMON_ALIAS_WORDS and not (w.isupper() and len(w) > 1) for w in words):
                    common.add(_norm(alias))
    return countries, common


def _norm(s: str) -> str:
    s = s.lower().replace("’", "'").replace("\ufffd", "'")
    s = rx.sub(r"\s+", " ", s).strip()
    if s.startswith("the "):
        s = s[4:]
    return s


@functools.lru_cache(maxsize=8192)
def canonical(text: str, country: str | None = None) -> str | None:
    """The canonical organisation named in text (longest alias), or None. A national body's alias does not
    apply when the text names another country ("Cuba's state news agency"), nor, for a common alias such as
    "Health Ministry", when the document is about another country."""
    if not text:
        return None
    table, pattern = org_table()
    text = rx.sub(r"[\"“”]", "", text)
    low = text.lower().replace("’", "'").replace("\ufffd", "'")
    best, best_end = None, -1
    homes, common = org_countries()
    named = ""  # the country the text names, looked up only for a national body's alias
    for m in pattern.finditer(low):
        alias = m.group(0)
        if alias not in table:
            alias = rx.sub(r"['’]?s$", "", alias)  # "SANAs correspondent"
            if alias not in table:
                continue
        # short all-caps aliases (UN, WHO, AP, IRC) must be written in capitals
        orig = text[m.start():m.start() + len(alias)]
        bare = orig.replace(".", "")
        if len(alias) <= 4 and bare.isalpha() and not bare.isupper() and \
                not (len(bare) == 4 and bare.istitle() and alias not in ("care", "reach", "fars", "orient")):
            continue  # "who", "un", "is" are words; "Sana" (Reuters' spelling of SANA) is not
        home = homes.get(table[alias])
        if home and named == "":
            named = nations.named_country(text)
        if home and ((named and named != home) or (not named and country != home and alias in common)):
            continue
        listed = best is not None and rx.search(r"\s(?:and|&)\s", low[best_end:m.start()])
        if best is None or (not listed and (m.start() + len(alias), len(alias)) > (best_end, len(best))):
            # "the UN monitoring group OCHA": the head names it; "Washington and Paris": the first one
            best, best_end = alias, m.start() + len(alias)
    defined = rx.search(r"\(([A-Z][A-Za-z.&-]{1,9})\)", text)  # "The United Nations Refugee Agency (UNHCR)"
    if defined and _norm(defined.group(1)) in table and best != _norm(defined.group(1)):
        got = table[_norm(defined.group(1))]
        home = homes.get(got)
        if not (home and nations.named_country(text) not in (None, home)):
            return got
    return table[best] if best else None


LISTED_NAME = re.compile(r"\b(?:Ministry|Department|Office|Commission|Council|Agency|Bureau|Authority|Institute|"
                         r"Organi[sz]ation|Minister|Secretary)\s+(?:of|for)\s+[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*$")


def subject_before(text: str, end: int, floor: int = 0) -> tuple[int, str] | None:
    """The noun phrase that ends at text[end] (the speaker of a following "said")."""
    toks = list(rx.finditer(r"[\w.'’&-]+|[^\w\s]", text[floor:end]))
    chosen = []
    for m in reversed(toks):
        w = m.group()
        lw = w.lower().strip(".'’")
        if w == "," and any(c.group() == "and" for c in chosen) and \
                LISTED_NAME.search(text, floor, floor + m.start()):
            continue  # "the Ministry of Water, Energy and Irrigation said"
        if not w[0].isalnum():
            break
        if w[0].isupper() or lw in PHRASE_WORDS or lw.endswith("-based") or lw in DEMONYMS or \
                rx.fullmatch(r"[A-Z.]+", w) \
                or NAME_PARTICLE.fullmatch(w):
            chosen.append(m)
            if len(chosen) >= 12:
                break
            continue
        break
    if not chosen:
        return None
    chosen.reverse()
    words = [c.group() for c in chosen]
    # drop leading function words and a run-in clause before a new determiner ("Aleppo the Syrian Observatory")
    cut = 0
    for i in range(1, len(words)):
        if words[i].lower() in ("the", "a", "an", "some", "many", "several") and \
                words[i - 1].lower() not in ("of", "at", "for", "in", "from",
                                                                                     "and", "with", "by", "on"):
            cut = i
    if cut > 0 and not canonical(" ".join(words[cut:])):
        first = next((i for i in range(cut) if words[i].lower() in ("the", "a", "an") or words[i][:1].isupper()), None)
        if first is not None and canonical(" ".join(words[first:cut])):
            cut = first  # "The Syrian Observatory for Human Rights a monitoring group based in the UK"
    for i in range(cut, len(words) - 1):
        lw = words[i].lower().strip(".")
        if lw in TIME_WORDS or (words[i][:1].isupper() and lw in ("meanwhile", "however", "moreover", "separately")):
            cut = i + 1  # "western Damascus on Thursday state news agency SANA", "... Meanwhile civil sources"
    while cut < len(words) and words[cut].lower() in ("of", "for", "and", "at", "in", "on", "from", "with"):
        cut += 1
    # a leading sentence adverb ("Later the source") is not part of the speaker
    while cut < len(words) - 1 and words[cut].lower() in SENTENCE_ADVERBS:
        cut += 1
    if cut >= len(words):
        return None
    # trailing function words are not a speaker ("...in the")
    last = len(words)
    while last > cut and (words[last - 1].lower() in ("the", "a", "an", "of", "for", "and", "at", "in", "on", "from")
                          or words[last - 1].lower().strip(".") in TIME_WORDS):
        last -= 1  # "Civil Defence officials on Thursday" → "Civil Defence officials"
    if last <= cut:
        return None
    start = floor + chosen[cut].start()
    stop = floor + chosen[last - 1].end()
    phrase = text[start:stop]
    low = phrase.lower()
    if low in ("it", "he", "she", "they", "we", "i", "you", "this", "that") and low != "it":
        return None
    if not any(c.isalpha() for c in phrase):
        return None
    return start, phrase


def object_after(text: str, start: int, limit: int, loose: bool = False) -> tuple[int, str] | None:
    """The noun phrase starting at text[start] ("according to local sources", "said the U.N.")."""
    table, pattern = org_table()
    seg = text[start:limit]
    low = seg.lower()
    m = pattern.match(low)
    if not m:
        mm = rx.match(r"(?:the\s+)?", low)
        m2 = pattern.match(low, mm.end()) if mm else None
        if m2:
            m = m2
    toks = list(rx.finditer(r"[\w.'’&-]+(?:/[\w.'’&-]+)*|[^\w\s]", seg))
    chosen = []
    stops = {"on", "that", "who", "which", "when", "while", "after", "as", "since", "in", "at", "during", "to",
             "about", "with", "by", "but", "and", "or", "last", "this", "yesterday", "today", "earlier", "late",
             "early", "told"}
    for i, t in enumerate(toks):
        w = t.group()
        lw = w.lower().strip(".'’")
        if m and t.start() < m.end():
            chosen.append(t)
            continue
        if w in ("\"", "“", "”") and chosen and i + 1 < len(toks) and toks[i + 1].group()[:1].isupper():
            continue
        if chosen and lw in ("the", "a", "an") and chosen[-1].group().lower() not in ("of", "for", "at", "in", "and",
                                                                                     "by", "from", "with") and \
                not (m and t.start() < m.end()):
            break  # "said the Sana news agency the coalition's strikes hit"
        if not w[0].isalnum():
            break
        if chosen and (lw in stops and not (lw in ("of", "for", "at", "in", "and")
                                            and i + 1 < len(toks) and toks[i + 1].group()[:1].isupper()
                                            and lw != "in")):
            break
        if lw in stops and not chosen:
            if lw in ("the",):
                chosen.append(t)
                continue
            break
        if loose and chosen and (lw in LOOSE_STOP or w[0].isdigit()):
            break
        if w[0].isupper() or lw in PHRASE_WORDS or lw.endswith("-based") or lw in DEMONYMS or lw in ("its", "their") \
                or (loose and w[0].isalpha() and len(chosen) < 8):
            chosen.append(t)
            if len(chosen) >= 14:
                break
            continue
        break
    while chosen and chosen[-1].group().lower() in ("the", "a", "an", "of", "for", "and", "at", "in"):
        chosen.pop()
    if not chosen:
        return None
    s, e = start + chosen[0].start(), start + chosen[-1].end()
    phrase = text[s:e].rstrip(".")
    if phrase.endswith(".") or text[s:e].endswith("."):
        pass
    return s, phrase


NOT_REPORTING = re.compile(r"\s+(?:the\s+|some\s+|at\s+least\s+|more\s+than\s+)?(?:[\w,.-]+\s+)?(?:lives|victims)\b",
                           re.I)
NOUN_BEFORE = re.compile(r"\b(?:(?i:the|a|an|its|their|his|her|later|latest|initial|early|earlier|first|new|recent|"
                         r"preliminary|unconfirmed|official|media|press|news|local|some|other|several)|[A-Z]{2,}|"
                         r"[A-Z][a-z]+['’]s)\s+(?:[A-Z][\w-]*\s+)?$")
# "according to data gathered by IOM", "according to figures from the ministry": the body behind the document
DOC_BY = re.compile(r"(?:(?:the|a|an)\s+)?(?:(?:latest|new|recent|official|initial|preliminary|updated|final)\s+)*"
                    r"(?:data|figures|statistics|estimates?|reports?|records|recommendations|information|numbers|"
                    r"statement|assessment|tally|count)\s+(?:\w+\s+)?(?:by|from|of)\s+", re.I)
NO_SPEAKER = re.compile(r"^(?:(?:the|a|an)\s+)?(?:(?:latest|new|recent|official|initial|preliminary|updated|final|"
                        r"available|current)\s+)*(?:latest|data|figures|statistics|estimates?|records|numbers|"
                        r"information|the\s+field)$", re.I)
DOC_AFTER_NAME = re.compile(r"(?:(?:the|a|an)\s+)?(?:(?:latest|new|recent|official|initial|preliminary|updated|"
                            r"final|first|last)\s+)*"
                            r"(?P<name>(?:[\w.&'’-]+\s+)*?(?-i:[A-Z])[\w.&'’-]*)(?:['’]s)?\s+"
                            r"(?:report|reports|figures|data|statement|estimates?|statistics|tally|count|"
                            r"assessment|update|bulletin)", re.I)
OUTLET_NAME = re.compile(r"\b(?:news\s+agency|agency|broadcaster|newspaper|daily|channel|television|tv|radio|"
                         r"outlet|website|paper|network)\s+(?P<name>[A-Z][\w.'’&-]*(?:\s+[A-Z][\w.'’&-]*){0,3})$")
TITLED_BODY = re.compile(r"\b(?:Department|Ministry|Office|Agency|Institute|Council|Commission|Authority|Bureau|"
                         r"Services?|Directorate|Administration|Committee|Centre|Center|Organi[sz]ation|Board|"
                         r"Society|Federation|Union|Association|Foundation|Health|Human|Defence|Defense|Emergency|"
                         r"Management|Disaster|Civil|Affairs|Interior|National|Protection|Relief|Welfare)\b")
SEAT = re.compile(r"\s+(?:in|at|based\s+in)\s+(?:the\s+)?[A-Z][\w.-]*(?:\s+[A-Z][\w.-]*)*$")
PRONOUN_END = re.compile(r"(?:^|[\s,\"”])(it|he|she|they)\s*$", re.I)
ACRONYM_END = re.compile(r"\s\([A-Z][\w.&-]{1,9}\)\s*$")
CLAUSE_VERB = re.compile(r"\b(?:is|are|was|were|has|have|had|will|would|can|could|that|which|who|when|while)\b|\d",
                         re.I)
APPOSITION = re.compile(rf",\s+(?P<app>(?:(?:a|an|the)\s+)?(?:[A-Z][\w.-]*['’]s\s+)?(?:[\w.'’-]+\s+){{0,3}}?"
                        rf"(?:{speakers.TITLES})\b[^,.;:\"“”()]{{0,100}}?)(?=\s*(?:[,.;:\"“”]|$))", re.I)


def _clause_subject(text: str, start: int, verb_start: int) -> tuple[int, str] | None:
    """ "The UN Office for … (OCHA) in the occupied territories said": a clause that is one named body."""
    cut = max(text.rfind(c, start, verb_start) for c in ",;:\"“”")
    lo = max(start, cut + 1)
    lo += len(text[lo:verb_start]) - len(text[lo:verb_start].lstrip())
    clause = text[lo:verb_start].rstrip()
    if not clause[:1].isupper() or len(clause.split()) > 16 or CLAUSE_VERB.search(clause) or not canonical(clause):
        return None
    return lo, clause


def _with_apposition(text: str, got: tuple[int, str], limit: int) -> tuple[int, str]:
    """ "said Jane Doe, president of the X Union." keeps the apposition that says whom she speaks for."""
    acr = rx.match(r"\s*\([A-Z][\w.&-]{1,9}\)", text[got[0] + len(got[1]):limit])
    if acr:  # "the Central Committee for Flood and Storm Control (CCFSC)"
        got = got[0], text[got[0]:got[0] + len(got[1]) + acr.end()]
    m = APPOSITION.match(text, got[0] + len(got[1]), limit)
    if m:
        return got[0], text[got[0]:m.end("app")]
    return got


def find_attributions(text: str, start: int, end: int) -> list[Attribution]:
    """Attributions inside text[start:end]; org/kind are classified later by classify()."""
    out: list[Attribution] = []
    lowered = rx.lower_ascii(text)
    for m in (ACCORDING.finditer(text, start, end) if lowered is None else ACCORDING_LOW.finditer(lowered, start, end)):
        doc = DOC_BY.match(text, m.end(), end)
        got = object_after(text, doc.end() if doc else m.end(), end, loose=True)
        if got and NO_SPEAKER.match(got[1]):
            continue  # "according to records", "as per latest": no speaker (GUIDELINES 4.3)
        if got:
            got = _with_apposition(text, got, end)
            out.append(Attribution(got[0], got[0] + len(got[1]), got[1], None, "", "clause"))
    for m in VERB.finditer(text, start, end):
        verb = m.group(0).lower()
        if verb.startswith("claim") and NOT_REPORTING.match(text, m.end(), end) or \
                verb in ("reports", "report", "estimates", "estimate", "claims", "figures", "statement") and \
                NOUN_BEFORE.search(text, max(start, m.start() - 30), m.start()):
            continue  # "Typhoon X has claimed 13 lives", "Later reports suggest", "the MKN report"
        verb_start = m.start()
        aux = AUX_BEFORE.search(text, max(start, verb_start - 40), verb_start)
        if aux:
            verb_start = aux.start()
        before = text[start:verb_start]
        tail = before[-16:]  # the words just before the verb (a search anchored at the end is slow on long text)
        inv = rx.search(r"[,\"”'’]\s*$", tail) or not before.strip()
        subj = None
        cut = len(before) - len(tail)
        pron = PRONOUN_END.search(tail)
        if pron and pron.start(1) == 0 and cut > 0 and before[cut - 1].isalnum():
            pron = None  # the tail began inside a word
        if pron:
            if not rx.search(r"\b(?:is|was|were|are|been|be)\b", text[verb_start:m.start()], re.I):
                pos = start + cut + pron.start(1)
                subj = (pos, pron.group(1))  # "…,” it said"; not "it was reported"
        elif ACRONYM_END.search(tail):  # "Nigeria's … Agency (NEMA) said"
            paren = start + before.rstrip().rfind("(")
            subj = subject_before(text, paren, start)
            subj = subj and (subj[0], text[subj[0]:start + len(before.rstrip())])
        elif not rx.search(r"[,\"”]\s*$", tail):
            subj = subject_before(text, verb_start, start) or _clause_subject(text, start, verb_start)
        else:
            # "X, which has researchers across the country, said": skip a relative clause or an apposition
            rel = rx.search(r"([\w.'’&-]+(?:\s+[\w.'’&-]+){0,8}),\s+(?P<kind>which|who|a|an|the|including|"
                            r"among\s+them|like|such\s+as|[\w'’-]+)\b[^,]{0,120},\s*$", before)
            if rel:
                subj = subject_before(text, start + rel.end(1), start)
                kind = rel.group("kind").lower()
                if subj and kind in ("including", "like", "such as", "among them"):
                    # "local groups, including the Syrian Observatory, estimated": the whole phrase speaks
                    stop = start + len(before.rstrip().rstrip(","))
                    subj = (subj[0], text[subj[0]:stop])
                elif subj and kind not in ("which", "who") and not canonical(subj[1]):
                    # "Sheikh X, spokesman for the camp's refugees, told": name plus apposition
                    stop = start + len(before.rstrip().rstrip(","))
                    whole = text[subj[0]:stop]
                    if canonical(whole) or speakers.TITLE_OF.search(whole) or speakers.PLACE_TITLE.search(whole):
                        subj = (subj[0], whole)
        if subj:
            out.append(Attribution(subj[0], subj[0] + len(subj[1]), subj[1], None, ""))
            continue
        if m.group(0).lower() in ("told", "tells", "informed"):
            continue  # "X told VOA": VOA is the listener
        if inv or m.group(0).lower() in ("said", "says", "reported", "added", "stated", "announced"):
            obj_start = m.end()
            obj_start += len(text[obj_start:end]) - len(text[obj_start:end].lstrip())
            got = object_after(text, obj_start, end)
            got = got and _with_apposition(text, got, end)
            if got and (got[1][:1].isupper() or got[1].lower().startswith("the ")) and \
                    not rx.match(r"(?:on|in|at|this|last|that)\b", got[1], re.I) and \
                    (inv or canonical(got[1]) or BODY_WORDS.search(got[1]) or
                     rx.search(r"\b(?:sources?|activists?|officials?|monitor|witness(?:es)?|medics?)$", got[1])):
                out.append(Attribution(got[0], got[0] + len(got[1]), got[1], None, ""))
    possessive = POSSESSIVE.finditer(text, start, end) if rx.search(r"['’]s\b", text[start:end]) else ()
    for m in possessive:
        if canonical(m.group("src")) or BODY_WORDS.search(m.group("src")):
            out.append(Attribution(m.start("src"), m.end("src"), m.group("src"), None, ""))
    for cite in citations.in_sentence(text, start, end):
        if not any(a.start <= cite.start < a.end for a in out):
            out.append(Attribution(cite.start, cite.end, cite.text, None, "", "sentence"))
    out.sort(key=lambda a: a.start)
    dedup: list[Attribution] = []
    for a in out:
        if dedup and a.start < dedup[-1].end:
            continue
        dedup.append(a)
    return dedup


CLAUSE_SEP = re.compile(r",\s*(?:while|whereas|but)\b|;")


def _paren(text: str, pos: int) -> int:
    """Where the parenthesis around pos opens, or -1 when pos is not inside one."""
    lo = max(0, pos - 300)
    if text.rfind("(", lo, pos) < 0:
        return -1
    depth = 0
    for i in range(pos - 1, lo - 1, -1):
        c = text[i]
        if c == ")":
            depth += 1
        elif c == "(":
            if depth == 0:
                return i
            depth -= 1
        elif c in ".!?\n" and depth == 0 and text[i + 1:i + 2].isspace():
            break
    return -1


def nearest(atts: list[Attribution], text: str, start: int, end: int) -> Attribution | None:
    """The attribution of the figure text[start:end]: a source named inside a parenthesis speaks only for the
    numbers in it ("killed 40 (the Red Cross says 45)"); a citation closing the sentence covers all of it."""
    where = _paren(text, start)
    same = [a for a in atts if a.scope == "sentence" or _paren(text, a.start) == where]
    if not same:
        if where < 0:
            return None
        same = [a for a in atts if _paren(text, a.start) < 0]
    if not same:
        return None

    def distance(a: Attribution) -> int:
        lo, hi = (a.end, start) if a.end <= start else (end, a.start)
        apart = abs(hi - lo)
        # "Reuters puts the number at 60, while Al Jazeera notes it's 70": not across a clause
        return apart + (500 if CLAUSE_SEP.search(text, min(lo, hi), max(lo, hi)) else 0)
    return min(same, key=distance)


GENERIC_MODIFIERS = set("""
local medical security military civil opposition activist activists state official government regime rebel
pro-government pro-regime kurdish syrian arab western foreign independent witness witnesses hospital news
""".split())
ROLE_WORDS = (r"\b(?:secretary|activist|spokesman|spokeswoman|spokesperson|director|chief|head|reporter|"
              r"correspondent|journalist|"
              r"doctor|resident|witness|commander|official|governor|mayor|minister|envoy|president|leader)\b")
MONITORS = {"Syrian Observatory for Human Rights", "Syrian Network for Human Rights", "Violations Documentation Center",
            "Local Coordination Committees", "Airwars", "ACLED", "IDMC", "Syrian Response Coordination Group",
            "Human Rights Watch", "Amnesty International", "Physicians for Human Rights"}


def _antecedent(phrase: str, history: list[str]) -> str | None:
    """The organisation a definite back-reference ("the monitor", "the group") points to."""
    if not history:
        return None
    if rx.search(r"\b(?:monitor|observatory|watchdog|monitoring)\b", phrase, re.I):
        for org in reversed(history):
            if org in MONITORS:
                return org
    return history[-1]


BODY_WORDS = re.compile(
    r"\b(?:ministry|ministries|committee|committees|council|agency|office|network|organi[sz]ation|tv|television|"
    r"channel|news|media|command|center|centre|coalition|observatory|government|authority|authorities|department|"
    r"directorate|unit|society|association|union|federation|fund|programme|program|crescent|cross|group|commission|"
    r"court|police|army|forces|radio|website|newspaper|daily|times|post|press|agence|service|services|institute|"
    r"foundation|movement|front|brigade|brigades|corps|administration|governorate|municipality|hospital|monitor|"
    r"coordinators|bureau|board|league|party|initiative|project|mission|cluster|team|helmets|defence|defense|force|"
    r"guard|navy|marines|police|council|ministry|secretariat|authority|agency|commission|observatory|centre|"
    r"headquarters|institution|inspectorate|survey|bank|university|red\s+crescent|company|corporation|division)\b",
    re.I,
)


def classify(att: Attribution, history, last_source_org: str | None, strip_places=None,
             speaker: Attribution | None = None, country: str | None = None) -> Attribution:
    """Fill org and kind: named body → canonical; generic speaker or person → None; back-reference → earlier org.
    speaker is the last attribution before this one: "he", "she" and "they" stand for it; country is the
    document's (ISO3), for names that need it ("the Health Ministry")."""
    phrase = att.text.strip()
    low = phrase.lower()
    strip_places = strip_places or (lambda text: text)
    doc = DOC_AFTER_NAME.fullmatch(phrase)
    if doc:  # "the MKN report", "SINAPRED figures": the body that wrote it
        inner = classify(Attribution(att.start, att.end, doc.group("name"), None, ""), history, last_source_org,
                         strip_places, speaker, country)
        att.org, att.kind = inner.org, inner.kind
        return att
    if isinstance(history, str) or history is None:
        history = [history] if history else []
    org = canonical(SEAT.sub("", phrase), country)  # "officials in Washington" are no US government
    if SOURCE_BACKREF.match(low):
        att.org, att.kind = last_source_org, "backref"
        return att
    lower_desc = all(not w[:1].isupper() or w.lower().endswith("-based") for w in phrase.split()[1:])
    if PRONOUN.match(low) and speaker is not None and (low != "it" or not history):
        att.text, att.org, att.kind = speaker.text, speaker.org, speaker.kind  # a pronoun is its antecedent
        return att
    title = rx.fullmatch(rf"the\s+(?:[\w-]+\s+)?({speakers.TITLES})", low)
    if title and speaker is not None and title.group(1) in speaker.text.lower():
        att.org, att.kind = speaker.org, speaker.kind  # "The Commissioner" after "the County Commissioner said"
        return att
    if (BACKREF.match(low) and (org or lower_desc)) or PRONOUN.match(low):
        att.org, att.kind = (org or _antecedent(phrase, history)), "backref"
        return att
    src = rx.search(r"\bsources?\s+(?:at|in|from|with|within|inside|close\s+to)\s+(?:the\s+)?(?P<body>.+)$", phrase,
                    re.I)
    if src:
        body = src.group("body")
        if org:
            att.org, att.kind = org, "named"
        elif body[:1].isupper() and (_proper(body, strip_places) or BODY_WORDS.search(body)):
            att.org, att.kind = body, "named"
        else:
            att.org, att.kind = None, "generic"
        return att
    if rx.search(r"\b(?:witness|witnesses|eyewitness|eyewitnesses|resident|residents)$", low):
        att.org, att.kind = None, "generic"  # "a Reuters witness" speaks for no body (GUIDELINES 4.3)
        return att
    body = speakers.body_of(phrase, strip_places, DEMONYMS)
    own = body and canonical(body)
    if own and body.startswith(speakers.COUNTRY_NAMES) and own == canonical(" ".join(body.split()[:2])):
        org = own = None  # "U.S. Forest Service spokesman": the country only qualifies the body's name
    if body and (own or body.startswith("Government of ")):
        org = own or body  # "X, Peru's ambassador to the UN" speaks for Peru
    if org:
        att.org, att.kind = org, "named"  # "an IOM spokesman", "a Britain-based war monitor"
        return att
    if body:
        att.org, att.kind = own or body, "named"  # "Kenai Police Chief X", "a spokesman for X"
        return att
    built = nations.government(phrase) or \
        (nations.ministry(phrase, country, strip_places) if rx.search(r"\bminist(?:ry|er)\b", phrase, re.I) else None)
    if built:  # "the Taiwanese government", "the Defense Ministry" in a story about Serbia
        att.org, att.kind = canonical(built) or built, "named"
        return att
    owned = OWNED_BODY.fullmatch(phrase)
    if owned and not strip_places(owned.group("owner")).strip():  # "Guangdong's civil affairs department"
        words = " ".join(w[:1].upper() + w[1:] for w in owned.group("words").split() + [owned.group("head")])
        att.org, att.kind = f"{owned.group('owner')} {words}", "named"
        return att
    if speakers.APPOSED_TITLE.search(phrase):
        att.org, att.kind = None, "person"  # "Jane Doe, director of the town's housing office": no named body
        return att
    if INDEFINITE.match(low) and not _proper(phrase, strip_places):
        att.org, att.kind = None, "generic"
        return att
    words = rx.findall(r"[\w'’.-]+", phrase)
    head = words[-1].lower().strip(".") if words else ""
    before_head = words[-2].lower() if len(words) > 1 else ""
    titled = len(TITLED_BODY.findall(phrase)) >= 2 or _capitalised_body(phrase)  # "the Department of Health …"
    if not rx.search(r"[A-Z]", SEAT.sub("", phrase)[1:]):
        att.org, att.kind = None, "generic"  # "the center in Pearl Harbor"
        return att
    if not titled and not _proper(phrase, strip_places) or (head in GENERIC_HEADS and not BODY_WORDS.search(head)) or \
            (head in GENERIC_HEADS | {"media", "sources", "reports"} and before_head in GENERIC_MODIFIERS):
        att.org, att.kind = None, "generic"  # "Al Tabqah local media", "Regime media"
        return att
    if words and words[-1][:1].isupper() and rx.search(ROLE_WORDS, phrase, re.I) and \
            not rx.search(r"\b(?:ministry|agency|committee|council|office|observatory|network|organi[sz]ation)\b",
                          phrase, re.I):
        att.org, att.kind = None, "person"  # "media activist Musafa Abu Mohammad"
        return att
    acronym = rx.fullmatch(r"(?:the\s+)?([A-Z]{3,8})(?:['’]s)?", phrase)
    if acronym and not strip_places(acronym.group(1)).isspace():
        att.org, att.kind = acronym.group(1), "named"  # "ONEMI", "the FDMA": an agency by its acronym
        return att
    if not BODY_WORDS.search(phrase):
        att.org, att.kind = None, "person"  # "Osama Said, a media activist": a person, not a body
        return att
    outlet = OUTLET_NAME.search(phrase)
    if outlet:
        att.org, att.kind = outlet.group("name"), "named"  # "the state-run news agency Bernama"
        return att
    acronym = rx.search(r"\b([A-Z]{3,8})\s+(?:news\s+)?agency\b", phrase)
    if acronym:
        att.org, att.kind = acronym.group(1), "named"  # "the official SUNA news agency"
        return att
    name = DESCRIPTORS.sub("", phrase)
    name = DESCRIPTORS.sub("", name)
    name = rx.sub(r"^(?:the|a|an)\s+", "", name, flags=re.I).strip(" \"“”")
    spelt = rx.search(r"\(([A-Z][A-Za-z.&-]{1,9})\)$", name)
    if spelt:  # "… Yen Bai Description Central Committee for Flood and Storm Control (CCFSC)": the words it spells
        name = citations.spelt_name(name[:spelt.start()].strip(), spelt.group(1)) or name[:spelt.start()].strip()
    own = rx.match(r"([A-Z][\w.-]*(?:\s+[A-Z][\w.-]*)?)['’]s\s+(?=[A-Z])", name)
    if own and not strip_places(own.group(1)).strip():
        name = own.group(1) + " " + name[own.end():]  # "China's National Commission for …"
    att.org, att.kind = (name or phrase), "named"
    return att


def _capitalised_body(phrase: str) -> bool:
    """ "the Sudan Doctors Network": three or more capitalised words ending in a body's word name a body, even when
    each word alone is a place or a common noun."""
    words = rx.sub(r"^(?:the|a|an)\s+", "", phrase.strip(), flags=re.I).split()
    caps = [w for w in words if w not in ("of", "for", "and", "the", "in", "on") and not w.endswith("-based")]
    return len(caps) >= 3 and all(w[:1].isupper() for w in caps) and bool(BODY_WORDS.fullmatch(words[-1]))


def _proper(phrase: str, strip_places) -> bool:
    """Does the phrase name a body: a capitalised word that is not a demonym, a place or a common noun?"""
    words = rx.findall(r"[\w'’.&-]+", strip_places(phrase))
    lookup = nations.table()[1]
    caps = [w for w in words if w[:1].isupper() and w.lower() not in DEMONYMS and w.lower() not in lookup
            and w.lower() not in ("the", "a", "an")
            and not w.lower().endswith("-based") and w.lower().strip(".") not in NP_WORDS]
    # "Syrias" (Syria's without its apostrophe) is a place too
    caps = [w for w in caps if not (w.endswith("s") and not strip_places(w[:-1]).strip())]
    return bool(caps)


# a body a named place owns, written in lower case: a named body (GUIDELINES 4.3), named "Guangdong Civil Affairs
# Department"
OWNED_BODY = re.compile(r"(?:the\s+)?(?P<owner>[A-Z][\w.-]*(?:\s+[A-Z][\w.-]*){0,2})['’]s?\s+"
                        r"(?P<words>(?:[a-z][\w-]*\s+){1,4}?)(?P<head>department|agency|office|bureau|authority|"
                        r"commission|directorate|administration|service|committee|council)")
HEADLINE_SOURCE = re.compile(r"(?:[:\-–—]\s*|\s)(?P<src>NGO|monitor|activists|UN|U\.N\.|WHO|UNHCR|OCHA|UNICEF|ICRC|"
                             r"IOM|SOHR|observatory|Observatory|state media|State media|state TV|officials|"
                             r"sources|report|medics|rescuers|witnesses|police|army|ministry|Ministry|media)\s*[.!]?$")


def headline_source(sentence: str) -> tuple[int, str] | None:
    m = HEADLINE_SOURCE.search(sentence)
    if m:
        return m.start("src"), m.group("src")
    return None
