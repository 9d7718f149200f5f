"""Numeric claims: numbers from the grammar, given a measure by the words around them.

The rules live in `rules/measures.yaml`; this module only compiles and applies them:
1. every number the grammar finds (minus those inside date mentions) is tried against the
   rules in order, each looking just before and/or just after the number; the first match
   decides the measure, unit and subject;
2. phrase rules add the claims that have no number token: an article or "one" read as 1
   ("a US contractor was killed") and denials read as 0 ("no one was injured"); a skip phrase
   (no measure) keeps the phrases after it off words that count nothing of their own.

Patterns are case-insensitive. Those with no case-sensitive part, (?-i:...), are compiled
case-sensitively with lower-cased lexicons and matched on the lowered text (`lowered`): `re`
matches them about twice as fast so. The words a claim quotes are always taken from the text.

Pure: text in, `Claim`s out.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Iterable

import regex
import yaml

from .cues import WINDOW, CueHits, CueIndex
from .numbers import NumberSpan, find_numbers, trie_regex
from .sentences import Headline, headline

RULES_PATH = Path(__file__).parent / "rules" / "measures.yaml"
_WORD = re.compile(r"(?:[A-Z]\.){2,}|[^\W_][\w'’-]*")
_SPACE = re.compile(r"[\s,]*")
_YEAR = re.compile(r"(?:1[89]|20)\d\d")
_NAMED_GROUP = re.compile(r"\(\?P<[A-Za-z_]\w*>")
_WORD_TAIL = re.compile(r"[\w'’-]*")
_UPPER = re.compile(r"[A-Z]")
_ESCAPES = re.compile(r"\\.|\(\?P<\w+>|\(\?P=\w+\)")

# A rule's `measure: previous`: another source's figure for the count told just before it ("4,000
# miners joined the strike. Union leaders put the figure at more than 7,000"). It takes that
# count's measure and unit: the nearest earlier claim other than a plain count or an age, when it
# counts people harmed, held or gathered, at most PREVIOUS_REACH characters before it and in the
# same paragraph; otherwise it is no claim.
PREVIOUS = "previous"
PREVIOUS_MEASURES = frozenset({"killed", "wounded", "arrested", "kidnapped", "missing", "displaced", "affected",
                               "crowd"})
PREVIOUS_REACH = 300
PREVIOUS_SKIPPED = frozenset({"count", "age", "rank"})


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
    total: bool = False  # read by a rule marked `total`: a running total ("the death toll rose to 30")


@dataclass(frozen=True, slots=True)
class MeasureRule:
    id: str
    measure: str | None
    unit: str | dict | None
    before: re.Pattern | LazyPattern | None  # lazy until first used (LazyPattern)
    after: re.Pattern | LazyPattern | None
    span_unit: bool
    kinds: tuple[str, ...]
    noun_phrase: bool
    number: re.Pattern | None  # the rule applies only to numbers whose quote matches this
    cue_side: str | None  # "before"/"after": tried only if the cue index finds a cue word there
    cased: bool = False  # a pattern needs the text as written ((?-i:...)): match on it, not the lowered text
    total: bool = False  # the count is a running total ("the death toll rose to 30"): see casualties
    bare: bool = False  # applies only to a number with no qualifier before it ("12", not "at least 12")


@dataclass(frozen=True, slots=True)
class PhraseRule:
    id: str
    measure: str
    unit: str | dict  # fixed, or {from: unit, table: ...} to normalise the matched `unit` group
    value: float
    low: float | None  # the interval the words allow (None: unbounded), as for numbers
    high: float | None
    qualifier: str
    cue: re.Pattern | LazyPattern  # lazy until first used (LazyPattern)
    pattern: re.Pattern | LazyPattern
    starts: re.Pattern | LazyPattern | None  # None: the pattern begins at its cue; else the words it may begin
    # with, before the cue, and it must end with the cue's word
    ends: bool = False  # the pattern ends with its cue's word and is matched backwards from it
    headline: bool = False  # the pattern is matched over the document's headline alone
    # Small ints naming the cue and the starts pattern among the phrases' distinct ones: phrases
    # share them, and a per-document memo keyed by int is cheaper than by compiled pattern.
    cue_key: int = 0
    starts_key: int = -1
    cased: bool = False
    # `requires`: words the match must hold, searched (on the lowered text) between the window's
    # start and the cue's end before the pattern is tried. A backward match of a long subject
    # fails slowly; most windows lack the words it needs, and phrases share the answer.
    requires: re.Pattern | LazyPattern | None = None
    requires_key: int = -1


@dataclass(frozen=True, slots=True)
class Dispatch:
    """The rules for one kind of number, combined so that one regex call finds the first match.

    `after_any` joins every rule that has only an `after` pattern into one alternation of named
    groups r<index>, in rule order: matched at a number's end, the group that took part is the
    first of those rules that applies. `before_any` does the same for `before`-only rules,
    matched backwards. Rules with a cue, both patterns or a `number` condition are tried one by
    one, and only while they come before the best rule found so far. They are kept as bit masks
    (bit i = rule i), so that the rules worth trying at a number are one expression with the cue
    index's masks instead of a loop over every rule.
    """

    indices: tuple[int, ...]  # every rule for this kind, in order
    after_any: re.Pattern | None
    before_any: regex.Pattern | None
    others_uncued: int  # tried one by one, whatever the cue index found
    others_cue_before: int  # tried one by one if a cue word of theirs is near before the number
    others_cue_after: int  # ... or after it
    # The distinct `number` conditions of these rules, each with the rules (bits) that have it:
    # checked once per number, so that a rule whose condition fails is not even tried.
    number_tests: tuple[tuple[re.Pattern, int], ...] = ()


@dataclass(frozen=True, slots=True)
class RuleSet:
    rules: tuple[MeasureRule, ...]
    dispatch: dict[str, Dispatch]  # number kind -> its rules, combined
    phrases: tuple[PhraseRule, ...]
    cues: CueIndex  # the cue words of rules and phrases, found once per document
    units: dict[str, dict[str, str]]  # table -> lower-cased unit word -> normalised unit
    stopwords: frozenset[str]
    type_of: tuple[str, ...]
    totals: frozenset[str]  # ids of the rules whose count is a running total
    field_line: re.Pattern  # the line breaks before a field's line or after a field's figure (macro
                            # field_line, group value_end): a count's words stop there


def _lexicons(data: dict, path: Path) -> dict[str, list[str]]:
    """The word lists, with entries "{name}" replaced by the words of that lexicon (one level:
    "person" is "person_one" plus the plural nouns)."""
    raw = data["lexicons"]
    for name, words in raw.items():
        bad = [w for w in words if not isinstance(w, str)]
        if bad:  # YAML 1.1 reads bare no/on/off as booleans: quote them
            raise ValueError(f"{path}: lexicon {name} has non-string entries {bad!r}; quote them")
    included = re.compile(r"\{([a-z_]+)\}")
    resolved = {}
    for name, words in raw.items():
        resolved[name] = []
        for word in words:
            inner = included.fullmatch(word)
            if inner and inner.group(1) not in raw:
                raise ValueError(f"{path}: lexicon {name} includes unknown lexicon {word}")
            resolved[name].extend(raw[inner.group(1)] if inner else [word])
    return resolved


def _cue_words(cue: str | None, data: dict) -> list[str]:
    """The literal words a cue can start with: a lexicon's words ("killed_after" or
    "{killed_after}"), or the alternatives of a literal cue ("\\b(?:deaths|fatalities)")."""
    if cue is None:
        return []
    if cue in data["lexicons"]:
        return list(data["lexicons"][cue])
    names = re.findall(r"\{([a-z_]+)\}", cue)
    if names:
        return [w for name in names for w in data["lexicons"][name]]
    return [alt for alt in re.sub(r"\\b|\(\?:|[()]", "", cue).split("|") if alt]


def _alternation(words: Iterable[str], fold_case: bool = False) -> str:
    """One regex matching any of the words, longest first, spaces matching any run of whitespace:
    a trie, since lexicons of hundreds of words sit inside patterns tried at every count."""
    return trie_regex(words, fold_case=fold_case)


def _expand(source: str, names: dict[str, str]) -> str:
    """Replace {name} references by lexicon alternations or macros (recursively)."""
    def sub(match: re.Match) -> str:
        name = match.group(1)
        return _expand(names[name], names) if name in names else match.group(0)
    return re.sub(r"\{([a-z_]+)\}", sub, source)


def _cased(sources: Iterable[str], cased_names: dict[str, str],
           lower_names: dict[str, str]) -> tuple[bool, dict[str, str]]:
    """Whether a rule's patterns have case-sensitive parts, (?-i:...), and the lexicons to compile
    them with. Such a rule is matched on the text as written; every other one on the lowered
    text (`lowered`), with lower-cased lexicons, which is about twice as fast as matching the
    text as written case-insensitively."""
    cased = any("(?-i:" in _expand(source, cased_names) for source in sources)
    return cased, cased_names if cased else lower_names


class LazyPattern:
    """A rule's pattern, compiled when first used. The rules are about 2 MB of regex source and
    compiling all of it takes seconds per process, while a build over a few articles tries well
    under half of it. On its first use the pattern compiles and puts the compiled pattern in
    the attributes of the rules that hold it (`bind`), so that later uses call it directly.
    Equal sources share one LazyPattern (`_LAZY`), as `re`'s cache shares compiled patterns.
    `compile_all` compiles every one now: before forking workers, which then share them."""

    __slots__ = ("pattern", "flags", "_engine", "_owners", "_compiled")

    def __init__(self, engine, pattern: str, flags: int):
        self._engine, self.pattern, self.flags = engine, pattern, flags
        self._owners: list[tuple[object, str]] = []
        self._compiled = None

    def bind(self, owner: object, attribute: str) -> None:
        """Let `owner.attribute` (this pattern) be replaced by the compiled pattern when it compiles."""
        if self._compiled is None:
            self._owners.append((owner, attribute))
        else:
            object.__setattr__(owner, attribute, self._compiled)

    def compile(self):
        if self._compiled is None:
            try:
                self._compiled = self._engine.compile(self.pattern, self.flags)
            except (re.error, regex.error) as exc:  # a rule file edited by hand: name the rules
                rules = ", ".join(f"{getattr(owner, 'id', owner)}.{attribute}" for owner, attribute in self._owners)
                raise ValueError(f"{RULES_PATH.name}: the pattern of {rules or 'a rule'} does not compile ({exc}); "
                                 "fix its regex") from exc
            for owner, attribute in self._owners:  # frozen dataclasses: set past their guard
                object.__setattr__(owner, attribute, self._compiled)
            self._owners.clear()
        return self._compiled

    def match(self, *args):
        return self.compile().match(*args)

    def search(self, *args):
        return self.compile().search(*args)

    def finditer(self, *args):
        return self.compile().finditer(*args)


_LAZY: dict[tuple[str, str, int], LazyPattern] = {}


def _lazy(engine, pattern: str, flags: int) -> LazyPattern:
    key = (engine.__name__, pattern, flags)
    found = _LAZY.get(key)
    if found is None:
        found = _LAZY[key] = LazyPattern(engine, pattern, flags)
    return found


def _bind_patterns(owner: object, attributes: Iterable[str]) -> None:
    for attribute in attributes:
        value = getattr(owner, attribute)
        if isinstance(value, LazyPattern):
            value.bind(owner, attribute)


def compile_all() -> None:
    """Compile every rule pattern not compiled yet (see LazyPattern)."""
    load_rules()
    for pattern in list(_LAZY.values()):
        pattern.compile()


def _compile(source: str, names: dict[str, str], side: str, cased: bool = True) -> LazyPattern:
    expanded = _expand(source, names)
    flags = re.IGNORECASE if cased or _UPPER.search(_ESCAPES.sub("", expanded)) else 0
    if side == "after":
        expanded = expanded.removeprefix("^")  # applied with .match at the number's end
    elif side == "before":
        # Matched backwards from the number's start (or a cue's end): a reverse match is
        # anchored where it begins, at the end of the window, so it is tried once, not at every
        # offset of the window as a search for "...$" would be.
        return _lazy(regex, expanded.removesuffix("$"), flags | regex.REVERSE | regex.VERSION0)
    return _lazy(re, expanded, flags)


def _starts(phrase: dict, names: dict[str, str]) -> re.Pattern | None:
    """The words an end-anchored phrase begins with, as a pattern for the lowered text (`names`:
    lexicons lower-cased); None if it is anchored at its cue's start or end instead."""
    if phrase.get("anchor") in ("start", "end", "headline"):
        return None
    if "{" + phrase["starts"] + "}" not in phrase["pattern"]:
        raise ValueError(f"phrase {phrase['id']}: starts {phrase['starts']} is not used in its pattern")
    return _compile(rf"\b(?:{names[phrase['starts']]})\b", names, "starts", cased=False)


