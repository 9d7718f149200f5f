"""Cue words, found once per document: the first, cheap scan of the measure rules.

Every measure rule and phrase needs some word near its number: "killed" for a killed count,
"marched" for a crowd, "another" for one more attack. Instead of trying each rule's regex at
every number, one scan of the document finds where the cue words of all rules begin, and a
rule is tried only at numbers with one of its cue words within WINDOW characters. The scan
looks for stems, the first letters of each cue word, with an Aho-Corasick automaton
(pyahocorasick), so it costs about the same however many cue words the rules name. The index
is a superset: a rule whose cue is near still has its own regex to pass.

Quirks: the scan reads the lower-cased text, as `claims.lowered` makes it for the rules too
(one character for one, so offsets are the text's). A stem runs past the first word only when that
word is short ("the lives of" -> "the live"); its space also matches a line break, a tab, a
no-break space or two spaces, but not longer runs of whitespace.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Iterable, Sequence

import ahocorasick

# How far a rule may look around a number, in characters. Bounded so cost per number is fixed.
WINDOW = 160
# A stem is the cue word's first word, cut to STEM letters; a first word shorter than SHORT
# letters takes letters of the next words up to STEM, so that "the" of "the dead" is not a hit
# at every "the".
STEM = 7
SHORT = 4
# What a space inside a stem may be in the text.
SPACES = (" ", "\n", "\t", "\xa0", "\r\n", "  ")


def stem(word: str) -> str:
    """The stem of a cue word, its words joined by one space: "killed", "the live", "lost"."""
    words = word.lower().split()
    if not words:
        return ""
    if len(words[0]) >= SHORT:
        return words[0][:STEM]
    parts, count = [], 0
    for part in words:
        parts.append(part[:STEM - count])
        count += len(parts[-1])
        if count >= STEM:
            break
    return " ".join(parts)


@dataclass(frozen=True, slots=True)
class CueHits:
    """Where cue stems begin in one document, in text order."""

    positions: list[int]
    masks: list[int]  # per position: bit i set = rule i has a cue word with this stem
    phrase_hits: list[tuple[int, tuple[int, ...]]]  # (word start, phrase indices) for phrase cues

    def rules_near(self, start: int, end: int) -> tuple[int, int]:
        """The rules (bit masks) with a cue word beginning within WINDOW before text[start:end],
        and within WINDOW after it."""
        positions = self.positions
        lo = bisect.bisect_left(positions, start - WINDOW)
        mid = bisect.bisect_left(positions, start, lo)
        after = bisect.bisect_left(positions, end, mid)
        hi = bisect.bisect_left(positions, end + WINDOW, after)
        before_mask = after_mask = 0
        for found in self.masks[lo:mid]:
            before_mask |= found
        for found in self.masks[after:hi]:
            after_mask |= found
        return before_mask, after_mask


@dataclass(frozen=True, slots=True)
class CueIndex:
    """The stems of every rule's and phrase's cue words, in one automaton that finds them all."""

    automaton: ahocorasick.Automaton  # written stem -> (length, rule mask, phrase indices)

    @classmethod
    def build(cls, rule_cues: Sequence[Iterable[str]], phrase_cues: Sequence[Iterable[str]]) -> "CueIndex":
        """rule_cues[i] / phrase_cues[j]: the cue words of rule i / phrase j (empty: no cue)."""
        masks: dict[str, int] = {}
        phrases: dict[str, set[int]] = {}
        for index, words in enumerate(rule_cues):
            for key in map(stem, words):
                masks[key] = masks.get(key, 0) | (1 << index)
        for index, words in enumerate(phrase_cues):
            for word in words:
                phrases.setdefault(stem(word), set()).add(index)
        automaton = ahocorasick.Automaton()
        for key in sorted(set(masks) | set(phrases)):
            if not key:
                continue
            value = (masks.get(key, 0), tuple(sorted(phrases.get(key, ()))))
            for space in SPACES if " " in key else (" ",):
                written = key.replace(" ", space)
                automaton.add_word(written, (len(written), *value))
        automaton.make_automaton()
        return cls(automaton)

    def scan(self, lower: str, lo: int = 0) -> CueHits:
        """Every cue stem in lower[lo:], overlapping ones included ("the dead" holds "dead").
        `lower` is the lower-cased text (`claims.lowered`), which the rules match too."""
        starts: dict[int, int] = {}
        phrase_at: dict[int, set[int]] = {}
        for end, (length, mask, phrases) in self.automaton.iter(lower, lo):
            at = end - length + 1
            if mask:
                starts[at] = starts.get(at, 0) | mask
            if phrases and (at == lo or not (lower[at - 1].isalnum() or lower[at - 1] == "-")):
                phrase_at.setdefault(at, set()).update(phrases)
        positions = sorted(starts)
        return CueHits(positions, [starts[at] for at in positions],
                       [(at, tuple(sorted(phrase_at[at]))) for at in sorted(phrase_at)])
