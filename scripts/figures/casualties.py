"""Casualty incidents: the killed and wounded claims of a document grouped into events.

How the figures combine, following how incident datasets count (Iraq Body Count keeps a
minimum and maximum per incident, UCDP a low/best/high):
- within one sentence, claims of the same measure are distinct victim groups and add up
  ("two soldiers and three civilians were killed" is 5; subsets such as "including two
  children" never become claims), unless one is a running total ("five of the wounded died,
  bringing the death toll to 30" is 30): then the total stands for the sentence;
- across sentences of the same incident, claims are repeated or updated reports of the same
  figure: they do not add up, they bound it. `low`/`high` span the reports and `best` is the
  largest report, open-ended ones ("at least 47") included (a lede's total usually subsumes
  the partial figures that follow); a report of more victims ("another 3 were killed", "three
  others died in hospital") adds to the report before it, unless a running total counts them;
- a sentence starts a new incident when it names a different date, perpetrator or place than
  the current incident (places that contain one another, "Baghdad" and "Baghdad's Karrada
  district", are the same), opens on a place ("In Mosul, ...") where the current incident
  named none, or announces another incident ("in a separate attack");
- a toll over a period ("for months", "so far this year") is an incident of its own, as
  incident datasets keep cumulative tolls apart from events.
- a toll that names its incident ("the death toll from the market attack rose to 23") is a
  report of the latest incident whose sentences hold those words, however many sentences and
  incidents came between: wire reports end on late updates of their lede.
Rules (cue words, perpetrator and location patterns) live in rules/incidents.yaml. Pure.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import regex
import yaml

from .claims import Claim, _alternation, _captured, _cased, _compile, lowered
from .cues import WINDOW
from .dates import DateMention
from .sentences import SentenceIndex, headline

CASUALTY_MEASURES = ("killed", "wounded")
_OPENING = " \t\n\"'“‘([-–—"  # what may stand before a sentence's first word
RULES_PATH = Path(__file__).parent / "rules" / "incidents.yaml"


@dataclass(frozen=True, slots=True)
class SentenceRule:
    """A pattern searched in each sentence, on the lowered sentence unless it is `cased` (has a
    (?-i:...) part), as for the measure rules."""

    pattern: re.Pattern
    cased: bool

    def search(self, sentence: str, lower: str | None = None) -> re.Match | None:
        """The first match in the sentence (`lower`: the same sentence lowered, if at hand).
        Read groups by their span in `sentence`: the match may be on the lowered sentence."""
        if self.cased:
            return self.pattern.search(sentence)
        return self.pattern.search(lowered(sentence) if lower is None else lower)


@dataclass(frozen=True, slots=True)
class ClaimContext:
    """Patterns on the lowered words around a claim: `before` ending where it starts, `lead`
    beginning there, `after` beginning where it ends; any that matches says yes, unless
    `unless` (also ending where the claim starts) matches. They are tried only in sentences
    where `cue` finds one of the words they need."""

    cue: re.Pattern
    before: regex.Pattern
    lead: re.Pattern
    after: re.Pattern
    unless: regex.Pattern | None = None

    def reads(self, lower: str, claim: Claim) -> bool:
        if self.unless is not None and self.unless.match(lower, max(0, claim.start - WINDOW), claim.start):
            return False
        return bool(self.before.match(lower, max(0, claim.start - WINDOW), claim.start)
                    or self.lead.match(lower, claim.start, claim.end)
                    or self.after.match(lower, claim.end, claim.end + WINDOW))


@dataclass(frozen=True, slots=True)
class IncidentRules:
    split: SentenceRule
    toll: SentenceRule
    perpetrator: tuple[SentenceRule, ...]
    location: SentenceRule
    more: ClaimContext
    refer: SentenceRule  # a toll that names an earlier incident: "the toll from the market attack"
    roundup: SentenceRule  # a day's roundup of a region: "killed 4 civilians over the past day"


@lru_cache(maxsize=1)
def load_rules(path: Path = RULES_PATH) -> IncidentRules:
    """Compile incidents.yaml once."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    lexicons = {**data["lexicons"], "not_place": data["not_place"]}
    names = {name: _alternation(words) for name, words in lexicons.items()}
    lower_names = {name: _alternation(words, fold_case=True) for name, words in lexicons.items()}
    rules = {}
    for rule in data["rules"]:
        if "pattern" not in rule:  # words around a claim, matched on the lowered text
            rules[rule["id"]] = ClaimContext(
                re.compile(rf"\b(?:{_alternation(rule['cue'], fold_case=True)})\b"),
                *(_compile(rule[side], lower_names, kind, cased=False)
                  for side, kind in (("before", "before"), ("lead", "after"), ("after", "after"))),
                unless=_compile(rule["unless"], lower_names, "before", cased=False) if "unless" in rule else None)
            continue
        cased, chosen = _cased([rule["pattern"]], names, lower_names)
        rules[rule["id"]] = SentenceRule(_compile(rule["pattern"], chosen, "sentence", cased), cased)
    return IncidentRules(
        split=rules["split.marker"],
        toll=rules["split.toll"],
        perpetrator=tuple(p for rid, p in rules.items() if rid.startswith("perpetrator.")),
        location=rules["location.preposition"],
        more=rules["add.more"],
        refer=rules["refer.back"],
        roundup=rules["group.roundup"],
    )


