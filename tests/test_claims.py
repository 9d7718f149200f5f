"""Golden cases for the measure rules: one case per rule id, one failure per case."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from figures.claims import RULES_PATH, extract_claims, lowered

GOLDEN = Path(__file__).parent / "golden"
CASES = yaml.safe_load((GOLDEN / "claims.yaml").read_text(encoding="utf-8"))
NONE = [line for line in (GOLDEN / "claims_none.txt").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")]
RULES = yaml.safe_load(RULES_PATH.read_text(encoding="utf-8"))
NUMBERS_PATH = RULES_PATH.with_name("numbers.yaml")  # the number grammar's data, beside the measures


def test_every_rule_has_a_golden_case():
    ids = [r["id"] for r in RULES["rules"]] + [p["id"] for p in RULES["phrases"]]
    assert len(ids) == len(set(ids)), "rule ids must be unique"
    missing = sorted(set(ids) - {c["rule"] for c in CASES})
    assert not missing, f"rules without a golden case: {missing}"


def test_no_lexicon_lists_a_word_twice():
    repeated = {name: sorted({w for w in words if words.count(w) > 1})
                for name, words in RULES["lexicons"].items()}
    assert not {name: words for name, words in repeated.items() if words}


def test_every_glued_currency_code_is_a_currency_code_with_a_unit():
    """numbers.yaml reads "KSh50,000" as an amount; the money rule must then know the code."""
    number_rules = yaml.safe_load(NUMBERS_PATH.read_text(encoding="utf-8"))
    codes = set(RULES["lexicons"]["currency_code"])
    # unit words are matched lower-cased, without the regex escapes ("Rs\\." is "rs.")
    units = {word.lower().replace("\\", "") for words in RULES["units"]["money"].values() for word in words}
    glued = number_rules["glued_currency_codes"]
    assert [code for code in glued if code not in codes] == []
    assert [code for code in glued if code.lower() not in units] == []


def test_every_rule_measure_is_in_the_claims_vocabulary():
    """A rule's measure is one of schemas/claims.json's, none (a skip rule), or `previous`, which
    extraction replaces by the measure of the count before it and never writes."""
    import json

    from figures.claims import PREVIOUS, PREVIOUS_MEASURES

    schema = json.loads((Path(__file__).parents[1] / "schemas" / "claims.json").read_text(encoding="utf-8"))
    vocabulary = next(f for f in schema["fields"] if f["name"] == "measure")["constraints"]["enum"]
    measures = {r.get("measure") for r in RULES["rules"]} | {p["measure"] for p in RULES["phrases"]}
    assert measures - set(vocabulary) == {None, PREVIOUS}
    assert PREVIOUS_MEASURES <= set(vocabulary)


def test_golden_cases_are_well_formed():
    """A flow mapping with an unquoted comma ("{quote: Some 2,000, ...}") parses as a quote "Some 2"
    and a stray key: the case would then test nothing."""
    keys = {"expect": {"quote", "measure", "value", "unit"}, "absent_claims": {"quote", "measure"}}
    bad = [(case["rule"], want) for case in CASES for field, allowed in keys.items()
           for want in case.get(field, []) if set(want) - allowed or not isinstance(want.get("quote"), str)]
    assert not bad


@pytest.mark.parametrize("case", CASES, ids=[c["rule"] for c in CASES])
def test_golden_case(case):
    text = case["text"]
    found = {(text[c.start:c.end], c.measure, c.value): c for c in extract_claims(text)}
    for want in case.get("expect", []):
        key = (want["quote"], want["measure"], float(want["value"]))
        assert key in found, f"{case['rule']}: expected {key} in {sorted(found)}"
        if "unit" in want:
            assert found[key].unit == want["unit"], f"{case['rule']}: {key} has unit {found[key].unit!r}"
    if case.get("expect") and not case["rule"].startswith("skip."):  # skip rules are proven by `absent`
        assert any(case["rule"] in c.rule.split("+") for c in found.values()), (
            f"no claim came from {case['rule']}: {[c.rule for c in found.values()]}")
    quotes = {q for q, _, _ in found}
    for quote in case.get("absent", []):
        assert quote not in quotes, f"{case['rule']}: {quote!r} must not be a claim"
    for unwanted in case.get("absent_claims", []):
        measures = {m for q, m, _ in found if q == unwanted["quote"]}
        assert unwanted["measure"] not in measures, (
            f"{case['rule']}: {unwanted['quote']!r} must not be a {unwanted['measure']} claim")


@pytest.mark.parametrize("text", NONE)
def test_no_claim(text):
    claims = extract_claims(text)
    assert claims == [], [(text[c.start:c.end], c.measure, c.rule) for c in claims]


def test_phrase_with_a_range_and_a_matched_unit():
    """A phrase may claim an interval ("for months": at least 2, no upper bound) and take its unit
    from the words it matched."""
    (claim,) = [c for c in extract_claims("The border stayed shut for months.") if c.measure == "duration"]
    assert (claim.value, claim.low, claim.high, claim.qualifier, claim.unit) == (2, 2, None, "vague", "month")


def test_an_active_verb_with_an_object_is_not_an_arrest():
    """'held' is an arrest only without an object: 'four nurses held a vigil' is a crowd."""
    claims = {c.measure for c in extract_claims("Four nurses held a vigil outside the prison.")}
    assert claims == {"crowd"}


def test_a_count_inside_a_toll_phrase_is_not_the_toll():
    """'the death toll from the two earthquakes ... rose to 1,200': two is a count of earthquakes."""
    found = {(c.measure, c.value) for c in extract_claims(
        "The death toll from the two earthquakes in the north has risen to 1,200.")}
    assert ("killed", 1200) in found and ("killed", 2) not in found


def test_rules_read_text_in_any_case_and_keep_its_words_as_written():
    """Most patterns are matched on the lowered text; the subject is still quoted as written."""
    text = "Three SOLDIERS WERE KILLED and a U.S. CONTRACTOR was wounded."
    found = {(c.measure, c.value, c.subject) for c in extract_claims(text)}
    assert ("killed", 3, "SOLDIERS") in found
    assert ("wounded", 1, "U.S. CONTRACTOR") in found


def test_lowering_keeps_every_offset():
    """"İ" lowers to two code points; the lowered text keeps one, so offsets stay the text's."""
    text = "İZMİR: İki, then 4 people were killed in İnegöl."
    assert len(lowered(text)) == len(text)
    (claim,) = extract_claims(text)
    assert (text[claim.start:claim.end], claim.measure, claim.value) == ("4", "killed", 4)


