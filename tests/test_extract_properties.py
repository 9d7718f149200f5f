"""Property tests: on any text, extraction never crashes and every row keeps provenance."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings, strategies as st

from figures.documents import make_document
from figures.errors import InputError
from figures.extract import extract_document

WORDS = st.sampled_from(["killed", "wounded", "at least", "hundreds of", "thousands", "two", "a", "soldier",
                         "were", "injured", "12", "1,500", "and", "people", "no one", "was", "(", ")", ",",
                         ".", "including", "another", "attack", "January 3", "Friday", "-", "\n", "“"])
TEXTS = st.one_of(st.text(max_size=300), st.lists(WORDS, max_size=60).map(" ".join))


@settings(max_examples=200, deadline=None)
@given(text=TEXTS, published=st.one_of(st.none(), st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31))))
def test_extraction_keeps_provenance(text, published):
    try:
        doc = make_document("p", text.encode("utf-8", "surrogatepass"), "hypothesis", {"published": published})
    except InputError:
        return  # a documented refusal (NUL characters, lone surrogates), not a crash
    rows = extract_document(doc)
    for name in ("claims", "dates", "casualties"):
        for row in rows[name]:
            assert doc.text[row["start"]:row["end"]] == row["quote"]
            assert 0 <= row["start"] < row["end"] <= len(doc.text)
    for row in rows["claims"]:
        if row["low"] is not None:
            assert row["low"] <= row["value"]
        if row["high"] is not None:
            assert row["value"] <= row["high"]
    ids = {c["claim_id"] for c in rows["claims"]}
    assert len(ids) == len(rows["claims"])
    for incident in rows["casualties"]:
        assert set(incident["claim_ids"].split()) <= ids


SPANS = st.lists(st.tuples(st.integers(0, 60), st.integers(0, 12)).map(lambda p: (p[0], p[0] + p[1])), max_size=30)


@settings(max_examples=300, deadline=None)
@given(initial=SPANS, added=SPANS, probes=SPANS)
def test_span_index_finds_exactly_the_overlapping_spans(initial, added, probes):
    """claims._Spans (sorted, looked up near the probe) answers as a test of every span would."""
    from figures.claims import _Spans

    spans = _Spans(initial)
    for start, end in added:
        spans.add(start, end)
    every = initial + added
    for start, end in probes:
        assert spans.overlaps(start, end) == any(s < end and start < e for s, e in every)
