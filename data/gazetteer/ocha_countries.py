"""Regenerate ocha_countries.csv: OCHA's country names, from hdx-python-country's offline copy of OCHA's
Countries & Territories Taxonomy (no network). Run at build time, not at run time:

  pip install hdx-python-country && python data/gazetteer/ocha_countries.py

Columns: iso3, name (OCHA's preferred term: "Democratic Republic of the Congo", "Myanmar"), alt_names (OCHA's,
ReliefWeb's and ISO's other terms, `|`-separated). The `gazetteer` source names countries with them and keeps
the CLDR names of countries.csv as alternates.
"""

import csv
from pathlib import Path

HERE = Path(__file__).parent
ALT_FIELDS = ("English Short", "ISO Alt Term", "DGACM Alt Term", "HPC Tools Alt Term", "RW Short Name",
              "RW API Alt Term", "M49 English")


def rows():
    from hdx.location.country import Country

    Country.set_use_live_default(False)  # the package's bundled copy: reproducible, offline
    out = []
    for iso3, info in sorted(Country.countriesdata()["countries"].items()):
        if info.get("Deprecated") == "Y" or len(iso3) != 3:
            continue
        name = info["Preferred Term"]
        alts = []
        for field in ALT_FIELDS:
            value = (info.get(field) or "").strip()
            if value and value != name and value not in alts:
                alts.append(value)
        out.append([iso3, name, "|".join(alts)])
    return out


if __name__ == "__main__":
    with open(HERE / "ocha_countries.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["iso3", "name", "alt_names"])
        writer.writerows(rows())
