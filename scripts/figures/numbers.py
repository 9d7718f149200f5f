"""Number grammar: find numeric expressions in text, with exact character offsets.

Pure module: ``find_numbers(text)`` returns :class:`NumberSpan` objects, each pointing at the
characters it came from.  All words, multipliers, vague amounts, qualifiers, labels and
exclusion patterns come from ``rules/numbers.yaml``; this file only compiles them (once, at
import) into a single master regex and interprets its matches.

Design for speed: one ``re`` pass over the text finds candidate expressions (digits, number
words, vague phrases, and the exclusion patterns that must swallow clock times, dates, phone
numbers and labelled identifiers before a number inside them is seen).  Alternations of words
are compiled as character tries so a failing position costs a few comparisons.  Everything
after that runs per candidate, and numbers are sparse in prose.  The readings that need a word
near a number (a denominator for fractions, "point" for decimals, a sign word) are tried only
where the word scan saw that word, and digit fractions only near a slash or a vulgar fraction.

Kinds: "cardinal" (counts and amounts), "ordinal" ("third"), "rank" ("second largest") and
"fraction" (shares: "two thirds", "3/4", "one in five"), which measure rules do not read as counts.

No pattern contains nested unbounded quantifiers, so matching is linear in the text length.
"""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import yaml

__all__ = ["NumberSpan", "find_numbers", "RULE_IDS"]


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


# ------------------------------------------------------------------------------------------
# Rules

_RULES_PATH = Path(__file__).parent / "rules" / "numbers.yaml"
_R = yaml.safe_load(_RULES_PATH.read_text(encoding="utf-8"))


def _collect_rule_ids(rules: dict) -> list[str]:
    ids: list[str] = []
    for key in ("digits", "multipliers", "word_rules", "ordinal_rules", "vague", "qualifiers",
                "suffix_qualifiers", "restated", "ranges", "ratios", "exclusions"):
        ids.extend(entry["id"] for entry in rules[key])
    return ids


RULE_IDS: tuple[str, ...] = tuple(_collect_rule_ids(_R))


def _phrase_re(phrase: str) -> str:
    """A phrase as regex: words escaped, any whitespace run between words."""
    return r"\s+".join(re.escape(w) for w in phrase.split())


def trie_regex(words, fold_case: bool = True) -> str:
    """Alternation of literal words compiled as a character trie (longest first per branch).

    A trie keeps a failing position cheap: the engine compares one character per level instead
    of trying every word (Python's `re` tries the branches of a plain alternation one by one).
    Runs of spaces in phrases become ``\\s+``. `fold_case` lower-cases the words, for patterns
    compiled case-insensitively; keep the case for lexicons also used inside ``(?-i:...)``.
    """
    trie: dict = {}
    for w in set(words):
        node = trie
        for ch in " ".join((w.lower() if fold_case else w).split()):
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        end = "" in node
        branches = []
        for ch in sorted(k for k in node if k):
            piece = r"\s+" if ch == " " else re.escape(ch)
            branches.append(piece + emit(node[ch]))
        if not branches:
            return ""
        if len(branches) == 1 and not end:
            return branches[0]
        body = "(?:" + "|".join(branches) + ")"
        # Branches are tried before the empty alternative: longest word wins.
        return body + "?" if end else body

    return emit(trie)


# Number words -----------------------------------------------------------------------------
_UNITS: dict[str, int] = {k: int(v) for k, v in _R["units"].items()}
_TEENS: dict[str, int] = {k: int(v) for k, v in _R["teens"].items()}
_TENS: dict[str, int] = {k: int(v) for k, v in _R["tens"].items()}
_ORDINALS: dict[str, int] = {k: int(v) for k, v in _R["ordinal_words"].items()}
_SUPPRESS_ALONE = {w.lower() for w in _R["suppress_alone"]}

_MULTS = _R["multipliers"]
_WORD_SCALES: dict[str, tuple[float, str]] = {}      # word -> (factor, rule id), inside compounds
_SPACED_MULTS: dict[str, tuple[float, str]] = {}     # after digits + whitespace
_GLUED_MULTS: dict[str, tuple[float, str, bool]] = {}  # glued to digits; bool = currency only
_BEFORE_COUNTED: set[str] = set()  # currency-only glued forms that a counted noun also allows
for _m in _MULTS:
    for _f in _m["forms"]:
        _f = _f.lower()
        if _m.get("word"):
            _WORD_SCALES[_f] = (float(_m["factor"]), _m["id"])
        if _m.get("spaced"):
            _SPACED_MULTS[_f] = (float(_m["factor"]), _m["id"])
        if _m.get("glued"):
            _GLUED_MULTS[_f] = (float(_m["factor"]), _m["id"], bool(_m.get("currency_only")))
            if _m.get("before_counted"):
                _BEFORE_COUNTED.add(_f)
_CHAINED = frozenset(w.lower() for w in _R["chained_scales"])
_HUNDRED = "hundred"
_DOZEN = "dozen"
_GLUED_UNITS = frozenset(_R["glued_units"])   # case-sensitive
_GLUED_UNITS_ALONE = frozenset(_R["glued_units_alone"])
_ORD_SUFFIXES = {s.lower() for s in _R["ordinal_digit_suffixes"]}
_CURRENCY = set(_R["currency_symbols"])
# A currency code as a word of its own, as written: "Rs1 million" is an amount, "rs1" is not.
_CODE_ALTS = [rf"(?<![^\W\d_]){re.escape(code)}" for code in _R["glued_currency_codes"]]
# In the digit masters, one lookbehind per code (a lookbehind has a fixed width), case-sensitive
# inside their IGNORECASE; and the code right before a glued multiplier ("RM2m").
_GLUED_CODES = "(?:" + "|".join(f"(?<=(?-i:{alt}))" for alt in _CODE_ALTS) + ")(?=[0-9])"
_GLUED_CODE_BEFORE = re.compile("(?:" + "|".join(_CODE_ALTS) + r")\Z")
# "1m people": a counted noun after the number, at most one modifier between (numbers.yaml).
_COUNTED_AFTER = re.compile(
    r"(?:[ \t\u00a0]+(?:[A-Z][\w'’-]*|(?i:" + trie_regex(_R["counted_modifiers"]) + r")))?"
    r"[ \t\u00a0]+(?i:" + trie_regex(_R["counted_nouns"]) + r")\b")
_MAX_INT = int(_R["max_integer_digits"])
_MAX_FRAC = int(_R["max_fraction_digits"])

_ALL_WORDS = set(_UNITS) | set(_TEENS) | set(_TENS) | set(_ORDINALS) | set(_WORD_SCALES)
_WORD_ALT = trie_regex(_ALL_WORDS)
_SCALE_ALT = trie_regex(_WORD_SCALES)

_WORD_RULES = {r["id"]: r for r in _R["word_rules"]}
_ORD_RULES = {r["id"]: r for r in _R["ordinal_rules"]}
_SUPERLATIVE_RE = re.compile(
    r"[ \t]+(?:" + trie_regex(_ORD_RULES["ord.rank_superlative"]["superlatives"]) + r")\b",
    re.IGNORECASE)

# Vague amounts ----------------------------------------------------------------------------
_VAGUE = {v["id"]: v for v in _R["vague"]}
_VAGUE_BY_GROUP: dict[str, dict] = {}
_vague_alts = []
for _i, _v in enumerate(_R["vague"]):
    name = f"v{_i}"
    _VAGUE_BY_GROUP[name] = _v
    if "followed_by" in _v:  # the phrase alone, only before one of these words
        pat = _phrase_re(_v["phrase"]) + r"(?=\s+(?:" + "|".join(map(_phrase_re, _v["followed_by"])) + r")(?![\w-]))"
    elif "span" in _v:
        rest = _v["phrase"].split(None, len(_v["span"].split()))[-1]
        pat = _phrase_re(_v["span"]) + r"(?=\s+" + _phrase_re(rest) + r"\b)"
    else:
        pat = _phrase_re(_v["phrase"]) + r"\b"
    _vague_alts.append((name, pat))
_VQ_MULT = {_v["phrase"]: _v for _v in _R["vague"] if _v.get("multipliable")}

