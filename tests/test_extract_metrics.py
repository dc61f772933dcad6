"""Metric, unit, sub-groups and what is not a figure, through extract()."""

import pytest

from etl.extract import extract
from etl.model import CONTRACT_FIELDS, Document


def figs(text, **kw):
    return extract(Document(doc_id="t", text=text, **kw))


def pairs(text):
    return [(f["metric"], f["value"], f["unit"]) for f in figs(text)]


@pytest.mark.parametrize("text,metric,value,unit", [
    ("The fighting displaced 80,000 Syrians.", "displaced", 80000, "people"),
    ("Some 3,000 residents fled their homes.", "displaced", 3000, "people"),
    ("More than 4,400 people were evacuated as a result of a storm.", "evacuated", 4400, "people"),
    ("Some 54,000 refugees crossed into Turkey.", "refugees", 54000, "people"),
    ("About 1,200 returnees arrived in the district.", "returned", 1200, "people"),
    ("Two people have died and about 250 were left homeless.", "homeless", 250, "people"),
    ("121,700 people have been displaced by floods.", "displaced", 121700, "people"),
    ("Some 800 people were forced into temporary shelters.", "sheltered", 800, "people"),
    ("At least 20 people were killed in the attack.", "killed", 20, "people"),
    ("The blast left 45 dead.", "killed", 45, "people"),
    ("Nine people sustained minor injuries.", "injured", 9, "people"),
    ("The shelling caused dozens of casualties.", "casualties", 24, "people"),
    ("Twenty-five people are missing after the landslide.", "missing", 25, "people"),
    ("More than 3,000 houses were destroyed.", "destroyed_housing", 3000, "houses"),
    ("About 91 homes were damaged.", "damaged_housing", 91, "houses"),
    ("9.96 million people were affected.", "affected", 9_960_000, "people"),
    ("299 families are in need of emergency shelter.", "in_need", 299, "households"),
    ("Idlib is home to nearly 3 million people.", "population", 3_000_000, "people"),
    ("A total of 1,964 households were displaced.", "displaced", 1964, "households"),
    ("By 7 August, 73,300 people were residing in temporary relocation camps.", "sheltered", 73300, "people"),
    ("Staff have recommended that 10,000 people relocate to the other site.", "evacuated", 10000, "people"),
    ("The search for the bodies of at least 12 hikers was suspended.", "missing", 12, "people"),
    ("Local activists said 200 homes were torched in Tawila.", "destroyed_housing", 200, "houses"),
    # French: feminine plurals and "ont fui"
    ("Au moins 30 personnes ont été tuées à Port-au-Prince.", "killed", 30, "people"),
    ("Plus de 5 000 personnes ont été déplacées.", "displaced", 5000, "people"),
    ("Près de 150 000 personnes ont fui les violences.", "displaced", 150000, "people"),
    ("Five residential structures were demolished.", "destroyed_housing", 5, "houses"),
    # "and" joining two kinds of people is one subject, not two clauses
    ("More than 2,000 residents and tourists fled the fires.", "displaced", 2000, "people"),
    ("Thousands of residents and visitors evacuated overnight.", "evacuated", 2000, "people"),
    ("The strike left at least 20 pupils and their teachers dead.", "killed", 20, "people"),
    # nor does "and" between two names
    ("Some 3,000 residents of Foua and Kafarya left Wednesday.", "displaced", 3000, "people"),
    ("At Least 48 Killed and Injured in Mortar Attacks in Aleppo.", "casualties", 48, "people"),
])
def test_metric_and_unit(text, metric, value, unit):
    assert (metric, value, unit) in pairs(text)


def test_two_numbers_two_metrics_and_verb_before():
    text = "Syrian troops shelled the town, killing 58 people and forcing thousands of residents to flee."
    assert pairs(text) == [("killed", 58, "people"), ("displaced", 2000, "people")]


def test_sub_group_is_its_own_figure():
    got = pairs("The air strikes killed 58 people, including 11 children, the monitor said.")
    assert got == [("killed", 58, "people"), ("killed", 11, "people")]
    got = pairs("Seventy-six people including 28 children were killed on Sunday.")
    assert got == [("killed", 76, "people"), ("killed", 28, "people")]


def test_one_number_two_metrics():
    got = pairs("16,000 families were affected and evacuated.")
    assert got == [("affected", 16000, "households"), ("evacuated", 16000, "households")]
    got = pairs("About 50,000 people were displaced by the floods and sheltered in 72 relief camps.")
    assert got == [("displaced", 50000, "people"), ("sheltered", 50000, "people")]
    got = pairs("121,700 people have been displaced by floods and are staying in temporary shelters.")
    assert got == [("displaced", 121700, "people"), ("sheltered", 121700, "people")]
    # the second verb has its own number: no pair
    got = pairs("5,000 people were displaced by the floods and 300 were evacuated.")
    assert got == [("displaced", 5000, "people"), ("evacuated", 300, "people")]


@pytest.mark.parametrize("text", [
    "The army captured 3 villages and 12 checkpoints.",
    "Jets carried out 40 air strikes on Tuesday.",
    "The war entered its 9th year in 2019.",
    "Prices rose 25% and aid reached $5 million.",
    "A 12-year-old boy was among them.",
    "The convoy of 30 trucks travelled 15 km.",
    "On 3 February 2013 the river rose.",
    "No one was killed.",
    "It held three training courses for communities and local police in affected areas.",
    "The fire started on the top floor of a three storey block of flats and some people had to be evacuated.",
])
def test_not_figures(text):
    assert figs(text) == []


