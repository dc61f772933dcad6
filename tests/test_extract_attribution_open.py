"""Open-world attribution (GUIDELINES 4): sources found from the structure of the sentence, not from a list."""

import pytest

from etl.extract import extract
from etl.model import Document


def who(text):
    return [(f["value"], f["claimed_by"], f["claimed_by_org"]) for f in extract(Document("t", text))]


@pytest.mark.parametrize("text,claimed_by,org", [
    # reporting verb before and after the clause, inversion, "according to": a body no table knows
    ("The Karoo Valley Water Board said 40 families were evacuated.",
     "The Karoo Valley Water Board", "Karoo Valley Water Board"),
    ("Some 40 families were evacuated, the Karoo Valley Water Board said.",
     "the Karoo Valley Water Board", "Karoo Valley Water Board"),
    ("Some 40 families were evacuated, said the Karoo Valley Water Board.",
     "the Karoo Valley Water Board", "Karoo Valley Water Board"),
    ("About 40 houses were destroyed, according to the Karoo Valley Water Board.",
     "the Karoo Valley Water Board", "Karoo Valley Water Board"),
    # a body a named place owns, written in lower case, is a named body; a lower-case portfolio stays in the phrase
    ("Guangdong's civil affairs department said 40 people were displaced.",
     "Guangdong's civil affairs department", "Guangdong Civil Affairs Department"),
    ("Some 40 people died, Haiti's civil protection service said.",
     "Haiti's civil protection service", "Haiti Civil Protection Service"),
    ("Nepal's home ministry said 40 people were displaced.", "Nepal's home ministry",
     "Nepalese Ministry of Home Affairs"),
    # three or more capitalised words ending in a body's word name a body, though each is a place or a noun
    ("The Sudan Doctors Network said 40 people were killed.", "The Sudan Doctors Network", "Sudan Doctors Network"),
    ("The Ghouta Media Center said 40 were killed.", "The Ghouta Media Center", "Ghouta Media Center"),
    # a country's junta is its government
    ("According to the Myanmar junta, 40 soldiers died.", "the Myanmar junta", "Government of Myanmar"),
    # possessives
    ("The Karoo Valley Water Board's figures show 40 people were displaced.",
     "The Karoo Valley Water Board", "Karoo Valley Water Board"),
    ("OCHA's figures show 40 people were displaced.", "OCHA", "OCHA"),
    # titles give their body
    ("An IOM spokesman said 40 people fled the fighting.", "An IOM spokesman",
     "International Organization for Migration"),
    ("Dorland Police Chief Mary Oaks said 40 people died in the fire.", "Dorland Police Chief Mary Oaks",
     "Dorland Police Department"),
    ("Forty people died in the fire, said Jane Mbeki, president of the Lowveld Farmers Union.",
     "Jane Mbeki, president of the Lowveld Farmers Union", "Lowveld Farmers Union"),
    ("At least 40 people have died, according to Tomas Ruiz, Peru's ambassador to the UN.",
     "Tomas Ruiz, Peru's ambassador to the UN", "Government of Peru"),
    # an alias after its article; an unknown body keeps its own full name
    ("Fighting killed 40 civilians, a Britain-based war monitor said.", "a Britain-based war monitor",
     "Syrian Observatory for Human Rights"),
    ("The Zembla Disaster Relief Commission said 40 houses collapsed.", "The Zembla Disaster Relief Commission",
     "Zembla Disaster Relief Commission"),
    ("Rivers rose overnight, China's National Flood Control Headquarters said on Monday, and 40 people drowned.",
     "China's National Flood Control Headquarters", "China National Flood Control Headquarters"),
    ("Some 40 families were displaced, the Ministry of Water, Energy and Irrigation said Monday.",
     "the Ministry of Water, Energy and Irrigation", "Ministry of Water, Energy and Irrigation"),
    # a citation in parentheses that closes its sentence
    ("Floods displaced 40 people in the valley (OCHA, 3 May).", "OCHA", "OCHA"),
    ("Floods displaced 40 people in the valley (BNPB).", "BNPB", "BNPB"),
])
def test_source_from_sentence_structure(text, claimed_by, org):
    assert who(text) == [(40, claimed_by, org)]


@pytest.mark.parametrize("text,claimed_by", [
    ("According to national/regional disaster authorities, 40 houses were destroyed.",
     "national/regional disaster authorities"),
    ("Local officials said 40 houses collapsed.", "Local officials"),
    ("Forty people died, said Ana Ruiz, director of the town's housing office.",
     "Ana Ruiz, director of the town's housing office"),
])
def test_generic_speakers_have_no_org(text, claimed_by):
    assert who(text) == [(40, claimed_by, None)]


def test_a_source_in_parentheses_speaks_only_for_its_own_number():
    assert who("The blast killed 40 people (the Zembla Aid Society says 45 died).") == [
        (40, None, None), (45, "the Zembla Aid Society", "Zembla Aid Society")]


