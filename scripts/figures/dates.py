"""Date mentions in news text, resolved to ISO dates against the publication date.

Pure: text in, rows out. The only I/O is reading ``rules/dates.yaml`` once at import.

Detection is a regular expression built from the YAML rules (one alternative per rule, in
priority order; every match starts at a word boundary). Running it over every position of the
text is slow (~2 MB/s), so cheap scans first find *anchors* (month and weekday names, 4-digit
numbers, the relative words, "year", "month"), and the expression is tried only at word starts
at most ``_BACK`` code points before an anchor. Every rule match contains an anchor that close
to its start (the contract stated in dates.yaml), so the result equals a whole-text scan
(``_scan_full``; the tests compare the two on every golden case and on random text).

Calendar arithmetic is ``datetime`` plus ``dateutil.relativedelta`` (weekday stepping);
dateparser is not used (about 1 ms a call, and its guesses are harder to pin down).

Year inference for dates without a year (``month_day``, ``day_month``, ``month_bare``,
``weekday``): the latest occurrence on or before the publication date, because news reports
what happened. If the same clause carries a future cue (``future_cues`` in the YAML: "will",
"scheduled", "next", ...), the earliest occurrence on or after the publication date instead.
The clause is the text back to the previous . ; ! ? or line break (at most 300 code points),
plus at most ``future_cue_after_chars`` after the mention.

Deliberately conservative (see dates.yaml for the exact lists):
- month names only capitalised ("the march", "they may" are not dates); a bare month name
  ("in January") only after a preposition of ``month_prepositions``;
- a bare year only after a preposition of ``year_prepositions`` and not followed by a
  lowercase word outside ``year_follow_ok`` ("a total of 2019 people" is not a year);
- numeric D/M/Y only when unambiguous (one part > 12, or both equal); 2-digit years never;
- "last week" and other week expressions are not mentions (no week precision);
- a day range ("January 3-5") is one mention dated by its first day;
- "last year" is always published.year - 1, also in "over the last year" (a duration).
Relative and year-less mentions get ``date=None`` when ``published`` is None; impossible
dates ("February 30", "2020-02-30") are not mentions at all.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from dateutil.relativedelta import relativedelta, weekday as _dateutil_weekday

__all__ = ["DateMention", "resolve_dates", "RULES", "RULE_IDS", "PRECISIONS"]

PRECISIONS = ("day", "month", "year")

RULES_PATH = Path(__file__).parent / "rules" / "dates.yaml"


@dataclass(frozen=True, slots=True)
class DateMention:
    start: int  # code-point offsets; text[start:end] == quote
    end: int
    quote: str
    date: str | None  # "2020-01-03" | "2020-01" | "2019"; None when it cannot be resolved
    precision: str  # "day" | "month" | "year"
    rule: str  # rule id from rules/dates.yaml


# --------------------------------------------------------------------------- rules


def _load_rules(path: Path) -> dict:
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


_CFG = _load_rules(RULES_PATH)
RULES: list[dict] = _CFG["rules"]
RULE_IDS: tuple[str, ...] = tuple(r["id"] for r in RULES)

_MONTH_NUM: dict[str, int] = {}
for _num, _names in _CFG["months"].items():
    for _name in _names:
        _MONTH_NUM[_name] = int(_num)
_FULL_MONTHS = [names[0] for _, names in sorted(_CFG["months"].items(), key=lambda kv: int(kv[0]))]
_WEEKDAYS: list[str] = list(_CFG["weekdays"])
_WEEKDAY_NUM = {name: i for i, name in enumerate(_WEEKDAYS)}
_REL_DAYS: dict[str, int] = {k.lower(): int(v) for k, v in _CFG["relative_days"].items()}
_REL_MODS: dict[str, int] = {k.lower(): int(v) for k, v in _CFG["relative_modifiers"].items()}
_AGO_COUNTS: dict[str, int] = {k.lower(): int(v) for k, v in _CFG["ago_counts"].items()}


def _alt(words) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


def _cap_alt(words) -> str:
    both = set()
    for w in words:
        both.add(w)
        both.add(w[:1].upper() + w[1:])
    return _alt(both)


def _month_alt(full_only: bool) -> str:
    parts = []
    for names in _CFG["months"].values():
        full, abbrs = names[0], names[1:]
        parts.append(re.escape(full) + r"(?!\w)")
        if not full_only:
            for a in abbrs:
                parts.append(re.escape(a) + r"(?:\.|(?!\w))")
    # longest first so "September" wins over "Sept" over "Sep"
    parts.sort(key=len, reverse=True)
    return r"(?<!\w)(?:" + "|".join(parts) + ")"


def _lookbehind_any(words) -> str:
    alts = []
    for w in words:
        tail = "" if w.endswith("-") else " "
        head = r"\b" if w[:1].isalnum() else ""
        alts.append(f"(?<={head}{re.escape(w)}{tail})")
    return "(?:" + "|".join(alts) + ")"


_DAY = r"(?:3[01]|[12][0-9]|0?[1-9])"
_PLACEHOLDERS = {
    "MONTH": "(?P<month>" + _month_alt(False) + ")",
    "MONTH_FULL": "(?P<month>" + _month_alt(True) + ")",
    "MONTH_ANY": _month_alt(False),
    "DAY": r"(?P<day>" + _DAY + r")(?:st|nd|rd|th)?(?![A-Za-z])",
    "DAY_END": _DAY + r"(?:st|nd|rd|th)?(?![A-Za-z])",
    "YEAR": r"(?P<year>(?:19|20)[0-9]{2})",
    "WEEKDAY": "(?P<weekday>" + _alt(_WEEKDAYS) + ")",
    "REL_DAY": "(?P<rel>" + _cap_alt(_REL_DAYS) + ")",
    "REL_MOD": "(?P<mod>" + _cap_alt(_REL_MODS) + ")",
    "AGO_COUNT": "(?P<count>" + _cap_alt(_AGO_COUNTS) + r"|[1-9][0-9]?)",
    "YEAR_EVENT": "(?:" + _alt(_CFG["year_events"]) + ")",
    "YEAR_PREP": _lookbehind_any(_CFG["year_prepositions"]),
    "MONTH_PREP": _lookbehind_any(_CFG["month_prepositions"]),
    "YEAR_FOLLOW": r"(?!\s+(?!(?:" + _alt(_CFG["year_follow_ok"]) + r")(?!\w))[a-z])",
}
_PLACEHOLDER_RE = re.compile(r"\{([A-Z_]+)\}")
_GROUP_RE = re.compile(r"\(\?P<([a-z_]+)>")


def _expand(pattern: str, idx: int) -> str:
    def sub(m: re.Match) -> str:
        key = m.group(1)
        if key not in _PLACEHOLDERS:
            raise ValueError(f"dates.yaml: unknown placeholder {{{key}}}")
        return _PLACEHOLDERS[key]

    body = _PLACEHOLDER_RE.sub(sub, pattern)
    # group names are per rule: prefix them so one master expression can hold all rules
    return _GROUP_RE.sub(lambda m: f"(?P<r{idx}_{m.group(1)}>", body)


for _i, _r in enumerate(RULES):  # fail at import, naming the rule, if a pattern is broken
    try:
        re.compile(_expand(_r["pattern"], _i))
    except re.error as exc:
        raise ValueError(f"dates.yaml: rule {_r['id']!r}: {exc}") from exc
_MASTER = re.compile(r"\b(?:" + "|".join(f"(?P<r{i}>{_expand(r['pattern'], i)})" for i, r in enumerate(RULES)) + ")")
_GROUPS_OF: list[tuple[str, ...]] = [
    tuple(n[len(f"r{i}_"):] for n in _MASTER.groupindex if n.startswith(f"r{i}_")) for i in range(len(RULES))
]

# ---- anchors: every rule match contains one of these, starting at most _BACK code points
# after the match start (rules/dates.yaml states this contract)
def _anchor_pattern() -> str:
    # One character class first, so that `re` skips ahead with its fast charset search, then
    # a look-behind dispatch on that character: ~2x faster than a plain alternation.
    by_initial: dict[str, list[str]] = {}
    for names in _CFG["months"].values():
        full, abbrs = names[0], names[1:]
        by_initial.setdefault(full[0], []).append(re.escape(full[1:]) + r"(?!\w)")
        for a in abbrs:
            by_initial.setdefault(a[0], []).append(re.escape(a[1:]) + r"(?:\.|(?!\w))")
    for w in _WEEKDAYS:
        by_initial.setdefault(w[0], []).append(re.escape(w[1:]) + r"(?!\w)")
    branches = [
        f"(?<={re.escape(c)})(?:" + "|".join(sorted(alts, key=len, reverse=True)) + ")"
        for c, alts in sorted(by_initial.items())
    ]
    branches.append("(?<=[0-9])[0-9]{3}")
    return "[" + "".join(re.escape(c) for c in sorted(by_initial)) + "0-9](?:" + "|".join(branches) + ")"


_ANCHOR_RE = re.compile(_anchor_pattern())
# lowercase relative words are found by plain substring search (drop the first letter so that
# "Today" and "today" both hit); "year" and "month" anchor "last year", "this month", and " ago"
# anchors "two days ago"
_LITERAL_ANCHORS = sorted({w[1:] for w in _REL_DAYS} | {"year", "month", " ago"})
_BACK = 16
# every match starts at a word boundary with a digit, the initial of a month or weekday name
# (capitalised), or the initial of a relative word (either case); candidates that start otherwise are not tried
_START_LETTERS = {w[0] for ns in _CFG["months"].values() for w in ns} | {w[0] for w in _WEEKDAYS} | {
    c for w in list(_REL_DAYS) + list(_REL_MODS) + list(_AGO_COUNTS) for c in (w[0].lower(), w[0].upper())
}
_WORD_START_RE = re.compile(r"\b[0-9" + "".join(sorted(_START_LETTERS)) + "]")

# ---- future cues
def _future_patterns() -> tuple[re.Pattern, re.Pattern | None, re.Pattern]:
    # Expressions that start with a character class, which `re` scans for quickly: cue words
    # after a space/quote/bracket/dash, and clitics ("'ll") right after their word. The third
    # is for a cue word at the very start of the text.
    cues = _CFG["future_cues"]
    words = [c for c in cues if c[:1].isalnum()]
    clitics = [c for c in cues if not c[:1].isalnum()]
    exceptions = [x for e in _CFG.get("future_cue_exceptions", []) for x in (e, e[:1].upper() + e[1:])]
    guard = "(?!" + "|".join(re.escape(x) + r"(?!\w)" for x in exceptions) + ")" if exceptions else ""
    bare = guard + "(?:" + _cap_alt(words) + r")(?!\w)"
    word_re = re.compile("[ \n\t\"“‘(\\[—–-]" + bare)
    clitic_re = re.compile("(?:" + _alt(clitics) + r")(?!\w)") if clitics else None
    return word_re, clitic_re, re.compile(bare)


_FUTURE_WORD_RE, _FUTURE_CLITIC_RE, _FUTURE_AT_START_RE = _future_patterns()


def _has_cue(text: str, lo: int, hi: int) -> bool:
    if lo > 0:
        lo -= 1  # the character before a cue word is part of its match
    elif _FUTURE_AT_START_RE.match(text, 0, hi) is not None:
        return True
    if _FUTURE_WORD_RE.search(text, lo, hi) is not None:
        return True
    return _FUTURE_CLITIC_RE is not None and _FUTURE_CLITIC_RE.search(text, lo, hi) is not None
_CLAUSE_ENDS = ".;!?\n"
_FUTURE_AFTER = int(_CFG["future_cue_after_chars"])


# --------------------------------------------------------------------------- resolution


def _valid(y: int, m: int, d: int) -> datetime.date | None:
    try:
        return datetime.date(y, m, d)
    except (ValueError, OverflowError):
        return None


def _infer_md(m: int, d: int, pub: datetime.date, future: bool) -> datetime.date | None:
    step = 1 if future else -1
    for k in range(9):  # Feb 29 may be up to 8 years away
        y = pub.year + step * k
        if not 1 <= y <= 9999:
            return None
        dt = _valid(y, m, d)
        if dt is not None and (dt >= pub if future else dt <= pub):
            return dt
    return None


def _iso_month(y: int, m: int) -> str | None:
    return f"{y:04d}-{m:02d}" if 1 <= y <= 9999 else None


def _days_after(pub: datetime.date, days: int) -> str | None:
    """The ISO day `days` after (before, if negative) the publication day; None off the calendar."""
    try:
        return (pub + datetime.timedelta(days=days)).isoformat()
    except OverflowError:
        return None


def _years_after(pub: datetime.date, years: int) -> str | None:
    y = pub.year + years
    return f"{y:04d}" if 1 <= y <= 9999 else None


def _add_months(y: int, m: int, k: int) -> tuple[int, int]:
    n = y * 12 + (m - 1) + k
    return n // 12, n % 12 + 1


def _shift_weekday(pub: datetime.date, wd: int, which: int) -> datetime.date | None:
    """which: -1 on/before pub, +1 on/after, -2 strictly before, +2 strictly after."""
    try:
        if which == -2:
            base, n = pub - datetime.timedelta(days=1), -1
        elif which == 2:
            base, n = pub + datetime.timedelta(days=1), 1
        else:
            base, n = pub, which
        return base + relativedelta(weekday=_dateutil_weekday(wd, n))
    except (ValueError, OverflowError):
        return None


def _shift_month(pub: datetime.date, month: int, which: int) -> str | None:
    """The ISO month `month` nearest the publication month, as _shift_weekday picks a day:
    which -1 on/before pub's month, +1 on/after, -2 strictly before, +2 strictly after."""
    if which < 0:
        year = pub.year if month < pub.month or (which == -1 and month == pub.month) else pub.year - 1
    else:
        year = pub.year if month > pub.month or (which == 1 and month == pub.month) else pub.year + 1
    return _iso_month(year, month)


