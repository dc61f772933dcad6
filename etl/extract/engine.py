"""Text → figures: quantities, their metric, who claims them, where and when (CONTRACT.md)."""

from __future__ import annotations

import os
import re

from etl.extract import attribution as attr
from etl.extract import citations, dates, metrics, rx, whereabouts
from etl.extract.flags import guesses
from etl.extract.numbers import Quantity, find_quantities
from etl.extract.text import Sentence, boilerplate_end, is_date, sentences
from etl.model import CONTRACT_FIELDS, Document
from etl.places import Place

NOT_COUNT_AFTER = re.compile(
    r"\s*(?:%|percent\b|per\s*cent\b|pc\b|°|(?:-|\s)?(?:years?|yrs?|months?|weeks?|days?|hours?|hrs?|minutes?|mins?|"
    r"seconds?|km|kms|kilomet\w+|miles?|metres?|meters?|m2|sq|square|ha|hectares?|acres?|kg|kilos?|tons?|tonnes?|"
    r"mm|cm|inches|feet|ft|degrees?|times|fold|dollars?|euros?|usd|us\$|pounds?|lira|liras|yuan|riyals?|francs?|"
    r"cents?|bpd|mw|gw)\b|-year|-month|-day|-km|-mile|-strong|\s*(?:st|nd|rd|th)\b|:\d|/\d|\s*[½¼¾])",
    re.I,
)
NOT_COUNT_BEFORE = re.compile(
    r"(?:[$€£¥]|\b(?:us\$|usd|eur|aged|age|ages|no\.|number|nos\.|resolution|route|highway|article|chapter|section|"
    r"page|pages|vol\.|room|flight|platoon|brigade|division|unit|phase|level|grade|class|category|decree|law|item|"
    r"views|comments|shares|likes|reads|tweet|print|"
    r"point|paragraph|annex|table|figure|fig\.|under-|over-)\s*)$",
    re.I,
)
ONE_OF = re.compile(r"\s+of\s+(?!them\b|those\b|whom\b|the\s+(?:victims|dead|wounded|injured)\b)", re.I)
CLAUSE_BREAK = re.compile(r"[;:()\[\]]|,\s|\sand\s(?!(?:women|children|men|elderly|infants|babies|civilians)\b)"
                          r"|\s(?:but|while|whereas|as|after|before|when|because|since|"
                          r"although|though|whilst|adding)\s|\s[-–—]\s", re.I)
NEW_TOPIC = re.compile(r"^\W*(?:meanwhile|elsewhere|separately|in\s+other\s+news|on\s+another\s+front|"
                       r"in\s+a\s+separate|in\s+another|also\s+on|earlier|in\s+\w+\s+city|in\s+[A-Z]\w+\s)", re.I)
ELIDED_JOIN = re.compile(r"[^.;:()]{0,60}?(?:,\s*|\s+)(?:and|while|whereas)\s+(?:another\s+|a\s+further\s+)?", re.I)
OTHER_BUILDINGS = re.compile(r"\s+other\s+(?:buildings|structures|properties)\b", re.I)
NUMBER_OF = re.compile(r"\bthe\s+(?:total\s+)?number\s+of\s+((?:[\w-]+\s+){0,3}[\w-]+)\s+"
                       r"(?![^.;]*\bnumber\s+of\b)[^.;]*$", re.I)
NAME_AFTER = re.compile(r"\s+(?:Camp|Site|Centre|Center|Settlement|Zone|Area|Unit|Committee|Office|Authority|"
                        r"Agency|Council|Cluster|Fund|Matrix|Monitoring|Centres|Centers|Sites|Camps)\b")
KIND_OF = {**dict.fromkeys(("displaced", "evacuated", "refugees", "returned", "homeless", "sheltered"), "moved"),
           **dict.fromkeys(("killed", "injured", "casualties", "missing"), "casualties"),
           **dict.fromkeys(("destroyed_housing", "damaged_housing"), "housing")}
BACKGROUND = re.compile(r"^\W*(?:(?:in|by|during|since|until|back\s+in)\s+(?:(?:early|late|mid|[a-z]+)[\s-]+)?"
                        r"(?:19|20)\d\d\b|(?:last|the\s+previous|the\s+past)\s+(?:year|decade)|previously|"
                        r"historically|in\s+the\s+past)", re.I)
WAR_WIDE = re.compile(r"\b(?:war|conflict|uprising|crisis|civil\s+war|since\s+(?:19|20)\d\d|revolution|since\s+then|"
                      r"since\s+the\s+(?:start|beginning|outbreak))\b", re.I)
PLACE_IN_NAME = re.compile(r"Islamic\s+State\s+(?:in|of)\s+Iraq(?:\s+and\s+(?:the\s+Levant|Syria|al-Sham))?|"
                           r"\b[A-Z][\w-]+\s+(?:Coordination\s+Committee|Media\s+Cent(?:er|re)|Coordinating\s+Committee)")
NAME_PART_BEFORE = re.compile(r"\b[A-Z][\w'’]+\s+(?:al|el|ad|ar|as|ash|az|an|at)-$")  # "Urem al-Kubra"
PERSON_BEFORE = re.compile(r"\b(?:abu|umm|bin|ibn|aka|bint)\s+$", re.I)
ORIGIN_BEFORE = re.compile(r"\b(?:based|positioned|located|stationed|deployed|entrenched|holed\s+up|from)\s+"
                           r"(?:in|at|inside)?\s*(?:the\s+)?(?:[\w-]+\s+){0,3}$", re.I)