# Qualifiers -------------------------------------------------------------------------------
_QUAL_BY_PHRASE: dict[str, tuple[str, str]] = {}
for _q in _R["qualifiers"]:
    for _p in _q["phrases"]:
        _QUAL_BY_PHRASE[" ".join(_p.lower().split())] = (_q["id"], _q["qualifier"])
# Anchored at the end of a short window before the number; leftmost start = longest phrase.
_QUAL_RE = re.compile(
    r"(?<![\w.])(?P<q>" + "|".join(
        _phrase_re(p) for p in sorted(_QUAL_BY_PHRASE, key=len, reverse=True)) + r")\s+\Z",
    re.IGNORECASE)
# Signs before a number ("~15,000", "> 200"), after a space, a bracket, a colon or the text's start.
_QUAL_BY_SYMBOL = {sym: (_q["id"], _q["qualifier"]) for _q in _R["qualifiers"] for sym in _q.get("symbols", ())}
_QUAL_SYMBOL_RE = re.compile(r"(?:(?<=[\s(\[:;,])|(?<!.))(?P<q>[" + re.escape("".join(_QUAL_BY_SYMBOL)) + r"])[ \t]?\Z", re.DOTALL)
_QUAL_WINDOW = 40
_QUAL_MAX_WORDS = max(len(p.split()) for p in _QUAL_BY_PHRASE)
_OPEN_PUNCT = "([{\"'\u2018\u201c-\u2013\u2014"
_QUAL_LAST_WORDS = frozenset(p.split()[-1] for p in _QUAL_BY_PHRASE)

# Suffix qualifiers ("40-plus", "40+", "30-odd"): a word suffix must end there, "+" must not
# be followed by a word or a sign ("2+2", "C++").
_SUFFIX_QUALIFIERS = {sfx.lower(): (q["id"], q["qualifier"]) for q in _R["suffix_qualifiers"] for sfx in q["suffixes"]}
_SUFFIX_ALT = "|".join(
    re.escape(sfx).replace("\\-", "[-‐‑]") + (r"\b" if sfx[-1].isalpha() else r"(?![\w+])")
    for sfx in sorted(_SUFFIX_QUALIFIERS, key=len, reverse=True))

_SUFFIX_AFTER = re.compile(_SUFFIX_ALT, re.IGNORECASE)
_SUFFIX_START = frozenset("-‐‑+")
# Trailing qualifiers ("50 or more"): a phrase right after the number, not before "than" or a
# number of its own.
_TRAILING: dict[str, tuple[str, str]] = {
    " ".join(p.lower().split()): (q["id"], q["qualifier"]) for q in _R["trailing_qualifiers"] for p in q["phrases"]}
_TRAILING_RE = re.compile(
    r"\s+(?P<q>" + "|".join(_phrase_re(p) for p in sorted(_TRAILING, key=len, reverse=True)) + r")\b"
    r"(?!\s+(?:than\b|\d))", re.IGNORECASE)

# Ranges -----------------------------------------------------------------------------------
_RANGE_RULES = {r["id"]: r for r in _R["ranges"]}
_RATIO_IN = next(r for r in _R["ratios"] if r["id"] == "ratio.in")
_RATIO_OUT_OF = next(r for r in _R["ratios"] if r["id"] == "ratio.out_of")
# Spaces or hyphens around the connector: "one in five", "a 1-in-100 chance".
_RATIO_RE = re.compile(
    r"(?:\s+|[-‐‑])(?:" + _phrase_re(_RATIO_IN["connector"])
    + r"(?P<every>\s+" + _phrase_re(_RATIO_IN["every"]) + r")?"
    r"|(?P<outof>" + _phrase_re(_RATIO_OUT_OF["connector"]) + r"))(?:\s+|[-‐‑])", re.IGNORECASE)
_PAIR_GAP = 16          # the longest gap between two numbers that a ratio or range may join
_RATIO_HINT = re.compile(r"[nN]|[oO][uU]")  # cheap: every ratio connector has an "n" or "ou"


def _year_like(c: _Core) -> bool:
    """A plain digit number that could be a year (1800-2099): not the end of a ratio."""
    return c.rule == "num.digits" and 1800 <= c.value <= 2099 and c.value == int(c.value)


_CONNECTOR_RE = re.compile(r"(?:(?P<dash>\s*[-‐‑–—]\s*)|\s+(?P<word>to|or|and)\s+)\Z", re.IGNORECASE)
_BETWEEN_RE = re.compile(r"(?<![\w])between\s+\Z", re.IGNORECASE)
_FROM_RE = re.compile(r"(?<![\w])from\s+\Z", re.IGNORECASE)
_CHANGE_FROM_RE = re.compile(r"\b(?:" + trie_regex(_RANGE_RULES["range.from_to"]["change_words"])
                             + r")\b(?:\s+[\w'’-]+){0,4}?\s+from\s+\Z", re.IGNORECASE)

# Exclusions -------------------------------------------------------------------------------
_labels = sorted({lbl.rstrip(".").lower() for lbl in _R["labels"]})
# Abbreviations (listed with their full stop, "vol.") may keep it before the number; after a whole
# word a full stop ends the sentence: "on the road. 4 civilians were killed" counts 4 people.
_label_abbreviations = frozenset(lbl.rstrip(".").lower() for lbl in _R["labels"] if lbl.endswith("."))
# Checked backwards from a digit number: the label word directly before it.
_LABEL_BEFORE = re.compile(
    r"(?<![\w.])(?:(?:" + trie_regex(_labels) + r")s?|(?:" + trie_regex(sorted(_label_abbreviations)) + r")s?\.)"
    r"[ \t]*(?:#[ \t]*)?\Z", re.IGNORECASE)
_LABEL_ID = None
_LABEL_WORDS = frozenset(_labels)


def _label_before(text: str, s: int) -> bool:
    words = text[max(0, s - 20):s].split()
    if not words:
        return False
    w = words[-1].lower().rstrip("#").rstrip(".")
    if not w and len(words) > 1:                 # "No. #5", "Room # 5"
        w = words[-2].lower().rstrip("#").rstrip(".")
    # A quick test of the word; _LABEL_BEFORE decides, and lets only abbreviations keep a full stop.
    if w not in _LABEL_WORDS and not (w.endswith("s") and w[:-1] in _LABEL_WORDS):
        return False
    return _LABEL_BEFORE.search(text, max(0, s - 20), s) is not None
_excl_alts = []
_EXCL_BY_GROUP: dict[str, str] = {}
_TOKEN_CHECK_ID = None
for _i, _x in enumerate(_R["exclusions"]):
    if _x.get("token_check"):
        _TOKEN_CHECK_ID = _x["id"]
        continue
    if _x.get("lookaround"):
        _GLUED_ID = _x["id"]
        continue
    if _x.get("label_pattern"):
        _LABEL_ID = _x["id"]
        continue
    pat = _x["pattern"]
    name = f"x{_i}"
    _EXCL_BY_GROUP[name] = _x["id"]
    _excl_alts.append((name, pat))
# Junk grouping must lose against a valid digit number at the same position, so it goes last.
_JUNK_ID = "excl.junk_grouping"
_junk = [(n, p) for n, p in _excl_alts if _EXCL_BY_GROUP[n] == _JUNK_ID]
_excl_alts = [(n, p) for n, p in _excl_alts if _EXCL_BY_GROUP[n] != _JUNK_ID]

# Master regex -----------------------------------------------------------------------------
# Grouping: commas, or no-break / narrow no-break / thin spaces (typographic thousands
# separators that never separate list items); Indian lakh grouping "12,34,567" too.
# A plain space groups digits only where a group opens with 0 ("40 000", "1 050 000"): no count
# is written "050", while "1 234" may be two numbers of a list.
_NUM_CORE = (r"(?:[0-9]{1,3}(?:[,\u00a0\u202f\u2009][0-9]{3}){1,6}|[0-9]{1,2}(?:,[0-9]{2}){1,5},[0-9]{3}"
             r"|[0-9]{1,3}(?: [0-9]{3}){0,5} 0[0-9]{2}(?: [0-9]{3}){0,5}"
             r"|[0-9]{1,%d})(?:\.[0-9]{1,%d})?|\.[0-9]{1,%d}" % (_MAX_INT, _MAX_FRAC, _MAX_FRAC))