def test_emergency_services_at_a_scene_are_no_crowd():
    """"attended the scene" is a response (not_responding); "attended the burial" is a crowd."""
    text = "Four paramedics attended the incident and several police officers came to the scene."
    assert [(c.measure, c.value) for c in extract_claims(text)] == [("count", 4), ("count", 3)]
    (mourners,) = extract_claims("Hundreds of mourners attended the burial.")
    assert (mourners.measure, mourners.value) == ("crowd", 100)


def test_a_modal_verb_is_not_part_of_the_subject():
    """'Up to 40 people may have been killed': the counted people are 'people', not 'people may'."""
    (claim,) = [c for c in extract_claims("Up to 40 people may have been killed.") if c.measure == "killed"]
    assert (claim.value, claim.subject) == (40, "people")


def test_required_words_only_skip_phrases_that_would_not_match(monkeypatch):
    """A phrase's `requires` is a shortcut, not a rule: with every `requires` dropped, the golden
    texts, the inputs that must give no claim and some texts written for this test give the same
    claims."""
    import dataclasses

    from figures import claims

    texts = [case["text"] for case in CASES] + NONE + [
        "The local imam, who led prayers in the old town, was shot dead, and the 22-year-old died.",
        "In the north the attack on the convoy killed the driver; the suspect was detained on Friday.",
        "They said the bus driver and a passenger were killed and the guard was badly hurt.",
    ]
    guarded = [p.id for p in claims.load_rules().phrases if p.requires is not None]
    assert guarded, "no phrase has `requires`: this test tests nothing"
    with_required = [extract_claims(text) for text in texts]
    rules = claims.load_rules()
    unguarded = dataclasses.replace(rules, phrases=tuple(dataclasses.replace(p, requires=None) for p in rules.phrases))
    monkeypatch.setattr(claims, "load_rules", lambda *a, **k: unguarded)
    assert [extract_claims(text) for text in texts] == with_required
    assert any(c.rule.removeprefix("phrase+") in guarded for found in with_required for c in found)


def test_a_toll_after_a_date_is_read_past_the_date():
    """The date's day does not open a range with the toll: "since October 7 to 15,207"."""
    from figures.documents import make_document
    from figures.extract import extract_document

    text = "Shelling killed 9 people, bringing the death toll since October 7 to 15,207."
    claims = extract_document(make_document("d", text.encode(), "t", {"published": "2024-03-01"}))["claims"]
    assert [(c["quote"], c["measure"], c["value"]) for c in claims] == [("9", "killed", 9.0), ("15,207", "killed", 15207.0)]


def test_a_lazy_pattern_compiles_at_first_use_and_replaces_itself():
    """Rule patterns compile when first used (a build over a few articles needs under half of
    them); the compiled pattern then takes the pattern's place in every rule that holds it."""
    import dataclasses
    import re

    from figures.claims import LazyPattern

    @dataclasses.dataclass(frozen=True, slots=True)
    class Holder:
        pattern: object

    lazy = LazyPattern(re, r"\d+ killed", re.IGNORECASE)
    first, second = Holder(lazy), Holder(lazy)
    lazy.bind(first, "pattern")
    lazy.bind(second, "pattern")
    assert first.pattern is lazy
    assert first.pattern.match("12 KILLED").group() == "12 KILLED"
    assert isinstance(first.pattern, re.Pattern) and second.pattern is first.pattern
    late = Holder(lazy)
    lazy.bind(late, "pattern")  # bound after compiling: replaced at once
    assert late.pattern is first.pattern


def test_compile_all_leaves_no_rule_pattern_uncompiled():
    """extract.load_rules compiles everything before workers fork, so that they share it."""
    from figures.claims import LazyPattern, compile_all, load_rules

    compile_all()
    rules = load_rules()
    attributes = ("before", "after", "cue", "pattern", "starts", "requires")
    left = [(rule.id, name) for rule in (*rules.rules, *rules.phrases) for name in attributes
            if isinstance(getattr(rule, name, None), LazyPattern)]
    assert left == []


def test_a_rule_pattern_that_does_not_compile_names_its_rule():
    """Compiled at first use, a broken pattern in an edited rule file still says which rule it is."""
    import dataclasses
    import re

    from figures.claims import LazyPattern

    @dataclasses.dataclass(frozen=True, slots=True)
    class Rule:
        id: str
        after: object

    lazy = LazyPattern(re, r"(?:killed", 0)
    rule = Rule("killed.broken", lazy)
    lazy.bind(rule, "after")
    with pytest.raises(ValueError, match=r"measures\.yaml: the pattern of killed\.broken\.after does not compile"):
        rule.after.match("12 killed")