def _cue_side(rule: dict) -> str | None:
    """Where a rule's cue word must be: the side whose pattern names the cue lexicon."""
    if "cue" not in rule:
        return None
    for side in ("before", "after"):
        if "{" + rule["cue"] + "}" in rule.get(side, ""):
            return side
    raise ValueError(f"rule {rule['id']}: cue {rule['cue']} is not used in its patterns")


def _alternatives(sources: list[tuple[int, str]]) -> str:
    """One alternation of the sources as groups r<index>, their own groups made non-capturing."""
    return "|".join(f"(?P<r{index}>{_NAMED_GROUP.sub('(?:', source)})" for index, source in sources)


def _dispatch(rules: tuple[MeasureRule, ...], kind: str) -> Dispatch:
    indices = tuple(i for i, rule in enumerate(rules) if kind in rule.kinds)
    plain = [i for i in indices if rules[i].cue_side is None and rules[i].number is None and not rules[i].cased
             and (rules[i].before is not None or rules[i].after is not None)]
    after_only = [(i, rules[i].after.pattern) for i in plain if rules[i].before is None]
    before_only = [(i, rules[i].before.pattern) for i in plain if rules[i].after is None]
    combined = {i for i, _ in after_only + before_only}
    # Each joins patterns matched on the lowered text: case-insensitive only if one of them is.
    after_flags = max((rules[i].after.flags & re.IGNORECASE for i, _ in after_only), default=0)
    before_flags = max((rules[i].before.flags & regex.IGNORECASE for i, _ in before_only), default=0)
    return Dispatch(
        indices=indices,
        after_any=re.compile(_alternatives(after_only), after_flags) if after_only else None,
        before_any=(regex.compile(_alternatives(before_only), before_flags | regex.REVERSE | regex.VERSION0)
                    if before_only else None),
        others_uncued=_mask(rules, indices, combined, None),
        others_cue_before=_mask(rules, indices, combined, "before"),
        others_cue_after=_mask(rules, indices, combined, "after"),
        number_tests=tuple(
            (test, sum(1 << i for i in indices if rules[i].number is test))
            for test in dict.fromkeys(rules[i].number for i in indices if rules[i].number is not None)),
    )