_EXP = next(d for d in _R["digits"] if d["id"] == "num.exponent")
_GROUP_SEPS = str.maketrans("", "", ",\u00a0\u202f\u2009 ")
_DIGIT_PAT = (
    r"(?P<neg>(?<![\w\-−–])[-−](?=\.?[0-9]))?"
    r"(?:(?<![\w.,:/#@^&])|" + _GLUED_CODES + r")(?<![^\W\d_][-‐‑–−])(?<!\w\+)"   # not glued to identifiers, paths, times
    r"(?P<num>" + _NUM_CORE + r")(?![.,]?[0-9])"
    r"(?:(?P<exp>[" + _EXP["markers"] + r"][-+−]?[0-9]{1,3})(?![\w.]))?"
    r"(?P<tail>[^\W\d_]*)"
    r"(?P<more>(?<=\d)(?:" + _SUFFIX_ALT + r"))?"
    r"(?:[ \t\u00a0]+(?P<wmult>" + trie_regex(_SPACED_MULTS) + r")\b"
    r"(?:[ \t\u00a0]+(?P<wmult2>" + trie_regex(_CHAINED) + r")\b)?)?"
)
# Fractions in digits (numbers.yaml `num.fraction`): "3/4", "-1/4", "2 1/2", "2½", "½".
_DFR = next(d for d in _R["digits"] if d["id"] == "num.fraction")
_DFRAC_DENOMS = frozenset(int(x) for x in _DFR["denominators"])
_VULGAR = {ch: int(v.split("/")[0]) / int(v.split("/")[1]) for ch, v in _DFR["vulgar"].items()}
_VULGAR_CLASS = "[" + "".join(_VULGAR) + "]"
_VULGAR_BEFORE = frozenset("([\"'‘“-−")      # a vulgar fraction stands alone between these
_VULGAR_AFTER = frozenset(".,;:!?)]\"'’”-")
_FRAC_MARK_RE = re.compile("[/" + "".join(_VULGAR) + "]")
_SPACED_MULT_AFTER = re.compile(r"[ \t\u00a0]+(?P<w>" + trie_regex(_SPACED_MULTS) + r")\b", re.IGNORECASE)
_DFRAC_REACH = 8        # "123 12/16": the slash or vulgar fraction within this many characters
_DFRAC_PAT = (
    r"(?P<dneg>(?<![\w\-−–])[-−](?=[0-9]|" + _VULGAR_CLASS + r"))?"
    r"(?<![\w.,:/#@^&])(?<![^\W\d_][-‐‑–−])"
    r"(?:(?P<dwhole>[0-9]{1,3})(?:[ \t\u00a0]{1,2}(?=[0-9]{1,2}/[0-9])|(?=" + _VULGAR_CLASS + r")))?"
    r"(?:(?P<dn>[0-9]{1,2})/(?P<dd>[0-9]{1,2})(?![\w/]|[.,][0-9])"
    r"|(?P<dv>" + _VULGAR_CLASS + r")(?=[\s.,;:!?)\]\"'’”-]|\Z))"
)
_SEP = r"(?:\s*[-‐‑]\s*|\s+and\s+|\s+)"
_WORDS_PAT = (
    r"\b(?:(?P<wpre>an?|half(?:(?:\s+|-)an?)?)(?:\s+|-)(?=(?:" + _SCALE_ALT + r")\b))?"
    r"(?:" + _WORD_ALT + r")\b(?:" + _SEP + r"(?:" + _WORD_ALT + r")\b)*"
)
# "several hundred", and "a few hundred thousand": hundreds of a larger scale word.
_HUNDRED_ALT = trie_regex(w for w, (factor, _) in _WORD_SCALES.items() if factor == 100)
_VQ_PAT = (r"\b(?P<vq>" + "|".join(_phrase_re(p) for p in _VQ_MULT) + r")\s+(?P<vqm>(?:(?:"
           + _HUNDRED_ALT + r")\s+)?" + trie_regex(_WORD_SCALES) + r")\b")
# Phrases that name a number ("a couple of", "a score of"), one master group each.
_PHRASE_BY_GROUP = {f"ph{i}": r for i, r in enumerate(r for r in _R["word_rules"] if "phrase" in r)}
_NUMBER_AHEAD = r"(?!\s+(?:[0-9]|(?:" + _WORD_ALT + r")\b))"
_PHRASE_PATS = [
    (g, r"\b" + _phrase_re(r["phrase"])
     + (r"(?:\s+(?P<" + g + r"s>" + _SCALE_ALT + r"))?" if r.get("scalable") else "")
     + r"\b" + (_NUMBER_AHEAD if r.get("not_before_number") else ""))
    for g, r in _PHRASE_BY_GROUP.items()]
# Fractions in words (numbers.yaml `fractions`): a numerator ("a", "one", "twenty-three"), a
# denominator word, and optionally "of a <scale>" or a scale word.  The numerator is a run of
# cardinal words without "and" ("two hundred and six tenths" stays 206 and a stray word).
_FR = _R["fractions"]
_DEN_SINGULAR: dict[str, int] = {w.lower(): int(d) for w, d in _FR["denominators"].items()}
_DEN_SINGULAR.update((w, v) for w, v in _ORDINALS.items() if v >= int(_FR["ordinal_from"]))
_DEN_PLURAL: dict[str, int] = {
    _FR["irregular_plurals"].get(w, w + _FR["plural_suffix"]).lower(): d for w, d in _DEN_SINGULAR.items()}
_DEN_COUNTED = frozenset(w.lower() for w in _FR["counted"])
_DEN_AFTER_AND = frozenset(w.lower() for w in _FR["after_and"])
_CARD_ALT = trie_regex(set(_UNITS) | set(_TEENS) | set(_TENS) | set(_WORD_SCALES))
_FRACTION_BODY = (
    r"(?:(?P<fnum>an?|(?:" + _CARD_ALT + r")\b(?:(?:\s*[-‐‑]\s*|\s+)(?:" + _CARD_ALT + r")\b)*)"
    r"(?P<fsep>[ \t]*[-‐‑][ \t]*|\s+)"
    r"|(?=(?:" + trie_regex(_FR["alone_before_scale"]) + r")\s+(?:" + _SCALE_ALT + r")\b))"
    r"(?P<fden>" + trie_regex(set(_DEN_SINGULAR) | set(_DEN_PLURAL)) + r")\b"
    r"(?:\s+of\s+an?\s+(?P<fscale2>" + _SCALE_ALT + r")\b|\s+(?P<fscale>" + _SCALE_ALT + r")\b)?"
)
_FRAC_PAT = r"\b" + _FRACTION_BODY
# "seven and a quarter", "4 million and a half", "one-and-a-half": a fraction after a number.
_AND_FRACTION = re.compile(r"(?:\s+|[ \t]*[-‐‑][ \t]*)and(?:\s+|[ \t]*[-‐‑][ \t]*)" + _FRACTION_BODY,
                           re.IGNORECASE)
# Sign words ("minus 20"): found by the word scan, then looked for before a number.
_SIGN = _WORD_RULES["word.minus"]
_SIGN_RE = re.compile(r"(?<![\w-])(?:" + trie_regex(_SIGN["words"]) + r")[ \t\u00a0]+\Z", re.IGNORECASE)
_SIGN_REACH = 16        # from the start of a sign word to the number's
_SIGN_NOT_AFTER = frozenset(w.lower() for w in _SIGN["not_after"])
# "five point five": a number in words, "point", and digit words (or one compound read as digits).
_POINT = _WORD_RULES["word.point"]
_DIGIT_WORDS = dict(_UNITS)
_POINT_RE = re.compile(
    r"\s+" + re.escape(_POINT["word"]) + r"\s+(?P<pdigits>(?:" + trie_regex(_DIGIT_WORDS) + r")\b"
    r"(?:(?:\s*[-‐‑]\s*|\s+)(?:" + trie_regex(_DIGIT_WORDS) + r")\b)*"
    r"|(?:" + trie_regex(set(_TEENS) | set(_TENS)) + r")\b"
    r"(?:\s*[-‐‑]\s*(?:" + trie_regex(_DIGIT_WORDS) + r")\b)?)"
    r"(?:\s+(?P<pscale>" + _SCALE_ALT + r")\b)?", re.IGNORECASE)
