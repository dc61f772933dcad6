"""Figure patterns met in news from around the world (GUIDELINES 1, 7): sentences written for these tests."""

import pytest

from etl.extract import extract
from etl.model import Document


def figures(text):
    return [(f["value"], f["metric"]) for f in extract(Document("t", text))]


@pytest.mark.parametrize("text,expected", [
    ("In Jember, 807 houses were submerged.", [(807, "damaged_housing")]),
    ("The flood inundated 336 houses in Bojonegoro.", [(336, "damaged_housing")]),
    ("The storm ripped off roofs of 18 houses.", [(18, "damaged_housing")]),
    ("More than 15 thousands people were killed.", [(15000, "killed")]),
    ("The camp hosts a displaced population of over 240,000.", [(240000, "displaced")]),
    ("Evacuated areas included the town of Alba, where some 4,500 people live.", [(4500, "population")]),
    ("At one point almost 5,000 were staying in temporary accommodation.", [(5000, "sheltered")]),
    ("The water receded, allowing almost 2,000 to return to their homes.", [(2000, "returned")]),
    ("In 1950, 2 million people lived in the valley.", [(2000000, "population")]),
    ("Some 24 families do not have shelter.", [(24, "homeless")]),
    ("At least 2,000 villagers have sought shelter with relatives.", [(2000, "displaced")]),
    ("Nearly 1.9 million people in the province suffered losses.", [(1900000, "affected")]),
    ("The people who died of snake bites have reached 54, he said.", [(54, "killed")]),
    ("About 800 people from some 300 homes were evacuated.", [(800, "evacuated"), (300, "evacuated")]),
    ("The blast killed at least 58 people (another paper puts the number at more than 60).",
     [(58, "killed"), (60, "killed")]),
    ("The storm flattened 646 shelters in the Alba Displacement Camp.", [(646, "destroyed_housing")]),
    ("The fire destroyed four homes and damaged four other buildings.", [(4, "destroyed_housing")]),
    ("The death toll has risen from 19 to 37.", [(19, "killed"), (37, "killed")]),
    ("Ten people died in Alba province and 9 in Brea.", [(10, "killed"), (9, "killed")]),
    ("Three of the deaths occurred in Alba, and another 3 in Brea.", [(3, "killed"), (3, "killed")]),
    ("Police put the number of dead at 40.", [(40, "killed")]),
])
def test_world_figure_patterns(text, expected):
    assert figures(text) == expected


@pytest.mark.parametrize("text", [
    "Rains also uprooted 178 trees.",
    "Over 28,000 latrines were ruined.",
    "Hundreds of structures were damaged and destroyed by the wildfires.",
    "The Red Crescent mobilised over 1,300 volunteers to evacuate flood victims.",
    "The number of villages affected by the floods has decreased from 86 to 35.",
    "The number of operations to evacuate people from their homes exceeded 730.",
    "Three more were injured when a 2 ½-ton truck overturned.",
])
def test_counts_of_things_are_no_figures(text):
    assert all(v not in (178, 28000, 200, 1300, 86, 35, 730, 2) for v, _ in figures(text))


def test_a_number_of_things_still_lets_the_people_count():
    text = "Gunmen fired a number of rocket shells at the market, injuring 19 people."
    assert figures(text) == [(19, "injured")]