def _mask(rules: tuple[MeasureRule, ...], indices: tuple[int, ...], combined: set[int], cue_side: str | None) -> int:
    """The rules at `indices` outside the combined patterns whose cue is on `cue_side`, as bits."""
    return sum(1 << i for i in indices if i not in combined and rules[i].cue_side == cue_side)


def _phrase(p: dict, cased_names: dict[str, str], lower_names: dict[str, str]) -> PhraseRule:
    cased, names = _cased((p["cue"], p["pattern"]), cased_names, lower_names)
    cue, starts = _compile(p["cue"], names, "cue", cased), _starts(p, lower_names)
    if "requires" in p and p.get("anchor") in ("start", "headline"):
        raise ValueError(f"phrase {p['id']}: `requires` is searched before the cue; a phrase anchored at its start "
                         "or over the headline has none")
    requires = _compile(p["requires"], lower_names, "requires", cased=False) if "requires" in p else None
    return PhraseRule(
        id=p["id"], measure=p["measure"], unit=p["unit"], value=float(p["value"]),
        low=_bound(p, "low"), high=_bound(p, "high"), qualifier=p.get("qualifier", "exact"),
        cue=cue, pattern=_compile(p["pattern"], names, "before" if p.get("anchor") == "end" else "phrase", cased),
        starts=starts, ends=p.get("anchor") == "end", headline=p.get("anchor") == "headline",
        # equal sources share a LazyPattern (_lazy), so they give the same object and the same key
        cue_key=id(cue), starts_key=-1 if starts is None else id(starts), cased=cased,
        requires=requires, requires_key=-1 if requires is None else id(requires))


