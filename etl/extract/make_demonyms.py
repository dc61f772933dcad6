"""Write demonyms.csv (iso3, country, demonym) from the countryinfo package's data (MIT licence).

  pip install --target /tmp/countryinfo countryinfo==1.0.1
  python3 -m etl.extract.make_demonyms /tmp/countryinfo/countryinfo/data

The package is needed only here, not at run time."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

OUT = Path(__file__).with_name("demonyms.csv")
# English usage the package spells otherwise
FIXES = {"ARG": "Argentine", "BWA": "Botswanan", "IOT": "", "USA": "American", "GBR": "British",
         "PSE": "Palestinian", "COD": "Congolese", "COG": "Congolese", "KOR": "South Korean", "PRK": "North Korean",
         "SSD": "South Sudanese", "MMR": "Myanmar", "PHL": "Philippine", "NLD": "Dutch"}


def main(folder: str) -> int:
    rows = []
    for path in sorted(Path(folder).glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        iso = data.get("ISO", {})
        iso3 = iso.get("alpha3") if isinstance(iso, dict) else None
        demonym = FIXES.get(iso3, (data.get("demonym") or "").split(",")[0].strip())
        if not iso3 or not demonym or not data.get("name"):
            continue
        rows.append((iso3, data["name"].removeprefix("The ").strip(), demonym))
    best: dict[str, tuple[str, str, str]] = {}
    for row in rows:  # one row a country: the shortest name ("Palestine", not "Palestine, State of")
        if row[0] not in best or len(row[1]) < len(best[row[0]][1]):
            best[row[0]] = row
    with open(OUT, "w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["iso3", "country", "demonym"])
        out.writerows(sorted(best.values()))
    print(f"{OUT.name}: {len(best)} countries")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