DEMONYMS = {"syrian": "SYR", "iraqi": "IRQ", "afghan": "AFG", "yemeni": "YEM", "chinese": "CHN", "turkish": "TUR",
            "lebanese": "LBN", "jordanian": "JOR", "libyan": "LBY", "sudanese": "SDN", "somali": "SOM",
            "nigerian": "NGA", "ukrainian": "UKR", "pakistani": "PAK", "indian": "IND", "bangladeshi": "BGD",
            "filipino": "PHL", "philippine": "PHL", "indonesian": "IDN", "ethiopian": "ETH", "kenyan": "KEN",
            "congolese": "COD", "malian": "MLI", "burkinabe": "BFA", "mozambican": "MOZ", "haitian": "HTI",
            "colombian": "COL", "venezuelan": "VEN", "myanmar": "MMR", "rohingya": "MMR", "palestinian": "PSE",
            "iranian": "IRN", "egyptian": "EGY", "nepalese": "NPL", "nepali": "NPL", "vietnamese": "VNM",
            "brazilian": "BRA", "mexican": "MEX", "peruvian": "PER", "chilean": "CHL", "argentine": "ARG",
            "bolivian": "BOL", "ecuadorian": "ECU", "malawian": "MWI", "zimbabwean": "ZWE", "cameroonian": "CMR",
            "chadian": "TCD", "nigerien": "NER", "south sudanese": "SSD", "burundian": "BDI", "rwandan": "RWA",
            "ugandan": "UGA", "tanzanian": "TZA", "sri lankan": "LKA", "japanese": "JPN", "thai": "THA"}
DEMONYM = re.compile(r"\b(" + "|".join(sorted(DEMONYMS, key=len, reverse=True)) + r")\b", re.I)
PEOPLE_OF = re.compile(r"\s+(?:more\s+)?(" + "|".join(sorted(DEMONYMS, key=len, reverse=True)) + r")s?\b", re.I)
NOWHERE = Place("", 0, "", None, None, None)  # a figure over several countries
WAR_TOTAL = {"killed": 50_000, "casualties": 50_000, "injured": 50_000, "displaced": 1_000_000,
             "refugees": 1_000_000}  # with no place in the sentence, counts this big are country-wide
DISPLACEMENT_NOUN_METRICS = ("evacuated", "refugees", "displaced", "returned")
HOUSING_METRICS = ("destroyed_housing", "damaged_housing")
TOLL_UPDATE = re.compile(r"\b(?:ris(?:en|e|es)|rose|climbed|jumped|increased|reached|stands?|stood|totall?ed)\s+"
                         r"(?:to|at)?\s*$", re.I)  # "the number of fighters killed ... has risen to 39"
EVENT_NOUN = re.compile(r"\s+(?:[a-z-]+\s+(?:and\s+|or\s+)?){0,3}?(displacements|deaths|fatalities|casualties|"
                        r"injuries|evacuations|evacuees|refugees|returnees|idps|arrivals)\b", re.I)
SUBGROUP_START = re.compile(r"\s*(?:including|among\s+them|mostly|mainly|many\s+of\s+them|most\s+of\s+them)\b", re.I)
COORDINATED = re.compile(r"\s+(?:[\w-]+\s+){0,4}?(?:and|or|as\s+well\s+as)\s+|\s+(?:[\w-]+\s+){0,3}?"
                         r"(?:including|among\s+them)\s+(?:(?:[\w-]+\s+){0,3}?(?:and|or)\s+)?|"
                         r"\s+(?:people|residents|persons|inhabitants)\s+from\s+",  # "82,500 people from 34,500 homes"
                         re.I)
RESTATED = re.compile(r"\b(?:number|toll|figure|count|total|tally)\s+(?:at|to|as)\s+$|"
                      r"\b(?:it['’]s|it\s+is|it\s+was)\s+$|"  # "(Reuters puts the number at more than 60)"
                      r"\bfrom\s+[\d,.]+\s+to\s+$", re.I)  # "the toll has risen from 19 to 37"
PASSIVE = re.compile(r"\b(?:were|was|are|is|have\s+been|has\s+been|had\s+been|got|became|been)\s+"
                     r"(?:(?:also|reportedly|all|later|subsequently|either|now|still|critically|seriously|badly|"
                     r"severely|lightly)\s+)?", re.I)
APPOSITION = re.compile(r"\s*(?:\(([^()]{1,60})\)|,([^,;.]{1,60}),|\s[-–—]([^-–—;.]{1,60})[-–—])\s*", re.I)
MORE_PEOPLE = re.compile(r"(?:(?:their|other|some|local|foreign|many|several)\s+)?([A-Za-z]+)\b")
# "On Thursday, the count was 41 homes", "This figure has dropped from almost 7,000": an earlier value of the count
# the text just gave
EARLIER_COUNT = re.compile(r"\b(?:the|this|that)\s+(?:count|figure|number|tally|total)\s+(?:was|had\s+been|stood\s+at|"
                           r"(?:has\s+|had\s+)?(?:dropped|fallen|fell|decreased|risen|rose|grown|grew|increased|"
                           r"climbed)\s+(?:\w+\s+)?from)\s+$", re.I)