def _year_less_is_future(text: str, start: int, end: int) -> bool:
    """A future cue in the same clause: before the mention back to the clause start (at most
    300 code points), or within ``future_cue_after_chars`` after it (clause ends cut both sides)."""
    lo = start - 300 if start > 300 else 0
    rfind = text.rfind
    for c in _CLAUSE_ENDS:
        i = rfind(c, lo, start)
        if i >= lo:
            lo = i + 1
    if _has_cue(text, lo, start):
        return True
    hi = end + _FUTURE_AFTER
    find = text.find
    for c in _CLAUSE_ENDS:
        i = find(c, end, hi)
        if i != -1:
            hi = i
    return _has_cue(text, end + 1, hi)


class _Skip(Exception):
    """The matched words do not form a valid date (February 30, 03/04/2020): no mention."""


_SKIP = object()
_MISS = object()
# resolvers whose answer depends on the future cue of the clause
_NEEDS_FUTURE = frozenset({"md", "m", "weekday"})


def _resolve(kind: str, g: dict, pub: datetime.date | None, future_fn) -> str | None:
    """Return the ISO string, None if unresolvable, raise _Skip if not a date at all."""
    if kind == "ymd_numeric":
        dt = _valid(int(g["year"]), int(g["month"]), int(g["day"]))
        if dt is None:
            raise _Skip
        return dt.isoformat()
    if kind == "numeric_slash":
        a, b, y = int(g["a"]), int(g["b"]), int(g["year"])
        if a > 12 and b <= 12:
            d, m = a, b
        elif b > 12 and a <= 12:
            m, d = a, b
        elif a == b and a <= 12:
            d = m = a
        else:
            raise _Skip  # ambiguous D/M vs M/D, or neither is a month
        dt = _valid(y, m, d)
        if dt is None:
            raise _Skip
        return dt.isoformat()
    if kind == "ymd":
        dt = _valid(int(g["year"]), _MONTH_NUM[g["month"].rstrip(".")], int(g["day"]))
        if dt is None:
            raise _Skip
        return dt.isoformat()
    if kind == "md":
        m, d = _MONTH_NUM[g["month"].rstrip(".")], int(g["day"])
        if _valid(2000, m, d) is None:  # 2000 is a leap year: only truly impossible days fail
            raise _Skip
        if pub is None:
            return None
        dt = _infer_md(m, d, pub, future_fn())
        return dt.isoformat() if dt else None
    if kind == "ym":
        return _iso_month(int(g["year"]), _MONTH_NUM[g["month"].rstrip(".")])
    if kind in ("m", "month_last", "month_next"):
        if pub is None:
            return None
        which = {"month_last": -2, "month_next": 2}.get(kind) or (1 if future_fn() else -1)
        return _shift_month(pub, _MONTH_NUM[g["month"]], which)
    if kind == "y":
        return f"{int(g['year']):04d}"
    if pub is None:
        return None
    if kind in ("weekday", "weekday_last", "weekday_next"):
        wd = _WEEKDAY_NUM[g["weekday"]]
        which = {"weekday_last": -2, "weekday_next": 2}.get(kind) or (1 if future_fn() else -1)
        dt = _shift_weekday(pub, wd, which)
        return dt.isoformat() if dt else None
    if kind == "relative_day":
        return _days_after(pub, _REL_DAYS[g["rel"].lower()])
    if kind == "relative_year":
        return _years_after(pub, _REL_MODS[g["mod"].lower()])
    if kind == "relative_month":
        return _iso_month(*_add_months(pub.year, pub.month, _REL_MODS[g["mod"].lower()]))
    if kind in ("days_ago", "months_ago", "years_ago"):
        count = g["count"]
        n = int(count) if count.isdigit() else _AGO_COUNTS[count.lower()]
        if kind == "years_ago":
            return _years_after(pub, -n)
        if kind == "months_ago":
            return _iso_month(*_add_months(pub.year, pub.month, -n))
        return _days_after(pub, -n * (7 if g["unit"].startswith("week") else 1))
    raise ValueError(f"dates.yaml: unknown resolver {kind!r}")


