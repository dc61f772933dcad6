"""What a number counts: the metric cue around it, the counted noun (unit), and what is not a figure."""

from __future__ import annotations

import re
from itertools import islice

from etl.extract import rx

# Cues written after the number ("20 people were killed", "46 deaths", "628,000 relocated").
AFTER = [
    ("casualties", r"casualties|victims?\s+(?:killed\s+or\s+injured|dead\s+or\s+wounded)|"
                   r"(?:dead|killed|deaths)\s+(?:and|or)\s+(?:wounded|injured)|(?:wounded|injured)\s+(?:and|or)\s+"
                   r"(?:dead|killed)"),
    ("killed", r"killed|kill|dead|died|die|dying|deaths?|fatalities|bodies|corpses|perished|lost\s+their\s+lives|"
               r"lives\s+(?:were\s+)?lost|executed|massacred|slain|murdered|martyred|martyrs|drowned|were\s+buried|"
               r"muertos?|fallecid[oa]s|mort(?:e|s|es)?|d[ée]c[eè]s|d[ée]c[ée]d[ée]e?s|tu[ée]e?s|death\s+toll|eliminated|neutrali[sz]ed|liquidated"),
    ("injured", r"injured|injuries|injury|wounded|wounds|hurt|hospitali[sz]ed|suffocat\w*|treated\s+for|"
                r"heridos?|bless[ée]e?s"),
    ("missing", r"missing|unaccounted\s+for|disappeared|desaparecidos?|disparue?s?"),
    ("refugees", r"refugees|asylum[- ]seekers|sought\s+asylum|crossed\s+(?:into|the\s+border)|refugiados|"
                 r"r[ée]fugi[ée]s"),
    ("sheltered", r"(?:(?:forced|moved|placed|taken|sent)\s+)?(?:into|to)\s+(?:\w+\s+){0,2}(?:shelters|camps|"
                  r"relief\s+camps|evacuation\s+centres|evacuation\s+centers)|accommodated|"
                  r"(?:remained|remain|remaining|staying|stay|stayed|living|residing|sheltering|sheltered|housed|sleeping|"
                  r"took\s+refuge|taken\s+refuge|taking\s+refuge|were\s+still|are\s+still|still)\s+(?:in|at|with)\s+"
                  r"(?:[\w'’-]+\s+){0,3}?(?:camps?|shelters?|centres|centers|schools?|base|sites?|host\s+families|"
                  r"accommodation|"
                  r"tents|mosques|churches|public\s+buildings|settlements)|"
                  r"in\s+(?:relief\s+|evacuation\s+|temporary\s+|idp\s+|displacement\s+|collective\s+)?"
                  r"(?:camps?|shelters|evacuation\s+centres|evacuation\s+centers|collective\s+centres)|"
                  r"sheltered|"
                  r"taking\s+shelter|took\s+shelter|sleeping\s+in\s+the\s+open|albergad\w*|refugiad\w*\s+en"),
    ("displaced", r"(?:were|was|have|had|been|people)displaced|displaced(?:people|persons|families)|"
                  r"displaced|displacements|displacement|fled|flee|"
                  r"fleeing|ee|eeing|"
                  r"forced\s+(?:to\s+(?:flee|leave|abandon)|from|out)|"
                  r"uprooted|idps?|internally\s+displaced|pdi|d[ée]plac[ée]e?s?|deplace|desplazad\w*|desalojad\w*|ont\s+fui|"
                  r"driven\s+(?:from|out)|left\s+their\s+homes|abandoned\s+their\s+homes|had\s+to\s+leave|escaped|"
                  r"made\s+to\s+leave|to\s+(?:leave|flee|abandon)\s+(?:their\s+)?(?:homes?|houses?|villages?)|"
                  r"sought\s+refuge|took\s+refuge|taken\s+refuge|sought\s+shelter"),
    ("evacuated", r"(?:were|was|have|had|been)evacuated|"
                  r"evacuated|evacuate|evacuation|evacuations|evacuees|relocated|relocate|relocation|evacuad\w*|[ée]vacu[ée]\w*|"
                  r"moved\s+to\s+safety|moved|rescued"),
    ("returned", r"returned|returnees|returning|went\s+back|retornad\w*|"
                 r"(?<!unable\s)(?<!not\s)(?<!n't\s)(?<!cannot\s)return\s+(?:to\s+)?(?:their\s+)?(?:homes?|houses?|villages?)"),
    ("left", r"(?:left|leaving|departed|departing|quit|quitting)"
             r"(?=\s+(?:(?:eastern|western|northern|southern|besieged)\s+)?"
             r"(?:(?-i:[A-Z])|the\s+(?:city|town|village|area|camp|"
             r"besieged|enclave|district|region)))"),
    ("homeless", r"homeless|without\s+(?:a\s+)?(?:home|homes|shelter)|sans[- ]abris?|damnificad\w*|"
                 r"lost\s+their\s+(?:homes|houses)|sin\s+hogar(?:es)?|sin\s+techo|roofless|"
                 r"(?:do|does|did)\s+not\s+have\s+(?:a\s+)?(?:shelter|homes?)|ha(?:ve|s|d)\s+no\s+(?:shelter|homes?)"),
    ("affected", r"affected|afectad\w*|affect[ée]e?s|sinistr[ée]s|impacted|a\s?ected|suffered\s+losses"),
    ("in_need", r"in\s+(?:urgent\s+|dire\s+|desperate\s+)?need|need\s+(?:of\s+)?(?:urgent\s+)?(?:humanitarian\s+)?"
                r"(?:aid|assistance|help|support|shelter|food|protection)|require|requiring|needing"),
    ("destroyed_housing", r"(?:had|have|saw)\s+their\s+(?:homes|houses)\s+(?:\w+\s+)?destroyed|destroyed|"
                          r"washed\s+away|razed|flattened|collapsed|completely\s+damaged|fully\s+damaged|"
                          r"totally\s+destroyed|destruid\w*|d[ée]truit\w*|burned\s+down|burnt\s+down|levelled|leveled|"
                          r"torched|set\s+ablaze|set\s+on\s+fire|burned|burnt|gutted|demolished|bulldozed"),
    ("damaged_housing", r"(?:had|have|saw)\s+their\s+(?:homes|houses)\s+(?:\w+\s+)?damaged|damaged|"
                        r"partially\s+destroyed|partly\s+destroyed|da[ñn]ad\w*|endommag\w*|inundad\w*|"
                        r"flooded|con\s+da[ñn\ufffd]os|inundated|afectad[ao]s\s+parcialmente|submerged|"
                        r"under\s+water|engulfed"),
    ("population", r"inhabitants|(?:live|lives|lived|living|reside|resided|residing)\s+in|besieged\s+(?:by|in)|"
                   r"(?:live|lives|reside)(?=\s*(?:[.;,]|$|there|here))|"
                   r"(?:are|were|remain|remained|being)\s+besieged|"
                   r"under\s+(?:effective\s+)?siege"),
]
# Cues written before the number ("killing 58 people", "displaced 80,000", "death toll rose to 76").
BEFORE = [
    ("killed", r"among\s+(?:the|those)\s+(?:dead|killed|victims|fatalities)(?:\s+(?:were|are|was))?|"
               r"kill|kills|killed|killing|killings|toll|death\s+of|deaths\s+of|lives\s+of|life\s+of|"
               r"massacre\s+of|executed|executing|executions\s+of|bodies\s+of|slaughtered|claiming|claimed|"
               r"eliminated|eliminating|elimination\s+of|neutrali[sz]ed|neutrali[sz]ing|lost|losing"),
    ("missing", r"search(?:ing|es)?\s+for(?:\s+the)?\s+(?:bodies|remains)\s+of(?:\s+the)?"),
    ("killed_count", r"(?:number|tally|count|total)\s+of\s+(?:the\s+)?(?:dead|deaths|fatalities|victims|those\s+killed)"
                     r"(?:\s+(?:at|to|as|was|is|stood\s+at|rose\s+to|reached))?"),
    ("killed_toll", r"(?:died|dead|deaths)\s+(?:[\w'’-]+\s+){0,6}?(?:have|has|had)\s+(?:now\s+)?(?:reached|risen\s+to|"
                    r"rose\s+to|climbed\s+to|grown\s+to)"),
    ("injured", r"among\s+(?:the|those)\s+(?:injured|wounded|hurt)(?:\s+(?:were|are|was))?|"
                r"injuring|injured|injure|injures|wounding|wounded|wound|wounds|injuries\s+to"),
    ("casualties", r"casualties\s+(?:of|to|at|rose\s+to|reached)"),
    ("displaced", r"displacing|displaced|displace|displaces|displacement\s+of|uprooting|uprooted|forcing|forced|"
                  r"driving|drove|driven|exodus\s+of|influx\s+of|flight\s+of|idps?|deplac[ée]s?|pdi|"
                  r"displaced\s+(?:people|persons|individuals|families)"),
    ("evacuated", r"evacuating|evacuated|evacuate|evacuation|evacuations\s+of|relocating|relocated|evacuees|"
                  r"evacuar|evacuaron|evacuadas?|evacuados?|[ée]vacuer|resettlement\s+of|resettling|resettled|"
                  r"relocation\s+of|rescuing|rescued|moving"),
    ("sheltered", r"sheltering|housing|hosting|accommodating|camps?\s+(?:hosting|housing|of)"),
    ("refugees", r"refugees"),
    ("returned", r"return\s+of|returns\s+of|returnees|returning\s+refugees"),
    ("affecting", r"affecting|affected|affects|affect"),
    ("destroyed_housing", r"destroying|destroyed|destruction\s+of|razing|razed|flattening|flattened|levelled|leveled|"
                          r"washing\s+away|washed\s+away|buried|burying"),
    ("damaged_housing", r"damaging|damaged|damage\s+to|inundated|inundating|submerged|"
                        r"submerging|ripped\s+off\s+(?:the\s+)?roofs\s+of"),
    ("population", r"home\s+to|(?<!displaced\s)(?<!refugee\s)population\s+(?:of|was|is|stood\s+at|reached|had\s+been|"
                   r"has\s+been)|populated\s+by|"
                   r"inhabited\s+by|hosts|hosting|siege\s+of|besieging|"
                   r"putting"),
    ("in_need", r"assist|assisting|feed|feeding|in\s+need"),
]
# a cue may be glued to a capitalised name by PDF extraction ("have already fledShirqat"). Every cue starts with
# a letter, so the word start is tested once, before the alternatives: "\b(?=\w)" skips word ends and the
# cues are tried only where a word begins (three times faster than a "\b" in each group; same matches).
AFTER_RE = re.compile(r"\b(?=\w)(?:" + "|".join(f"(?P<{m}>(?:{p})(?:\\b|(?=(?-i:[A-Z]))))" for m, p in AFTER) + ")",
                      re.I)
