"""Sentence bounds (figures.sentences): the context every claim row records."""

from figures.sentences import SentenceIndex, headline

TEXT = "Dr. Smith said 3 were killed.The U.S. army disagreed!  Two more died.\nA new line"


def test_spans_cover_every_sentence_in_order_without_trailing_space():
    spans = SentenceIndex(TEXT).spans()
    assert [TEXT[s:e] for s, e in spans] == [
        "Dr. Smith said 3 were killed.", "The U.S. army disagreed!", "Two more died.", "A new line"]


def test_bounds_of_a_position_are_its_span():
    index = SentenceIndex(TEXT)
    for start, end in index.spans():
        assert index.bounds(start) == (start, end)
        assert index.bounds(end - 1) == (start, end)


def test_spans_start_at_the_given_offset():
    index = SentenceIndex(TEXT, TEXT.index("Two"))
    assert [TEXT[s:e] for s, e in index.spans()] == ["Two more died.", "A new line"]


def test_headline_is_a_first_line_without_closing_punctuation_before_more_text():
    text = " date 2024-05-02 Dam bursts; 40 missing\r\nRescuers searched the valley."
    begin, end, newline = headline(text, 16)
    assert text[begin:end] == "Dam bursts; 40 missing" and text[newline:].startswith("\nRescuers")
    assert headline("Dam bursts.\nRescuers searched.") is None          # a sentence, not a headline
    assert headline("Dam bursts, 40 missing") is None                    # nothing after it
    assert headline("Dam bursts\n\n   ") is None
    assert headline("\n\n  Dam bursts\nRescuers") == (4, 14, 14)       # blank lines before it