def test_citation_after_a_paragraph_closes_its_figures_only():
    text = ("Floods displaced 2,000 people in the north. Another 15 people died.  (OCHA, 3 May)\n\n"
            "In the south, 300 homes were destroyed.")
    assert who(text) == [(2000, "OCHA", "OCHA"), (15, "OCHA", "OCHA"), (300, None, None)]


def test_citations_close_their_own_paragraphs_in_flattened_text():
    text = ("Floods displaced 2,000 people. (OCHA, 3 May)  In June, storms displaced 700 more. "
            "(Zembla Aid Society, 30 June)")
    assert who(text) == [(2000, "OCHA", "OCHA"), (700, "Zembla Aid Society", "Zembla Aid Society")]


@pytest.mark.parametrize("text", [
    "NAIROBI (Reuters) - Floods killed 40 people in the west of the country.",
    "Floods killed 40 people in the west of the country.  (AP)",
    "Floods killed 40 people in the west of the country.\n\nSource: Daily Gazette",
    "Floods killed 40 people in the west of the country. (Source: Daily Gazette)",
])
def test_bylines_datelines_and_credits_are_no_claim(text):
    assert who(text) == [(40, None, None)]


def test_pronouns_take_their_antecedent():
    text = 'The Zembla Relief Commission said the river rose. "About 300 homes were destroyed," it said.'
    assert who(text)[0][2] == "Zembla Relief Commission"
    text = 'Mayor Ana Ruiz said the river rose. "About 300 homes were destroyed," she said.'
    assert who(text) == [(300, "Mayor Ana Ruiz", None)]


def test_expletive_it_is_no_speaker():
    assert who("It was reported that 300 homes were destroyed.") == [(300, None, None)]


def test_source_carries_to_the_continuing_sentence():
    assert who("Floods killed 12 people, the Zembla Water Board said. Another 30 are missing.") == [
        (12, "the Zembla Water Board", "Zembla Water Board"), (30, "the Zembla Water Board", "Zembla Water Board")]


@pytest.mark.parametrize("second", [
    "In 2019, floods in the same valley killed 40 people.",          # background on an earlier event
    "Meanwhile, in the capital, 40 people were injured.",             # a new topic
    "The river burst its banks on Monday. Another 40 are missing.",  # a sentence that broke the run
])
def test_carry_stops(second):
    got = who("Floods killed 12 people, the Zembla Water Board said. " + second)
    assert got[0][2] == "Zembla Water Board" and got[-1] == (40, None, None)


def test_carry_stops_at_a_new_source():
    got = who("Floods killed 12 people, the Zembla Water Board said. Another 40 are missing, police said.")
    assert got[-1] == (40, "police", None)


def test_a_report_without_figures_carries_to_the_next_sentence():
    assert who("Floods hit the valley, the Zembla Water Board said. Another 40 people died in Alba.") == [
        (40, "the Zembla Water Board", "Zembla Water Board")]


def test_according_to_about_no_figure_is_not_carried():
    got = who("About 40 mm of rain fell overnight, according to the Zembla Weather Office. "
              "Some 300 people were evacuated.")
    assert got == [(300, None, None)]


def test_a_source_never_reaches_backwards():
    assert who("Thousands of people were evacuated. Officials said 40 people died.") == [
        (2000, None, None), (40, "Officials", None)]


@pytest.mark.parametrize("text,org", [
    ("According to figures gathered by the Zembla Relief Agency, 40 families were evacuated.",
     "Zembla Relief Agency"),
    ("Based on the latest ZRA report, 40 families were evacuated.", "ZRA"),
    ("The Governor of Aceh said 40 families were evacuated.", "Government of Aceh"),
    ("The Kyushu Harbour Company said 40 families were evacuated.", "Kyushu Harbour Company"),
    ("The official ZNA news agency said 40 families were evacuated.", "ZNA"),
    ("Bulgaria's interior ministry chief of staff Ivan Petrov said 40 families were evacuated.",
     "Bulgarian Ministry of Interior"),
    ("An official at Iraq's interior ministry said 40 families were evacuated.", "Iraqi Ministry of Interior"),
    ("Ana Ruiz, director of the Zembla Flood Center in Washington, said 40 families were evacuated.",
     "Zembla Flood Center"),
    ("The United Nations Refugee Agency (UNHCR) said 40 families were evacuated.", "UNHCR"),
    ("The UN monitoring group OCHA said 40 families were evacuated.", "OCHA"),
    ("Some 40 families were evacuated, said the Department of Health and Human Services.",
     "Department of Health and Human Services"),
    ("Some 40 families were evacuated, the Office of the Prime Minister said.", "Office of the Prime Minister"),
    ("Forty people died, said Dr. Amina Yusuf of Alba General Hospital.", "Alba General Hospital"),
    ("Forty people died, said the ZDMA Special Secretary.", "ZDMA"),
    ("Forty people died, the Committee for Emergencies of the Ministry of Interior said.",
     "Committee for Emergencies of the Ministry of Interior"),
    ("Forty people died, said the Yen Bai Central Committee for Flood Control (CCFC).",
     "Central Committee for Flood Control"),
    ("Some 40 families were evacuated, Malawi's National Emergency Agency (MNEA) said.",
     "Malawi National Emergency Agency"),
])
def test_the_body_behind_a_document_or_an_office(text, org):
    assert who(text)[0][0] == 40 and who(text)[0][2] == org