# --------------------------------------------------------------------------- scanning


_INFO_BY_GROUP = {
    f"r{i}": (r["resolve"], r["precision"], r["id"], tuple((n, f"r{i}_{n}") for n in _GROUPS_OF[i]))
    for i, r in enumerate(RULES)
}
# (rule group, quote, published, future) -> ISO | None | _SKIP. For one rule the quote fixes every
# captured group (look-behind context is never captured), so the quote is a sufficient key.
_CACHE: dict = {}
_CACHE_MAX = 200_000


def _mention(text: str, m: re.Match, pub: datetime.date | None) -> DateMention | None:
    group = m.lastgroup
    kind, precision, rule_id, group_keys = _INFO_BY_GROUP[group]
    start, end = m.span()
    quote = m.group()
    future = pub is not None and kind in _NEEDS_FUTURE and _year_less_is_future(text, start, end)
    key = (group, quote, pub, future)
    iso = _CACHE.get(key, _MISS)
    if iso is _MISS:
        g = {name: m.group(k) for name, k in group_keys}
        try:
            iso = _resolve(kind, g, pub, lambda: future)
        except _Skip:
            iso = _SKIP
        if len(_CACHE) >= _CACHE_MAX:
            _CACHE.clear()
        _CACHE[key] = iso
    if iso is _SKIP:
        return None
    return DateMention(start, end, quote, iso, precision, rule_id)