def _bound(phrase: dict, name: str) -> float | None:
    """A phrase's low or high: its value unless given; null in YAML means unbounded."""
    bound = phrase.get(name, phrase["value"])
    return None if bound is None else float(bound)


def _measure_rule(r: dict, cased_names: dict[str, str], lower_names: dict[str, str]) -> MeasureRule:
    cased, names = _cased([r[side] for side in ("before", "after") if side in r], cased_names, lower_names)
    return MeasureRule(
        id=r["id"], measure=r.get("measure"), unit=r.get("unit"),
        before=_compile(r["before"], names, "before", cased) if "before" in r else None,
        after=_compile(r["after"], names, "after", cased) if "after" in r else None,
        span_unit=r.get("span") == "unit", kinds=tuple(r.get("numbers", ["cardinal"])),
        noun_phrase=bool(r.get("noun_phrase")),
        number=re.compile(_expand(r["number"], cased_names)) if "number" in r else None, cue_side=_cue_side(r), cased=cased,
        total=bool(r.get("total")), bare=bool(r.get("bare")),
    )


@lru_cache(maxsize=1)
def load_rules(path: Path = RULES_PATH) -> RuleSet:
    """Compile measures.yaml once."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["lexicons"] = _lexicons(data, path)
    names = {name: _alternation(words) for name, words in data["lexicons"].items()}
    names.update(data.get("macros", {}))
    lower_names = {name: _alternation(words, fold_case=True) for name, words in data["lexicons"].items()}
    lower_names.update(data.get("macros", {}))
    rules = tuple(_measure_rule(r, names, lower_names) for r in data["rules"])
    phrases = tuple(_phrase(p, names, lower_names) for p in data.get("phrases", []))
    for rule in rules:
        _bind_patterns(rule, ("before", "after"))
    for phrase in phrases:
        _bind_patterns(phrase, ("cue", "pattern", "starts", "requires"))
    cues = CueIndex.build([_cue_words(r.get("cue"), data) for r in data["rules"]],
                          [_cue_words(p["cue"], data) for p in data.get("phrases", [])])
    units = {
        table: {word.lower().replace("\\", ""): unit for unit, words in entries.items() for word in words}
        for table, entries in data.get("units", {}).items()
    }
    kinds = sorted({kind for rule in rules for kind in rule.kinds})
    return RuleSet(rules, {kind: _dispatch(rules, kind) for kind in kinds}, phrases, cues, units,
                   frozenset(w.lower() for w in data["lexicons"].get("stopword", [])),
                   tuple(data["lexicons"].get("type_of", [])),
                   frozenset(rule.id for rule in rules if rule.total),
                   re.compile(_expand("{field_line}", names)))


def reads_total(rule: str) -> bool:
    """Whether a claim's `rule` (number rule + measure rule) reads a running total."""
    return rule.rpartition("+")[2] in load_rules().totals


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


