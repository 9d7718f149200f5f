"""Number grammar (first cut): digits and comma-grouped numbers.

The full grammar (number words, multipliers, vague amounts, ranges, qualifiers) replaces this.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class NumberSpan:
    start: int
    end: int
    value: float
    low: float | None
    high: float | None
    qualifier: str
    rule: str
    kind: str
    number_start: int
    number_end: int


# Not glued to letters or other digits/separators: "K1", "F-16" and "7:20" are not counts.
_DIGITS = re.compile(r"(?<![\w.,:/-])\d{1,3}(?:,\d{3})+(?![\w:/]|[.,]\d)|(?<![\w.,:/-])\d+(?![\w:/]|[.,]\d)")


def find_numbers(text: str) -> list[NumberSpan]:
    """Digit numbers with optional thousands separators."""
    spans = []
    for match in _DIGITS.finditer(text):
        value = float(match.group().replace(",", ""))
        spans.append(NumberSpan(match.start(), match.end(), value, value, value, "exact",
                                "num.digits", "cardinal", match.start(), match.end()))
    return spans