_POINT_REACH = 4        # from the end of the number to "point"
_POINT_NOT_AFTER = frozenset(w.lower() for w in _POINT["not_after"])
_AND_START = frozenset(" \t\n\r-‐‑\u00a0")
# What makes a singular or counted denominator a share when no scale follows (numbers.yaml
# `fractions`: cues).
_SHARE_CUE = re.compile(r"\s+(?:" + trie_regex(_FR["cues"]) + r")\b|\s*(?:["
                        + re.escape(_FR["cue_punctuation"]) + r"]|\Z)", re.IGNORECASE)

# Two anchored masters instead of one scanning regex: digits and number words are sparse, so a
# cheap scan finds where they start and the detailed pattern is only tried there.
_dparts = [f"(?P<{n}>{p})" for n, p in _excl_alts]
_dparts.append(f"(?P<dig>{_DIGIT_PAT})")
_dparts += [f"(?P<{n}>{p})" for n, p in _junk]
# A fraction reading ("3/4", "2 1/2", "2½") is tried before the exclusions (a slash pair is
# otherwise a date or a path); when it is refused the position is read again without it.
_DIGIT_MASTER = re.compile("|".join([f"(?P<dfrac>{_DFRAC_PAT})"] + _dparts), re.IGNORECASE)
_DIGIT_MASTER_NO_FRACTION = re.compile("|".join(_dparts), re.IGNORECASE)
_wparts = [f"(?P<vqmul>{_VQ_PAT})"]
_wparts += [rf"(?P<{n}>\b{p})" for n, p in _vague_alts]
_wparts += [f"(?P<{g}>{p})" for g, p in _PHRASE_PATS]
_wparts.append(f"(?P<words>{_WORDS_PAT})")
# A fraction reading is tried first; when it is refused (an ordinal, a count) the same position is
# read again without it.
_WORD_MASTER = re.compile("|".join([f"(?P<frac>{_FRAC_PAT})"] + _wparts), re.IGNORECASE)
_WORD_MASTER_NO_FRACTION = re.compile("|".join(_wparts), re.IGNORECASE)

# Scanners.  Digit hits: any ASCII digit.  Word hits: the first word of anything the word
# master can match, except a leading "a"/"an"/"half" (found by looking back from the scale word or
# denominator after it), and every denominator word.
_first_words = set(_ALL_WORDS)
for _v in _R["vague"]:
    _w = _v["phrase"].split()
    _first_words.add(_w[1] if _w[0] in ("a", "an") else _w[0])
for _r in _PHRASE_BY_GROUP.values():
    _w = _r["phrase"].split()
    _first_words.add(_w[1] if _w[0] in ("a", "an") else _w[0])
_first_words.update(w.lower() for w in _FR["alone_before_scale"])
# Scans run on one-byte-per-code-point copies of the text made with bytes.translate (offsets
# unchanged; non-ASCII -> "?"), shaped so each scan starts with a literal and the ``re`` engine
# can skip ahead fast:
#   word copy:  ASCII letters lower-cased, digits kept, everything else a space; hits are
#               " <first word>" at word starts.
#   digit copy: digits -> "0", everything else "."; hits are ".0" at the start of digit runs.
# Each copy is prefixed with one separator byte so a number at offset 0 is found too.  Scans may
# only over-report: every hit is re-checked by the str masters on the original text.
_DIGIT_RUN = re.compile(r"[0-9]+")


def _translation(keep) -> bytes:
    table = bytearray(256)
    for c in range(256):
        table[c] = keep(c)
    return bytes(table)


_WORD_TABLE = _translation(lambda c: (c + 32 if 65 <= c <= 90 else c) if (65 <= c <= 90 or 97 <= c <= 122 or 48 <= c <= 57) else 32)
_DIGIT_TABLE = _translation(lambda c: 48 if 48 <= c <= 57 else 46)
_LOOKBACK_WORDS = (set(_WORD_SCALES) | {w for w in _first_words if w not in _ALL_WORDS}
                   | (set(_DEN_SINGULAR) & _first_words))
_LOOKBACK_WORDS_B = frozenset(w.encode("ascii") for w in _LOOKBACK_WORDS)
# Denominators are hits too, so that a fraction is only tried where one is near.
_FRAC_REACH = 80
_first_words |= set(_DEN_SINGULAR) | set(_DEN_PLURAL)
# Keywords the scan reports for the steps after it; sign words and "point" start no number.
_KEYWORDS_B = {w.encode("ascii"): "den" for w in set(_DEN_SINGULAR) | set(_DEN_PLURAL)}
_KEYWORDS_B.update((w.lower().encode("ascii"), "sign") for w in _SIGN["words"])
_KEYWORDS_B[_POINT["word"].lower().encode("ascii")] = "point"
_ALONE_B = frozenset(w.lower().encode("ascii") for w in _FR["alone_before_scale"])
_NOT_NUMBER_B = frozenset(w for w, kind in _KEYWORDS_B.items() if kind != "den")
_first_words |= {w.decode("ascii") for w in _NOT_NUMBER_B}
_WORD_HIT_B = re.compile((r" (?:" + trie_regex(_first_words) + r")(?![a-z0-9])").encode("ascii"))
_DIGIT_HIT_B = re.compile(rb"\.0")
# What may stand before a scale word or a denominator and is found by looking back from it: "a",
# "half a" (leftmost start wins, so the longest prefix is taken).
_PRE_RE = re.compile(r"(?<![\w])(?:half(?:\s+|-)an?|an?|half)(?:\s+|-)\Z", re.IGNORECASE)
_PRE_WINDOW = 24
_DIGIT_ANCHORS = set("+(-−.")
_WORD_TOKEN = re.compile(r"(?:" + _WORD_ALT + r")\b", re.IGNORECASE)
_AND_RE = re.compile(r"\band\b", re.IGNORECASE)

_URLISH = re.compile(r"://|@|^#|^www\.|\.(?:com|org|net|gov|edu|int|mil|co|io|uk|info|ly)(?:/|\b)",
                     re.IGNORECASE)


# ------------------------------------------------------------------------------------------
# Candidate cores

@dataclass(slots=True)
class _Core:
    start: int
    end: int
    value: float
    low: float | None
    high: float | None
    qualifier: str
    rule: str
    kind: str
    nstart: int
    nend: int
    plain: bool = True          # eligible as a range end (exact cardinal)
    suppress: bool = False      # emit only if a qualifier or range claims it
    factor: float = 1.0         # trailing multiplier ("15 million" -> 1e6), for range sharing


def _exact(start, end, value, rule, kind="cardinal", **kw) -> _Core:
    return _Core(start, end, value, value, value, "exact", rule, kind, start, end, **kw)