def _captured(text: str, match: re.Match, name: str) -> str:
    """A group's words as written: the match may have been made on the lowered text."""
    return text[match.start(name):match.end(name)]


def lowered(text: str) -> str:
    """The text in lower case, character for character: a character whose lower case is longer
    ("İ" -> "i̇") keeps its first character, so that offsets stay those of the text."""
    lower = text.lower()
    if len(lower) == len(text):
        return lower
    return "".join(ch.lower()[0] for ch in text)


def _apply(rule: MeasureRule, number: NumberSpan, text: str, lower: str, lo: int, hi: int,
           rules: RuleSet) -> Claim | None:
    """The rule's claim on `number`, its patterns reading no further than text[lo:hi]."""
    before = after = None
    if rule.number is not None and not rule.number.match(text, number.number_start, number.number_end):
        return None
    if rule.bare and number.start != number.number_start:
        return None
    source = text if rule.cased else lower
    if rule.before is not None:
        before = rule.before.match(source, max(lo, number.start - WINDOW), number.start)
        if before is None:
            return None
    if rule.after is not None:
        after = rule.after.match(source, number.end, min(hi, number.end + WINDOW))
        if after is None:
            return None
    if rule.measure is None:  # a skip rule: this number is no amount
        return Claim(number.start, number.end, "", 0, None, None, "", "", "", rule.id)
    start, end = number.start, number.end
    found = (before, after)
    subject_match, head_match, unit_match = (_group(found, n) for n in ("subject", "head", "unit"))
    subject = _captured(text, subject_match, "subject").strip(" ,") if subject_match else ""
    head = _captured(text, head_match, "head") if head_match else ""
    if rule.span_unit and unit_match:
        start, end = min(start, unit_match.start("unit")), max(end, unit_match.end("unit"))
    if rule.noun_phrase:
        found = _noun_phrase(text, after.end(), min(hi, number.end + WINDOW), rules)
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
                 number.qualifier, subject, f"{number.rule}+{rule.id}", rule.total)


