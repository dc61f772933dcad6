"""Places of every country from the bundled open data (HDX p-codes, GeoNames towns), and what is not a place."""

import json

import duckdb
import pytest

from etl.extract import extract
from etl.model import Document
from etl.places import Gazetteer
from tests.test_cli import displacement


def where(text, **kw):
    return [(f["value"], f["country_iso3"], f["admin1_pcode"], f["admin2_pcode"])
            for f in extract(Document("t", text, **kw))]


@pytest.fixture(scope="module")
def gaz():
    return Gazetteer.bundled()


@pytest.mark.parametrize("name,want", [
    ("Guangdong", ("CHN", "CN044", None)), ("Sarawak", ("MYS", "MY13", None)), ("Son La", ("VNM", "VN303", None)),
    ("Jonglei", ("SSD", "SS03", None)), ("Hiraan", ("SOM", "SO20", None)), ("Borno", ("NGA", "NG008", None)),
])
def test_admin1_of_any_listed_country(gaz, name, want):
    assert gaz.resolve(name) == want


def test_indian_states_and_towns_give_india_without_p_codes():
    # India has no OCHA p-codes: the country, never a made-up admin code
    assert where("Floods displaced 12,000 people in Assam on Sunday.") == [(12000, "IND", None, None)]
    assert where("In Karimganj, 3,000 families were displaced by the floods.") == [(3000, "IND", None, None)]


@pytest.mark.parametrize("text,want", [
    ("The storm destroyed 400 houses in Tacloban.", ("PHL", "PH08", "PH08037")),
    ("Clashes near Gulu displaced 2,500 people.", ("UGA", "UG3", "UG3074")),
])
def test_town_gets_admin1_and_admin2_from_geonames(text, want):
    assert where(text)[0][1:] == want


@pytest.mark.parametrize("text", [
    "The Jakarta Post reported that 300 houses were destroyed by the flood.",
    "According to Russia Today, 40 people were killed in the clashes.",
    "Lama Fakih said 16 civilians were wounded.",
    "President Hamilton said 200 people were evacuated.",
    "Villages were flooded and 500 people were displaced.",
])
def test_outlets_names_and_common_words_are_not_places(text):
    assert where(text)[0][1:] == (None, None, None)


def test_outlet_does_not_hide_the_real_place():
    assert where("The Jakarta Post said 40 people were killed in Aleppo.") == [(40, "SYR", "SY02", None)]


def test_country_context_decides_between_homonyms():
    assert where("Floods in Punjab, India, displaced 5,000 people.")[0][1:3] == ("IND", None)
    assert where("Floods in Punjab province of Pakistan displaced 5,000 people.")[0][1:3] == ("PAK", "PK6")
    # a village name is only a place when its country is in the text
    assert where("Rains hit Karimganj and Silchar in India; 900 people fled.")[0][1] == "IND"


def test_boundaries_place_towns_by_point_in_polygon():
    """With COD-AB boundaries in the warehouse, a bundled town takes the admin area its point lies in."""
    square = {"type": "Polygon", "coordinates": [[[92.0, 24.0], [93.0, 24.0], [93.0, 25.5], [92.0, 25.5],
                                                  [92.0, 24.0]]]}
    con = duckdb.connect()
    con.execute("CREATE TABLE places (pcode VARCHAR, admin_level INTEGER, name VARCHAR, country_iso3 VARCHAR,"
                " parent_pcode VARCHAR, alt_names VARCHAR[], geometry VARCHAR)")
    con.execute("INSERT INTO places VALUES ('IN18', 1, 'Barak Valley', 'IND', 'IND', NULL, ?)", [json.dumps(square)])
    g = Gazetteer.from_connection(con)
    assert g.resolve("Karimganj") == ("IND", "IN18", None)  # the town's point is inside the square
    assert g.resolve("Guwahati") == ("IND", None, None)  # outside: no p-code


def test_extract_jobs_gives_the_same_output_in_the_same_order(tmp_path):
    docs = tmp_path / "docs.jsonl"
    with open(docs, "w") as f:
        for i in range(30):
            f.write(json.dumps({"id": f"d{i}", "text": f"Floods displaced {1000 + i} people in Assam and "
                                                      f"{20 + i} were killed in Idlib, officials said."}) + "\n")
    env = {"DISPLACEMENT_DB": str(tmp_path / "none.duckdb")}
    one = displacement("extract", str(docs), "--json", env=env)
    two = displacement("extract", str(docs), "--json", "--jobs", "3", env=env)
    assert one.returncode == two.returncode == 0
    assert one.stdout == two.stdout and len(one.stdout.splitlines()) == 60
    bad = displacement("extract", str(docs), "--jobs", "0", env=env)
    assert bad.returncode != 0 and "--jobs" in bad.stderr


