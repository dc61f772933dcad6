"""The gazetteer: place names → OCHA p-codes (country ISO3, admin1, admin2).

Bundled CSVs live in data/gazetteer (countries, the HDX global admin1/admin2 list, Syria's sub-districts and
communities, hand-written Syrian spellings). `Gazetteer.find` scans text with a token dictionary, so the cost
is linear in the text, not in the gazetteer.
"""

from __future__ import annotations

import csv
import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from etl.resources import bundled

DATA = bundled("data", "gazetteer")
FILES = ("countries.csv", "admin.csv")
SPELLINGS = "spellings.csv"
WORLD = "places_by_country.csv"  # hand-written cities and regions of other countries, as names of the country
MAX_TOKENS = 6
ARTICLES = {"al", "el", "ar", "as", "ad", "ash", "az", "an", "at", "the", "ad-", "es", "ed"}
# Names that are also common English words: matched only as part of a longer name.
STOP = set("""
a an and the of in on at to for by with from as or but not no new old central center centre north south east west
northern southern eastern western northeast northwest southeast southwest upper lower middle capital city town
district province region state states island islands coast valley river lake mountain mountains hills plain
national federal union independence liberty victoria george grace hope mercy salvation peace unity progress
army police centre-sud nord sud est ouest centre-est centre-nord centre-ouest hauts-bassins plateau plateaux
maritime littoral lagunes savanes savanna sahel kara tillaberi mayo adamawa delta rivers lakes cross sea
colon union libertad esperanza progreso paraiso concepcion santa santo san la le les los las el de del
bay port harbour harbor gulf point cape mount saint st fort de-la grand grande little big long short
early late mid media press reuters sana afp ap voa bbc cnn tv news daily times post world
monday tuesday wednesday thursday friday saturday sunday january february march april may june july august
september october november december today yesterday
amnesty human rights watch save children red cross crescent doctors islamic state nusra front
free syrian kurdish turkish russian iranian iraqi lebanese american british french
homes home houses house people men women children families family
bab tal tell deir kafr kfar ain jisr khan hayy hay sheikh ras jabal jebel wadi qasr tall abu umm bani beit
sham levant damascene aleppan arab arabs most said ngo ngos badr tahrir francois zubair ayn tarma
hamza omar ali hassan hussein mohammed muhammad ahmed ahmad khalid abdullah malik
alto bajo norte sur este oeste centro nueva nuevo grande rio del las los bella vista monte puerto villa cerro campo
lago mar sierra valle congo union paz esperanza libertad victoria central occidental oriental
""".split())
HOME = {"SYR"}  # the project's focus: its admin names are never "weak" (see Gazetteer.find)
SUFFIXES = set("""
province region governorate municipality district state prefecture county department autonomous special
administrative zhuang uygur uyghur hui oblast raion division territory wilayat wilaya muhafazah
""".split())
CAPITALS = {  # Syrian governorate → the district of its capital city ("the city of Homs")
    "SY01": "SY0100", "SY02": "SY0200", "SY04": "SY0401", "SY05": "SY0501", "SY06": "SY0600", "SY07": "SY0700",
    "SY08": "SY0800", "SY09": "SY0901", "SY10": "SY1000", "SY11": "SY1101", "SY12": "SY1200", "SY13": "SY1300",
    "SY14": "SY1400",
}
MOJIBAKE = re.compile("\u0160\u2014[\u00c8\u00ca\u00d3\u00f9]|\u00e2\u20ac[\u2122\u02dc\u0153\u009d]|\ufffd")
_APOS = re.compile(r"['’`ʼ]")
TOKEN = re.compile(r"[^\W\d_](?:[^\W_]|['’`ʼ](?=[^\W\d_]))*", re.UNICODE)


