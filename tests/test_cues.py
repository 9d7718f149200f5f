"""The cue index: a superset of where rules can match, so gating rules by it loses no claim."""

from __future__ import annotations

import dataclasses

import pytest
import yaml

from conftest import SEED
from figures import claims as claims_module
from figures.claims import extract_claims, load_rules, lowered
from figures.cues import WINDOW, CueHits, CueIndex, stem

GOLDEN_TEXTS = [case["text"] for case in yaml.safe_load(
    (SEED.parents[1] / "tests" / "golden" / "claims.yaml").read_text(encoding="utf-8"))]


def test_stem_cuts_long_first_words_and_extends_short_ones():
    assert stem("killing") == "killing"
    assert stem("fatalities") == "fatalit"
    assert stem("lost their lives") == "lost"
    assert stem("the lives of") == "the live"  # seven letters, spaces aside
    assert stem("in custody") == "in custo"


def test_scan_reports_overlapping_and_nested_stems():
    index = CueIndex.build([["dead"], ["injured"], ["injur"]], [["the dead"]])
    text = "Of the dead and the injured, THE\nDEAD were named."
    hits = index.scan(lowered(text))
    assert [text[p:p + 4].lower() for p in hits.positions] == ["dead", "inju", "dead"]
    assert hits.masks[1] == 0b110  # "injured" holds both stems
    assert [at for at, _ in hits.phrase_hits] == [3, 29]  # "the dead", and across a line break


def test_phrase_hits_need_a_word_start_but_rule_hits_do_not():
    index = CueIndex.build([["%"]], [["dead"]])
    hits = index.scan(lowered("45% undead"))
    assert hits.positions == [2] and hits.phrase_hits == []


def test_rules_near_is_split_by_side():
    hits = CueHits(positions=[0, 100, 400], masks=[1, 2, 4], phrase_hits=[])
    assert hits.rules_near(150, 160) == (1 | 2, 0)
    assert hits.rules_near(90, 95) == (1, 2)
    assert hits.rules_near(300, 305) == (0, 4)
    assert hits.rules_near(300 + WINDOW, 305 + WINDOW) == (4, 0)


@pytest.mark.parametrize("text", GOLDEN_TEXTS + [SEED.read_text(encoding="utf-8")], ids=range(len(GOLDEN_TEXTS) + 1))
def test_gating_changes_no_claim(text, monkeypatch):
    gated = extract_claims(text)
    every_rule = (1 << len(load_rules().rules)) - 1
    monkeypatch.setattr(CueHits, "rules_near", lambda self, start, end: (every_rule, every_rule))
    assert extract_claims(text) == gated


def test_every_cue_is_used_by_its_rule():
    with pytest.raises(ValueError, match="is not used in its patterns"):
        claims_module._cue_side({"id": "x", "cue": "killed_after", "after": "^\\s+people"})


@pytest.mark.parametrize("text", GOLDEN_TEXTS + [SEED.read_text(encoding="utf-8")], ids=range(len(GOLDEN_TEXTS) + 1))
def test_number_conditions_checked_first_change_no_claim(text, monkeypatch):
    """Rules whose `number` condition fails are dropped before they are tried; trying them all
    (each rejects the number itself) gives the same claims."""
    gated = extract_claims(text)
    rules = load_rules()
    for kind, dispatch in list(rules.dispatch.items()):
        monkeypatch.setitem(rules.dispatch, kind, dataclasses.replace(dispatch, number_tests=()))
    assert extract_claims(text) == gated