@dataclass(slots=True)
class Mention:
    """One sentence's casualty claims, with what the sentence says about the incident."""

    bounds: tuple[int, int]
    claims: list[Claim]
    date: str | None
    perpetrator: str
    location: str
    toll: bool = False  # a toll over a period ("for months"): an incident of its own
    roundup: bool = False  # a day's roundup of a region ("over the past day"): its places are parts
    # The document's first line, with no full stop: a headline names the incident its lede tells,
    # though it may place it differently ("in Himachal", then "near Rampur in Himachal Pradesh").
    headline: bool = False
    opens_on_place: bool = False  # the sentence begins with its place: "In Mosul, a bomb ..."
    more: frozenset[str] = frozenset()  # measures whose claims here all report more victims

    def report(self, measure: str) -> tuple[float, float, float | None, bool] | None:
        """Sum of the sentence's claims of a measure: distinct victim groups add up; a running
        total, when there is one, stands for the others (the last item says so)."""
        found = [c for c in self.claims if c.measure == measure]
        if not found:
            return None
        running = [c for c in found if c.total]
        found = running or found
        low = sum(c.low if c.low is not None else c.value for c in found)
        high = None if any(c.high is None for c in found) else sum(c.high for c in found)
        return sum(c.value for c in found), low, high, bool(running)


@dataclass(slots=True)
class Incident:
    """Figures of one incident and the claims they rest on."""

    mentions: list[Mention] = field(default_factory=list)
    # The first date, perpetrator and location its mentions name, kept as mentions are added:
    # looking them up anew for each sentence made an incident of many sentences quadratic.
    date: str = field(init=False, default="")
    perpetrator: str = field(init=False, default="")
    location: str = field(init=False, default="")
    roundup: bool = field(init=False, default=False)  # a day's roundup: its places are parts of it

    def __post_init__(self) -> None:
        mentions, self.mentions = self.mentions, []
        for mention in mentions:
            self.add(mention)

    def add(self, mention: Mention) -> None:
        """Append a mention (always through here, so that the first values stay right)."""
        self.mentions.append(mention)
        self.date = self.date or mention.date or ""
        self.perpetrator = self.perpetrator or mention.perpetrator
        self.location = self.location or mention.location
        self.roundup = self.roundup or mention.roundup

    @property
    def claims(self) -> list[Claim]:
        return [c for m in self.mentions for c in m.claims]

    @property
    def toll(self) -> bool:
        """A toll over a period stands alone: it is the incident's first (and only) sentence."""
        return bool(self.mentions) and self.mentions[0].toll

    def holds(self, mention: Mention) -> bool:
        """Whether each figure of `mention` is at most this incident's: a part of its total."""
        for measure in CASUALTY_MEASURES:
            report = mention.report(measure)
            if report is not None:
                best = self.figure(measure)[0]
                if best is None or report[0] > best:
                    return False
        return True

    @property
    def victims(self) -> str:
        return "; ".join(dict.fromkeys(c.subject for c in self.claims if c.subject))

    def figure(self, measure: str) -> tuple[float | None, float | None, float | None]:
        """(best, low, high) over the incident's reports of a measure."""
        # A report of more victims adds to the report before it ("190 were executed ... a further
        # 42"), unless the incident has a running total, which counts them already ("the toll
        # rose to 20 ... four more died this morning").
        found = [(m, r) for m in self.mentions if (r := m.report(measure)) is not None]
        adds = not any(r[3] for _, r in found)
        reports: list[tuple[float, float, float | None]] = []
        for mention, report in found:
            total = report[:3]
            if adds and reports and measure in mention.more:
                value, low, high = reports[-1]
                total = (value + total[0], low + total[1],
                         None if high is None or total[2] is None else high + total[2])
            reports.append(total)
        if not reports:
            return None, None, None
        low = min(r[1] for r in reports)
        high = None if any(r[2] is None for r in reports) else max(r[2] for r in reports)
        return max(r[0] for r in reports), low, high


