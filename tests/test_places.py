"""The gazetteer: spellings, admin2, countries, warehouse rows, and place context in extraction."""

from pathlib import Path

import duckdb
import pytest

from etl.extract import extract
from etl.model import Document
from etl.places import Gazetteer, bundled_places


@pytest.fixture(scope="module")
def gaz():
    return Gazetteer.bundled()


@pytest.mark.parametrize("name,want", [
    ("Idlib", ("SYR", "SY07", None)), ("Idleb", ("SYR", "SY07", None)),
    ("Deir ez-Zor", ("SYR", "SY09", None)), ("Deir-ez-Zor", ("SYR", "SY09", None)),
    ("Dayr az Zawr", ("SYR", "SY09", None)), ("Deir Ezzor", ("SYR", "SY09", None)),
    ("Raqqa", ("SYR", "SY11", None)), ("Ar-Raqqa", ("SYR", "SY11", None)), ("Al-Raqqa", ("SYR", "SY11", None)),
    ("Hasakeh", ("SYR", "SY08", None)), ("Al-Hasakah", ("SYR", "SY08", None)), ("Hasaka", ("SYR", "SY08", None)),
    ("Dar'a", ("SYR", "SY12", None)), ("Daraa", ("SYR", "SY12", None)), ("Deraa", ("SYR", "SY12", None)),
    ("As-Sweida", ("SYR", "SY13", None)), ("Suwayda", ("SYR", "SY13", None)),
    ("Lattakia", ("SYR", "SY06", None)), ("Latakia", ("SYR", "SY06", None)),
    ("Tartus", ("SYR", "SY10", None)), ("Tartous", ("SYR", "SY10", None)), ("Quneitra", ("SYR", "SY14", None)),
    ("Rural Damascus", ("SYR", "SY03", None)), ("Damascus countryside", ("SYR", "SY03", None)),
    ("Rif Dimashq", ("SYR", "SY03", None)), ("Homs", ("SYR", "SY04", None)), ("Hama", ("SYR", "SY05", None)),
    ("Aleppo", ("SYR", "SY02", None)), ("Halab", ("SYR", "SY02", None)),
    ("Maarat al-Numan", ("SYR", "SY07", "SY0702")), ("Ma'arrat An Nu'man", ("SYR", "SY07", "SY0702")),
    ("Maaret al-Numan", ("SYR", "SY07", "SY0702")), ("Aleppo city", ("SYR", "SY02", "SY0200")),
    ("Douma", ("SYR", "SY03", "SY0302")), ("Jisr al-Shughur", ("SYR", "SY07", "SY0704")),
    ("Saraqeb", ("SYR", "SY07", "SY0700")), ("Khan Sheikhoun", ("SYR", "SY07", "SY0702")),
    ("Ariha", ("SYR", "SY07", "SY0705")), ("Palmyra", ("SYR", "SY04", "SY0405")), ("Tadmur", ("SYR", "SY04", "SY0405")),
    ("Kobani", ("SYR", "SY02", "SY0206")), ("Ain al-Arab", ("SYR", "SY02", "SY0206")),
    ("Manbij", ("SYR", "SY02", "SY0205")), ("Ghouta", ("SYR", "SY03", None)),
    ("Syria", ("SYR", None, None)), ("Syrian Arab Republic", ("SYR", None, None)),
    ("Turkey", ("TUR", None, None)), ("Austria", ("AUT", None, None)),
    ("Xanadoria", (None, None, None)), ("", (None, None, None)),
])
def test_resolve_spellings(gaz, name, want):
    assert gaz.resolve(name) == want


def test_demonyms_are_not_places(gaz):
    assert gaz.resolve("Syrian") == (None, None, None)
    assert [m.text for m in gaz.find("Syrian and Turkish officials met Russian envoys.")] == []


def test_find_returns_spans(gaz):
    text = "Shelling hit Khan Sheikhoun in Idlib province, Syria."
    found = [(text[m.start:m.end], m.pcode, m.level) for m in gaz.find(text)]
    assert found == [("Khan Sheikhoun", "SY0702", 2), ("Idlib province", "SY07", 1), ("Syria", "SYR", 0)]


def test_every_country_resolves(gaz):
    countries = [r for r in bundled_places() if r["admin_level"] == 0]
    assert len(countries) >= 195
    assert all(gaz.resolve(r["name"])[0] == r["pcode"] for r in countries)


def test_bundled_syria_rows():
    rows = {r["pcode"]: r for r in bundled_places()}
    assert sum(1 for r in rows.values() if r["pcode"].startswith("SY") and r["admin_level"] == 1) == 14
    assert sum(1 for r in rows.values() if r["pcode"].startswith("SY") and r["admin_level"] == 2) == 62
    assert rows["SY0702"]["parent_pcode"] == "SY07"
    assert "Maarat al-Numan" in rows["SY0702"]["alt_names"]


