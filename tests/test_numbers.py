"""Golden cases for figures.numbers: one parametrized case per row, so a failure names its rule."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from figures import numbers
from figures.numbers import NumberSpan, find_numbers

GOLDEN = Path(__file__).parent / "golden"
ROWS = yaml.safe_load((GOLDEN / "numbers.yaml").read_text(encoding="utf-8"))
NONE_LINES = [
    line for line in (GOLDEN / "numbers_none.txt").read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#")
]
SEED = Path(__file__).parent.parent / "seeds" / "000_679c7536310926e9.txt"


def _row_id(row) -> str:
    return f"{row['rule']}:{row['text'][:40]}"


@pytest.mark.parametrize("row", ROWS, ids=[_row_id(r) for r in ROWS])
def test_golden(row):
    text = row["text"]
    spans = find_numbers(text)
    got = [
        {"quote": text[s.start:s.end], "value": s.value, "low": s.low, "high": s.high,
         "qualifier": s.qualifier}
        for s in spans
    ]
    want = [{k: e[k] for k in ("quote", "value", "low", "high", "qualifier")} for e in row["expect"]]
    assert got == want
    for s, e in zip(spans, row["expect"]):
        assert s.kind == e.get("kind", "cardinal")
        assert s.start <= s.number_start < s.number_end <= s.end
    if row["expect"]:
        assert row["rule"] in {s.rule for s in spans} | {part for s in spans for part in s.rule.split("+")}
    else:
        fired = {rule for rule, _, _ in numbers._explain_exclusions(text)}
        assert row["rule"] in fired


def test_every_rule_id_has_a_golden_case():
    covered = {part for row in ROWS for part in row["rule"].split("+")}
    missing = [rid for rid in numbers.RULE_IDS if rid not in covered]
    assert not missing, f"rule ids without a golden case: {missing}"


def test_rule_ids_are_unique():
    assert len(numbers.RULE_IDS) == len(set(numbers.RULE_IDS))


@pytest.mark.parametrize("text", NONE_LINES)
def test_no_number(text):
    assert [(text[s.start:s.end], s.rule) for s in find_numbers(text)] == []


def _at(spans, start, end) -> NumberSpan:
    for s in spans:
        if (s.start, s.end) == (start, end):
            return s
    raise AssertionError(f"no span at {start}..{end}: {[(s.start, s.end) for s in spans]}")


def test_seed_article():
    text = SEED.read_text(encoding="utf-8")
    spans = find_numbers(text)
    s = _at(spans, 17, 38)
    assert text[17:38] == "Hundreds of thousands"
    assert (s.value, s.low, s.high, s.qualifier) == (100000, 100000, 999999, "vague")
    s = _at(spans, 921, 942)
    assert (s.low, s.high, s.qualifier) == (100000, 999999, "vague")
    three = [s for s in spans if text[s.start:s.end] == "three"]
    assert three and three[0].value == 3 and text[three[0].end:three[0].end + 7] == " months"
    assert _at(spans, 1374, 1377).value == 700
    assert _at(spans, 1391, 1397).value == 20000
    s = _at(spans, 1718, 1725)
    assert (text[1718:1725], s.value) == ("million", 1e6)
    s = _at(spans, 2105, 2116)
    assert (s.value, s.low, s.high, s.qualifier) == (12, 12, None, "at_least")
    assert (s.number_start, s.number_end) == (2114, 2116)
    s = _at(spans, 2786, 2795)
    assert (s.low, s.high, s.qualifier) == (1000, 9999, "vague")
    six = [s for s in spans if text[s.start:s.end] == "six"]
    assert six and six[0].value == 6 and text[six[0].end:six[0].end + 11] == " kilometers"


def test_adversarial_inputs_are_linear():
    # Not a timing assertion: these must simply finish.  Patterns avoid nested quantifiers, so
    # each runs in linear time; benchmarks/bench_numbers.py measures the speed.
    for chunk in ("1,", "1 ", "12,345,", "9" * 50 + " ", "one ", "one one and ", "- ", "+1 ",
                  "hundreds of ", "a ", "between 1 and ", "at least ", "1.2.", "$1m ",
                  "one third ", "two-", "thirds of a ", "and a half ", "1/2 ", "1 1/", "½", "minus ",
                  "one point ", "one in ", "3 out of ", "2e", "1e-"):
        text = chunk * (200_000 // len(chunk))
        spans = find_numbers(text)
        assert all(0 <= s.start < s.end <= len(text) for s in spans)


def test_one_is_not_emitted_alone():
    assert find_numbers("no one knows which one") == []
    assert [s.value for s in find_numbers("one hundred")] == [100]


def test_numbers_in_a_date_never_join_a_number_outside_it():
    """`apart` (the document's dates): "October 7 to 15,207" is a date and a number, no range."""
    text = "the toll since October 7 to 15,207 and from 7 to 15 people"
    date = (text.index("October"), text.index("October") + len("October 7"))
    assert [text[n.start:n.end] for n in find_numbers(text)][:1] == ["7 to 15,207"]
    spans = find_numbers(text, apart=[date])
    assert [text[n.start:n.end] for n in spans] == ["7", "15,207", "from 7 to 15"]