def _digit_core(m: re.Match, text: str) -> _Core | None:
    num = m.group("num")
    s = m.start("dig")
    e = m.end("num")
    tail = m.group("tail")
    neg = m.group("neg") is not None
    plain = num.translate(_GROUP_SEPS)
    if plain != num:
        rule = "num.grouped"
    elif "." in num:
        rule = "num.decimal"
    else:
        rule = "num.digits"
    try:
        value = float(plain)
    except ValueError:   # pragma: no cover - the pattern only admits valid literals
        return None
    if m.group("exp"):                  # float() reads "12e-1" exactly and overflows to inf
        value = float(plain + "e" + m.group("exp")[1:].replace("−", "-"))
        rule += "+" + _EXP["id"]
        e = m.end("exp")
    if neg:
        value = -value
    kind = "cardinal"
    factor = 1.0
    if tail:
        t = tail.lower()
        glued = _GLUED_MULTS.get(t)
        before = text[max(0, s - 2):s].rstrip()[-1:]   # "$3m", "US$ 1mm"
        if glued and (not glued[2] or before in _CURRENCY or _GLUED_CODE_BEFORE.search(text, max(0, s - 5), s)
                      or t in _BEFORE_COUNTED and _COUNTED_AFTER.match(text, m.end("tail"))):
            value *= glued[0]
            factor = glued[0]
            rule += "+" + glued[1]
            e = m.end("tail")
        elif t in _ORD_SUFFIXES and "." not in num and not neg:
            kind = "ordinal"
            rule = "ord.digits"
            e = m.end("tail")
        elif tail in _GLUED_UNITS or (tail in _GLUED_UNITS_ALONE
                                      and not text[m.end("tail"):m.end("tail") + 1].isalnum()):
            pass                      # "29km": the number stands, the unit stays outside
        else:
            return None               # "5G", "3D": identifiers
    elif m.group("wmult"):
        factor, mid = _SPACED_MULTS[m.group("wmult").lower()]
        value *= factor
        rule += "+" + mid
        e = m.end("wmult")
        if m.group("wmult2"):
            f2, mid2 = _SPACED_MULTS[m.group("wmult2").lower()]
            if f2 >= factor:              # "1.5 lakh crore", "5 thousand million"
                factor *= f2
                value *= f2
                rule += "+" + mid2
                e = m.end("wmult2")
    if not math.isfinite(value):
        return None
    core = _exact(s, e, value, rule, kind)
    core.factor = factor
    core.plain = kind == "cardinal"
    more = m.group("more")
    if more and kind == "cardinal":
        _suffix_qualify(core, more, m.end("more"))
    return core


def _suffix_qualify(core: _Core, suffix: str, end: int) -> None:
    """'40-plus', '30-odd', 'a hundred-odd': the suffix qualifies the number, the span takes it."""
    qid, qualifier = _SUFFIX_QUALIFIERS[suffix.lower().replace("‐", "-").replace("‑", "-")]
    _qualify(core, qualifier)
    core.rule, core.end, core.plain = f"{core.rule}+{qid}", max(core.end, end), False


def _parse_words(m: re.Match, text: str) -> list[_Core]:
    """Split a run of number words into compounds: "twenty three" -> 23, "five six" -> 5, 6."""
    span_start = m.start("words")
    wpre = m.group("wpre")
    toks = [(t.start(), t.end(), t.group().lower()) for t in _WORD_TOKEN.finditer(text, m.start("words"), m.end("words"))]
    # A prefix ("a", "half a") is itself not a word token: drop tokens inside it.
    if wpre:
        pre_end = m.end("wpre")
        toks = [t for t in toks if t[0] >= pre_end]
    out: list[_Core] = []
    i = 0
    n = len(toks)
    first = True
    while i < n:
        pre = wpre if first else None
        j, core = _parse_compound(toks, i, text, pre, span_start if (first and wpre) else None)
        first = False
        if core is not None:
            if text[core.end:core.end + 1] in _SUFFIX_START and core.kind == "cardinal":
                sm = _SUFFIX_AFTER.match(text, core.end)
                if sm is not None:        # "thirty-odd", "a hundred-plus"
                    _suffix_qualify(core, sm.group(), sm.end())
            out.append(core)
        i = j
    return out


def _parse_compound(toks, i, text, pre, pre_start):
    total = 0.0
    cur = 0.0
    last = None          # None, unit, zero, teen, tens, hundred, scale
    last_scale = math.inf
    kind = "cardinal"
    bare = False
    final_factor = 1.0
    groups = 0           # scale groups completed
    j = i
    n = len(toks)
    while j < n:
        s, e, w = toks[j]
        if j > i:
            gap = text[toks[j - 1][1]:s]
            if _AND_RE.search(gap) and last not in ("hundred", "scale"):
                break
        if w in _UNITS:
            v = _UNITS[w]
            if v == 0:
                if last is not None:
                    break
                last = "zero"
            elif last is None or last == "scale":
                cur = v
                last = "unit"
            elif last in ("tens", "hundred"):
                cur += v
                last = "unit"
            else:
                break
        elif w in _TEENS or w in _TENS:
            if last not in (None, "hundred", "scale"):
                break
            cur += _TEENS.get(w) or _TENS[w]
            last = "teen" if w in _TEENS else "tens"
        elif w == _HUNDRED:
            if last is None:
                cur = 100.0
                bare = True
            elif last in ("unit", "teen", "tens") and 0 < cur < 100:
                cur *= 100
            else:
                break
            last = "hundred"
        elif w in _WORD_SCALES and _WORD_SCALES[w][0] == 12:   # dozen: ends the number
            if last is None:
                cur = 12.0
                bare = True
            elif last in ("unit", "teen", "tens", "hundred") and cur > 0:
                cur *= 12
            else:
                break
            j += 1
            last = "dozen"
            break
        elif w in _WORD_SCALES:
            f = _WORD_SCALES[w][0]
            if f >= last_scale and last == "scale" and groups == 1 and w in _CHAINED \
                    and not _AND_RE.search(text, toks[j - 1][1], s):
                total *= f                # "two thousand million", "four lakh crore"
                final_factor *= f
                last_scale = f
                j += 1
                continue
            if f >= last_scale:
                break
            if last is None:
                total = f
                bare = True
            elif last in ("unit", "teen", "tens", "hundred") and cur > 0:
                total += cur * f
            else:
                break
            final_factor = f if groups == 0 else 1.0
            groups += 1
            cur = 0.0
            last_scale = f
            last = "scale"
        elif w in _ORDINALS:
            v = _ORDINALS[w]
            if v < 10:
                ok = last in (None, "tens", "hundred", "scale")
                if ok:
                    cur = cur + v if last in ("tens", "hundred") else v
            elif v < 100:
                ok = last in (None, "hundred", "scale")
                if ok:
                    cur += v
            elif v == 100:
                ok = last is None or (last in ("unit", "teen", "tens") and 0 < cur < 100)
                if ok:
                    cur = 100.0 if last is None else cur * 100
            else:
                ok = (last is None or (last in ("unit", "teen", "tens", "hundred") and cur > 0)) \
                    and v < last_scale
                if ok:
                    total += (cur or 1) * v
                    cur = 0.0
            if not ok:
                break
            kind = "ordinal"
            last = "ordinal"
            j += 1
            break
        else:  # pragma: no cover - tokens come from the same word list
            break
        j += 1
    if j == i:
        # The first token could not start a number on its own (cannot happen for our words,
        # but never loop forever).
        return i + 1, None
    value = total + cur
    ns = toks[i][0]
    ne = toks[j - 1][1]
    if cur != 0:
        final_factor = 1.0
    s = pre_start if pre_start is not None else ns
    if pre is not None:
        p = pre.lower()
        if p.startswith("half"):
            value *= 0.5
            rule = "word.half_scale"
        else:
            rule = "word.a_scale"
    elif kind == "ordinal":
        rule = "ord.word"
    elif bare:
        rule = "word.bare_scale"
    else:
        rule = "word.cardinal"
    core = _exact(s, ne, value, rule, kind)
    core.nstart = s if pre is not None else ns
    core.nend = ne
    core.factor = final_factor
    core.plain = kind == "cardinal"
    core.suppress = (j - i == 1 and pre is None and toks[i][2] in _SUPPRESS_ALONE)
    if kind == "ordinal":
        sm = _SUPERLATIVE_RE.match(text, ne)
        if sm:  # a place in a ranking, its own kind so that measure rules can tell it apart
            core.end = sm.end()
            core.rule = "ord.word+ord.rank_superlative"
            core.kind = "rank"
    return j, core


def _vague_core(start, end, v: dict, rule: str, factor: float = 1.0) -> _Core:
    low = float(v["low"]) * factor
    high = float(v["high"] + 1) * factor - 1 if factor != 1.0 else float(v["high"])
    return _Core(start, end, low, low, high, "vague", rule, "cardinal", start, end, plain=False)


_TOKEN_END_OK = frozenset(" \t\n\r,;)]}\"'!?%\u2019\u201d")


def _in_url_token(text: str, s: int, e: int) -> bool:
    if (s == 0 or text[s - 1] in " \t\n\r([{\"'$\u2018\u201c") and \
            (e >= len(text) or text[e] in _TOKEN_END_OK):
        return False
    left = text[max(0, s - 100):s]
    if left and not left[-1].isspace():
        parts = left.rsplit(None, 1)
        left = parts[-1] if parts else ""
    else:
        left = ""
    right = text[e:e + 100]
    if right and not right[0].isspace():
        parts = right.split(None, 1)
        right = parts[0] if parts else ""
    else:
        right = ""
    if not left and not right:
        return False
    return _URLISH.search(left + text[s:e] + right) is not None


