"""Numeric claims: numbers from the grammar, given a measure by the words around them.

The rules live in `rules/measures.yaml`; this module only compiles and applies them:
1. every number the grammar finds (minus those inside date mentions) is tried against the
   rules in order, each looking just before and/or just after the number; the first match
   decides the measure, unit and subject;
2. phrase rules add the claims that have no number token: an article or "one" read as 1
   ("a US contractor was killed") and denials read as 0 ("no one was injured").

Pure: text in, `Claim`s out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

import regex
import yaml

from .numbers import NumberSpan, find_numbers

RULES_PATH = Path(__file__).parent / "rules" / "measures.yaml"
# How far a rule may look around a number, in characters. Bounded so cost per number is fixed.
WINDOW = 160
_WORD = re.compile(r"(?:[A-Z]\.){2,}|[^\W_][\w'’-]*")
_SPACE = re.compile(r"[\s,]*")
_YEAR = re.compile(r"(?:1[89]|20)\d\d")


@dataclass(frozen=True, slots=True)
class Claim:
    """A number with what it counts, at text[start:end]."""

    start: int
    end: int
    measure: str
    value: float
    low: float | None
    high: float | None
    unit: str
    qualifier: str
    subject: str
    rule: str


@dataclass(frozen=True, slots=True)
class MeasureRule:
    id: str
    measure: str | None
    unit: str | dict | None
    before: re.Pattern | None
    after: re.Pattern | None
    span_unit: bool
    kinds: tuple[str, ...]
    noun_phrase: bool
    number: re.Pattern | None  # the rule applies only to numbers whose quote matches this


@dataclass(frozen=True, slots=True)
class PhraseRule:
    id: str
    measure: str
    unit: str
    value: float
    cue: re.Pattern
    pattern: re.Pattern


@dataclass(frozen=True, slots=True)
class RuleSet:
    rules: tuple[MeasureRule, ...]
    phrases: tuple[PhraseRule, ...]
    any_cue: re.Pattern
    cue_stems: re.Pattern  # literal prefixes of every cue word, for a fast first scan
    units: dict[str, dict[str, str]]  # table -> lower-cased unit word -> normalised unit
    stopwords: frozenset[str]
    type_of: tuple[str, ...]


def _cue_words(cue: str, data: dict) -> list[str]:
    """The literal words a phrase cue can start with: its lexicon's words, or its own literal."""
    names = re.findall(r"\{([a-z_]+)\}", cue)
    if names:
        return [w for name in names for w in data["lexicons"][name]]
    return [alt for alt in re.sub(r"\\b|\(\?:|[()]", "", cue).split("|") if alt]


def _alternation(words: Iterable[str]) -> str:
    ordered = sorted(set(words), key=lambda w: (-len(w), w))
    return "|".join(r"\s+".join(re.escape(part) for part in w.split()) for w in ordered)


def _expand(source: str, names: dict[str, str]) -> str:
    """Replace {name} references by lexicon alternations or macros (recursively)."""
    def sub(match: re.Match) -> str:
        name = match.group(1)
        return _expand(names[name], names) if name in names else match.group(0)
    return re.sub(r"\{([a-z_]+)\}", sub, source)


def _compile(source: str, names: dict[str, str], side: str) -> re.Pattern:
    expanded = _expand(source, names)
    if side == "after":
        expanded = expanded.removeprefix("^")  # applied with .match at the number's end
    elif side == "before":
        # Searched backwards from the number's start, so the end anchor is tried once, not at
        # every offset of the window.
        expanded = expanded.removesuffix("$") + r"\Z"
        return regex.compile(expanded, regex.IGNORECASE | regex.REVERSE | regex.VERSION0)
    return re.compile(expanded, re.IGNORECASE)