@functools.lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """Lower-case, strip accents and apostrophes: "Ma'arrat An-Nu'man" → "maarrat an-numan"."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    return _APOS.sub("", text.lower())


def key_tokens(name: str) -> tuple[str, ...]:
    return tuple(fold(t) for t in TOKEN.findall(name))


class Place(NamedTuple):
    pcode: str
    level: int
    name: str
    country: str
    admin1: str | None
    admin2: str | None


class _Places(dict):
    """pcode → Place, kept as plain tuples and wrapped on first access."""

    def __init__(self, *args):
        super().__init__(*args)
        self._built: dict[str, Place] = {}

    def __getitem__(self, code):
        place = self._built.get(code)
        if place is None:
            place = self._built[code] = Place(*dict.__getitem__(self, code))
        return place

    def get(self, code, default=None):
        try:
            return self[code]
        except KeyError:
            return default

    def __setitem__(self, code, place):
        dict.__setitem__(self, code, tuple(place))
        self._built.pop(code, None)


@dataclass(frozen=True)
class Match:
    """A place name found in a text; unpacks as (start, end, pcode, level)."""

    start: int
    end: int
    pcode: str
    level: int
    text: str
    place: Place

    def __iter__(self):
        return iter((self.start, self.end, self.pcode, self.level))


class Gazetteer:
    def __init__(self, rows):
        by_code: dict[str, dict] = {}
        for r in rows:  # the same p-code from two sources: keep the first's fields, pool the names
            r = dict(r)
            code = str(r.get("pcode") or "")
            if not code:
                continue
            r["alt_names"] = list(r.get("alt_names") or [])
            if code in by_code:
                old = by_code[code]
                for key, value in r.items():
                    if old.get(key) in (None, "") and value not in (None, ""):
                        old[key] = value
                old["alt_names"] = list(dict.fromkeys(old["alt_names"] + r["alt_names"] + [r.get("name")]))
            else:
                by_code[code] = r
        self.places: dict[str, Place] = _Places()
        for code, r in by_code.items():
            chain = self._chain(code, by_code)
            level = int(r.get("admin_level") or 0)
            country = str(r.get("country_iso3") or chain[-1]).upper()
            admin1 = next((c for c in chain if int(by_code[c].get("admin_level") or 0) == 1), None)
            admin2 = next((c for c in chain if int(by_code[c].get("admin_level") or 0) == 2), None)
            self.places[code] = Place(code, level, str(r.get("name") or code), country, admin1, admin2)
        # weak: foreign admin names without curated spellings, trusted only when their country is in context
        self.weak = {code for code, r in by_code.items()
                     if int(r.get("admin_level") or 0) >= 1 and not r.get("alt_names")
                     and self.places[code].country not in HOME}
        self.index: dict[tuple[str, ...], set[str]] = {}
        for code, r in by_code.items():
            names = [r.get("name")] + list(r.get("alt_names") or [])
            for name in names:
                if name:
                    self._add(name, code)
        for codes in self.index.values():  # an admin name that is also a curated name of its country is not weak
            named = {self.places[c].country for c in codes if self.places[c].level == 0}
            if named:
                self.weak -= {c for c in codes if self.places[c].country in named}
        self.prefixes = {key[:m] for key in self.index for m in range(1, len(key))}
        self.index = {k: tuple(sorted(v)) for k, v in self.index.items()}

    @staticmethod
    def _chain(code, by_code):
        chain, seen = [code], {code}
        while True:
            parent = by_code.get(chain[-1], {}).get("parent_pcode")
            if not parent or parent in seen or parent not in by_code:
                return chain
            chain.append(parent)
            seen.add(parent)

    def _add(self, name: str, code: str):
        name = str(name)
        place = self.places[code]
        bare = re.sub(r"\s*\(.*?\)\s*", " ", name).strip()  # "Damascus (Qaboun)" → "Damascus"
        parts = {bare, *bare.split("/")} if "/" in bare else {bare}
        if bare != name and place.level == 0:
            parts.add(name)  # "Cocos (Keeling) Islands"
        inner = re.findall(r"\(([^()]{4,40})\)", name)
        if inner and place.level <= 2 and place.country != "SYR":
            parts.update(inner)  # "Region XI (Davao Region)"
        for part in parts:
            toks = key_tokens(part)
            if not toks or len(toks) > MAX_TOKENS:
                continue
            variants = {toks}
            if len(toks) > 1 and toks[0] in ARTICLES and place.level >= 1:
                variants.add(toks[1:])  # "Al-Hasakah" → "Hasakah" (not "El Salvador" → "Salvador")
            core = toks
            while len(core) > 1 and core[-1] in SUFFIXES:
                core = core[:-1]  # "Yunnan Province" → "Yunnan", "Guangxi Zhuang Autonomous Region" → "Guangxi"
                variants.add(core)
            for v in variants:
                if len(v) == 1 and (v[0] in STOP or len(v[0]) < 4 and not (name.isupper() and len(name) == 3)):
                    continue
                if len(v) == 1 and len(v[0]) < 5 and (place.level >= 3 or (place.level == 2 and code in self.weak)):
                    continue  # short village and foreign district names are too often words or first names
                if v == ("al",) or all(t in STOP for t in v):
                    continue
                self.index.setdefault(v, set()).add(code)

    # -- construction ------------------------------------------------------------------------------------
    @classmethod
    def from_rows(cls, rows) -> Gazetteer:
        return cls(rows)

    @classmethod
    def from_connection(cls, con) -> Gazetteer:
        cur = con.execute("SELECT pcode, admin_level, name, country_iso3, parent_pcode, alt_names FROM places")
        cols = [d[0] for d in cur.description]
        rows = [dict(zip(cols, r)) for r in cur.fetchall()]
        for r in rows:  # the HDX list gives countries only as parents: add them as level 0
            r["alt_names"] = list(r.get("alt_names") or [])
        have = {r["pcode"] for r in rows}
        bundled = {r["pcode"]: r for r in bundled_places()}
        for r in list(rows):
            parent = r.get("parent_pcode")
            if parent and parent not in have and parent in bundled:
                rows.append(bundled[parent])
                have.add(parent)
        return cls(rows)

    @classmethod
    def bundled(cls) -> Gazetteer:
        return _bundled()

    # -- look-ups ----------------------------------------------------------------------------------------
    def find(self, text: str, context: set[str] | None = None) -> list[Match]:
        if MOJIBAKE.search(text):  # "AfghanistanŠ—Ès": same length, so offsets hold
            text = MOJIBAKE.sub(lambda m: "'" + " " * (len(m.group()) - 1), text)
        return self._find(text, context)

    def _find(self, text: str, context: set[str] | None = None) -> list[Match]:
        """Place names in text, longest first, left to right. context: countries that disambiguate.

        A weak match (a foreign admin name with no curated spelling, e.g. "Moscow" as a Kyrgyz district) is
        kept only when its country is named too, or when the text names no other place at all.
        """
        found = self._scan(text, context)
        strong = {m.place.country for m in found if m.pcode not in self.weak}
        if not strong:
            return found
        allowed = strong | set(context or ())
        return [m for m in found if m.pcode not in self.weak or m.place.country in allowed]

    def _scan(self, text: str, context: set[str] | None) -> list[Match]:
        toks = TOKEN.findall(text)
        spans = None  # token offsets, computed only when a name is found
        out, i, n_toks = [], 0, len(toks)
        index, prefixes = self.index, self.prefixes
        while i < n_toks:
            word = toks[i]
            first = word[0]
            if not (first.isupper() or (word in ARTICLES and i + 1 < n_toks and toks[i + 1][0].isupper())):
                i += 1
                continue
            key, k, best = (fold(word),), i, None
            if key not in index and key not in prefixes and len(word) > 4 and word.endswith("s") \
                    and (fold(word[:-1]),) in index:
                key = (fold(word[:-1]),)  # "Syrias", "Aleppos": a possessive that lost its apostrophe
            while True:
                if key in index:
                    best = (key, k)
                if key not in prefixes or k + 1 >= n_toks:
                    break
                k += 1
                key = key + (fold(toks[k]),)
            hit = None
            while best is not None:
                key, k = best
                n = k - i + 1
                if spans is None:
                    spans = [m.span() for m in TOKEN.finditer(text)]
                ok = first.isupper() or n > 1
                place = self._choose(index[key], context) if ok and (n == 1 or self._adjacent(text, spans[i:k + 1])) \
                    else None
                if place:
                    a, b = spans[i][0], spans[k][1]
                    hit = Match(a, b, place.pcode, place.level, text[a:b], place)
                    break
                best = next(((key[:m], i + m - 1) for m in range(n - 1, 0, -1) if key[:m] in index), None)
            if hit:
                out.append(hit)
                i = k + 1
            else:
                i += 1
        return out

    @staticmethod
    def _adjacent(text, spans) -> bool:
        for (_, e), (s, _) in zip(spans, spans[1:]):
            if not re.fullmatch(r"[\s\-]{1,2}", text[e:s]):
                return False
        return True

    def _choose(self, codes, context) -> Place | None:
        places = [self.places[c] for c in codes]
        if len(places) > 1 and any(p.pcode not in self.weak for p in places):
            places = [p for p in places if p.pcode not in self.weak]
        if len(places) == 1:
            return places[0]
        countries = {p.country for p in places}
        if len(countries) > 1:
            if context:
                inside = [p for p in places if p.country in context]
                if inside:
                    places = inside
            countries = {p.country for p in places}
            if len(countries) > 1:
                zero = [p for p in places if p.level == 0]
                return zero[0] if len(zero) == 1 else None
        if len(places) > 1 and any(p.level > 0 for p in places):
            places = [p for p in places if p.level > 0]  # a country's alias for one of its provinces
        if len(places) > 1 and any(p.level in (1, 2) for p in places):
            places = [p for p in places if p.level <= 2]  # a governorate beats villages of the same name
        places.sort(key=lambda p: (p.level, p.pcode))
        top = places[0]
        if all(self._within(p, top) for p in places):
            return top
        admin1 = {p.admin1 for p in places}
        if len(admin1) == 1 and top.admin1:
            return self.places.get(top.admin1)
        return self.places.get(top.country) if top.country in self.places else None

    @staticmethod
    def _within(p: Place, top: Place) -> bool:
        return p.pcode == top.pcode or top.pcode in (p.admin1, p.admin2, p.country)

    def codes(self, place: Place) -> tuple[str | None, str | None, str | None]:
        admin1 = place.admin1 if place.level >= 1 else None
        admin2 = place.admin2 if place.level >= 2 else None
        if place.level == 1:
            admin1 = place.pcode
        if place.level == 2:
            admin2 = place.pcode
        return place.country, admin1, admin2

    def resolve(self, text: str):
        """(country_iso3, admin1_pcode, admin2_pcode) of the most specific place named, or (None, None, None)."""
        if not text:
            return (None, None, None)
        codes = self.index.get(key_tokens(text))
        if codes is None and key_tokens(text)[:1] and key_tokens(text)[0] in ARTICLES:
            codes = self.index.get(key_tokens(text)[1:])
        if codes:
            place = self._choose(codes, None)
            return self.codes(place) if place else (None, None, None)
        matches = self.find(text)
        if not matches:
            return (None, None, None)
        best = max(matches, key=lambda m: (m.place.level, m.end - m.start))
        return self.codes(best.place)

    def city_district(self, place: Place) -> Place | None:
        """The district of a governorate's capital city ("the city of Homs" → Homs district)."""
        code = CAPITALS.get(place.pcode)
        return self.places.get(code) if code else None


def _read(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def bundled_places() -> list[dict]:
    """Every bundled place: pcode, admin_level, name, country_iso3, parent_pcode, alt_names (list)."""
    rows: dict[str, dict] = {}
    for name in FILES:
        path = DATA / name
        if not path.exists():
            continue
        for r in _read(path):
            rows[r["pcode"]] = {
                "pcode": r["pcode"], "admin_level": int(r["admin_level"]), "name": r["name"],
                "country_iso3": r["country_iso3"], "parent_pcode": r["parent_pcode"] or None,
                "alt_names": [a for a in (r.get("alt_names") or "").split("|") if a],
            }
    for extra in (SPELLINGS, WORLD):
        if not (DATA / extra).exists():
            continue
        for r in _read(DATA / extra):
            row = rows.get(r["pcode"])
            if row is not None:
                row["alt_names"] += [a.strip() for a in r["alt_names"].split("|") if a.strip()]
    return list(rows.values())


@functools.lru_cache(maxsize=1)
def _bundled() -> Gazetteer:
    return Gazetteer(bundled_places())