def test_people_counted_by_nationality_give_their_country():
    assert where("Since Monday some 20,000 Indians have fled to relief camps.")[0][1] == "IND"
    # the context's own country keeps its admin area
    got = where("Fighting raged in Idlib province. About 3,000 Syrians have fled since Monday.")
    assert got[-1][1:3] == ("SYR", "SY07")


def test_a_figure_over_several_countries_has_no_country():
    assert where("Floods displaced 460,000 people in Niger, Chad and Cameroon.")[0][1:] == (None, None, None)


def test_places_that_speak_are_not_the_figure_place():
    text = "Fighting raged in Syria. Washington and Paris say 1,400 people were killed in the attack."
    assert where(text)[-1][1] == "SYR"


def test_us_counties_give_the_united_states():
    assert where("The fire in Siskiyou County destroyed 274 homes.")[0][1] == "USA"


def test_a_person_named_once_stays_a_person():
    text = "Greene and his family of five have been displaced. Greene said 5 people lost their homes."
    assert {f[1] for f in where(text)} == {None}


@pytest.mark.parametrize("text,want", [
    # people taken to another country are counted where they were taken from
    ("Shelling went on across eastern Ukraine all week. Volunteers evacuated 300 children from the front line and "
     "took them to Russia for treatment.", (300, "UKR", None, None)),
    ("Volunteers evacuated 120 children from Aleppo and brought them to Turkey.", (120, "SYR", "SY02")),
    # a destination is the only place named: it stays the place
    ("Some 500 people were evacuated to Mozambique.", (500, "MOZ")),
])
def test_destination_in_another_country_is_not_the_place(text, want):
    assert where(text)[-1][:len(want)] == want


def test_a_country_of_the_past_gives_no_country():
    text = ("In 1920, about 600,000 people lived in historical Palestine. Many more than 100,000 of them were driven "
            "from their villages to the Gaza Strip and to other countries.")
    assert [f[:2] for f in where(text)] == [(600000, None), (100000, None)]


def test_sub_group_keeps_the_place_of_its_whole():
    text = "The appeal will help 300,000 affected people in Chad, Niger and Cameroon, including 90,000 Nigerian " \
           "refugees."
    assert [f[:2] for f in where(text)] == [(300000, None), (90000, None)]
    # a sub-group that names its own place keeps it
    assert where("Floods displaced 9,000 people, including 2,000 in Sindh.")[-1][:2] == (2000, "PAK")


def test_a_country_before_the_war_is_still_the_country():
    assert where("In pre-war Syria, 200,000 people lived in Raqqa.")[0][:2] == (200000, "SYR")


@pytest.mark.parametrize("text,want", [
    # the newsroom's dateline is not where the figures are
    ("Beijing, June 3 (IANS) At least 14 people died after floods hit China's Guangdong Province.",
     (14, "CHN", "CN044")),
    ("JAKARTA, 4 March 2019 (ANTARA) - A landslide hit Central Java. Twelve villagers have been injured.",
     (12, "IDN", "ID33")),
    ("[JAKARTA] Rescuers were sent to evacuate 400 tourists after a volcano erupted on Lombok.", (400, "IDN", "ID52")),
    # a place at the start of the text that is no dateline stays the place
    ("Beijing was flooded on Sunday and 300 people were evacuated.", (300, "CHN", "CN011")),
])
def test_dateline_is_not_the_place(text, want):
    assert where(text)[-1][:3] == want


def test_country_name_is_the_country_not_a_town_of_that_name(gaz):
    # the island town Mozambique is far smaller than the country that gave it the name
    assert [m.pcode for m in gaz.find("Floods hit Mozambique on Monday.")] == ["MOZ"]
    text = "Floods in Mozambique affected 90,000 people in Zambézia, Nampula and Niassa provinces."
    assert where(text) == [(90000, "MOZ", None, None)]


def test_a_list_of_areas_ending_in_a_plural_spans_them_all():
    # "Gezira" and "Northern" are no names of the list, yet the figure is over several states
    text = "Floods affected 20,000 people in Khartoum, Gezira, Northern, Kassala and White Nile states in Sudan."
    assert where(text) == [(20000, "SDN", None, None)]


def test_a_native_of_a_country_is_no_place():
    text = "Shelling killed 12 people in Deir ez-Zor. Four commanders were killed, including a native of Tunisia."
    assert [f[:3] for f in where(text)] == [(12, "SYR", "SY09"), (4, "SYR", "SY09")]
