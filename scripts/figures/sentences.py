"""Sentence bounds around an offset, so every claim can be read in context.

News text is messy: sentences are sometimes glued ("material.The protests"), and abbreviations
("Dr.", "U.S.", "Jan.") end in a full stop without ending a sentence. We split on ., ! or ?
(optionally followed by closing quotes or brackets) when the next visible character starts a new
sentence, and on blank lines and line breaks.
"""

from __future__ import annotations

import bisect
import re
from typing import NamedTuple

_ABBREVIATIONS = (
    "Mr Mrs Ms Dr Prof Gen Col Lt Sgt Capt Maj Rev St Sen Rep Gov Pres Jr Sr No Nos vs etc "
    "Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec Mt Ft Inc Corp Ltd Co"
).split()
# The pattern begins with the punctuation itself, and looks back at the abbreviation only once
# it has found some: the regex engine then skips ahead to candidate characters instead of
# testing three lookbehinds at every offset (6x faster on news text).
_BOUNDARY = re.compile(
    r"[.!?]"
    r"(?<!\b(?:" + "|".join(a for a in _ABBREVIATIONS if len(a) == 2) + r")[.!?])"
    r"(?<!\b(?:" + "|".join(a for a in _ABBREVIATIONS if len(a) == 3) + r")[.!?])"
    r"(?<!\b[A-Z][.!?])"  # initials and "U.S."
    r"[.!?]*[\"'”’)\]]*(?:\s+|(?=[A-Z“\"]))(?=[\"“‘(\[]?[A-Z0-9])"
    r"|\n\s*"
)


# What ends a line of running text; a first line that ends otherwise is a headline.
_CLOSING = ".!?:;,\"'”’)"
_VISIBLE = re.compile(r"\S")  # searched, not sliced: a document may be megabytes long


class Headline(NamedTuple):
    """Where a document's headline is: text[begin:end], then the line break at `newline`."""

    begin: int
    end: int
    newline: int


def headline(text: str, start: int = 0) -> Headline | None:
    """The headline, when the text's first line from `start` is one: it has no closing
    punctuation and more text follows it. None otherwise.

    A headline is a sentence of its own that no rule may read past ("... kills 39; organisers had
    expected 10,000" then "At least 39 people were killed": the 10,000 killed no one).
    """
    visible = _VISIBLE.search(text, start)
    newline = text.find("\n", visible.start()) if visible else -1
    if newline < 0 or not _VISIBLE.search(text, newline):  # one line, or nothing after it
        return None
    end = newline
    while end > visible.start() and text[end - 1].isspace():
        end -= 1
    if end == visible.start() or text[end - 1] in _CLOSING:
        return None
    return Headline(visible.start(), end, newline)


class SentenceIndex:
    """Sentence boundaries of one text, computed once and queried per claim."""

    def __init__(self, text: str, start: int = 0):
        self.text, self.start = text, start
        self._starts = [start] + [m.end() for m in _BOUNDARY.finditer(text, start)]

    def bounds(self, pos: int) -> tuple[int, int]:
        """(start, end) of the sentence containing offset `pos`, trailing space excluded."""
        i = bisect.bisect_right(self._starts, pos) - 1
        start = self._starts[max(i, 0)]
        end = self._starts[i + 1] if i + 1 < len(self._starts) else len(self.text)
        while end > start and self.text[end - 1].isspace():
            end -= 1
        return start, max(end, pos)

    def spans(self) -> list[tuple[int, int]]:
        """(start, end) of every sentence, in order, trailing space excluded."""
        return [self.bounds(start) for start in self._starts]
