"""Cities and regions of other countries (data/gazetteer/places_by_country.csv) resolve to the country."""

import pytest

from etl.extract import extract
from etl.model import Document
from etl.places import Gazetteer


@pytest.fixture(scope="module")
def gaz():
    return Gazetteer.bundled()


@pytest.mark.parametrize("name,iso3", [
    ("Kandahar", "AFG"), ("Helmand", "AFG"), ("Nangarhar", "AFG"), ("Mosul", "IRQ"), ("Erbil", "IRQ"),
    ("Hodeidah", "YEM"), ("Taiz", "YEM"), ("Baidoa", "SOM"), ("Galkayo", "SOM"), ("Jonglei", "SSD"),
    ("Upper Nile", "SSD"), ("El Fasher", "SDN"), ("South Kordofan", "SDN"), ("North Kivu", "COD"),
    ("Kasai-Central", "COD"), ("Ouham-Pendé", "CAF"), ("Maiduguri", "NGA"), ("Diffa", "NER"), ("Mopti", "MLI"),
    ("Djibo", "BFA"), ("Tigray", "ETH"), ("Dadaab", "KEN"), ("Bidibidi", "UGA"), ("Cabo Delgado", "MOZ"),
    ("Sittwe", "MMR"), ("Cox's Bazar", "BGD"), ("Khyber Pakhtunkhwa", "PAK"), ("Assam", "IND"),
    ("Sichuan", "CHN"), ("Tacloban", "PHL"), ("Sulawesi", "IDN"), ("Gorkha", "NPL"), ("Batticaloa", "LKA"),
    ("Port-au-Prince", "HTI"), ("Chocó", "COL"), ("Zulia", "VEN"), ("Kharkiv", "UKR"), ("Khan Younis", "PSE"),
    ("Bekaa", "LBN"), ("Mafraq", "JOR"), ("Gaziantep", "TUR"), ("Benghazi", "LBY"), ("Kermanshah", "IRN"),
    ("Nsanje", "MWI"), ("Chimanimani", "ZWE"), ("Toamasina", "MDG"), ("Bujumbura", "BDI"), ("Kigali", "RWA"),
    ("Kigoma", "TZA"), ("Quang Binh", "VNM"), ("Chiang Rai", "THA"), ("Chiapas", "MEX"),
    ("Huehuetenango", "GTM"), ("San Pedro Sula", "HND"), ("Manabí", "ECU"), ("Arequipa", "PER"),
    ("Cochabamba", "BOL"), ("Rio Grande do Sul", "BRA"), ("New Orleans", "USA"), ("Queensland", "AUS"),
    ("Viti Levu", "FJI"), ("Port Vila", "VUT"), ("Ishinomaki", "JPN"), ("Pohang", "KOR"), ("Lesbos", "GRC"),
    ("Amatrice", "ITA"), ("Ahrweiler", "DEU"),
])
def test_city_resolves_to_country(gaz, name, iso3):
    assert gaz.resolve(name)[0] == iso3


@pytest.mark.parametrize("name,want", [  # curated camps, towns and spellings (regions.csv) name their admin area
    ("Beletweyne", ("SOM", "SO20", "SO2001")), ("Hiiraan", ("SOM", "SO20", None)), ("Lombok", ("IDN", "ID52", None)),
    ("Kutupalong", ("BGD", "BD20", None)), ("Kalobeyei", ("KEN", "KE023", None)), ("Leer", ("SSD", "SS06", None)),
    ("Nimruz", ("AFG", "AF34", None)), ("Mon State", ("MMR", "MMR011", None)), ("Kharkov", ("UKR", "UA63", None)),
    ("Zaporizhzhia", ("UKR", "UA23", None)), ("Baga Sola", ("TCD", "TD07", None)), ("Banki", ("NGA", "NG008", None)),
    ("Martissant", ("HTI", "HT01", None)), ("Kabkabiya", ("SDN", "SD02", None)),
    # a name some other place also carries stays as it was
    ("Odessa", ("UKR", None, None)), ("Nippes", ("HTI", None, None)),
])
def test_curated_names_give_their_admin_area(gaz, name, want):
    assert gaz.resolve(name) == want


