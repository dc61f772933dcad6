"""Who claims a figure: patterns, carry-over, generic speakers, back-references, headline sources."""

import json
from datetime import date
from pathlib import Path

import pytest

from etl.extract import extract
from etl.extract.attribution import canonical
from etl.model import Document

SEED = Path(__file__).resolve().parent.parent / "data" / "articles" / "voa-idlib-2019-12-25.jsonl"


def who(text, **kw):
    return [(f["value"], f["claimed_by"], f["claimed_by_org"]) for f in extract(Document("t", text, **kw))]


@pytest.mark.parametrize("text,claimed_by,org", [
    ("At least 20 people were killed, the Syrian Observatory for Human Rights said.",
     "the Syrian Observatory for Human Rights", "Syrian Observatory for Human Rights"),
    ("At least 20 people were killed, according to the U.N. refugee agency.",
     "the U.N. refugee agency", "UNHCR"),
    ("The UN humanitarian office estimated that 80,000 people had fled.", "The UN humanitarian office", "OCHA"),
    ("SOHR documented 45 deaths in the province.", "SOHR", "Syrian Observatory for Human Rights"),
    # French and Spanish: "selon", "según" and the UN's acronym there; "Selon" is no town
    ("Selon l'ONU, 40 personnes ont fui.", "l'ONU", "United Nations"),
    # monitors of other wars and of the press, by name or acronym (orgs.csv)
    ("Reporters Without Borders counted 66 journalists killed.", "Reporters Without Borders",
     "Reporters Without Borders"),
    ("AAPP says 5,350 civilians have been killed since the coup.", "AAPP",
     "Assistance Association for Political Prisoners"),
    ("Syria Civil Defence reported 12 people killed in Ariha.", "Syria Civil Defence", "White Helmets"),
    ("A source at Aleppo Police Command told SANA that 4 civilians were injured.",
     "A source at Aleppo Police Command", "Aleppo Police Command"),
    ("The activist-run Palmyra Coordination Committee said at least 35 people were killed.",
     "The activist-run Palmyra Coordination Committee", "Palmyra Coordination Committee"),
])
def test_named_sources(text, claimed_by, org):
    assert who(text)[0][1:] == (claimed_by, org)


@pytest.mark.parametrize("text,claimed_by", [
    ("Two civilians were killed in Aleppo city on Thursday according to local sources.", "local sources"),
    ("At least 20 people were killed including several children an NGO said.", "an NGO"),
    ("At least seven people died in rebel shelling, a monitoring group said.", "a monitoring group"),
    ("Activists said 30 people were killed.", "Activists"),
    ("Officials said 300 families were evacuated.", "Officials"),
    ("Dozens were injured, a monitor said.", "a monitor"),
])
def test_generic_speakers_keep_text_and_no_org(text, claimed_by):
    assert who(text)[0][1:] == (claimed_by, None)


def test_unattributed_is_null():
    assert who("Eight people were killed on Wednesday in mortar attacks.") == [(8, None, None)]


def test_back_reference_resolves_to_named_org():
    text = ("The Syrian Observatory for Human Rights said the town was shelled. "
            "The monitor said 15 people were killed in the two villages.")
    assert who(text) == [(15, "The monitor", "Syrian Observatory for Human Rights")]


def test_source_back_reference_follows_its_body():
    text = ("A source at Damascus Police Command told SANA that shells hit the city. "
            "Later the source said 4 civilians were injured.")
    assert who(text) == [(4, "the source", "Damascus Police Command")]


def test_attribution_carries_over_to_the_continuing_sentence():
    text = ("Two civilians were killed in Aleppo city on Thursday according to local sources. "
            "Two days ago the same neighborhood was shelled, leaving more than 14 dead.")
    assert who(text)[-1] == (14, "local sources", None)


def test_no_carry_over_to_a_new_place():
    text = ("Eight people were killed in Damascus city, a source at Damascus Police Command told SANA. "
            "In Aleppo city 4 citizens were injured due to a rocket attack.")
    assert who(text)[-1] == (4, None, None)


