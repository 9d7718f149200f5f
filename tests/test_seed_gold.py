"""The seed against our gold annotation (../shared/gold): claims, dates and incidents.

Read at run time; skipped with a reason when ../shared is not beside the repository.
"""

from __future__ import annotations

import csv

import pytest

from conftest import SEED, SHARED
from figures.documents import read_text_file
from figures.extract import extract_document

GOLD = SHARED / "gold"
pytestmark = pytest.mark.skipif(not GOLD.exists(), reason="../shared/gold is not beside the repository")


def gold_rows(name):
    with (GOLD / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def rows():
    return extract_document(read_text_file(SEED))


def matches(claim, gold):
    """Span overlap, same measure, value equal (or within low..high for vague gold rows)."""
    if not (claim["start"] < int(gold["end"]) and int(gold["start"]) < claim["end"]):
        return False
    if claim["measure"] != gold["measure"]:
        return False
    if gold["value"]:
        return float(claim["value"]) == float(gold["value"])
    low = float(gold["low"]) if gold["low"] else float("-inf")
    high = float(gold["high"]) if gold["high"] else float("inf")
    return low <= float(claim["value"]) <= high


def test_every_required_gold_claim_is_found(rows):
    missing = [g["quote"] for g in gold_rows("seed-claims.csv")
               if g["required"] == "1" and not any(matches(c, g) for c in rows["claims"])]
    assert not missing, f"required gold claims not found: {missing}"


def test_emitted_claims_match_gold(rows):
    gold = gold_rows("seed-claims.csv")
    unmatched = [c["quote"] for c in rows["claims"] if not any(matches(c, g) for g in gold)]
    precision = 1 - len(unmatched) / len(rows["claims"])
    assert precision >= 0.95, f"precision {precision:.2f}; claims matching no gold row: {unmatched}"


def test_every_gold_date_is_resolved(rows):
    found = {(d["start"], d["end"]): (d["date"], d["precision"]) for d in rows["dates"]}
    for g in gold_rows("seed-dates.csv"):
        assert found.get((int(g["start"]), int(g["end"]))) == (g["date"], g["precision"]), g["quote"]


def test_seed_incidents(rows):
    """Issue 4: the suppression (700 killed, 20,000 wounded) and the 27 December rocket attack (1 killed)."""
    incidents = [(i["killed"], i["wounded"], i["date"]) for i in rows["casualties"]]
    assert (700, 20000, None) in incidents
    assert (1, None, "2019-12-27") in incidents
    assert all(k in (700, 1, 2) for k, _, _ in incidents), incidents
