"""Placeholder until the date-mention resolver lands (issue 3): finds no dates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DateMention:
    start: int
    end: int
    quote: str
    date: str | None
    precision: str
    rule: str


def resolve_dates(text: str, published: dt.date | None, skip_until: int = 0) -> list[DateMention]:
    return []