AGENT = re.compile(r"\s+(?:by|due\s+to|because\s+of)\s+(?:the\s+)?(?:[a-z-]+\s+)?[a-z-]+(?=\s+(?:and|&)\s)", re.I)
DOERS = re.compile(r"killed|wounded|injured|hurt|executed|murdered|massacred|slain|displaced|evacuated|relocated|"
                   r"rescued|destroyed|damaged|affected|flattened|razed", re.I)  # verbs whose subject acts
WHO_BEFORE = re.compile(r"\b(?:who|that)\s+(?:(?:have|has|had)\s+)?(?:\w+ly\s+)?$", re.I)
NAME_END = re.compile(r"(?-i:[A-Z])[\w'’-]+$")
NAME_START = re.compile(r"(?-i:[A-Z])[\w'’-]+\b(?!\s+(?:said|says|say|told|reported)\b)")
PAIRED = re.compile(r"\s+(?:and|&)\s+(?:(?:are|were|have\s+been|had\s+been|has\s+been|been|now)\s+)*", re.I)


def _digits_or_words(s: str) -> bool:
    return bool(rx.search(r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|"
                          r"forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|dozen|scores)", s, re.I))


class _State:
    def __init__(self):
        self.last_org = None
        self.orgs: list[str] = []
        self.last_source_org = None
        self.prev_att = None
        self.prev_had_figures = False
        self.prev_att_admin1 = set()
        self.last_place = None
        self.doc_place = None
        self.countries = set()
        self.rank: dict[str, int] = {}
        self.cited: list[tuple[tuple[int, int], attr.Attribution]] = []  # paragraph-closing "(OCHA, 3 May)"
        self.speaker = None  # the last attribution, for "he said"
        self.country = None  # the country the document names most, for "the Health Ministry"
        self.prev_kinds: set[str] = set()  # what the attributed sentence counted (people moved, casualties, homes)
        self.own_kinds: set[str] = set()  # what the publisher counted with no source
        self.last_metric: dict[str, str] = {}  # unit → the metric of the last figure in that unit


def run(doc: Document, gazetteer) -> list[dict]:
    text = doc.text or ""
    skip = boilerplate_end(text)
    sents = sentences(text, doc.title, skip)
    matches = gazetteer.find(text) if gazetteer is not None else []
    names = [(o.start(), o.end()) for o in PLACE_IN_NAME.finditer(text)]
    matches = [m for m in matches if not text.startswith("-based", m.end) and not _dateline(text, m)
               and not PERSON_BEFORE.search(text, max(0, m.start - 6), m.start)
               and not NAME_PART_BEFORE.search(text, max(0, m.start - 24), m.start)
               and not any(a <= m.start < b for a, b in names)]
    matches = [whereabouts.past(text, m) for m in matches  # "historical Palestine": no country of today
               if not whereabouts.nationality(text, m)]  # "a native of Kazakhstan"
    st = _State()
    st.countries = {m.place.country for m in matches if m.place.country}
    rank = {}
    for m in matches:
        if m.place.country:
            rank[m.place.country] = rank.get(m.place.country, 0) + 1
    st.rank = rank
    st.country = max(rank, key=rank.get) if rank else None
    st.cited = [(c.span, attr.classify(attr.Attribution(c.start, c.end, c.text, None, ""), None, None,
                                       _is_place(gazetteer), None, st.country)) for c in citations.closing(text)]
    if doc.title and gazetteer is not None:
        tm = gazetteer.find(doc.title)
        if tm:
            st.doc_place = _sentence_place(doc.title, tm, gazetteer, st.rank)
    if st.doc_place is None and matches:
        st.doc_place = (_sentence_place(text, [m for m in matches if m.place.level >= 1][:1], gazetteer)
                        or _sentence_place(text, matches[:1], gazetteer))
    if st.doc_place is None and gazetteer is not None:
        dm = DEMONYM.search(text)
        place = gazetteer.places.get(DEMONYMS[dm.group(1).lower()]) if dm else None
        if place is not None:
            st.doc_place = (place, None)
    out: list[dict] = []
    mi = 0
    for s in sents:
        while mi < len(matches) and matches[mi].start < s.start:
            mi += 1
        j = mi
        here = []
        while j < len(matches) and matches[j].end <= s.end:
            here.append(matches[j])
            j += 1
        out.extend(_sentence(doc, text, s, here, st, gazetteer))
    return out


def _is_subgroup(text, q, s) -> bool:
    before = text[max(s.start, q.start - 25):q.start]
    if rx.search(r"(?:\(\s*|\bor\s+|,\s+or\s+)$", before):
        return True  # "2,400 families (12,000 people)", "2,400 families or 7,900 people"
    return bool(metrics.SUBGROUP.search(before) or rx.match(r"\s+(?:of\s+them|of\s+whom|were\s+children)\b",
                                                             text[q.end:q.end + 20], re.I))


def _dateline(text, m) -> bool:
    """ "BEIRUT (Reuters) -", "Beijing, July 14 (IANS)": the newsroom, not the place."""
    return whereabouts.dateline(text, m)