def _handle(m: re.Match, text: str, cores: list, excluded: list | None) -> None:
    g = m.lastgroup
    if g == "dig":
        c = _digit_core(m, text)
        if c is not None:
            cores.append(c)
        elif excluded is not None:
            excluded.append((_GLUED_ID, m.start(), m.end()))
    elif g == "words":
        cores.extend(_parse_words(m, text))
    elif g == "vqmul":
        v = _VQ_MULT[" ".join(m.group("vq").lower().split())]
        scales = [_WORD_SCALES[w] for w in m.group("vqm").lower().split()]
        f = math.prod(s[0] for s in scales)
        mid = "+".join(s[1] for s in scales)
        cores.append(_vague_core(m.start(), m.end(), v, v["id"] + "+" + mid, f))
    elif g in _PHRASE_BY_GROUP:
        r = _PHRASE_BY_GROUP[g]
        factor, rule = 1.0, r["id"]
        if r.get("scalable") and m.group(g + "s"):  # "a couple of hundred"
            factor, mid = _WORD_SCALES[m.group(g + "s").lower()]
            rule = f"{rule}+{mid}"
        c = _exact(m.start(), m.end(), float(r["value"]) * factor, rule, factor=factor)
        _qualify(c, r.get("qualifier", "exact"))
        c.plain = c.qualifier == "exact"
        cores.append(c)
    elif g in _VAGUE_BY_GROUP:
        v = _VAGUE_BY_GROUP[g]
        cores.append(_vague_core(m.start(), m.end(), v, v["id"]))
    elif excluded is not None and g in _EXCL_BY_GROUP:
        excluded.append((_EXCL_BY_GROUP[g], m.start(), m.end()))


def _read_fraction(m: re.Match, text: str, after_and: bool = False):
    """(share, scale factor or None) for a `_FRACTION_BODY` match, or None when refused."""
    den = m.group("fden").lower()
    plural = den not in _DEN_SINGULAR
    d = _DEN_PLURAL[den] if plural else _DEN_SINGULAR[den]
    num = m.group("fnum")
    if num is None or num.lower() in ("a", "an"):
        n = 1.0
    else:
        toks = [(t.start(), t.end(), t.group().lower())
                for t in _WORD_TOKEN.finditer(text, m.start("fnum"), m.end("fnum"))]
        j, core = _parse_compound(toks, 0, text, None, None)
        if j != len(toks) or core is None or core.kind != "cardinal":
            return None
        n = core.value
    if not plural and n != 1:
        return None                       # "two hundred fifth" is an ordinal
    scale = m.group("fscale") or m.group("fscale2")
    if scale is None and (not plural or den in _DEN_COUNTED) \
            and not (after_and and den in _DEN_AFTER_AND) \
            and not (m.group("fsep") or "").strip() \
            and _SHARE_CUE.match(text, m.end()) is None:
        return None                       # "a third attack", "the first three quarters"
    return n / d, (_WORD_SCALES[scale.lower()][0] if scale else None)


def _fraction_core(m: re.Match, text: str) -> _Core | None:
    """'two thirds', 'one-fifth', 'a quarter of a million', 'three quarters million'."""
    got = _read_fraction(m, text)
    if got is None:
        return None
    share, factor = got
    if factor is None:
        return _exact(m.start(), m.end(), share, "word.fraction", "fraction", plain=False)
    return _exact(m.start(), m.end(), share * factor, "word.fraction_of_scale", factor=factor)


def _add_point(text: str, c: _Core) -> None:
    """'five point five', 'three hundred point zero six': the decimals after 'point'."""
    pm = _POINT_RE.match(text, c.end)
    if pm is None or c.value != int(c.value):
        return
    before = text[max(0, c.start - 16):c.start].split()
    if before and before[-1].lower() in _POINT_NOT_AFTER:
        return                            # "at one point two men left"
    words = [t.group().lower()
             for t in _WORD_TOKEN.finditer(text, pm.start("pdigits"), pm.end("pdigits"))]
    if words[0] in _DIGIT_WORDS:
        digits = "".join(str(_DIGIT_WORDS[w]) for w in words)
    else:                                 # "point seventy-one" -> .71
        digits = str(sum(_TEENS.get(w) or _TENS.get(w) or _UNITS[w] for w in words))
    c.value = float(f"{int(c.value)}.{digits}")
    if pm.group("pscale"):                # "one point two million"
        c.factor = _WORD_SCALES[pm.group("pscale").lower()][0]
        c.value *= c.factor
    c.low = c.high = c.value
    c.end = c.nend = pm.end()
    c.rule = _POINT["id"]
    c.suppress = False


def _extend(text: str, c: _Core, keys: list, k: int, floor: int) -> None:
    """Grow `c` by a keyword near it: decimals after "point", a fraction after "and", a sign word
    before it.  `keys` are the (position, kind) of those keywords, sorted; `k` is the first at or
    after the start of `c`."""
    n = len(keys)
    i = k
    while i < n and keys[i][0] < c.end:
        i += 1
    if i < n and c.kind == "cardinal" and text[c.end:c.end + 1] in _AND_START:
        p, kind = keys[i]
        if kind == "point" and c.rule == "word.cardinal" and p - c.end <= _POINT_REACH:
            _add_point(text, c)
        elif kind == "den" and p - c.end <= _FRAC_REACH:
            _add_fraction(text, c)
    if k > 0 and keys[k - 1][1] == "sign" and c.start - keys[k - 1][0] <= _SIGN_REACH \
            and c.value > 0 and c.kind in _QUALIFIED_KINDS:
        _apply_sign(text, c, floor)


def _apply_sign(text: str, c: _Core, floor: int) -> None:
    """'minus 20', 'negative two': negate `c` when a sign word stands right before it."""
    sm = _SIGN_RE.search(text, max(floor, c.start - 16), c.start)
    if sm is None:
        return
    before = text[max(0, sm.start() - 24):sm.start()].split()
    if before:
        w = before[-1].lower().strip(".,;:()\"'’”")
        if w in _SIGN_NOT_AFTER or w[-1:].isdigit() or w in _ALL_WORDS:
            return                        # "10 minus 4", "plus or minus 3"
    c.value = c.low = c.high = -c.value
    c.start = sm.start()
    c.rule = f"{_SIGN['id']}+{c.rule}"
    c.suppress = False


def _add_fraction(text: str, c: _Core) -> None:
    """'seven and a quarter', '4 million and a half', 'one and a half million': extend `c`."""
    am = _AND_FRACTION.match(text, c.end)
    if am is None:
        return
    got = _read_fraction(am, text, after_and=True)
    if got is None or got[0] >= 1:
        return
    share, scale = got
    if scale is None:
        c.value += share * c.factor
    elif c.factor == 1.0:                 # "one and a half million"
        c.value = (c.value + share) * scale
        c.factor = scale
    else:
        return
    c.low = c.high = c.value
    c.rule = "word.and_a_half" if c.rule.startswith("word.") else c.rule + "+word.and_a_half"
    c.end = c.nend = am.end()
    c.suppress = False


def _digit_fraction_core(m: re.Match, text: str) -> _Core | None:
    """'3/4', '2 1/2', '2½', '½': a share alone (kind fraction), a cardinal after a whole number."""
    if m.group("dv"):
        share = _VULGAR[m.group("dv")]
    else:
        n, d = int(m.group("dn")), int(m.group("dd"))
        if not (0 < n < d and d in _DFRAC_DENOMS):
            return None                   # "4/5", "9/11": dates, scores, ratios
        share = n / d
    whole = m.group("dwhole")
    value = int(whole) + share if whole else share
    if m.group("dneg"):
        value = -value
    kind = "cardinal" if whole else "fraction"
    core = _exact(m.start(), m.end(), value, "num.fraction", kind, plain=kind == "cardinal")
    wm = _SPACED_MULT_AFTER.match(text, m.end())
    if wm is not None:                    # "2 1/2 million", "1½ billion"
        core.factor, mid = _SPACED_MULTS[wm.group("w").lower()]
        core.value = core.low = core.high = value * core.factor
        core.rule, core.end, core.nend = f"{core.rule}+{mid}", wm.end(), wm.end()
        core.kind, core.plain = "cardinal", True
    return core