@pytest.mark.parametrize("text", [
    "According to records, 40 families were evacuated.",
    "As per latest from the field, 40 families were evacuated.",
    "Later reports suggest that 40 families were evacuated.",
    "Station Manager Tom Reyes said 40 families were evacuated.",
    "Police officials said 40 families were evacuated.",
    "Haitian authorities said 40 families were evacuated.",
    "A Reuters witness said 40 families were evacuated.",
    "Officials in Washington said 40 families were evacuated.",
    "Ana Ruiz, the information minister for Yei region, said 40 families were evacuated.",
])
def test_words_that_name_no_body_give_no_org(text):
    assert who(text)[0][0] == 40 and who(text)[0][2] is None


def test_claimed_lives_is_no_report():
    assert who("Typhoon Zora has claimed 40 lives, the Zembla Relief Agency said.") == [
        (40, "the Zembla Relief Agency", "Zembla Relief Agency")]


def test_carry_stops_at_a_breakdown_of_the_publishers_own_count():
    text = ("Floods have killed 25 people across the south. The Zembla Relief Agency said 2,000 people were "
            "evacuated. Ten people died in Alba and 15 people died in Brea.")
    assert who(text) == [(25, None, None), (2000, "The Zembla Relief Agency", "Zembla Relief Agency"),
                         (10, None, None), (15, None, None)]


def test_carry_goes_on_to_a_new_kind_of_count_of_the_same_report():
    text = "The Zembla Relief Agency said 2,000 people were evacuated. The storm also destroyed 40 homes."
    assert who(text)[-1] == (40, "The Zembla Relief Agency", "Zembla Relief Agency")


@pytest.mark.parametrize("text,org", [
    # a ministry without its country takes the document's, written as the guidelines write it
    ("A Defense Ministry statement said 40 people died near Nis, in Serbia.", "Serbian Ministry of Defence"),
    ("The Ministry of Water and Energy said 40 families fled in Oromia, Ethiopia.",
     "Ethiopian Ministry of Water and Energy"),
    ("The Taiwanese government said 40 people died in Taipei.", "Government of Taiwan"),
    # an alias of one country's body does not name another country's
    ("India's National Disaster Management Authority said 40 people died in Assam.",
     "India National Disaster Management Authority"),
    ("The Health Ministry said 40 people died in Kabul, Afghanistan.", "Afghan Ministry of Health"),
])
def test_national_bodies_take_their_country(text, org):
    assert who(text)[0][0] == 40 and who(text)[0][2] == org


def test_sentences_glued_without_a_space_are_two():
    text = "Floods hit the valley, the Zembla Water Board said.Another 40 people died in Alba."
    assert who(text) == [(40, "the Zembla Water Board", "Zembla Water Board")]
    text = "Forty people died in Alba, police said.The Zembla Water Board said 300 homes were flooded."
    assert who(text) == [(40, "police", None), (300, "The Zembla Water Board", "Zembla Water Board")]


def test_flags_say_where_a_source_came_from():
    text = ("Floods killed 12 people, local officials said. Another 30 are missing. "
            "The Zembla Water Board said 40 homes were destroyed.\n\nFloods displaced 2,000 people. (OCHA, 3 May)")
    source_flags = {"carried_source", "generic_source"}  # the other flags are the review queue's own tests'
    got = [(f["value"], [x for x in f["flags"] if x in source_flags]) for f in extract(Document("t", text))]
    assert got == [(12, ["generic_source"]), (30, ["carried_source", "generic_source"]), (40, []),
                   (2000, ["carried_source"])]


@pytest.mark.parametrize("text,expected", [
    ("The floods have displaced 40 people (UNHCR), mostly in the north.", [(40, "UNHCR", "UNHCR")]),
    ("Storms killed 40 people (OCHA) and displaced 600 (IOM) in the north.",
     [(40, "OCHA", "OCHA"), (600, "IOM", "International Organization for Migration")]),
    ("Some 40 of the internally displaced people (IDP) were moved.", [(40, None, None)]),
    ("Floods displaced 40 families, who need water, sanitation and hygiene (WASH) kits.", [(40, None, None)]),
    ("UNITED NATIONS, Oct 28 (APP): Floods killed 40 people in the north.", [(40, None, None)]),
    ("Floods killed 40 people in the north (WSJ)", [(40, None, None)]),
])
def test_parentheses_next_to_a_number_and_acronyms(text, expected):
    assert who(text) == expected


def test_a_source_speaks_within_its_own_clause():
    text = "The blast killed at least 58 people (Radio Alba puts the number at 60, while TV Brea notes it's 70)."
    assert who(text) == [(58, None, None), (60, "Radio Alba", "Radio Alba"), (70, "TV Brea", "TV Brea")]


def test_a_heading_run_into_the_text_is_no_part_of_the_speaker():
    got = who("Rivers Receding but More Rain Forecast  Some reports say 40 people returned to their homes.")
    assert got[0][1] == "Some reports"