def _phrase_claims(text: str, lower: str, lo: int, rules: RuleSet, hits: CueHits,
                   top: Headline | None = None) -> list[Claim]:
    """Claims with no number token, matched only at the cue words of each phrase rule.

    A start-anchored phrase is matched where its cue begins; an end-anchored one backwards from
    the end of its cue's word; a headline phrase over the headline (`top`) alone, once, when its
    cue is in it; any other at each of its `starts` words within WINDOW before its cue, and kept
    only if it ends with the cue's word. Every count a phrase can match is therefore tried once,
    in rule order.
    """
    found: list[tuple[int, int, Claim]] = []
    seen: set[tuple[int, int]] = set()  # (phrase, where its match begins)
    headline_read: set[int] = set()  # headline phrases matched over the headline
    start_words = _StartWords(lower, lo)
    phrases, size = rules.phrases, len(text)
    for at, indices in hits.phrase_hits:
        reach_lo, reach_hi = _reach(at, lo, size, top)
        window = max(reach_lo, at - WINDOW)
        cues: dict[int, int] = {}  # cue key -> end of the cue's word (-1: no match): phrases share cues
        starts: dict[int, list[int]] = {}  # starts key -> start words in the window
        required: dict[int, bool] = {}  # requires key -> found in the window
        for index in indices:
            phrase = phrases[index]
            if phrase.headline and (top is None or not top.begin <= at < top.end or index in headline_read):
                continue
            source = text if phrase.cased else lower
            must_end = cues.get(phrase.cue_key)
            if must_end is None:
                cue = phrase.cue.match(source, at)
                must_end = cues[phrase.cue_key] = -1 if cue is None else _WORD_TAIL.match(source, cue.end()).end()
            if must_end < 0:
                continue
            if phrase.requires is not None:
                found_words = required.get(phrase.requires_key)
                if found_words is None:
                    found_words = required[phrase.requires_key] = (
                        phrase.requires.search(lower, window, must_end) is not None)
                if not found_words:
                    continue
            if phrase.headline:
                headline_read.add(index)
                found.extend((index, claim.start, claim) for claim in _headline_claims(phrase, source, text, top, rules))
                continue
            if phrase.starts is None:
                match = (phrase.pattern.match(source, window, must_end) if phrase.ends  # backwards from the cue's word
                         else phrase.pattern.match(source, at, min(reach_hi, at + WINDOW)))  # from the cue on
                if match is not None and (index, match.start()) not in seen and _one_line(source, match):
                    seen.add((index, match.start()))
                    found.append((index, match.start("num"), _phrase_claim(phrase, match, text, rules)))
                continue
            positions = starts.get(phrase.starts_key)
            if positions is None:
                positions = starts[phrase.starts_key] = start_words.before(phrase, at, window)
            for start in positions:  # forward from each start word, to end with the cue's word
                if (index, start) in seen:
                    continue
                match = phrase.pattern.match(source, start, must_end)
                if match is not None and match.end() == must_end and _one_line(source, match):
                    seen.add((index, start))
                    found.append((index, match.start("num"), _phrase_claim(phrase, match, text, rules)))
    found.sort(key=lambda item: item[:2])  # earlier rules first, as for number rules
    return [claim for _, _, claim in found]


def _headline_claims(phrase: PhraseRule, source: str, text: str, top: Headline, rules: RuleSet) -> list[Claim]:
    """A headline phrase's claims, matched over the headline alone, where `^` is its first word:
    headlines drop articles, so a clause there may begin with a bare noun ("Firefighter dies,
    27 homes lost"), which in running text would be the tail of a longer phrase."""
    head = text[top.begin:top.end]
    claims = (_phrase_claim(phrase, match, head, rules)
              for match in phrase.pattern.finditer(source[top.begin:top.end]))
    return [replace(claim, start=claim.start + top.begin, end=claim.end + top.begin) for claim in claims]


def _one_line(source: str, match: re.Match) -> bool:
    """Whether a phrase's words are on one line: a line break ends a sentence (SentenceIndex), so
    "Hospital treating wounded" as a live page's heading names no "A doctor" on the next line."""
    return source.find("\n", match.start(), match.end()) < 0


