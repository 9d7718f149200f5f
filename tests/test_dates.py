"""Tests for figures.dates: golden cases per rule, no-date inputs, the seed, properties."""

from __future__ import annotations

import csv
import datetime
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings, strategies as st

from figures import dates as D
from figures.dates import DateMention, resolve_dates

HERE = Path(__file__).parent
GOLDEN = yaml.safe_load((HERE / "golden" / "dates.yaml").read_text(encoding="utf-8"))
NONE_LINES = [
    ln for ln in (HERE / "golden" / "dates_none.txt").read_text(encoding="utf-8").splitlines() if ln.strip()
]
ROOT = HERE.parent
SEED = ROOT / "seeds" / "000_679c7536310926e9.txt"
SEED_GOLD = Path("/work/shared/gold/seed-dates.csv")
SEED_PUBLISHED = datetime.date(2020, 1, 24)
SEED_SKIP = 17  # end of the inline header " date 2020-01-24 "


def _pub(v):
    if v is None or isinstance(v, datetime.date):
        return v
    return datetime.date.fromisoformat(v)


def _case_id(case):
    return f"{case['rule']}:{case['text'][:40]}"


@pytest.mark.parametrize("case", GOLDEN, ids=[_case_id(c) for c in GOLDEN])
def test_golden(case):
    got = resolve_dates(case["text"], _pub(case["published"]), case.get("skip_until", 0))
    want = [(e["quote"], e["date"], e["precision"]) for e in case["expect"]]
    assert [(m.quote, m.date, m.precision) for m in got] == want
    for m in got:
        assert case["text"][m.start : m.end] == m.quote
    if want:
        assert case["rule"] in {m.rule for m in got}
    # the anchor-directed scan agrees with a plain scan of the whole text
    assert got == D._scan_full(case["text"], _pub(case["published"]), case.get("skip_until", 0))


def test_every_rule_has_a_golden_case():
    covered = {c["rule"] for c in GOLDEN if c["expect"]}
    assert set(D.RULE_IDS) - covered == set()
    assert {c["rule"] for c in GOLDEN} <= set(D.RULE_IDS), "golden case names an unknown rule"


def test_rule_ids_unique_and_precisions_closed():
    assert len(D.RULE_IDS) == len(set(D.RULE_IDS))
    assert {r["precision"] for r in D.RULES} <= set(D.PRECISIONS)


@pytest.mark.parametrize("line", NONE_LINES)
def test_no_date(line):
    for pub in (SEED_PUBLISHED, None):
        assert resolve_dates(line, pub) == []


def test_seed_matches_gold():
    if not SEED_GOLD.exists():
        pytest.skip("no shared gold file")
    text = SEED.read_text(encoding="utf-8")
    gold = []
    with open(SEED_GOLD, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["doc"] == SEED.stem:
                gold.append((int(row["start"]), int(row["end"]), row["quote"], row["date"], row["precision"]))
    assert gold
    got = [(m.start, m.end, m.quote, m.date, m.precision) for m in resolve_dates(text, SEED_PUBLISHED, SEED_SKIP)]
    missing = [g for g in gold if g not in got]
    assert missing == []
    # the only extra is a correct relative mention; "over the last year" (3627) is a duration
    extras = [g for g in got if g not in gold]
    assert extras == [(1403, 1408, "today", "2020-01-24", "day")]


def test_seed_header_is_skipped():
    text = SEED.read_text(encoding="utf-8")
    assert text[:SEED_SKIP] == " date 2020-01-24 "
    assert all(m.start >= SEED_SKIP for m in resolve_dates(text, SEED_PUBLISHED, SEED_SKIP))
    assert resolve_dates(text, SEED_PUBLISHED)[0].quote == "2020-01-24"


def test_mentions_are_frozen_dataclasses():
    m = resolve_dates("on January 3", SEED_PUBLISHED)[0]
    assert isinstance(m, DateMention)
    with pytest.raises(AttributeError):
        m.start = 0  # type: ignore[misc]


# ---------------------------------------------------------------- properties

_ISO = {
    "day": re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}"),
    "month": re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])"),
    "year": re.compile(r"[0-9]{4}"),
}


def _check_invariants(text, rows):
    prev_end = -1
    for m in rows:
        assert text[m.start : m.end] == m.quote
        assert m.start >= prev_end and m.end > m.start
        prev_end = m.end
        assert m.precision in D.PRECISIONS
        assert m.rule in D.RULE_IDS
        if m.date is not None:
            assert _ISO[m.precision].fullmatch(m.date), m
            if m.precision == "day":
                datetime.date.fromisoformat(m.date)
            elif m.precision == "year":
                assert int(m.date) >= 1


_TOKENS = st.sampled_from(
    [
        "January", "Jan.", "Sept.", "May", "may", "March", "march", "December", "Dec", "Friday", "Thursday",
        "Sunday", "last", "Last", "next", "this", "This", "year", "month", "today", "Yesterday", "tomorrow",
        "in", "In", "since", "of", "on", "the", "will", "people", "3", "14", "30", "31", "3rd", "29", "2019",
        "2020", "1900", "2099", "12", "2020-01-24", "24/01/2020", "3-5", ",", ".", "-", " ", "  ", "\n",
        "mid-", "early", "’s", "’", "é", "٣",
    ]
)
_TEXT = st.one_of(
    st.text(max_size=200),
    st.lists(st.tuples(_TOKENS, st.sampled_from([" ", "", ", ", ". ", "-"])), max_size=40).map(
        lambda xs: "".join(a + b for a, b in xs)
    ),
)
_PUB = st.one_of(st.none(), st.dates(min_value=datetime.date(1, 1, 1), max_value=datetime.date(9999, 12, 31)))


@settings(max_examples=200, deadline=None)
@given(text=_TEXT, published=_PUB, skip=st.integers(min_value=-5, max_value=60))
def test_properties(text, published, skip):
    rows = resolve_dates(text, published, skip)
    _check_invariants(text, rows)
    assert all(m.start >= skip for m in rows)
    assert rows == D._scan_full(text, published, skip)


def test_datetime_published_is_accepted():
    got = resolve_dates("on Thursday", datetime.datetime(2020, 1, 24, 18, 30))
    assert [(m.quote, m.date) for m in got] == [("Thursday", "2020-01-23")]


def test_extreme_publication_dates_do_not_raise():
    text = "yesterday, tomorrow, last month, next year, on Friday, on December 31 and January 1"
    for pub in (datetime.date.min, datetime.date.max):
        _check_invariants(text, resolve_dates(text, pub))
