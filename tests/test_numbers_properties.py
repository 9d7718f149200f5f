"""Invariants of find_numbers on arbitrary text."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from figures.numbers import find_numbers

QUALIFIERS = {"exact", "about", "at_least", "more_than", "at_most", "less_than", "range", "vague"}

# Arbitrary unicode, plus text built from pieces the grammar cares about so that the
# interesting branches (words, ranges, qualifiers, separators) are exercised too.
PIECES = st.sampled_from([
    " ", "  ", "-", "–", ",", ".", ":", "/", "$", "+", "(", ")", "#", "@", "a ", "and ", "or ",
    "to ", "between ", "at least ", "more than ", "nearly ", "about ", "up to ", "half ",
    "one", "two", "twenty", "-three", "hundred", "thousand", "million", "dozen", "hundreds of ",
    "thousands", "tens of ", "several ", "a few ", "first", "second", "largest", "0", "1", "12",
    "700", "1,234", "20,000", "3.5", "bn", "m", "k", "km", "st", "GMT", "Article ", "http://",
    "third", "quarters", "of a ", "1/2", "½",
    "İ", "é", "\u00a0", "\n",
])
MIXED = st.one_of(st.text(), st.lists(PIECES, max_size=30).map("".join))


@settings(max_examples=200, deadline=None)
@given(MIXED)
def test_invariants(text):
    spans = find_numbers(text)
    prev_end = 0
    for s in spans:
        assert 0 <= s.start < s.end <= len(text)
        assert s.start >= prev_end
        prev_end = s.end
        assert s.start <= s.number_start < s.number_end <= s.end
        assert math.isfinite(s.value)
        if s.low is not None:
            assert math.isfinite(s.low) and s.low <= s.value
        if s.high is not None:
            assert math.isfinite(s.high) and s.value <= s.high
        assert s.qualifier in QUALIFIERS
        assert s.kind in ("cardinal", "ordinal", "rank", "fraction")
        assert s.rule
