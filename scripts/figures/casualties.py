"""Casualty incidents: killed and wounded claims grouped into events.

First cut: the killed and wounded claims of one sentence form one incident. Grouping across
sentences, conflicting reports and victim groups are the casualty-incidents issue.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .claims import Claim
from .sentences import SentenceIndex

CASUALTY_MEASURES = ("killed", "wounded")


@dataclass(slots=True)
class Incident:
    """Figures of one incident and the claims they rest on."""

    claims: list[Claim] = field(default_factory=list)

    def figure(self, measure: str) -> tuple[float | None, float | None, float | None]:
        """(best, low, high) for a measure: the sum over the incident's claims of that measure."""
        found = [c for c in self.claims if c.measure == measure]
        if not found:
            return None, None, None
        best = sum(c.value for c in found)
        low = sum(c.low if c.low is not None else c.value for c in found)
        high = None if any(c.high is None for c in found) else sum(c.high for c in found)
        return best, low, high


def casualty_incidents(claims: list[Claim], sentences: SentenceIndex) -> list[Incident]:
    """Group killed/wounded claims by sentence, in order of first mention."""
    incidents: dict[tuple[int, int], Incident] = {}
    for claim in claims:
        if claim.measure in CASUALTY_MEASURES:
            incidents.setdefault(sentences.bounds(claim.start), Incident()).claims.append(claim)
    return list(incidents.values())