def _keep(text: str, q: Quantity, s: Sentence) -> bool:
    if q.bare_year or q.decimal:
        return False
    if text[q.core_start].isdigit() and is_date(text, q.core_start, q.core_end):
        return False
    if NOT_COUNT_AFTER.match(text, q.core_end, s.end):
        return False
    before = text[max(s.start, q.start - 12):q.start]
    if q.start == q.core_start and NOT_COUNT_BEFORE.search(before):
        return False
    low = q.text.lower()
    if low.endswith("one") and q.value == 1:
        if ONE_OF.match(text, q.core_end, s.end) or rx.search(r"\b(?:no|any|every|each|the|which|that|of)\s+$",
                                                               before, re.I):
            return False
    if q.value == 0:
        return False
    return True




def _places_stayed_in(text, q: Quantity, s: Sentence) -> bool:
    """ "175,500 people staying in 224 temporary shelters": a count of the places, not a figure."""
    return bool(rx.match(r"\s+(?:\w+\s+)?(?:shelters|tents)\b", text[q.core_end:q.core_end + 40], re.I)
                and rx.search(r"\b(?:staying|living|sheltering|sheltered|housed|accommodated|remain\w*)"
                              r"\s+(?:in|at)\s+$", text[max(s.start, q.start - 30):q.start], re.I))


def _sentence(doc, text, s: Sentence, places, st: _State, gaz) -> list[dict]:
    found = find_quantities(text, s.start, s.end)
    if not found:
        atts = None
        if attr.VERB.search(s.text) or attr.ACCORDING.search(s.text):
            atts = attr.find_attributions(text, s.start, s.end)
            for a in atts:
                attr.classify(a, st.orgs, st.last_source_org, _is_place(gaz), st.speaker, st.country)
            atts = [a for a in atts if a.org or not _only_place(a.text, _is_place(gaz))]
        _update_context(text, s, places, st, atts, gaz)
        if atts and not all(a.scope == "clause" for a in atts):
            st.prev_att, st.prev_kinds = atts[-1], set()  # "Floods hit X, the Red Cross said. 30 are missing."
            st.prev_att_admin1 = set()
        elif atts:
            st.prev_att = None  # "…, according to X" about no figure: nothing to carry
        return []
    qs = [q for q in found
          if _keep(text, q, s) and metrics.head_noun(text, q.core_end, s.end)[0] not in metrics.NON_COUNT
          and not _places_stayed_in(text, q, s)]
    atts = attr.find_attributions(text, s.start, s.end)
    is_place = _is_place(gaz)
    for a in atts:
        attr.classify(a, st.orgs, st.last_source_org, is_place, st.speaker, st.country)
    places = _not_speaking(places, atts, gaz)
    atts = [a for a in atts if a.org or not _only_place(a.text, is_place)]
    if s.headline:
        hs = attr.headline_source(s.text)
        if hs and not any(a.start <= s.start + hs[0] < a.end for a in atts):
            a = attr.Attribution(s.start + hs[0], s.start + hs[0] + len(hs[1]), hs[1], None, "")
            attr.classify(a, None, None, is_place, None, st.country)
            atts.append(a)
    figures = []
    prev = None
    subgroup = [_is_subgroup(text, q, s) for q in qs]
    subgroups = {q.start for q, sub in zip(qs, subgroup) if sub}
    pending = []  # "Some 120 fighters and 60 mercenaries were killed": subjects waiting for their verb
    for i, q in enumerate(qs):
        # the window after a number runs to the next number that is not a sub-group ("76 people including 28
        # children were killed")
        nxt = next((qs[k].start for k in range(i + 1, len(qs)) if not subgroup[k]), s.end)
        got = _metric(text, s, q, qs[i - 1] if i else None, nxt, prev) or _earlier_count(text, s, q, nxt, st)
        if not got:
            noun = metrics.head_noun(text, q.core_end, nxt)[0]
            if i + 1 < len(qs) and noun not in metrics.HOUSES and \
                    COORDINATED.fullmatch(text, q.core_end, qs[i + 1].start):
                pending.append((q, noun))
            else:
                pending = []
            continue
        for p_q, p_noun in pending:
            if got[0][0] not in HOUSING_METRICS:
                figures.append((p_q, got[0][0], p_noun))
        pending = []
        for metric, noun in got:
            figures.append((q, metric, noun))
        prev = (q, got[0][0], got[0][1])
    figures.sort(key=lambda f: f[0].start)
    out = []
    carried = None
    if not atts and st.prev_att is not None and not s.headline and not NEW_TOPIC.match(s.text) and \
            st.prev_had_figures is not None:
        carried = st.prev_att
        if WAR_WIDE.search(s.text) and dates.STOCK.search(s.text):
            carried = None  # background ("the war has killed 400,000") is the publisher's own
    here_admin1 = {gaz.codes(m.place)[1] for m in places if m.place.level >= 1} if gaz is not None else set()
    if carried is not None and here_admin1 and st.prev_att_admin1 and not (here_admin1 & st.prev_att_admin1):
        carried = None  # a new place: a new report
    if carried is not None and figures and all(m == "population" for _, m, _ in figures):
        carried = None  # how many live somewhere is background, not the source's count
    if carried is not None and BACKGROUND.match(s.text):
        carried = None  # "In 2019, floods in the same valley killed 40": an earlier event
    if carried is not None and any(carried.end <= span[1] < s.end for span, _ in st.cited):
        carried = None  # a closing citation ended the paragraph
    if os.environ.get("NOCARRY"):
        carried = None
    when = dates.period(s.text, doc.published) if figures else (None, None)
    flows: dict[str, str] = {}
    heads: dict = {}  # the place of the last figure that is no sub-group, for "…, including 183,000 refugees"
    for q, metric, noun in figures:
        a = attr.nearest(atts, text, q.start, q.end) if atts else None
        flags = []
        if a is None:
            a = next((c for span, c in st.cited if span[0] <= q.start < span[1]), None)
            kind = KIND_OF.get(metric)
            if a is None and carried is not None and (kind in st.prev_kinds or kind not in st.own_kinds):
                a = carried  # the report goes on, unless this breaks down the publisher's own earlier count
            if a is not None:
                flags.append("carried_source")
        if a is not None and not a.org and a.kind in ("generic", "person"):
            flags.append("generic_source")
        subgroup_of = heads.get("place") if q.start in subgroups and not any(q.end <= m.start for m in places) else None
        if subgroup_of is not None:
            place, loc_text = subgroup_of
        else:
            own = whereabouts.away(text, s.start, places, metric, st.last_place or st.doc_place)
            place, loc_text = (gaz is not None and whereabouts.several(text, q.end, own, gaz)) or \
                _figure_place(text, s, q, own, atts, gaz, st.rank, metric)
        if metric not in flows:
            flows[metric] = dates.stock_or_flow(s.text, metric)
        flow = flows[metric]
        from_context = place is None
        if place is None:
            ctx = st.last_place or st.doc_place
            people = _people_of(text, q, gaz)  # "20,000 Indians have fled", unless the context is in India
            if people[0] is not None and (ctx is None or ctx[0].country != people[0].country):
                (place, loc_text), from_context = people, False
            elif ctx is not None:
                place, loc_text = ctx
        if q.start not in subgroups:
            heads["place"] = (place, loc_text)
        country, admin1, admin2 = (gaz.pcodes(place) if (gaz is not None and place is not None) else (None, None, None))
        if not places and ((flow == "stock" and WAR_WIDE.search(s.text) and q.value >= 1000)
                           or q.value >= WAR_TOTAL.get(metric, 10**12)):
            admin1 = admin2 = None
            loc_text = None
        start, end = when
        if flow == "stock" and end is None:
            end = doc.published
        if start and end and start > end:
            start = None
        fig = {
            "doc_id": doc.doc_id, "metric": metric, "value": q.value,
            "value_low": q.low, "value_high": q.high, "qualifier": q.qualifier, "quantity_text": q.text,
            "unit": metrics.unit_for(noun, metric),
            "claimed_by": a.text if a else None, "claimed_by_org": a.org if a else None,
            "location_text": loc_text, "country_iso3": country, "admin1_pcode": admin1, "admin2_pcode": admin2,
            "period_start": start.isoformat() if start else None, "period_end": end.isoformat() if end else None,
            "stock_or_flow": flow, "evidence": s.text, "char_start": q.start, "char_end": q.end,
        }
        if a is None:
            st.own_kinds.add(KIND_OF.get(metric))
        fig["flags"] = flags  # for the review queue: "carried_source", "generic_source", "place_from_context"
        if from_context and place is not None:
            fig["flags"].append("place_from_context")
        fig["flags"].extend(guesses(text, q, noun, fig))
        out.append({k: fig[k] for k in CONTRACT_FIELDS})
        st.last_metric[fig["unit"]] = metric
    _update_context(text, s, places, st, atts, gaz)
    if atts and (out or not all(a.scope == "clause" for a in atts)):
        st.prev_att = atts[-1] if len(atts) == 1 else _nearest(atts, qs[-1]) if qs else atts[-1]
        st.prev_att_admin1 = here_admin1 or ({gaz.codes(st.last_place[0])[1]} if st.last_place else set())
        st.prev_kinds = {KIND_OF.get(f["metric"]) for f in out}
    elif atts or carried is None or not out:
        st.prev_att = None  # "…, according to X" about no figure, or a sentence that broke the run
    st.prev_had_figures = bool(out)
    return out