BEFORE_RE = re.compile(r"\b(?=\w)(?:" + "|".join(f"(?P<{m}>(?:{p})\\b)" for m, p in BEFORE) + ")", re.I)
BEFORE_LOW = rx.caseless(BEFORE_RE)  # for lower-cased ASCII text (rx.lower_ascii)

PEOPLE = set("""
people persons person individuals individual civilians civilian residents resident inhabitants children child kids
women woman men man boys girls babies baby infants students pupils soldiers soldier troops fighters fighter
militants militant rebels rebel terrorists terrorist jihadists insurgents gunmen members member militiamen policemen
police officers officer personnel workers staff journalists doctors patients villagers citizens syrians kurds
refugees migrants idps displaced others other more elderly youths teenagers worshippers civilans persons' family
servicemen guards recruits volunteers prisoners detainees passengers pilgrims protesters demonstrators mourners
guests attendees farmers shepherds traders shoppers victims survivors evacuees returnees personnes habitants
visitors tourists holidaymakers hikers climbers campers fishermen miners sailors crew nationals foreigners
teachers nurses employees inmates herders pastoralists adults minors
personas familias families households household ménages menages hogares foyers peole pessoas
""".split())
HOUSEHOLDS = {"families", "family", "households", "household", "ménages", "menages", "hogares", "familias",
              "foyers", "familles", "m\ufffdnages", "famílias", "fam\ufffdlias", "familis"}