def _perpetrator(sentence: str, lower: str, rules: IncidentRules) -> str:
    for rule in rules.perpetrator:
        match = rule.search(sentence, lower)
        if match:  # quoted as written: the match may have been made on the lowered sentence
            return _captured(sentence, match, "who").strip()
    return ""


def mark_more_victims(incident: Incident, lower_text: str) -> None:
    """Set `more` on each mention after the first of an incident (the first has nothing to add to).

    A claim reads as more victims only if every claim before it in the sentence does: in
    "killing four guards and wounding two others" the others are others than the four.
    `lower_text` is the document lowered (claims.lowered)."""
    rules = load_rules()
    for mention in incident.mentions[1:]:
        if not rules.more.cue.search(lower_text, *mention.bounds):
            continue
        more, so_far = {}, True
        for claim in sorted(mention.claims, key=lambda c: c.start):
            so_far = so_far and rules.more.reads(lower_text, claim) and not claim.total
            more[claim.measure] = more.get(claim.measure, True) and so_far
        mention.more = frozenset(m for m, yes in more.items() if yes)


def _place(where: str) -> str:
    """A place name without a trailing possessive: "in Iraq's north" is in Iraq."""
    for suffix in ("'s", "’s"):
        where = where.removesuffix(suffix)
    return where


def _starts_new(current: Incident, mention: Mention, sentence: str, lower: str, rules: IncidentRules) -> bool:
    if current.toll or mention.toll or rules.split.search(sentence, lower):
        return True
    if all(m.headline for m in current.mentions):
        return False
    if mention.date and current.date and mention.date != current.date:
        return True
    if current.roundup and current.holds(mention):  # a place of a day's roundup ("In Dolinsk, ...")
        return False
    if mention.opens_on_place and not current.location:  # a list of events, one place each
        return True
    here, there = mention.location.lower(), current.location.lower()
    if here and there and here not in there and there not in here:
        return True
    return bool(mention.perpetrator and current.perpetrator
                and mention.perpetrator.lower() != current.perpetrator.lower())


def _referred(incidents: list[Incident], sentence: str, lower: str, lower_text: str,
              rules: IncidentRules) -> Incident | None:
    """The incident a sentence's toll names ("the death toll from the market attack"): the
    latest whose sentences hold the words before the event noun, or the noun itself."""
    match = rules.refer.search(sentence, lower)
    if match is None:
        return None
    words = match.group("what").lower().split() or [match.group("event").lower()]
    named = re.compile(r"\b(?:" + "|".join(map(re.escape, words)) + r")\b")
    for incident in reversed(incidents):
        if any(named.search(lower_text, *mention.bounds) for mention in incident.mentions):
            return incident
    return None


def casualty_incidents(text: str, claims: list[Claim], dates: list[DateMention],
                       sentences: SentenceIndex) -> list[Incident]:
    """Group a document's killed/wounded claims into incidents, in order of first mention."""
    rules = load_rules()
    by_sentence: dict[tuple[int, int], list[Claim]] = {}
    for claim in claims:
        if claim.measure in CASUALTY_MEASURES:
            by_sentence.setdefault(sentences.bounds(claim.start), []).append(claim)
    incidents: list[Incident] = []
    lower_text = lowered(text) if by_sentence else ""
    top = headline(text, sentences.start)  # a sentence before its end is the headline's
    dated = [(d.start, d.date) for d in dates if d.date]  # dates come sorted by start
    for (start, end), group in by_sentence.items():
        sentence, lower = text[start:end], lower_text[start:end]
        first = bisect.bisect_left(dated, (start,))  # the sentence's first date, if any
        date = dated[first][1] if first < len(dated) and dated[first][0] < end else None
        location = rules.location.search(sentence, lower)
        mention = Mention((start, end), group, date, _perpetrator(sentence, lower, rules),
                          _place(_captured(sentence, location, "where")) if location else "",
                          toll=bool(rules.toll.search(sentence, lower)),
                          roundup=bool(rules.roundup.search(sentence, lower)),
                          opens_on_place=bool(location) and not sentence[:location.start()].strip(_OPENING),
                          headline=top is not None and start < top.end)
        earlier = _referred(incidents, sentence, lower, lower_text, rules) if incidents else None
        if earlier is not None:  # a late update of an incident already told
            earlier.add(mention)
            continue
        if not incidents or _starts_new(incidents[-1], mention, sentence, lower, rules):
            incidents.append(Incident())
        incidents[-1].add(mention)
    for incident in incidents:
        mark_more_victims(incident, lower_text)
    return incidents