class _StartWords:
    """Where each `starts` lexicon's words begin, scanned only in the windows before cues (start
    words, "a" and "one", are everywhere and cues are few), each stretch of text once: cues come
    in text order, so a window is scanned only past where the previous one ended."""

    def __init__(self, lower: str, lo: int):
        self.lower, self.lo = lower, lo
        self.scanned: dict[int, tuple[int, list[int]]] = {}  # starts_key -> (scanned up to, positions)

    def before(self, phrase: PhraseRule, at: int, window: int) -> list[int]:
        """The positions of the phrase's start words in text[window:at] (window >= at - WINDOW)."""
        scanned, positions = self.scanned.get(phrase.starts_key, (self.lo, []))
        if scanned < at:
            positions.extend(m.start() for m in phrase.starts.finditer(self.lower, max(scanned, window), at))
            self.scanned[phrase.starts_key] = (at, positions)
        return positions[bisect.bisect_left(positions, window):bisect.bisect_left(positions, at)]


def _phrase_claim(phrase: PhraseRule, match: re.Match, text: str, rules: RuleSet) -> Claim:
    subject = _captured(text, match, "subject") if "subject" in match.re.groupindex and match.group("subject") else ""
    unit = phrase.unit
    if isinstance(unit, dict):
        word = match.group("unit").lower()
        unit = rules.units[unit["table"]].get(word, word)
    return Claim(match.start("num"), match.end("num"), phrase.measure, phrase.value, phrase.low, phrase.high,
                 unit, phrase.qualifier, subject.strip(), f"phrase+{phrase.id}")


def _first_claim(number: NumberSpan, text: str, lower: str, lo: int, hi: int, rules: RuleSet,
                 hits: CueHits) -> Claim | None:
    """The claim of the first rule, in order, that applies to `number` (a skip rule's claim has no
    measure), its patterns reading no further than text[lo:hi].

    Rules with a cue are tried only if the cue index found one of their cue words near.
    """
    dispatch = rules.dispatch.get(number.kind)
    if dispatch is None:
        return None
    near = hits.rules_near(number.start, number.end)
    if _year_like(number, text):  # rare: some rules do not apply, so try them one by one
        return _first_from(rules, dispatch.indices, number, text, lower, lo, hi, near, year=True)
    best = len(rules.rules)
    if dispatch.after_any is not None:
        match = dispatch.after_any.match(lower, number.end, min(hi, number.end + WINDOW))
        if match is not None:
            best = int(match.lastgroup[1:])
    if dispatch.before_any is not None:
        match = dispatch.before_any.match(lower, max(lo, number.start - WINDOW), number.start)
        if match is not None:
            best = min(best, int(match.lastgroup[1:]))
    # Rules tried one by one matter only while they come before the best combined one, and
    # those with a cue only if the cue index found a cue word on their side.
    candidates = (dispatch.others_uncued | near[0] & dispatch.others_cue_before
                  | near[1] & dispatch.others_cue_after) & ((1 << best) - 1)
    for test, bits in dispatch.number_tests:
        if candidates & bits and not test.match(text, number.number_start, number.number_end):
            candidates &= ~bits
    while candidates:
        lowest = candidates & -candidates
        candidates ^= lowest
        claim = _apply(rules.rules[lowest.bit_length() - 1], number, text, lower, lo, hi, rules)
        if claim is not None:
            return claim
    if best == len(rules.rules):
        return None
    claim = _apply(rules.rules[best], number, text, lower, lo, hi, rules)
    if claim is not None:
        return claim
    # The patterns matched but the rule still declined (no noun phrase): go on in order.
    return _first_from(rules, [i for i in dispatch.indices if i > best], number, text, lower, lo, hi, near,
                       year=False)


def _cue_near(rule: MeasureRule, index: int, near: tuple[int, int]) -> bool:
    """Whether the rule has no cue, or the cue index found one on the side it needs."""
    if rule.cue_side is None:
        return True
    return bool(near[rule.cue_side == "after"] >> index & 1)


def _first_from(rules: RuleSet, indices: Iterable[int], number: NumberSpan, text: str, lower: str, lo: int, hi: int,
                near: tuple[int, int], year: bool) -> Claim | None:
    """The rules at `indices` tried one by one; a year-like number skips count-like measures."""
    for index in indices:
        rule = rules.rules[index]
        if not _cue_near(rule, index, near):
            continue
        if year and rule.measure in ("count", "crowd", "duration", None) and not rule.id.startswith("skip."):
            continue
        claim = _apply(rule, number, text, lower, lo, hi, rules)
        if claim is not None:
            return claim
    return None