def _update_context(text, s, places, st, atts, gaz):
    """Remember the organisations, the last "source" and the place this sentence names, for the next ones."""
    if atts:
        for a in atts:
            if a.org and a.kind in ("named", "backref"):
                st.last_org = a.org
                st.orgs.append(a.org)
            elif a.kind == "generic":
                inner = attr.canonical(a.text)
                if inner:  # "local groups, including the Syrian Observatory"
                    st.orgs.append(inner)
            if rx.search(r"\b(?:sources?|reporter|correspondent)\b", a.text, re.I):
                st.last_source_org = a.org
        st.speaker = atts[-1]
    if places:
        got = _sentence_place(text, places, gaz, st.rank)
        if got is not None and (got[0].level > 0 or st.last_place is None):
            st.last_place = got
    if atts is None and s.headline is False:
        st.prev_att = None


def _only_place(phrase, strip) -> bool:
    """ "Idlib said": a place is no speaker (the real one is usually written after the verb)."""
    rest = rx.sub(r"\b(?:the|of|and|in|on|at|from|northern|southern|eastern|western|central|rural|city)\b", " ",
                  strip(phrase), flags=re.I)
    return not rest.strip(" ,.-'’")


def _nearest(atts, q):
    return min(atts, key=lambda a: min(abs(a.start - q.end), abs(q.start - a.end)))