def test_headline_trailing_source():
    text = "Death toll in Syrian bombing raid on Aleppo rises to 76: monitor. Barrel bombs fell on Sunday."
    assert who(text, title="Death toll in Syrian bombing raid on Aleppo rises to 76: monitor") == \
        [(76, "monitor", None)]


def test_seed_sentence_shape():
    text = ("Government bombardment of towns in southern Idlib has displaced 80,000 Syrians, the U.N. said this week. "
            "But local groups, including the Syrian Observatory, estimated that more than 100,000 civilians "
            "in Idlib already had been displaced.")
    got = extract(Document("seed", text, published=date(2019, 12, 25)))
    keys = ("value", "qualifier", "metric", "claimed_by_org", "admin1_pcode", "country_iso3", "stock_or_flow")
    assert [tuple(f[k] for k in keys) for f in got] == [
        (80000, "exact", "displaced", "United Nations", "SY07", "SYR", "flow"),
        (100000, "more_than", "displaced", "Syrian Observatory for Human Rights", "SY07", "SYR", "stock"),
    ]
    assert got[1]["claimed_by"] == "local groups, including the Syrian Observatory"
    assert (got[0]["period_start"], got[0]["period_end"]) == ("2019-12-19", "2019-12-25")


def test_bundled_seed_article():
    rec = json.loads(SEED.read_text(encoding="utf-8").splitlines()[0])
    doc = Document(rec["id"], rec["text"], title=rec.get("title"), published=date.fromisoformat(rec["published"]))
    got = {(f["value"], f["metric"]): f for f in extract(doc)}
    un = got[(80000, "displaced")]
    assert (un["claimed_by_org"], un["admin1_pcode"], un["qualifier"]) == ("United Nations", "SY07", "exact")
    sohr = got[(100000, "displaced")]
    assert (sohr["claimed_by_org"], sohr["admin1_pcode"], sohr["qualifier"], sohr["stock_or_flow"]) == \
        ("Syrian Observatory for Human Rights", "SY07", "more_than", "stock")


@pytest.mark.parametrize("text,org", [
    ("the U.N.", "United Nations"), ("UNHCR", "UNHCR"),
    ("the World Health Organization", "World Health Organization"),
    ("Britain-based war monitor", "Syrian Observatory for Human Rights"),
    ("Doctors Without Borders", "Medecins Sans Frontieres"),
    ("la DTM", "International Organization for Migration"), ("the who", None), ("un", None),
])
def test_canonical_names(text, org):
    assert canonical(text) == org


@pytest.mark.parametrize("text,value,claimed_by,org", [
    # news text with its commas stripped (FA-KES): the speaker written after the verb
    ("Five people were killed said the SOHR.", 5, "the SOHR", "Syrian Observatory for Human Rights"),
    ("Among the dead were three children the Observatory said.", 3, "the Observatory",
     "Syrian Observatory for Human Rights"),
    ("At least 12 people were killed in the strikes, the state-run Sana agency said.", 12,
     "the state-run Sana agency", "SANA"),
    ("SANAs correspondent said 4 civilians were injured.", 4, "SANAs correspondent", "SANA"),
    ("A source at Hasaka Police Command said 3 people were injured.", 3, "A source at Hasaka Police Command",
     "Hasaka Police Command"),
])
def test_more_speaker_shapes(text, value, claimed_by, org):
    assert who(text)[0] == (value, claimed_by, org)


def test_a_place_is_no_speaker_and_people_get_no_org():
    assert who("Four people were killed in Idlib said Idlib.")[0][2] is None
    assert who("Media activist Musafa Abu Mohammad said 6 people were killed.")[0][2] is None


def test_toll_update_reaches_back_to_its_metric():
    text = ("The number of rebel fighters killed in battles (Saturday) against ISIL in the town of Markada in the "
            "south of Hasake province has risen to 39, the monitor said.")
    assert [(f["value"], f["metric"]) for f in extract(Document("t", text))] == [(39, "killed")]