class _Spans:
    """Spans (start, end) that a new span may overlap: sorted, so that a test looks only at the
    spans that begin less than the longest span's length before it. A list scanned whole made a
    long document quadratic (6,000 dates and 6,000 numbers: 36 million tests)."""

    def __init__(self, spans: Iterable[tuple[int, int]] = ()):
        self.spans = sorted(spans)
        self.longest = max((end - start for start, end in self.spans), default=0)

    def add(self, start: int, end: int) -> None:
        bisect.insort(self.spans, (start, end))
        self.longest = max(self.longest, end - start)

    def overlaps(self, start: int, end: int) -> bool:
        """Whether any span shares a character with start:end."""
        index = bisect.bisect_left(self.spans, (end,))  # the spans that begin before `end`
        while index:
            index -= 1
            span_start, span_end = self.spans[index]
            if span_start + self.longest <= start:  # it and every span before it end by `start`
                return False
            if start < span_end:
                return True
        return False


def _reach(pos: int, lo: int, size: int, top: Headline | None) -> tuple[int, int]:
    """The stretch text[lo:hi] that rules may read around `pos`: all of text[lo:], except that a
    headline (`top`) and the text after it never read into each other. The line break after it
    stays readable: a field rule sees that its line begins there."""
    if top is None:
        return lo, size
    return (lo, top.end) if pos < top.end else (max(lo, top.newline), size)


def _line_end(text: str, end: int, hi: int, breaks: list[int]) -> int:
    """Where the words after a number at text[..end] may stop being read: the line break after it
    when the next line is a field or the number ends a field's line (one of `breaks`), else `hi`."""
    index = bisect.bisect_left(breaks, end)
    if index < len(breaks) and breaks[index] < min(hi, end + WINDOW) and text.find("\n", end, breaks[index]) < 0:
        return breaks[index]
    return hi


def _as_previous(claim: Claim, earlier: list[Claim], text: str) -> Claim | None:
    """A `measure: previous` claim with the measure and unit of the count told just before it
    (PREVIOUS), or None when there is none near. Plain counts and ages in between are details
    ("4,000 miners from 12 towns"); any other measure is what the figure refers to, and when that
    is no count of people ("fares rose to 12 dollars, up from 9") the figure is no claim."""
    # the last paragraph break within reach before it (-1: none; one further back changes nothing)
    paragraph = text.rfind("\n\n", max(0, claim.start - PREVIOUS_REACH - 2), claim.start)
    for before in reversed(earlier):
        if before.end < claim.start - PREVIOUS_REACH or before.end <= paragraph:
            return None  # too far, or a paragraph between: another story
        if before.measure in PREVIOUS_SKIPPED:
            continue
        if before.measure in PREVIOUS_MEASURES:
            return replace(claim, measure=before.measure, unit=before.unit)
        return None
    return None


def extract_claims(text: str, start: int = 0, exclude: Iterable[tuple[int, int]] = ()) -> list[Claim]:
    """All claims in text[start:], skipping numbers that overlap the `exclude` spans (dates)."""
    rules = load_rules()
    excluded = _Spans(exclude)
    lower = lowered(text)
    hits = rules.cues.scan(lower, start)
    top, size = headline(text, start), len(text)
    claims: list[Claim] = []
    breaks = [m.start("value_end") if m.group("value_end") else m.start()
              for m in rules.field_line.finditer(text, start)]
    for number in find_numbers(text, apart=excluded.spans):
        if number.start < start or excluded.overlaps(number.start, number.end):
            continue
        lo, hi = _reach(number.start, start, size, top)
        if breaks:
            hi = _line_end(text, number.end, hi, breaks)
        claim = _first_claim(number, text, lower, lo, hi, rules, hits)
        if claim is not None and claim.measure == PREVIOUS:
            claim = _as_previous(claim, claims, text)
        if claim is not None and claim.measure:
            claims.append(claim)
    # A phrase may hold an age ("a 47-year-old tailor was killed"): both are claims. Any other
    # claim it overlaps already counts those words, and the phrase is dropped. A skip phrase (no
    # measure) only takes its words, from the phrases after it, as skip rules do for numbers.
    taken = _Spans((c.start, c.end) for c in claims if c.measure != "age")
    for claim in _phrase_claims(text, lower, start, rules, hits, top):
        if not taken.overlaps(claim.start, claim.end) and not excluded.overlaps(claim.start, claim.end):
            if claim.measure:
                claims.append(claim)
            taken.add(claim.start, claim.end)
    claims.sort(key=lambda c: (c.start, c.end))
    return claims