@lru_cache(maxsize=1)
def load_rules(path: Path = RULES_PATH) -> RuleSet:
    """Compile measures.yaml once."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for name, words in data["lexicons"].items():
        bad = [w for w in words if not isinstance(w, str)]
        if bad:  # YAML 1.1 reads bare no/on/off as booleans: quote them
            raise ValueError(f"{path}: lexicon {name} has non-string entries {bad!r}; quote them")
    names = {name: _alternation(words) for name, words in data["lexicons"].items()}
    names.update(data.get("macros", {}))
    rules = tuple(
        MeasureRule(
            id=r["id"], measure=r.get("measure"), unit=r.get("unit"),
            before=_compile(r["before"], names, "before") if "before" in r else None,
            after=_compile(r["after"], names, "after") if "after" in r else None,
            span_unit=r.get("span") == "unit", kinds=tuple(r.get("numbers", ["cardinal"])),
            noun_phrase=bool(r.get("noun_phrase")),
            number=re.compile(r["number"]) if "number" in r else None,
        )
        for r in data["rules"]
    )
    phrases = tuple(
        PhraseRule(id=p["id"], measure=p["measure"], unit=p["unit"], value=float(p["value"]),
                   cue=_compile(p["cue"], names, "cue"), pattern=_compile(p["pattern"], names, "phrase"))
        for p in data.get("phrases", [])
    )
    any_cue = re.compile("|".join(f"(?:{p.cue.pattern})" for p in phrases) or "(?!)", re.IGNORECASE)
    stems = sorted({word.lower()[:4] for p in data.get("phrases", []) for word in _cue_words(p["cue"], data)})
    cue_stems = re.compile("|".join(re.escape(stem) for stem in stems) or "(?!)")
    units = {
        table: {word.lower().replace("\\", ""): unit for unit, words in entries.items() for word in words}
        for table, entries in data.get("units", {}).items()
    }
    return RuleSet(rules, phrases, any_cue, cue_stems, units,
                   frozenset(w.lower() for w in data["lexicons"].get("stopword", [])),
                   tuple(data["lexicons"].get("type_of", [])))


def singular(noun: str) -> str:
    """A plain English singular for unit names: signs -> sign, casualties -> casualty."""
    lower = noun.lower()
    for plural, single in (("ies", "y"), ("sses", "ss"), ("ches", "ch"), ("shes", "sh"), ("xes", "x")):
        if lower.endswith(plural) and len(lower) > len(plural) + 1:
            return lower[: -len(plural)] + single
    if lower.endswith("men"):
        return lower[:-3] + "man"
    if lower.endswith("s") and not lower.endswith(("ss", "us", "is")) and len(lower) > 3:
        return lower[:-1]
    return lower


def _noun_phrase(text: str, pos: int, limit: int, rules: RuleSet) -> tuple[str, str, int] | None:
    """Words after `pos` up to the first stopword or punctuation: (phrase, head, end)."""
    words: list[re.Match] = []
    cursor = pos
    while len(words) < 4:
        match = _WORD.match(text, cursor, limit)
        if not match or match.group().lower() in rules.stopwords:
            break
        if match.group()[0].isdigit():
            break
        words.append(match)
        cursor = match.end()
        if cursor >= limit or text[cursor] != " ":  # punctuation ends the phrase
            break
        cursor += 1
    if not words:
        return None
    phrase = text[words[0].start(): words[-1].end()]
    lowered = phrase.lower()
    for lead in rules.type_of:  # "types of signs": the thing counted follows "of"
        if lowered.endswith(lead.split()[0]) and text.startswith(" of ", words[-1].end()):
            rest = _noun_phrase(text, words[-1].end() + 4, limit, rules)
            if rest:
                return text[words[0].start(): rest[2]], rest[1], rest[2]
    return phrase, words[-1].group(), words[-1].end()


def _year_like(number: NumberSpan, text: str) -> bool:
    """A bare four-digit number that reads as a year ("in 2019", "2019 elections")."""
    return (number.rule.endswith("num.digits") and number.qualifier == "exact"
            and _YEAR.fullmatch(text[number.number_start:number.number_end]) is not None)


def _group(matches: tuple[re.Match | None, ...], name: str) -> re.Match | None:
    """The first match that captured the named group."""
    for match in matches:
        if match is not None and name in match.re.groupindex and match.group(name):
            return match
    return None


def _apply(rule: MeasureRule, number: NumberSpan, text: str, lo: int, rules: RuleSet) -> Claim | None:
    before = after = None
    if rule.number is not None and not rule.number.match(text, number.number_start, number.number_end):
        return None
    if rule.before is not None:
        before = rule.before.search(text, max(lo, number.start - WINDOW), number.start)
        if before is None:
            return None
    if rule.after is not None:
        after = rule.after.match(text, number.end, min(len(text), number.end + WINDOW))
        if after is None:
            return None
    if rule.measure is None:  # a skip rule: this number is no amount
        return Claim(number.start, number.end, "", 0, None, None, "", "", "", rule.id)
    start, end = number.start, number.end
    found = (before, after)
    subject_match, head_match, unit_match = (_group(found, n) for n in ("subject", "head", "unit"))
    subject = subject_match.group("subject").strip(" ,") if subject_match else ""
    head = head_match.group("head") if head_match else ""
    if rule.span_unit and unit_match:
        start, end = min(start, unit_match.start("unit")), max(end, unit_match.end("unit"))
    if rule.noun_phrase:
        found = _noun_phrase(text, after.end(), min(len(text), number.end + WINDOW), rules)
        if found is None:
            return None
        subject, head, _ = found
    unit = rule.unit
    if isinstance(unit, dict):
        if unit.get("from") == "head":
            unit = singular(head or (subject.split() or [""])[-1])
        else:
            word = unit_match.group("unit").strip(" -").lower()
            unit = rules.units[unit["table"]].get(word, word)
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Claim(start, end, rule.measure, number.value, number.low, number.high, unit or "",
                 number.qualifier, subject, f"{number.rule}+{rule.id}")


def _phrase_claims(text: str, lo: int, rules: RuleSet) -> list[Claim]:
    """Claims with no number token, searched only around the cue words of each phrase rule."""
    lowered = text.lower()  # a first scan on literal stems is far faster than the cue patterns
    if len(lowered) != len(text):  # a few characters change length when lowered: scan as is
        lowered = text
    windows: list[tuple[int, int, set[int]]] = []
    for stem in rules.cue_stems.finditer(lowered, lo):
        at = stem.start()
        if at > lo and (text[at - 1].isalnum() or text[at - 1] == "-"):
            continue  # not at a word start
        fired = {i for i, phrase in enumerate(rules.phrases) if phrase.cue.match(text, at)}
        if not fired:
            continue
        a, b = max(lo, at - WINDOW), min(len(text), stem.end() + WINDOW)
        if windows and a <= windows[-1][1]:
            windows[-1] = (windows[-1][0], b, windows[-1][2] | fired)
        else:
            windows.append((a, b, fired))
    claims = []
    for a, b, fired in windows:
        for index in sorted(fired):
            phrase = rules.phrases[index]
            pos = a
            # Resume after each quoted subject, not after the whole match: in "A soldier and a
            # civilian were killed" the second subject lies inside the first match.
            while (match := phrase.pattern.search(text, pos, b)) is not None:
                subject = match.group("subject") if "subject" in phrase.pattern.groupindex else ""
                value = phrase.value
                claims.append(Claim(match.start("num"), match.end("num"), phrase.measure, value, value, value,
                                    phrase.unit, "exact", (subject or "").strip(), f"phrase+{phrase.id}"))
                pos = match.end("num")
    return claims


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in spans)


def extract_claims(text: str, start: int = 0, exclude: Iterable[tuple[int, int]] = ()) -> list[Claim]:
    """All claims in text[start:], skipping numbers that overlap the `exclude` spans (dates)."""
    rules = load_rules()
    excluded = sorted(exclude)
    claims: list[Claim] = []
    for number in find_numbers(text):
        if number.start < start or _overlaps(number.start, number.end, excluded):
            continue
        year = _year_like(number, text)
        for rule in rules.rules:
            if number.kind not in rule.kinds:
                continue
            if year and rule.measure in ("count", "crowd", "duration", None) and not rule.id.startswith("skip."):
                continue
            claim = _apply(rule, number, text, start, rules)
            if claim is not None:
                if claim.measure:
                    claims.append(claim)
                break
    taken = [(c.start, c.end) for c in claims]
    for claim in _phrase_claims(text, start, rules):
        if not _overlaps(claim.start, claim.end, taken) and not _overlaps(claim.start, claim.end, excluded):
            claims.append(claim)
            taken.append((claim.start, claim.end))
    claims.sort(key=lambda c: (c.start, c.end))
    return claims