def test_from_rows_and_connection_with_null_alt_names():
    con = duckdb.connect()
    con.execute("CREATE TABLE places (pcode VARCHAR, admin_level INTEGER, name VARCHAR, country_iso3 VARCHAR,"
                " parent_pcode VARCHAR, alt_names VARCHAR[])")
    con.execute("INSERT INTO places VALUES ('XY01', 1, 'Northwind', 'XYZ', 'XYZ', NULL),"
                " ('XY0101', 2, 'Port Sable', 'XYZ', 'XY01', NULL), ('SY07', 1, 'Idleb', 'SYR', 'SYR', ['Idlib'])")
    g = Gazetteer.from_connection(con)
    assert g.resolve("Port Sable") == ("XYZ", "XY01", "XY0101")
    assert g.resolve("Idlib") == ("SYR", "SY07", None)
    assert g.resolve("Syria") == ("SYR", None, None)  # countries come from the bundled list
    g2 = Gazetteer.from_rows([{"pcode": "AA", "admin_level": 0, "name": "Aland", "country_iso3": "AAA",
                               "parent_pcode": None, "alt_names": None}])
    assert g2.resolve("Aland") == ("AAA", None, None)


def place(text, **kw):
    return [(f["value"], f["location_text"], f["country_iso3"], f["admin1_pcode"], f["admin2_pcode"])
            for f in extract(Document("t", text, **kw))]


def test_most_specific_place_in_sentence():
    assert place("Shelling killed 12 people in Maarat al-Numan in Idlib province.") == \
        [(12, "Maarat al-Numan", "SYR", "SY07", "SY0702")]


def test_city_of_gives_the_city_district():
    assert place("Seven people were killed in the northern city of Aleppo.")[0][3:] == ("SY02", "SY0200")


def test_fallback_to_document_context():
    text = "Heavy fighting continued in Idlib province on Monday. The U.N. said 80,000 people had fled."
    assert place(text) == [(80000, "Idlib province", "SYR", "SY07", None)]


def test_fallback_to_title():
    assert place("The U.N. said 80,000 people had fled.", title="Offensive in Idlib") == \
        [(80000, "Idlib", "SYR", "SY07", None)]


def test_places_listed_together_span_governorates():
    assert place("8 Civilians Killed in Terrorist Attacks in Damascus Aleppo")[0][2:] == ("SYR", None, None)


def test_foreign_place_needs_context():
    # Moscow is also a district name abroad; in a text about Syria it must not place a figure
    got = place("Talks in Moscow failed. In Idlib 30 people were killed.")
    assert got[0][2:4] == ("SYR", "SY07")


def test_same_pcode_from_two_sources_pools_names():
    rows = [
        {"pcode": "SY07", "admin_level": 1, "name": "Idleb", "country_iso3": "SYR", "parent_pcode": "SYR",
         "alt_names": None},
        {"pcode": "SY07", "admin_level": 1, "name": "Idleb", "country_iso3": "SYR", "parent_pcode": "SYR",
         "alt_names": ["Idlib", "Edlib"]},
        {"pcode": "SYR", "admin_level": 0, "name": "Syria", "country_iso3": "SYR", "parent_pcode": None,
         "alt_names": None},
    ]
    g = Gazetteer.from_rows(rows)
    assert g.resolve("Edlib") == ("SYR", "SY07", None)
    assert g.resolve("Idleb") == ("SYR", "SY07", None)


def test_from_connection_with_the_hdx_list_only():
    """The `pcodes` source loads only admin1/admin2 rows (no countries, no spellings): places of every listed
    country then resolve, by name and through their provinces."""
    sample = Path(__file__).parent / "fixtures" / "extract" / "hdx_pcodes_sample.csv"
    con = duckdb.connect()
    con.execute("CREATE TABLE places AS SELECT pcode, admin_level::INTEGER AS admin_level, name, country_iso3,"
                " parent_pcode, NULL::VARCHAR[] AS alt_names FROM read_csv(?, all_varchar=true)", [str(sample)])
    g = Gazetteer.from_connection(con)
    assert g.resolve("Bobonong") == ("BWA", "BW12", "BW1203")
    assert g.resolve("Kilis") == ("TUR", "TUR079", None)
    assert g.resolve("Hirat") == ("AFG", "AF22", None)
    assert g.resolve("Idleb") == ("SYR", "SY07", None)


def test_match_unpacks_as_a_tuple(gaz):
    [(start, end, pcode, level)] = gaz.find("Floods in Deir-ez-Zor.")
    assert (start, end, pcode, level) == (10, 21, "SY09", 1)