def _digit_match(master, text: str, p: int, pos: int):
    m = None
    if p > pos and text[p - 1] in _DIGIT_ANCHORS:
        m = master(text, p - 1)
    return m if m is not None else master(text, p)


def _digit_candidates(text: str, btext: bytes, cores: list, excluded: list | None,
                      marks: list) -> None:
    pos = 0
    # The fraction reading is only tried where a slash or a vulgar fraction (`marks`) is near.
    k, nm = 0, len(marks)
    for h in _DIGIT_HIT_B.finditer(btext):
        p = h.start()          # the copy has one leading byte: hit at i = digit at i
        if p < pos:
            continue
        while k < nm and marks[k] < p:
            k += 1
        if k < nm and marks[k] - p <= _DFRAC_REACH:
            m = _digit_match(_DIGIT_MASTER.match, text, p, pos)
        else:
            m = _digit_match(_DIGIT_MASTER_NO_FRACTION.match, text, p, pos)
        if m is not None and m.lastgroup == "dfrac":
            c = _digit_fraction_core(m, text)
            if c is None:
                m = _digit_match(_DIGIT_MASTER_NO_FRACTION.match, text, p, pos)
        if m is None:
            if excluded is not None and p > 0 and (text[p - 1].isalpha() or (
                    p > 1 and text[p - 1] in "-‐‑–" and text[p - 2].isalpha())):
                excluded.append((_GLUED_ID, p, p + 1))
            continue
        pos = max(m.end(), p + 1)
        if m.lastgroup in ("dig", "dfrac"):
            s = m.start()
            if s > 0 and (text[s - 1].isspace() or text[s - 1] in "#.") \
                    and _label_before(text, s):
                if excluded is not None:
                    excluded.append((_LABEL_ID, s, m.end()))
                continue
        if m.lastgroup == "dfrac":
            cores.append(c)
        else:
            _handle(m, text, cores, excluded)


def _vulgar_candidates(text: str, cores: list, marks: list) -> None:
    """A vulgar fraction standing alone ('½ cup'); '2½' is read by the digit master.  Glued to
    letters it is mis-decoded text or binary junk ('Â½'), not a number."""
    n = len(text)
    for s in marks:
        ch = text[s]
        if ch not in _VULGAR:
            continue                      # a slash
        e = s + 1
        if (s > 0 and not text[s - 1].isspace() and text[s - 1] not in _VULGAR_BEFORE) or \
                (e < n and not text[e].isspace() and text[e] not in _VULGAR_AFTER):
            continue
        if s > 0 and text[s - 1] in "-−" and (s == 1 or not text[s - 2].isalnum()):
            s -= 1
            value = -_VULGAR[ch]
        else:
            value = _VULGAR[ch]
        cores.append(_exact(s, e, value, "num.fraction", "fraction", plain=False))


def _word_candidates(text: str, lowered: bytes, cores: list, dcores: list) -> list:
    """Word numbers into `cores`; returns the (position, kind) of the keywords found on the way
    (denominators, sign words, "point"), which the steps after look at."""
    pos = 0
    hits = [(h.start(), h.group()[1:]) for h in _WORD_HIT_B.finditer(lowered)]
    keys = [(p, _KEYWORDS_B[w]) for p, w in hits if w in _KEYWORDS_B]
    # Words inside a digit number ("3 million", "1.5 lakh crore") are read with it: a word run
    # starting there would swallow the numbers after it ("7 crore and three hundred").
    di, ndc = 0, len(dcores)
    # The fraction reading is only tried where a denominator word is within reach.
    dens = [p for p, kind in keys if kind == "den"] if keys else keys
    k, nd = 0, len(dens)
    no_fraction = _WORD_MASTER_NO_FRACTION.match
    for p, w in hits:       # hit " word" at i in the copy = word at i in the text
        if p < pos or w in _NOT_NUMBER_B:
            continue
        if ndc:
            while di < ndc and dcores[di].end <= p:
                di += 1
            if di < ndc and dcores[di].start <= p:
                pos = dcores[di].end
                continue
        match = no_fraction
        if nd:
            while k < nd and dens[k] < p:
                k += 1
            if k < nd and dens[k] - p <= _FRAC_REACH:
                match = _WORD_MASTER.match
        m = None
        if p > pos and w in _LOOKBACK_WORDS_B:
            pm = _PRE_RE.search(text, max(pos, p - _PRE_WINDOW), p)
            if pm is not None:
                m = match(text, pm.start())
        if m is None:
            # A denominator itself starts a fraction only without a numerator ("quarter billion").
            m = (no_fraction if k < nd and dens[k] == p and w not in _ALONE_B else match)(text, p)
        if m is None:
            continue
        if m.lastgroup == "frac":
            c = _fraction_core(m, text)
            if c is not None:
                cores.append(c)
                pos = m.end()
                continue
            m = _WORD_MASTER_NO_FRACTION.match(text, p)
            if m is None:
                continue
        _handle(m, text, cores, None)
        pos = m.end()
    return keys


def _candidates(text: str, excluded: list | None = None) -> list[_Core]:
    dcores: list[_Core] = []
    wcores: list[_Core] = []
    btext = text.encode("latin-1", "replace")
    ascii_only = text.isascii()
    if ascii_only:                        # slashes found by str.find, faster than a regex scan
        marks = []
        i = text.find("/")
        while i >= 0:
            marks.append(i)
            i = text.find("/", i + 1)
    else:
        marks = [x.start() for x in _FRAC_MARK_RE.finditer(text)]
    _digit_candidates(text, b"." + btext.translate(_DIGIT_TABLE), dcores, excluded, marks)
    keys = _word_candidates(text, b" " + btext.translate(_WORD_TABLE), wcores, dcores)
    if marks and not ascii_only:
        _vulgar_candidates(text, wcores, marks)
        wcores.sort(key=lambda c: (c.start, -c.end))
    if dcores and wcores:
        merged = sorted(dcores + wcores, key=lambda c: (c.start, -c.end))
    else:
        merged = dcores or wcores
    kept = []
    last_end = 0
    k, nk = 0, len(keys)                  # keywords: the first at or after the core's start
    for c in merged:
        if c.start < last_end:
            continue            # e.g. "million" already inside "1.5 million"
        if _in_url_token(text, c.start, c.end):
            if excluded is not None:
                excluded.append((_TOKEN_CHECK_ID, c.start, c.end))
            continue
        if nk and c.qualifier == "exact":
            while k < nk and keys[k][0] < c.start:
                k += 1
            if (k < nk and keys[k][0] - c.end <= _FRAC_REACH) or \
                    (k and c.start - keys[k - 1][0] <= _SIGN_REACH):
                _extend(text, c, keys, k, last_end)
        kept.append(c)
        last_end = c.end
    return kept


# ------------------------------------------------------------------------------------------
# Ranges and qualifiers

def _inside(spans: Sequence[tuple[int, int]], pos: int) -> bool:
    """Whether `pos` lies in one of the sorted, non-overlapping `spans`."""
    index = bisect.bisect_right(spans, (pos, float("inf"))) - 1
    return index >= 0 and spans[index][0] <= pos < spans[index][1]


def _merge_ranges(text: str, cores: list[_Core], apart: Sequence[tuple[int, int]] = ()) -> list[_Core]:
    out: list[_Core] = []
    i = 0
    n = len(cores)
    while i < n:
        a = cores[i]
        if (i + 1 < n and a.plain and cores[i + 1].plain and cores[i + 1].start - a.end <= _PAIR_GAP
                and (not apart or _inside(apart, a.start) == _inside(apart, cores[i + 1].start))):
            b = cores[i + 1]
            gap = text[a.end:b.start]
            merged = (_try_ratio(a, b, gap) if _RATIO_HINT.search(gap) else None) \
                or _try_range(text, a, b, gap, out[-1].end if out else 0)
            if merged is not None:
                out.append(merged)
                i += 2
                continue
        out.append(a)
        i += 1
    return out