HOUSES = {"homes", "houses", "house", "home", "buildings", "building", "dwellings", "dwelling", "shelters", "shelter",
          "housing", "residences", "apartments", "apartment", "huts", "hut", "structures", "houses/shelter",
          "casas", "viviendas", "maisons", "habitations", "tents", "flats", "units", "properties", "residential"}
NON_COUNT = set("""
villages village towns town cities city districts district provinces province governorates governorate regions region
areas area neighborhoods neighbourhoods neighborhood neighbourhood posts post positions position checkpoints
checkpoint strikes strike airstrikes air raids raid attacks attack bombs bomb barrel missiles missile rockets rocket
shells shell mortars mortar rounds tanks tank vehicles vehicle cars car trucks truck lorries buses bus aircraft
planes plane jets helicopters helicopter drones drone days day weeks week months month years year hours hour minutes
minute seconds km kilometres kilometers kilometre kilometer miles mile metres meters metre meter feet hectares acres
tons tonnes kg percent per cent % dollars dollar euros usd pounds lira liras yuan riyals francs times countries
country schools school hospitals hospital clinics mosques mosque churches bridges bridge roads road sites site
facilities facility targets target sorties operations operation flights convoys convoy camps camp points point
locations location fronts battalions brigades factions organizations organisations agencies
projects programmes programs tents? kilograms litres liters gallons mm cm inches degrees storeys stories floors
cases case images photos pictures videos articles reports incidents events clashes explosions blasts bombings
tunnels depots warehouses weapons guns rifles munitions ammunition centres centers offices shops markets
items kits meals parcels baskets doses vaccines trips rounds phases stages steps laws resolutions decisions
resolution article articles chapter section page pages episode seasons games goals votes seats members? sessions
prefectures prefecture counties county municipalities municipality states departments department communes commune
parishes parish wards ward localities locality communities subdistricts sub-districts townships township islands
hectopascals hpa millibars mb knots kph mph km/h magnitude richter runs trains vessels boats ships hectares rai
calls messages tweets posts visits flights ambulances breaches violations views comments shares likes
trees latrines toilets structures outbuildings volunteers personnel crops livestock cattle goats sheep missions
""".split()) - {"members?", "tents?"}
SUBGROUP = re.compile(r"(?:including|among\s+them|among\s+whom|of\s+whom|of\s+them|amongst\s+them|incl\.)\s+$", re.I)
AUX = set("""
were was are is have has had been be being reportedly also already now still all who that which remain remained
remains left got get getting gotten reported believed feared confirmed said to so far just recently later
subsequently allegedly either both either officially newly since then currently further additional in total
others other more people of them those whom reportedly at least last overnight being
""".split())