def _is_place(gaz):
    """A function that blanks out the place names in a phrase ("Activists in Deir Ezzor" → "Activists in ")."""
    cache = getattr(gaz, "_strip_cache", None)
    if cache is None or len(cache) > 20_000:
        cache = {}
        try:
            gaz._strip_cache = cache
        except AttributeError:
            pass

    def strip(phrase: str) -> str:
        if gaz is None:
            return phrase
        if phrase not in cache:
            cache[phrase] = _strip(phrase)
        return cache[phrase]

    def _strip(phrase: str) -> str:
        for m in reversed(gaz.find(phrase)):
            phrase = phrase[:m.start] + " " * (m.end - m.start) + phrase[m.end:]
        return phrase
    return strip


def _listed(text, ms) -> bool:
    """ "Damascus Aleppo", "Hama and Homs", "Hainan, Guangdong and Yunnan": a list of places."""
    return len(ms) > 1 and all(rx.fullmatch(r"[\s,]*(?:and|&)?[\s,]*", text[a.end:b.start]) for a, b in zip(ms, ms[1:]))


def _city(text, m, gaz):
    """ "the city of Homs", "Aleppo city": the governorate's capital district."""
    place = m.place
    if place.level == 1:
        before = text[max(0, m.start - 16):m.start].lower()
        after = text[m.end:m.end + 6].lower()
        if rx.search(r"\b(?:city|town)\s+of\s+$", before) or rx.match(r"\s+city\b", after):
            city = gaz.city_district(place)
            if city is not None:
                return city
    return place


def _sentence_place(text, places, gaz, rank=None):
    """(Place, text) for a sentence as context: the most specific place, or the country when it names several
    governorates."""
    if not places or gaz is None:
        return None
    admin1s = {gaz.codes(m.place)[1] for m in places if m.place.level >= 1}
    if len(admin1s) > 1:
        country = gaz.places.get(places[0].place.country)
        return (country, places[0].text) if country else None
    best = max(places, key=lambda m: (m.place.level, (rank or {}).get(m.place.country, 0), -m.start))
    return _city(text, best, gaz), best.text


def _not_speaking(places, atts, gaz):
    """ "Washington and Paris say": places that speak are no places of the figures."""
    atts = [a for a in atts if any(a.start <= m.start < a.end for m in places)]
    if gaz is None or not atts:
        return places

    def strip(phrase):
        for m in reversed(gaz.names(phrase)):
            phrase = phrase[:m.start] + " " * (m.end - m.start) + phrase[m.end:]
        return phrase
    spans = [(a.start, a.end) for a in atts if _only_place(a.text, strip)]
    return [m for m in places if not any(a <= m.start < b for a, b in spans)] if spans else places


def _people_of(text, q, gaz):
    """ "20,000 Indians have fled": the country of the people counted, when the sentence names no place."""
    m = PEOPLE_OF.match(text, q.end) if gaz is not None else None
    place = gaz.places.get(DEMONYMS[m.group(1).lower()]) if m else None
    return (place, m.group(1)) if place is not None else (None, None)


def _figure_place(text, s, q, places, atts, gaz, rank=None, metric=None):
    """The place a figure is about: the most specific one, or among several governorates the nearest one that is
    not an origin ("terrorists based in Eastern Ghouta") or part of a source's name."""
    if gaz is None:
        return None, None
    # "Washington and Paris say": a country that speaks is no place of the figure
    places = [m for m in places if m.place.level > 0 or not any(a.start <= m.start < a.end for a in atts or [])]
    if not places:
        return None, None
    admin1s = {gaz.codes(m.place)[1] for m in places if m.place.level >= 1}
    after = [m for m in places if m.start >= q.end]
    run = after[:1]
    for m in after[1:]:
        if not _listed(text, run + [m]):
            break
        run.append(m)
    if len({m.place.country for m in run}) > 1 and all(m.place.level == 0 for m in run) \
            and not rx.search(r"[.;:]", text[q.end:run[0].start]):
        return NOWHERE, " ".join(m.text for m in run)  # "in Niger, Chad and Cameroon": no one country
    if len(admin1s) <= 1:
        # the most specific place; between countries, the one the document names most ("Russia ... Syria")
        best = max(places, key=lambda m: (m.place.level, (rank or {}).get(m.place.country, 0), -m.start))
        return _city(text, best, gaz), best.text
    specific = [m for m in places if m.place.level >= 1]
    run = [m for m in specific]
    if _listed(text, run):
        country = gaz.places.get(run[0].place.country)
        return country, " ".join(m.text for m in run)
    inside = [m for m in specific if any(a.start <= m.start < a.end for a in atts or [])]
    origin = [m for m in specific if (o := ORIGIN_BEFORE.search(text, max(s.start, m.start - 40), m.start))
              and not (metric in ("displaced", "evacuated") and o.group(0).lower().startswith("from"))]
    cands = [m for m in specific if m not in inside and m not in origin] or \
        [m for m in specific if m not in origin] or specific
    best = min(cands, key=lambda m: (min(abs(m.start - q.end), abs(q.start - m.end)), -m.place.level))
    return _city(text, best, gaz), best.text


def _elided(text, prev_q: Quantity, q: Quantity, noun) -> bool:
    """ "10 people died in Guizhou and 9 in Chongqing", "…, and another 3 in Guangxi": the verb is left out."""
    return noun is None and bool(ELIDED_JOIN.fullmatch(text, prev_q.end, q.start)) and \
        bool(rx.match(r"\s+(?:in|at|on|from)\s+(?:the\s+)?(?-i:[A-Z])", text[q.end:q.end + 30], re.I))