@pytest.mark.parametrize("name,want", [  # towns of areas whose GeoNames and OCHA spellings differ
    ("Kramatorsk", ("UKR", "UA14", None)), ("Mariupol", ("UKR", "UA14", None)), ("Sumy", ("UKR", "UA59", None)),
    ("Lviv", ("UKR", "UA46", None)), ("Mogadishu", ("SOM", "SO22", None)), ("Bucha", ("UKR", "UA32", None)),
    ("Kiev", ("UKR", "UA80", "UA8000")), ("Bamenda", ("CMR", "CM007", None)), ("Maroua", ("CMR", "CM004", None)),
])
def test_towns_name_their_admin_area_across_spellings(gaz, name, want):
    assert gaz.resolve(name) == want


@pytest.mark.parametrize("text,want", [
    # an admin area named with a common word is found with its area word, and its country decides between areas
    ("Fighting in Plateau State, Nigeria, killed 160.", ("Plateau State", "NG032")),
    ("Floods in Lakes State displaced 2,000.", ("Lakes State", "SS04")),
    ("Floods in Unity state displaced 2,000.", ("Unity state", "SS06")),
    ("Clashes in the Maritime region, Togo.", ("Maritime region", "TG03")),
])
def test_an_area_named_by_a_common_word(gaz, text, want):
    assert [(m.text, m.place.pcode) for m in gaz.find(text) if m.place.level > 0] == [want]


@pytest.mark.parametrize("text", [
    "The Plateau was quiet.", "The Tibetan Plateau region is dry.", "in the Western Region of Ghana",
    "Northern Region, Ghana", "Rebels in the Lakes said nothing.",
])
def test_a_common_word_alone_or_a_compass_area_names_no_area(gaz, text):
    assert [m.place.pcode for m in gaz.find(text) if m.place.level > 0] == []


@pytest.mark.parametrize("name,want", [  # Syrian names keep resolving to Syria
    ("Aleppo", ("SYR", "SY02", None)), ("Homs", ("SYR", "SY04", None)), ("Idlib", ("SYR", "SY07", None)),
    ("Raqqa", ("SYR", "SY11", None)), ("Daraa", ("SYR", "SY12", None)), ("Ghouta", ("SYR", "SY03", None)),
    ("Kobani", ("SYR", "SY02", "SY0206")), ("Hamdaniya", ("SYR", "SY02", "SY0200")),
    ("Niger", ("NER", None, None)), ("Jordan", ("JOR", None, None)), ("Georgia", ("GEO", None, None)),
])
def test_existing_names_unchanged(gaz, name, want):
    assert gaz.resolve(name) == want


@pytest.mark.parametrize("text", [
    "The attack happened in March.", "In May, the talks resumed.", "Jackson said the talks failed.",
    "Victoria told reporters the camp was full.", "The SWAT team arrived.", "Somali refugees arrived.",
    "Karen and Chin said nothing.", "Anti Balaka fighters attacked.", "The Salt works closed.",
])
def test_no_false_match(gaz, text):
    assert gaz.find(text) == []


def test_figure_gets_the_country():
    figs = extract(Document(doc_id="w1", text="Floods displaced 5,000 people in Kandahar on Monday."))
    assert figs and figs[0]["country_iso3"] == "AFG"
    figs = extract(Document(doc_id="w2", text="Fighting displaced 12,000 people in Ituri in March."))
    assert figs and figs[0]["country_iso3"] == "COD"


def test_syrian_figure_stays_in_syria():
    text = "Shelling displaced 3,000 people from Marj al-Sultan and Jabal al-Zawiya, and 40 fled to Kilis."
    figs = extract(Document(doc_id="w3", text=text))
    assert figs and figs[0]["country_iso3"] == "SYR"


def test_admin_name_that_is_a_country_name_is_not_weak():
    """With a warehouse admin list (no curated spellings), a province named like a curated city of its country
    keeps its own p-code and is trusted even when the text names another country."""
    rows = [
        {"pcode": "TUR", "admin_level": 0, "name": "Turkey", "country_iso3": "TUR", "alt_names": ["Kilis"]},
        {"pcode": "SYR", "admin_level": 0, "name": "Syria", "country_iso3": "SYR", "alt_names": []},
        {"pcode": "TUR079", "admin_level": 1, "name": "Kilis", "country_iso3": "TUR", "parent_pcode": "TUR"},
    ]
    g = Gazetteer.from_rows(rows)
    assert g.resolve("Kilis") == ("TUR", "TUR079", None)
    assert [m.pcode for m in g.find("Refugees from Syria reached Kilis.")] == ["SYR", "TUR079"]


