"""Loading a large ACLED, DTM or HDX HAPI export: `displacement etl run SOURCE --from-file` under /usr/bin/time -v
(wall, CPU, peak RSS), against DuckDB's own read_csv of the same file.

    python benchmarks/load_source.py --source acled [--mb 20] [--dir /tmp] [--root CHECKOUT] [--keep]

Generates a synthetic CSV in the source's export shape (every record its own key; 1% of rows carry a bad count),
loads it into a fresh warehouse with the code of --root (default: this checkout), then times read_csv over it.
Not a test: record the numbers in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import shutil
import subprocess
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
ACLED = ("event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,assoc_actor_1,"
         "inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,iso,region,country,admin1,admin2,admin3,"
         "location,latitude,longitude,geo_precision,source,source_scale,notes,fatalities,tags,timestamp").split(",")
DTM = ("id,operation,admin0Name,admin0Pcode,admin1Name,admin1Pcode,admin2Name,admin2Pcode,operationStatus,"
       "assessmentType,displacementReason,idpOriginAdmin1Name,idpOriginAdmin1Pcode,numPresentIdpInd,reportingDate,"
       "yearReportingDate,monthReportingDate,roundNumber,numberMales,numberFemales").split(",")
HAPI = ("location_code,has_hrp,in_gho,provider_admin1_name,provider_admin2_name,admin1_code,admin1_name,admin2_code,"
        "admin2_name,admin_level,event_type,events,fatalities,reference_period_start,reference_period_end,"
        "dataset_hdx_id,resource_hdx_id,warning,error").split(",")
SOURCES = {"acled": ACLED, "dtm": DTM, "hapi-conflict-events": HAPI}
ADMIN1 = ("Aleppo", "Idleb", "Hama", "Homs", "Damascus", "Rural Damascus", "Dar'a", "Lattakia", "Tartous")


def _row(source: str, i: int) -> list:
    day = date(2018, 1, 1) + timedelta(days=i % 2500)
    count = "n/a" if i % 100 == 99 else str(i % 17)
    admin1 = ADMIN1[i % len(ADMIN1)]
    if source == "acled":
        return [f"SYR{i + 1}", day.isoformat(), day.year, 1, "Political violence", "Battles", "Armed clash",
                "Military Forces of Syria (2024-)", "", "State forces", "Unidentified Armed Group (Syria)", "",
                "Rebel group", "State forces-Rebel group", "", 760, "Middle East", "Syria", admin1,
                f"District {i % 61}",
                "", f"Town {i % 997}", "36.1806", "36.7231", 1, "Syrian Observatory for Human Rights", "National",
                "Synthetic event, \"quoted\" words and a comma.", count, "", 1736812800]
    if source == "dtm":
        return [i + 1, "Sudan Mobility Tracking", "Sudan", "SDN", admin1, f"SD{i % 18:02d}", f"Locality {i % 190}",
                f"SD{i % 18:02d}{i % 190:03d}", "Active", "BA", "Conflict", "Khartoum", f"SD{i // 400_000:02d}",
                count, f"{day.isoformat()}T00:00:00", day.year, day.month, i // 3420 + 1, "", ""]
    month = date(2000 + i // 2_000_000, i // 166_667 % 12 + 1, 1)
    return ["SYR", "Y", "Y", admin1, f"District {i}", f"SY{i % 14:02d}", admin1, f"SY{i:07d}", f"District {i}", 2,
            ("civilian_targeting", "political_violence", "demonstration")[i % 3], i % 31, count,
            month.isoformat(), (month + timedelta(days=27)).isoformat(), "921fe117-7158-437b-943d-94969d545362",
            "fb139931-641f-4428-be77-429972878e19", "", ""]


def generate(source: str, path: Path, mb: float) -> int:
    rows = 0
    with open(path, "w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(SOURCES[source])
        while out.tell() < mb * 1e6:
            writer.writerow(_row(source, rows))
            rows += 1
    return rows


def timed_run(source: str, path: Path, folder: Path, root: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISPLACEMENT_")}
    env.update(DISPLACEMENT_DB=str(folder / "w.duckdb"), PYTHONPATH=str(root))
    command = ["/usr/bin/time", "-v", "python3", "-m", "etl.cli", "etl", "run", source, "--from-file", str(path)]
    load = os.getloadavg()[0]
    started = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=folder, capture_output=True, text=True)
    wall = time.perf_counter() - started
    usage = done.stderr

    def number(label: str) -> float:
        found = re.search(rf"{label}: ([0-9.:]+)", usage)
        return float(found.group(1)) if found else float("nan")

    return {"wall": wall, "cpu": number(r"User time \(seconds\)") + number(r"System time \(seconds\)"),
            "peak_mb": number(r"Maximum resident set size \(kbytes\)") / 1024, "load": load,
            "output": (done.stdout.strip() or usage.strip()).splitlines()[-3:]}


def read_csv_time(path: Path) -> tuple[float, float]:
    con = duckdb.connect()
    con.execute("SET threads = 2")
    started, cpu_started = time.perf_counter(), time.process_time()
    con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{path}', all_varchar = true)")
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    con.close()
    return seconds, cpu


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", choices=sorted(SOURCES), default="acled")
    parser.add_argument("--mb", type=float, default=20)
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout whose code loads the file")
    parser.add_argument("--keep", action="store_true", help="keep the generated file and warehouse")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix=f"load-{args.source}-", dir=args.dir))
    path = folder / f"{args.source}.csv"
    rows = generate(args.source, path, args.mb)
    run = timed_run(args.source, path, folder, args.root.resolve())
    read_wall, read_cpu = read_csv_time(path)
    print("\n".join(run["output"]))
    print(f"{args.source} {path.stat().st_size / 1e6:.0f} MB, {rows:,} rows ({args.root}): etl run {run['wall']:.1f} s"
          f" wall, {run['cpu']:.1f} s CPU, peak {run['peak_mb']:.0f} MB; DuckDB read_csv {read_wall:.1f} s wall,"
          f" {read_cpu:.1f} s CPU ({run['wall'] / read_wall:.1f}x wall); load average {run['load']:.1f}")
    if not args.keep:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