def test_fields_are_the_contract():
    for f in figs("At least 20 people were killed in Aleppo, the Syrian Observatory for Human Rights said."):
        assert tuple(f) == CONTRACT_FIELDS


def test_headline_run_into_body():
    text = "20 dead in Syria barrel bomb attack in Aleppo NGO AFP Monday Print Tweet Helicopters dropped bombs."
    got = figs(text, title="20 dead in Syria barrel bomb attack in Aleppo NGO")
    assert [(f["metric"], f["value"], f["claimed_by"], f["claimed_by_org"]) for f in got] == \
        [("killed", 20, "NGO", None)]


def test_dirty_text():
    # ligatures lost in PDF text, numbers without separators, replacement characters
    text = "The con ict forced 900000 people to ee. In the camp\ufffds north, 2,082 houses were destroyed."
    got = pairs(text)
    assert ("displaced", 900000, "people") in got
    assert ("destroyed_housing", 2082, "houses") in got


@pytest.mark.parametrize("text,want", [
    ("Some 120 ISIS fighters and 60 foreign mercenaries were killed in air strikes.",
     [("killed", 120, "people"), ("killed", 60, "people")]),
    ("At least 18 civilians including five children and two women were killed in an airstrike.",
     [("killed", 18, "people"), ("killed", 5, "people"), ("killed", 2, "people")]),
    ("The strikes caused several dozen dead and wounded.", [("casualties", 36, "people")]),
    ("Among the dead were three children.", [("killed", 3, "people")]),
    ("About 41,000 households (178,000 people) had their houses destroyed.",
     [("destroyed_housing", 41000, "households")]),
    ("About 438,000 new and repeated displacements took place in March.", [("displaced", 438000, "people")]),
    ("More than 7,000 people remained in collective centres.", [("sheltered", 7000, "people")]),
    ("At least 5,400 people registered as displaced with the authorities.", [("displaced", 5400, "people")]),
])
def test_coordination_and_other_shapes(text, want):
    assert pairs(text) == want


def test_war_wide_totals_are_country_level():
    text = "Air strikes hit Idlib on Monday. The war has killed more than 290,000 people since 2011."
    got = extract(Document("t", text))
    assert (got[-1]["value"], got[-1]["admin1_pcode"], got[-1]["stock_or_flow"]) == (290000, None, "stock")


@pytest.mark.parametrize("text,metric,value,unit", [
    ("The floods displacedabout 3,300 people in the district.", "displaced", 3300, "people"),
    ("Shelter for more than 120,000 displacedpeople is planned.", "displaced", 120000, "people"),
    ("At least 90,000 more people have already fledKirkuk in recent weeks.", "displaced", 90000, "people"),
    ("The town still hosts, with12,345 internally displaced households.", "displaced", 12345, "households"),
])
def test_cues_and_numbers_glued_by_pdf_extraction(text, metric, value, unit):
    assert (metric, value, unit) in pairs(text)


def test_count_of_shelters_people_stay_in_is_not_a_figure():
    got = pairs("There are at least 8,200 people staying in 37 temporary shelters.")
    assert [v for _, v, _ in got] == [8200]
    assert ("destroyed_housing", 300, "houses") in pairs("The storm destroyed 300 shelters in the camp.")


def test_an_earlier_value_of_the_last_count_keeps_its_metric():
    got = pairs("Over 5,000 people have been evacuated. This figure has dropped slightly from almost 7,000 yesterday.")
    assert got == [("evacuated", 5000, "people"), ("evacuated", 7000, "people")]
    got = pairs("The fire has destroyed 57 homes and 11 sheds, officials said. On Thursday, the count was 41 homes.")
    assert got == [("destroyed_housing", 57, "houses"), ("destroyed_housing", 41, "houses")]
    # the same words with no earlier count of that unit, or counting things, are no figure
    assert pairs("On Thursday, the count was 41 homes.") == []
    assert pairs("Over 5,000 people have been evacuated. On Thursday, the count was 40 vehicles.") == \
        [("evacuated", 5000, "people")]


def test_homes_follow_the_annotation_guidelines():
    # homes evacuated count homes (GUIDELINES section 7); the shelters people go to count nothing
    assert pairs("Residents of 120 homes were evacuated.") == [("evacuated", 120, "houses")]
    assert pairs("The fire forced the evacuation of 50 homes.") == [("evacuated", 50, "houses")]
    assert pairs("Rescuers evacuated about 465 residents to three shelters.") == [("evacuated", 465, "people")]
    # buildings the text does not call homes are no housing, whatever destroyed them
    assert pairs("Seven schools and four primary health care units were destroyed by heavy rain.") == []
    assert pairs("The storm damaged 14 buildings.") == []
    assert pairs("The storm damaged 14 residential buildings.") == [("damaged_housing", 14, "houses")]


def test_what_a_counted_group_did_is_not_what_happened_to_it():
    assert pairs("Police hunted the 3 gunmen who killed 12 people.") == [("killed", 12, "people")]
    assert pairs("None of the three blazes that destroyed 1,000 homes was arson.") == \
        [("destroyed_housing", 1000, "houses")]
    assert pairs("It ended five decades of a war that has killed 220,000 people.") == [("killed", 220000, "people")]
    # the group suffered it: a figure
    assert pairs("The 2 people who were killed were farmers.") == [("killed", 2, "people")]
    assert pairs("Some 500 families who fled the fighting reached the camp.") == [("displaced", 500, "households")]
