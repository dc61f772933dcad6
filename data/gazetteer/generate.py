"""Regenerate the derived gazetteer CSVs in this folder.

  python data/gazetteer/generate.py

Writes countries.csv (ISO 3166 names from CLDR via babel, plus the alternates in ALTERNATES). Admin areas and
towns of every country come from generate_world.py (world.tsv.gz); the curated spellings.csv (Syria) and
regions.csv (regions, islands and camps the open lists lack) are not touched here.
"""

import csv
from pathlib import Path

HERE = Path(__file__).parent

# Common alternate English names (facts; extend freely).
ALTERNATES = {
    "SYR": ["Syrian Arab Republic"], "USA": ["United States of America", "U.S.", "U.S.A.", "America"],
    "GBR": ["UK", "U.K.", "Britain", "Great Britain", "England"], "RUS": ["Russian Federation"],
    "IRN": ["Iran (Islamic Republic of)", "Islamic Republic of Iran"], "COD": ["DR Congo", "DRC", "Congo-Kinshasa",
    "Democratic Republic of the Congo", "Democratic Republic of Congo"],
    "COG": ["Congo-Brazzaville", "Republic of the Congo", "Republic of Congo"],
    "CIV": ["Ivory Coast", "Cote d'Ivoire"], "MMR": ["Burma"], "PSE": ["Palestine", "State of Palestine",
    "Gaza", "Gaza Strip", "West Bank", "occupied Palestinian territory", "oPt"], "KOR": ["South Korea"],
    "PRK": ["North Korea"], "LAO": ["Laos", "Lao PDR"], "VNM": ["Viet Nam"], "TUR": ["Turkey", "Türkiye", "Turkiye"],
    "CZE": ["Czech Republic"], "MKD": ["Macedonia"], "SWZ": ["Swaziland"], "CPV": ["Cape Verde", "Cabo Verde"],
    "TZA": ["United Republic of Tanzania"], "BOL": ["Bolivia (Plurinational State of)"],
    "VEN": ["Venezuela (Bolivarian Republic of)"], "MDA": ["Moldova"], "SSD": ["S. Sudan"], "CAF": ["CAR"],
    "TLS": ["East Timor"], "FSM": ["Micronesia"], "VAT": ["Vatican"], "BIH": ["Bosnia"],
}
SKIP = {"ZZ", "QO", "EU", "EZ", "UN", "XA", "XB", "XK"}
DEPRECATED = {"BUR", "ZAR", "DDR", "FXX", "TMP", "YMD"}  # old alpha-3 codes CLDR still lists as aliases


def countries():
    from babel import Locale
    from babel.core import get_global

    alpha3 = {}
    for a3, a2s in get_global("territory_aliases").items():
        if len(a3) == 3 and a3.isalpha() and len(a2s) == 1 and a3 not in DEPRECATED:
            alpha3.setdefault(a2s[0], a3)
    names = Locale("en").territories
    rows = []
    for a2, a3 in sorted(alpha3.items(), key=lambda kv: kv[1]):
        if a2 in SKIP or a2 not in names or a3 in {"AAA"}:
            continue
        name = names[a2]
        alts = [v for k, v in Locale("en")._data["territories"].items() if k.startswith(a2 + "-")]
        alts += ALTERNATES.get(a3, [])
        rows.append([a3, 0, name, a3, "", "|".join(dict.fromkeys(a for a in alts if a != name))])
    return rows


def write(name, rows):
    with open(HERE / name, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["pcode", "admin_level", "name", "country_iso3", "parent_pcode", "alt_names"])
        w.writerows(rows)


if __name__ == "__main__":
    write("countries.csv", countries())