def _more_people(text, br) -> bool:
    """ "2,000 residents and tourists fled": "and" joins two kinds of people, not two clauses."""
    if br.group(0).strip().lower() != "and":
        return False
    m = MORE_PEOPLE.match(text, br.end())
    word = m.group(1).lower() if m else ""
    return word in metrics.PEOPLE and metrics.AFTER_RE.fullmatch(word) is None


def _earlier_count(text, s, q: Quantity, nxt, st: _State):
    """ "This figure has dropped from almost 7,000": the metric of the text's last figure in the same unit."""
    if not EARLIER_COUNT.search(text, max(s.start, q.start - 60), q.start):
        return []
    noun = metrics.head_noun(text, q.core_end, nxt)[0]
    if noun is not None and noun not in metrics.PEOPLE and noun not in metrics.HOUSES \
            and noun not in metrics.HOUSEHOLDS:
        return []
    metric = st.last_metric.get(metrics.unit_for(noun, "displaced"))  # people, households or houses
    return [(metric, noun)] if metric else []


def _names_joined(text, br) -> bool:
    """ "3000 residents of Foua and Kafarya left": "and" between two names joins the names, not two clauses."""
    return br.group(0).strip().lower() == "and" and bool(NAME_END.search(text, max(0, br.start() - 30), br.start())) \
        and bool(NAME_START.match(text, br.end()))


def _counts_things(words: str) -> bool:
    """ "villages or localities affected", "operations to evacuate people": the first noun counted is no figure."""
    for w in words.lower().split():
        if w in metrics.PEOPLE or w in metrics.HOUSES or w in metrics.HOUSEHOLDS:
            return False
        if w in metrics.NON_COUNT:
            return True
    return False