def _anchors(text: str, skip_until: int) -> list[int]:
    starts = [m.start() for m in _ANCHOR_RE.finditer(text, skip_until)]
    for lit in _LITERAL_ANCHORS:
        find = text.find
        i = find(lit, skip_until)
        while i != -1:
            starts.append(i - 1)
            i = find(lit, i + len(lit))
    starts.sort()
    return starts


def resolve_dates(text: str, published: datetime.date | None, skip_until: int = 0) -> list[DateMention]:
    """Date mentions in ``text`` at or after ``skip_until``, sorted by start, non-overlapping.

    Equivalent to running the master expression over the whole text (``_scan_full``), but it
    tries a match only at word starts up to ``_BACK`` code points before an anchor.
    """
    if isinstance(published, datetime.datetime):
        published = published.date()
    skip_until = max(0, skip_until)
    out: list[DateMention] = []
    done = skip_until  # every position < done has been tried or lies inside a mention
    match = _MASTER.match
    for a in _anchors(text, skip_until):
        lo = a - _BACK
        if lo < done:
            lo = done
        if lo > a:
            continue
        for ws in _WORD_START_RE.finditer(text, lo, a + 1):
            p = ws.start()
            if p < done:
                continue
            m = match(text, p)
            if m is None:
                done = p + 1
                continue
            done = m.end()
            dm = _mention(text, m, published)
            if dm is not None:
                out.append(dm)
        if done <= a:
            done = a + 1
    return out


def _scan_full(text: str, published: datetime.date | None, skip_until: int = 0) -> list[DateMention]:
    """Reference implementation without the anchor prefilter (for tests)."""
    if isinstance(published, datetime.datetime):
        published = published.date()
    skip_until = max(0, skip_until)
    out = []
    for m in _MASTER.finditer(text, skip_until):
        dm = _mention(text, m, published)
        if dm is not None:
            out.append(dm)
    return out