def test_villages_are_bundled_and_need_their_country():
    # GeoNames villages down to 500 people: placed down to admin2 when their country is in the text
    doc = "In the Philippines, floods displaced 300 families in Umaganhan."
    assert [(f["country_iso3"], f["admin1_pcode"], f["admin2_pcode"]) for f in extract(Document("v", doc))] == \
        [("PHL", "PH08", "PH08037")]
    alone = extract(Document("v", "Floods displaced 300 families in Umaganhan."))
    assert [f["country_iso3"] for f in alone] == [None]


def test_village_names_that_are_words_or_names_are_left_out(gaz):
    # villages of a few hundred people called "Council", "Secretary", "Congress", "Kerry", "Stephen" exist
    text = "The Council heard Secretary Kerry, Stephen and Christopher before Congress met."
    assert [m.text for m in gaz.names(text) if m.place.level >= 3] == []


def _generator():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).parent.parent / "data" / "gazetteer" / "generate_world.py"
    spec = importlib.util.spec_from_file_location("generate_world", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_generator_keeps_only_villages_whose_name_is_theirs():
    gen = _generator()
    rows = [{"name": "Thomson", "alt_names": []}, {"name": "Jordan", "alt_names": ["Hashemite Kingdom"]}]
    ok = gen.village_filter(rows, is_word=lambda w: w in {"council", "never"}, often=lambda n: n == "Kerry")
    names = ["Thomson", "Jordans", "Council", "Never", "Kerry", "Umaganhan"]
    assert [n for n in names if ok({"name": n})] == ["Umaganhan"]


def test_generator_matches_admin1_names_in_brackets():
    # OCHA writes "Region II (Cagayan Valley)", GeoNames "Cagayan Valley"
    gen = _generator()
    assert gen.norm("Cagayan Valley") in gen.name_keys("Region II (Cagayan Valley)")
    assert gen.norm("Mimaropa") in gen.name_keys("Mimaropa Region")


def test_generator_matches_admin1_spellings_that_differ():
    # GeoNames "Donetsk", "Sumy", "Western Darfur"; OCHA "Donetska", "Sumska", "West Darfur"
    gen = _generator()
    admin = [{"pcode": p, "admin_level": 1, "name": n, "country_iso3": iso} for p, n, iso in [
        ("UA14", "Donetska", "UKR"), ("UA59", "Sumska", "UKR"), ("UA44", "Luhanska", "UKR"),
        ("SD04", "West Darfur", "SDN"), ("SD05", "East Darfur", "SDN"), ("SD02", "North Darfur", "SDN"),
        ("CM003", "Est", "CMR"), ("CM008", "Ouest", "CMR"), ("CM010", "Sud-Ouest", "CMR"),
    ]]
    names = {("UKR", "05"): "Donetsk", ("UKR", "21"): "Sumy", ("UKR", "14"): "Luhansk",
             ("SDN", "01"): "Western Darfur", ("SDN", "02"): "Eastern Darfur", ("SDN", "03"): "North Darfur",
             ("CMR", "01"): "East", ("CMR", "02"): "West", ("CMR", "03"): "South-West"}
    names[("UKR", "13")] = "Kiev"  # listed in SAME_AREA: no spelling rule reaches "Kyivska"
    admin.append({"pcode": "UA32", "admin_level": 1, "name": "Kyivska", "country_iso3": "UKR"})
    got = gen.similar_admin1(names, admin, {("SDN", "03"): "SD02"})
    assert got == {("UKR", "05"): "UA14", ("UKR", "21"): "UA59", ("UKR", "14"): "UA44", ("UKR", "13"): "UA32",
                   ("SDN", "01"): "SD04", ("SDN", "02"): "SD05",
                   # English compass words read as OCHA's French ones
                   ("CMR", "01"): "CM003", ("CMR", "02"): "CM008", ("CMR", "03"): "CM010"}
    # a name close to nothing stays unmapped
    assert gen.similar_admin1({("UKR", "99"): "Crimea"}, admin, {}) == {}