def _try_ratio(a: _Core, b: _Core, gap: str) -> _Core | None:
    """'one in five' (a rate, kind fraction), 'three out of ten' (a count of three)."""
    rm = _RATIO_RE.fullmatch(gap)
    if rm is None or not 0 < a.value < b.value or _year_like(b):
        return None
    if rm.group("outof"):
        core = _exact(a.start, b.end, a.value, f"{_RATIO_OUT_OF['id']}+{a.rule}", plain=False)
    elif rm.group("every") or a.value == 1:
        core = _exact(a.start, b.end, a.value / b.value, f"{_RATIO_IN['id']}+{a.rule}", "fraction",
                      plain=False)
    else:
        return None                       # "killed 2 in 3 attacks"
    core.nstart, core.nend = a.nstart, a.nend
    return core


def _try_range(text: str, a: _Core, b: _Core, gap: str, floor: int) -> _Core | None:
    if len(gap) > 12:
        return None
    cm = _CONNECTOR_RE.match(gap)
    if cm is None or cm.end() != len(gap):
        return None
    start = a.start
    lo_pos = max(floor, a.start - 12)
    if cm.group("dash") is not None:
        rid = "range.dash"
    else:
        word = cm.group("word").lower()
        if word == "and":
            bm = _BETWEEN_RE.search(text, lo_pos, a.start)
            if bm is None:
                return None
            rid = "range.between_and"
            start = bm.start()
        elif word == "to":
            fm = _FROM_RE.search(text, lo_pos, a.start)
            if fm is None:
                rid = "range.to"
            elif _CHANGE_FROM_RE.search(text, max(floor, fm.start() - 60), a.start):
                return None                # "rose from 20 to 35": a change, two numbers
            else:
                rid = "range.from_to"
                start = fm.start()
        else:
            rid = "range.or"
    low, high = a.value, b.value
    rule_a = a.rule
    if b.factor != 1.0 and a.factor == 1.0 and a.value * b.factor <= high and a.value < b.value / b.factor:
        low = a.value * b.factor           # "between 10 and 15 million"
    if not (low <= high) or low == high and rid == "range.or":
        return None
    core = _Core(start, b.end, low, low, high, "range", f"{rid}+{rule_a}", "cardinal",
                 a.nstart, b.nend, plain=False)
    return core


_QUALIFIED_KINDS = frozenset(("cardinal", "fraction"))   # "nearly two thirds", not "about 3rd"


def _apply_qualifiers(text: str, cores: list[_Core]) -> None:
    prev_end = 0
    for c in cores:
        if c.kind not in _QUALIFIED_KINDS:
            prev_end = c.end
            continue
        lo = max(prev_end, c.start - _QUAL_WINDOW)
        qm = None
        # Cheap look at the word before the number first: most numbers have no qualifier.
        if c.start > lo and text[c.start - 1].isspace() and \
                (text[max(lo, c.start - 16):c.start].split() or ("",))[-1].lower().lstrip(_OPEN_PUNCT) \
                in _QUAL_LAST_WORDS:
            # A quotation or bracket may open at any of its words: killed "more than 20 insurgents".
            words = [w.lstrip(_OPEN_PUNCT) for w in text[lo:c.start].lower().split()[-_QUAL_MAX_WORDS:]]
            if words:
                for k in range(len(words), 0, -1):
                    if " ".join(words[-k:]) in _QUAL_BY_PHRASE:
                        qm = _QUAL_RE.search(text, lo, c.start)
                        break
        if qm is not None:
            _qualified(c, qm, _QUAL_BY_PHRASE, before=True)
        elif c.start > lo and (text[c.start - 1] in _QUAL_BY_SYMBOL or text[c.start - 2:c.start - 1] in _QUAL_BY_SYMBOL
                               and text[c.start - 1] in " \t") and c.qualifier == "exact" \
                and (sm := _QUAL_SYMBOL_RE.search(text, max(lo, c.start - 2), c.start)) is not None:
            _qualified(c, sm, _QUAL_BY_SYMBOL, before=True)
        elif c.qualifier == "exact" and text[c.end:c.end + 1].isspace():
            tm = _TRAILING_RE.match(text, c.end)
            if tm is not None:
                _qualified(c, tm, _TRAILING, before=False)
        prev_end = c.end


def _qualified(c: _Core, match: re.Match, phrases: dict[str, tuple[str, str]], before: bool) -> None:
    """Qualify `c` by the phrase `match` found before or after it; the span grows to hold it."""
    qid, qual = phrases[" ".join(match.group("q").lower().split())]
    _qualify(c, qual)
    if before:
        c.rule, c.start = f"{qid}+{c.rule}", match.start()
    else:
        c.rule, c.end = f"{c.rule}+{qid}", match.end()
    c.suppress = False


def _qualify(c: _Core, qual: str) -> None:
    v = c.value
    if qual == "exact":
        if c.qualifier == "exact":
            return
        # "exactly" before a vague amount or range adds nothing: keep its own bounds.
        return
    if qual == "about":
        if c.qualifier in ("vague", "range"):
            return          # "some hundreds": the vague bounds already say it
        c.low = c.high = None
    elif qual in ("at_least", "more_than"):
        c.low = c.low if c.low is not None else v
        c.high = None
    elif qual in ("at_most", "less_than"):
        c.high = c.high if c.high is not None else v
        c.low = None
    c.qualifier = qual


# ------------------------------------------------------------------------------------------
# Public entry point

def find_numbers(text: str, apart: Sequence[tuple[int, int]] = ()) -> list[NumberSpan]:
    """Numeric expressions in ``text``, sorted by start, non-overlapping, longest match wins.

    `apart`: sorted spans (the document's dates) whose numbers never join a number outside them
    into a range or ratio: in "since October 7 to 15,207" the 7 is the date's, and 15,207 a
    number of its own, not the top of a range 7..15,207."""
    if not text:
        return []
    cores = _candidates(text)
    if not cores:
        return []
    cores = _merge_ranges(text, cores, apart)
    _apply_qualifiers(text, cores)
    out: list[NumberSpan] = []
    last_end = 0
    for c in cores:
        if c.suppress or c.start < last_end or not (0 <= c.start < c.end <= len(text)):
            continue
        if not math.isfinite(c.value):
            continue
        start, end, rule, nstart, nend = c.start, c.end, c.rule, c.nstart, c.nend
        if rule.rpartition("+")[2].startswith("word.") and text.startswith(_RESTATED_OPENS, end):  # "Three (3)"
            restated = _RESTATED.match(text, end)
            if restated and float(restated.group(1).replace(",", "")) == c.value:
                end, rule = restated.end(), f"{c.rule}+{_RESTATED_ID}"
        elif rule == "num.digits" and c.value == 1 and text.startswith(")", end):  # "one (1) person"
            # "one" alone is no number (an article, "one of them"); restated in digits it is a count
            lead = _RESTATED_ONE.search(text, max(last_end, start - 6), start)
            if lead:
                start, end, rule = lead.start(), end + 1, f"{_RESTATED_ONE_ID}+{_RESTATED_ID}"
                nstart, nend = lead.start(), lead.end(1)
        out.append(NumberSpan(start, end, c.value, c.low, c.high, c.qualifier, rule,
                              c.kind, nstart, nend))
        last_end = end
    return out


_RESTATED_RULE = _R["restated"][0]
_RESTATED_ID = _RESTATED_RULE["id"]
_RESTATED_OPENS = tuple(_RESTATED_RULE["opens"])
_RESTATED = re.compile(_RESTATED_RULE["pattern"])
# "one (1)": the word before its digits, matched ending where the digits begin.
_RESTATED_ONE_ID = _R["restated"][1]["id"]
_RESTATED_ONE = re.compile(_R["restated"][1]["pattern"])


def _explain_exclusions(text: str) -> list[tuple[str, int, int]]:
    """Debug/test helper: which exclusion rules swallowed which characters."""
    excluded: list[tuple[str, int, int]] = []
    _candidates(text, excluded)
    return excluded
