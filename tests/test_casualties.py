"""Golden cases for casualty incidents, and a rule-coverage check for rules/incidents.yaml."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from figures.casualties import RULES_PATH, casualty_incidents
from figures.documents import make_document
from figures.extract import extract_document

CASES = yaml.safe_load((Path(__file__).parent / "golden" / "incidents.yaml").read_text(encoding="utf-8"))


def test_every_incident_rule_has_a_golden_case():
    ids = {r["id"] for r in yaml.safe_load(RULES_PATH.read_text())["rules"]}
    assert ids <= {c["rule"] for c in CASES}


@pytest.mark.parametrize("case", CASES, ids=[c["rule"] for c in CASES])
def test_incident_case(case):
    meta = {"published": case["published"]} if "published" in case else None
    doc = make_document("case", case["text"].encode(), "golden", meta)
    rows = extract_document(doc)["casualties"]
    assert len(rows) == len(case["incidents"]), rows
    for row, want in zip(rows, case["incidents"]):
        for key, value in want.items():
            assert row[key] == value, (key, row)


def test_perpetrator_claimed_responsibility():
    doc = make_document("d", b"A bomb killed 4 guards. Al-Shabaab later claimed responsibility.", "t")
    # The claim sentence has no perpetrator; the incident takes it only from casualty sentences.
    from figures.casualties import load_rules
    assert load_rules().perpetrator[1].search(doc.text).group("who") == "Al-Shabaab"


def test_incident_takes_the_first_date_place_and_perpetrator_its_sentences_name():
    """Incident keeps its first values as mentions are added (not looked up per sentence), and
    one built from a list of mentions (as reviews do) has the same values."""
    from figures.casualties import Incident, Mention

    mentions = [Mention((0, 10), [], None, "", ""), Mention((10, 20), [], "2020-01-03", "", "Basra"),
                Mention((20, 30), [], "2020-01-04", "the militia", "Mosul")]
    built = Incident(list(mentions))
    grown = Incident()
    for mention in mentions:
        grown.add(mention)
    for incident in (built, grown):
        assert (incident.date, incident.location, incident.perpetrator) == ("2020-01-03", "Basra", "the militia")
        assert incident.mentions == mentions


@pytest.mark.parametrize("text, incidents", [
    # A headline and its lede place the crash differently: one incident, not two of 9.
    ("Nine dead as truck overturns in Kenya\n\nAt least 9 people were killed when a truck overturned near"
     " Nakuru on Sunday, police said.", [9]),
    ("Nine dead as truck overturns in Kenya\r\nAt least 9 people were killed near Nakuru.", [9]),
    ("\n  Nine dead as truck overturns in Kenya\nAt least 9 people were killed near Nakuru.", [9]),
    # A first line ending with a full stop is running text: its place still tells incidents apart.
    ("A bomb killed 4 guards in Kabul.\nA mine killed 2 farmers near Herat.", [4, 2]),
    # A headline still gives way to a sentence that announces another incident.
    ("Bomb kills 4 in Kabul\nA bomb killed 4 guards. Separately, a mine killed 2 farmers.", [4, 2]),
])
def test_a_headline_names_the_incident_its_lede_tells(text, incidents):
    rows = extract_document(make_document("d", text.encode(), "t"))["casualties"]
    assert [row["killed"] for row in rows] == incidents