def metric_after(text: str, start: int, end: int):
    """The first after-cue in text[start:end] → (metric, cue_start, cue_end) or None."""
    m = AFTER_RE.search(text, start, end)
    if not m:
        return None
    return m.lastgroup, m.start(), m.end()


def metric_before(text: str, start: int, end: int):
    """The last before-cue in text[start:end]."""
    last = None
    lowered = rx.lower_ascii(text)
    for m in (BEFORE_RE.finditer(text, start, end) if lowered is None else BEFORE_LOW.finditer(lowered, start, end)):
        last = m
    if not last:
        return None
    return CUE_METRIC.get(last.lastgroup, last.lastgroup), last.start(), last.end()


# cue groups that share a metric
CUE_METRIC = {"affecting": "affected", "killed_toll": "killed", "killed_count": "killed"}
NOUN_STOP = set("""
in on at from by near after as during when were was are is have has had and or but to for with who that which
into across around inside outside since while be been being will would could may might
""".split())


def head_noun(text: str, pos: int, end: int) -> tuple[str | None, int]:
    """The counted noun after a number: ("civilians", offset after it), skipping 'of', adjectives, 'other'."""
    window = text[pos:min(end, pos + 80)]
    toks = list(islice(rx.finditer(r"[A-Za-zÀ-ÿ\ufffd'’/%-]+|\S", window), 6))  # the loop reads toks[:6]
    for i, t in enumerate(toks[:5]):
        w = t.group().lower().strip("'’")
        if w in ("of", "the", "more", "other", "others", "additional", "further", "new", "local", "syrian", "a",
                 "people's"):
            if w in ("others", "more") and i == 0:
                nxt = toks[1].group().lower() if len(toks) > 1 else ""
                if nxt in NON_COUNT or nxt in PEOPLE or nxt in HOUSES or nxt in HOUSEHOLDS:
                    continue  # "two more incidents", "five more civilians"
                return w, pos + t.end()
            continue
        cue = AFTER_RE.fullmatch(w) is not None
        if cue and i + 1 < len(toks) and toks[i + 1].group().lower() in HOUSEHOLDS:
            return toks[i + 1].group().lower(), pos + toks[i + 1].end()  # "900 internally displaced households"
        if w in PEOPLE or w in HOUSES or w in HOUSEHOLDS or w in NON_COUNT:
            return w, pos + t.end()
        if cue and i + 1 < len(toks) and toks[i + 1].group().lower() in NON_COUNT:
            return toks[i + 1].group().lower(), pos + toks[i + 1].end()  # "nine evacuation centres"
        if not w[:1].isalpha() or w in NOUN_STOP or cue:
            return None, pos
        if i >= 3:
            break
    return None, pos


def unit_for(noun: str | None, metric: str) -> str:
    if metric in ("destroyed_housing", "damaged_housing"):
        return "households" if noun in HOUSEHOLDS else "houses"
    if noun in HOUSEHOLDS:
        return "households"
    return "houses" if noun in HOUSES else "people"  # "residents of 120 homes were evacuated"