def _metric(text, s, q: Quantity, prev_q, nxt, prev):
    """[(metric, noun)] for a quantity, or [] when it is not a figure."""
    noun, noun_end = metrics.head_noun(text, q.core_end, nxt)
    if noun in metrics.NON_COUNT or OTHER_BUILDINGS.match(text, q.core_end):
        return []  # "destroyed four homes and four other buildings": the others are not homes
    lo = max(s.start, q.start - 150)
    counted = NUMBER_OF.search(text, lo, q.start) if "number of" in text[lo:q.start].lower() else None
    if noun is None and counted and _counts_things(counted.group(1)):
        return []  # "the number of villages affected has decreased from 86": villages, not people
    # window after the number, up to the next quantity or clause break
    wend = min(nxt, s.end, q.end + 90)
    br = CLAUSE_BREAK.search(text, max(noun_end, q.end), wend)
    while br is not None and (br.group(0).strip().lower() == "as" and metrics.AFTER_RE.match(text, br.end())
                              or noun in metrics.PEOPLE and _more_people(text, br) or _names_joined(text, br)):
        br = CLAUSE_BREAK.search(text, br.end(), wend)  # "registered as displaced", "residents and tourists fled"
    cut = br.start() if br else wend
    found = _first_after(text, q.end, cut)
    if found is None:
        ev = EVENT_NOUN.match(text, q.end, wend)  # "438,000 new and repeated displacements"
        if ev:
            found = _first_after(text, ev.start(1), ev.end(1))
    if found is None and br is not None:
        # skip a parenthesis or an apposition: "2,759 persons (around 460 families) became homeless",
        # "1,000 residents, mainly in Manitoba, were displaced"
        skip = APPOSITION.match(text, br.start(), min(s.end, br.start() + 90))
        inner = (skip.group(2) or skip.group(3) or "") if skip else ""
        if skip and (not _digits_or_words(inner) or SUBGROUP_START.match(inner)):
            found = _first_after(text, skip.end(), min(s.end, skip.end() + 40), strict_start=True)
            if found is None:
                pm = PASSIVE.search(text, skip.end(), min(s.end, skip.end() + 70))
                if pm and not rx.search(r"[;:,]", text[skip.end():pm.start()]):
                    found = _first_after(text, pm.end(), min(s.end, pm.end() + 40), strict_start=True)
    if found is None:
        # a passive verb further on: "86 members of government forces and its allies ... were killed"
        far = min(nxt, s.end, q.end + 160)
        for pm in PASSIVE.finditer(text, max(noun_end, q.end), far):
            if rx.search(r"[;:]|\((?![^()]*\))", text[q.end:pm.start()]):
                break  # no passive inside a parenthesis that is still open
            found = _first_after(text, pm.end(), min(far, pm.end() + 40), strict_start=True)
            if found:
                break
    metric = None
    if found and found[0] in DISPLACEMENT_NOUN_METRICS + ("sheltered",):
        b = metrics.metric_before(text, max(s.start, q.start - 30), q.start)
        if b and b[0] in ("killed", "injured") and rx.fullmatch(r"\s*(?:the\s+|a\s+|an\s+)?", text[b[2]:q.start]):
            found = None  # "raids kill 10 in a camp for displaced people": what happened to them comes first
            metric, cue_end = b[0], None
    if found and found[0] in DISPLACEMENT_NOUN_METRICS and rx.match(
            r"\s*(?:[\w-]+\s+){0,2}?(?:evacuees|refugees|idps|returnees|displaced\s+(?:people|persons|civilians|"
            r"families))\b", text[q.end:found[1]], re.I):
        # "killed more than 120 evacuees": the verb before says what happened to them
        lo = max(s.start, prev_q.end if prev_q else s.start, q.start - 90)
        b = metrics.metric_before(text, lo, q.start)
        if b and b[0] in ("killed", "injured", "casualties", "missing"):
            found = None
            metric, cue_end = b[0], None
    if found and found[0] == "population":
        lo = max(s.start, prev_q.end if prev_q else s.start, q.start - 90)
        b = metrics.metric_before(text, lo, q.start)
        if b and rx.search(r"\b(?:where|whose|in\s+which)\b", text[b[2]:q.start], re.I):
            b = None  # "Evacuated areas included Wrightwood, where some 4,500 people live": a relative clause
        if b:  # "to evacuate 30,000 people living along the coast": the verb says what happened
            found = None
            metric, cue_end = b[0], None
    if found:
        metric, cue_end = found
        if metric in ("killed", "injured") and rx.match(r"\s+(?:and|or)\s+(?:wounded|injured|dead|killed)\b",
                                                        text[cue_end:cue_end + 20]):
            metric = "casualties"  # "several dozen dead and wounded"
        if metric == "left":  # "3000 residents left Foua": an evacuation when the text speaks of one
            metric = "evacuated" if rx.search(r"evacuat", text, re.I) else "displaced"
    else:
        reach = 170 if TOLL_UPDATE.search(text, max(s.start, q.start - 30), q.start) else 90
        lo = max(s.start, prev_q.end if prev_q else s.start, q.start - reach)
        window = text[lo:q.start]
        stop = max((m.end() for m in rx.finditer(r"[;\[]|\s[-–—]\s|\((?![^()]*\))", window)), default=0)
        b = metrics.metric_before(text, lo + stop, q.start)
        if b:
            metric = b[0]
            cue_end = None
    if metric is None:
        # sub-group counts and lists inherit the previous figure's metric
        before = text[max(s.start, q.start - 30):q.start]
        if prev and (metrics.SUBGROUP.search(before) or rx.search(r"(?:\(\s*|\bor\s+)$", before) or
                     RESTATED.search(before) or _elided(text, prev[0], q, noun) or
                     rx.match(r"\s+(?:of\s+them|were\s+children|of\s+whom)",
                                                                 text[q.core_end:q.core_end + 20], re.I)
                     or (noun in metrics.PEOPLE or noun in metrics.HOUSES) and q.start - prev[0].end < 40):
            metric = prev[1]
            if metric in HOUSING_METRICS and noun is None:
                noun = prev[2]
        else:
            return []
    if metric in HOUSING_METRICS:
        if noun not in metrics.HOUSES:
            if noun is None and prev and prev[1] in HOUSING_METRICS and q.start - prev[0].end < 60:
                noun = prev[2]
            elif noun in (None, *metrics.HOUSEHOLDS) and rx.search(
                    r"\b(?:homes|houses|buildings|dwellings|shelters?|housing)\b",
                    text[max(s.start, q.start - 40):min(s.end, q.end + 80)], re.I):
                noun = noun or "houses"  # "41,000 households had their houses destroyed" counts households
            else:
                return []
    if metric in HOUSING_METRICS and noun in ("buildings", "building", "structures", "properties", "units") and \
            not rx.search(r"\b(?:residential|civilian|apartment|housing|private|homes?|houses?|family)\b",
                          text[max(s.start, q.start - 30):q.end + 25], re.I):
        return []  # buildings the text does not call homes are no housing (GUIDELINES §7)
    if metric not in HOUSING_METRICS and noun in metrics.HOUSES and (
            metric not in ("evacuated", "displaced", "homeless")
            or rx.search(r"\b(?:to|into|one\s+of\s+the)\s+(?:\w+\s+)?$", text[max(s.start, q.start - 30):q.start],
                         re.I)):
        return []  # "the evacuation of 50 homes" counts homes, "evacuated to three shelters" none of them
    result = [(metric, noun)]
    if found and metric in ("displaced", "evacuated", "affected", "sheltered", "homeless"):
        agent = AGENT.match(text, cue_end)  # "displaced by the floods and sheltered in camps"
        pm = PAIRED.match(text, agent.end() if agent else cue_end)
        if pm and not rx.match(r"\s*[\d(]", text[pm.end():pm.end() + 3]) and \
                not _digits_or_words(text[pm.end():pm.end() + 25].split(" ")[0]):
            second = _first_after(text, pm.end(), min(pm.end() + 60, s.end), strict_start=True)
            if second and second[0] != metric and second[0] in ("evacuated", "sheltered", "displaced", "homeless",
                                                                 "affected"):
                result.append((second[0], noun))
    return result


def _first_after(text, start, end, strict_start=False):
    best = None
    for m in metrics.AFTER_RE.finditer(text, start, end):
        if strict_start and m.start() > start + 25:
            break
        if m.group(0)[:1].isupper() and NAME_AFTER.match(text, m.end()):
            continue  # "the U.N. Tomping Displacement Camp": a name, not what happened
        if DOERS.fullmatch(m.group(0)) and WHO_BEFORE.search(text, max(start, m.start() - 20), m.start()):
            continue  # "three gunmen who killed 12 people": what they did, not what happened to them
        name = m.lastgroup
        if name == "population":
            if best is None:
                best = (name, m.end())
            continue
        return name, m.end()
    return best
