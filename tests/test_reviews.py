"""Reviewed overrides (seeds/reviews.yaml, `--reviews FILE`): applied, recorded, checked."""

from __future__ import annotations

import csv
import json
import shutil
import textwrap
from pathlib import Path

import pytest

from conftest import REPO, copy_repo_inputs
from figures import parallel, validate
from figures.cli import main
from figures.errors import InputError
from figures.pipeline import build, extract
from figures.validate import validate_package

pytestmark = pytest.mark.usefixtures("small_table_batches")  # every test crosses batches

# Two incidents: i1 rests on three claims in two sentences (12 killed and 30 wounded, then "at
# least 14" killed), i2 on one ("two" soldiers); plus a crowd claim.
ARTICLE = (" date 2021-03-01 Gunmen killed 12 people and wounded 30 in Kirkuk on Monday. Police later said "
           "at least 14 people were killed. In a separate attack, a bomb killed two soldiers on Tuesday. "
           "About 5,000 people marched in Baghdad on Friday.\n")
TWELVE, THIRTY, FOURTEEN, TWO, CROWD = "a:31-33", "a:53-55", "a:95-106", "a:163-166", "a:188-199"


def read(folder: Path, name: str) -> dict[str, dict]:
    """A table of a package as {id: row}."""
    with (folder / "data" / f"{name}.csv").open(newline="", encoding="utf-8") as handle:
        return {row[next(iter(row))]: row for row in csv.DictReader(handle)}


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def write_reviews(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


@pytest.fixture
def article(tmp_path) -> Path:
    path = tmp_path / "a.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def unreviewed(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("unreviewed")
    (folder / "a.txt").write_text(ARTICLE, encoding="utf-8")
    extract([folder / "a.txt"], folder / "out", jobs=1)
    return folder / "out"


def reviewed(article: Path, reviews: str) -> Path:
    """The article extracted with the given reviews file; the package must validate."""
    out = article.parent / "out"
    extract([article], out, jobs=1, reviews=write_reviews(article.parent / "reviews.yaml", reviews))
    assert validate_package(out / "datapackage.json") == []
    return out


def test_the_article_extracts_as_these_tests_assume(unreviewed):
    claims, incidents = read(unreviewed, "claims"), read(unreviewed, "casualties")
    assert list(claims) == [TWELVE, THIRTY, FOURTEEN, TWO, CROWD]
    assert incidents["a:i1"]["claim_ids"] == f"{TWELVE} {THIRTY} {FOURTEEN}"
    assert (incidents["a:i1"]["killed"], incidents["a:i1"]["killed_low"], incidents["a:i1"]["killed_high"]) == ("14", "12", "")
    assert incidents["a:i2"]["claim_ids"] == TWO
    assert not (unreviewed / "data" / "reviews.csv").exists()  # no reviews file, no reviews table


def test_confirm_marks_the_row_and_changes_nothing_else(article, unreviewed):
    out = reviewed(article, f"""
        reviews:
          - id: {TWELVE}
            action: confirm
            note: the text says "killed 12 people"
        """)
    claims, before = read(out, "claims"), read(unreviewed, "claims")
    assert (claims[TWELVE]["review"], claims[TWELVE]["review_note"]) == ("confirmed", 'the text says "killed 12 people"')
    assert {k: v for k, v in claims[TWELVE].items() if not k.startswith("review")} == \
        {k: v for k, v in before[TWELVE].items() if not k.startswith("review")}
    assert read(out, "casualties") == read(unreviewed, "casualties")  # a confirmation recomputes nothing
    entry = read(out, "reviews")[TWELVE]
    assert (entry["action"], entry["quote"], entry["start"], entry["end"], entry["changes"]) == ("confirm", "12", "31", "33", "")


def test_correct_sets_fields_records_them_and_recomputes_the_incident(article):
    out = reviewed(article, f"""
        reviews:
          - id: {TWELVE}
            action: correct
            set: {{value: 13, low: 13, high: 13}}
            note: the agency's later wire says 13
        """)
    claim = read(out, "claims")[TWELVE]
    assert (claim["value"], claim["low"], claim["high"], claim["quote"]) == ("13", "13", "13", "12")
    assert (claim["review"], claim["review_note"]) == ("corrected", "the agency's later wire says 13")
    incident = read(out, "casualties")["a:i1"]
    assert (incident["killed"], incident["killed_low"], incident["killed_high"]) == ("14", "13", "")  # "at least 14" is best
    assert incident["review"] == "recomputed" and f"{TWELVE} (corrected)" in incident["review_note"]
    assert json.loads(read(out, "reviews")[TWELVE]["changes"]) == {"value": 13, "low": 13, "high": 13}


def test_reject_drops_the_claim_from_claims_and_from_its_incident(article):
    out = reviewed(article, f"""
        reviews:
          - id: {FOURTEEN}
            action: reject
            note: police figure for the whole week, not this attack
        """)
    assert FOURTEEN not in read(out, "claims")
    incident = read(out, "casualties")["a:i1"]
    assert incident["claim_ids"] == f"{TWELVE} {THIRTY}"
    assert (incident["killed"], incident["killed_low"], incident["killed_high"]) == ("12", "12", "12")
    assert (incident["start"], incident["end"], incident["quote"]) == ("31", "55", ARTICLE[31:55])
    assert incident["victims"] == ""  # "people" was the subject of the rejected claim
    assert incident["review"] == "recomputed" and f"{FOURTEEN} (rejected)" in incident["review_note"]
    entry = read(out, "reviews")[FOURTEEN]
    assert (entry["action"], entry["quote"]) == ("reject", "at least 14")


def test_reject_and_correct_incidents(article, unreviewed):
    out = reviewed(article, """
        reviews:
          - id: a:i1
            action: correct
            set: {location: Kirkuk city, perpetrator: gunmen, date: 2021-03-01}
            note: the gunmen are the perpetrators named in the first sentence
          - id: a:i2
            action: reject
            note: a separate bombing reported without a source; not counted
        """)
    incidents = read(out, "casualties")
    assert list(incidents) == ["a:i1"]
    assert TWO in read(out, "claims")  # rejecting an incident keeps its claims
    i1 = incidents["a:i1"]
    assert (i1["location"], i1["perpetrator"], i1["date"], i1["review"]) == ("Kirkuk city", "gunmen", "2021-03-01", "corrected")
    assert i1["killed"] == read(unreviewed, "casualties")["a:i1"]["killed"]


def test_recomputing_with_no_real_change_reproduces_the_extracted_incident(article, unreviewed):
    """The recomputation uses the extractor's own rules: a correction that changes no figure changes no figure."""
    out = reviewed(article, f"""
        reviews:
          - id: {TWELVE}
            action: correct
            set: {{unit: person}}
            note: unit checked
        """)
    after, before = read(out, "casualties")["a:i1"], read(unreviewed, "casualties")["a:i1"]
    assert after["review"] == "recomputed"
    assert {k: v for k, v in after.items() if not k.startswith("review")} == \
        {k: v for k, v in before.items() if not k.startswith("review")}


def test_an_incident_left_without_claims_is_dropped_and_cannot_be_reviewed(article):
    out = reviewed(article, f"""
        reviews:
          - id: {TWO}
            action: correct
            set: {{measure: count, unit: soldier}}
            note: counts the soldiers on patrol, not the dead
        """)
    assert list(read(out, "casualties")) == ["a:i1"]
    with pytest.raises(InputError, match=r"reviews.yaml line 5: review of a:i2: the incident was dropped"):
        reviewed(article, f"""
            reviews:
              - id: {TWO}
                action: reject
                note: not a casualty figure
              - id: a:i2
                action: confirm
                note: checked
            """)


@pytest.mark.parametrize("resource_id,field", [(TWELVE, "start"), (TWELVE, "quote"), (TWELVE, "doc_id"),
                                               ("a:i1", "end"), ("a:i1", "incident_id")])
def test_correcting_provenance_is_refused(article, resource_id, field):
    reviews = write_reviews(article.parent / "reviews.yaml", f"""
        reviews:
          - id: {resource_id}
            action: correct
            set: {{{field}: 1}}
            note: moving the span
        """)
    with pytest.raises(InputError, match=rf"reviews.yaml line 2: review of {resource_id}: `{field}` cannot be "
                                         r"corrected: it is provenance"):
        extract([article], article.parent / "out", jobs=1, reviews=reviews)
    assert not (article.parent / "out").exists()


@pytest.mark.parametrize("field", ["rule", "claim_ids", "review", "sentence_start"])
def test_derived_fields_are_not_correctable(article, field):
    target = "a:i1" if field == "claim_ids" else TWELVE
    reviews = write_reviews(article.parent / "reviews.yaml", f"""
        reviews:
          - id: {target}
            action: correct
            set: {{{field}: x}}
            note: n
        """)
    with pytest.raises(InputError, match=rf"`{field}` is not a correctable field"):
        extract([article], article.parent / "out", jobs=1, reviews=reviews)


# --- bad reviews files in a build: one line, exit 2, data/ untouched ----------------------------

SEED_CLAIM = "000_679c7536310926e9:1374-1377"
BAD_FILES = {
    "not YAML": ("reviews:\n  - id: [unclosed\n", "line 3: not valid YAML"),
    "not a list": ("reviews: {id: x}\n", "`reviews` must be a list"),
    "top-level key": ("review:\n  - id: x\n", "expected a mapping with one key, `reviews`"),
    "unknown key": (f"reviews:\n  - id: {SEED_CLAIM}\n    action: confirm\n    notes: x\n", "line 2: entry 1 has an unknown key `notes`"),
    "key twice in set": (f"reviews:\n  - id: {SEED_CLAIM}\n    action: correct\n    set: {{value: 1, value: 2}}\n    note: x\n",
                         "line 2: entry 1 has `value` twice"),
    "missing action": (f"reviews:\n  - id: {SEED_CLAIM}\n    note: x\n", "`action` is missing"),
    "missing note": (f"reviews:\n  - id: {SEED_CLAIM}\n    action: confirm\n", "`note` is missing or empty"),
    "bad action": (f"reviews:\n  - id: {SEED_CLAIM}\n    action: approve\n    note: x\n", "action 'approve' is not one of confirm, correct, reject"),
    "bad id": ("reviews:\n  - id: claim-17\n    action: confirm\n    note: x\n", "neither a claim id"),
    "twice": (f"reviews:\n  - {{id: {SEED_CLAIM}, action: confirm, note: x}}\n  - {{id: {SEED_CLAIM}, action: confirm, note: y}}\n",
              "line 3: 000_679c7536310926e9:1374-1377 is reviewed twice (also at line 2)"),
    "set without correct": (f"reviews:\n  - {{id: {SEED_CLAIM}, action: confirm, set: {{value: 1}}, note: x}}\n",
                            "`set` is only for action correct"),
    "value as text": (f"reviews:\n  - {{id: {SEED_CLAIM}, action: correct, set: {{value: '700'}}, note: x}}\n",
                      "`value` '700' is not a number"),
    "measure not in vocabulary": (f"reviews:\n  - {{id: {SEED_CLAIM}, action: correct, set: {{measure: dead}}, note: x}}\n",
                                  "`measure` 'dead' is not one of killed"),
    "negative killed": ("reviews:\n  - {id: '000_679c7536310926e9:i1', action: correct, set: {killed: -1}, note: x}\n",
                        "`killed` -1 is below the minimum 0"),
    "value outside its bounds": (f"reviews:\n  - {{id: {SEED_CLAIM}, action: correct, set: {{value: 650}}, note: x}}\n",
                                 "after the correction low 700 is greater than value 650; also set low and high"),
    "bounds contradict": (f"reviews:\n  - {{id: {SEED_CLAIM}, action: correct, set: {{value: 5, low: 10, high: 20}}, note: x}}\n",
                          "after the correction low 10 is greater than value 5; fix the values in `set`"),
    "stale claim id": ("reviews:\n  - {id: '000_679c7536310926e9:1374-1378', action: confirm, note: x}\n",
                       "line 2: review of 000_679c7536310926e9:1374-1378: no such claim was extracted"),
    "stale incident id": ("reviews:\n  - {id: '000_679c7536310926e9:i7', action: reject, note: x}\n",
                          "no such incident was extracted (document 000_679c7536310926e9 has 2)"),
    "unknown document": ("reviews:\n  - {id: 'gone:1-2', action: reject, note: x}\n", "there is no document 'gone' among the inputs"),
}


@pytest.fixture(scope="module")
def built_root(tmp_path_factory) -> Path:
    root = copy_repo_inputs(tmp_path_factory.mktemp("built") / "repo")
    build(root, charts=False, jobs=1)
    return root


@pytest.mark.parametrize("case", BAD_FILES, ids=list(BAD_FILES))
def test_bad_reviews_file_is_one_line_exit_2_and_leaves_data(built_root, case, capsys):
    reviews = built_root / "seeds" / "reviews.yaml"
    good = reviews.read_bytes() if reviews.exists() else None
    before = snapshot(built_root)
    reviews.write_text(BAD_FILES[case][0], encoding="utf-8")
    try:
        code = main(["build", "--root", str(built_root), "--no-charts", "--jobs", "1", "--quiet"])
    finally:
        reviews.unlink() if good is None else reviews.write_bytes(good)
    err = capsys.readouterr().err
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert err.startswith(f"figures build: {reviews}") and BAD_FILES[case][1] in err, err
    assert snapshot(built_root) == before
    assert not list(built_root.glob(".figures-stage-*"))


# --- validation reads the reviews from the package alone ------------------------------------------

def rewrite(path: Path, change) -> None:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        fields, rows = reader.fieldnames, list(reader)
    rows = change(rows) or rows
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture
def reviewed_package(article) -> Path:
    return reviewed(article, f"""
        reviews:
          - {{id: {TWELVE}, action: confirm, note: checked}}
          - {{id: {CROWD}, action: correct, set: {{qualifier: vague, high: null}}, note: a rough estimate}}
          - {{id: {FOURTEEN}, action: reject, note: not this attack}}
          - {{id: a:i2, action: confirm, note: checked}}
        """)


def problems_of(package: Path) -> list[str]:
    return [str(p) for p in validate_package(package / "datapackage.json")]


def test_validate_fails_when_a_reviewed_claim_no_longer_exists(reviewed_package):
    rewrite(reviewed_package / "data" / "claims.csv", lambda rows: [r for r in rows if r["claim_id"] != TWELVE])
    rewrite(reviewed_package / "data" / "casualties.csv",
            lambda rows: [r for r in rows if TWELVE not in r["claim_ids"].split()])
    assert problems_of(reviewed_package) == [
        f"reviews row 2 (id={TWELVE}) field id: confirm of claim {TWELVE}: there is no such row in claims: the claim "
        "no longer exists; update or remove the entry in the reviews file and rebuild"]


def test_validate_fails_when_a_review_entry_points_at_a_missing_claim(reviewed_package):
    def add(rows):  # a well-formed entry (real span, real quote) for a claim that was never extracted
        rows.append({"id": "a:31-36", "doc_id": "a", "start": "31", "end": "36", "quote": ARTICLE[31:36],
                     "action": "correct", "changes": '{"value": 1}', "note": "n"})
    rewrite(reviewed_package / "data" / "reviews.csv", add)
    problems = problems_of(reviewed_package)
    assert len(problems) == 1 and "reviews row 6 (id=a:31-36) field id: correct of claim a:31-36: there is no such row" in problems[0]


def reject_undone(rows):  # claims rows: 12, 30, two, 5,000 (at least 14 was rejected)
    rows.insert(2, {**rows[1], "claim_id": FOURTEEN, "start": "95", "end": "106", "quote": "at least 14",
                    "review": "", "review_note": ""})


def status_changed(rows):
    rows[0]["review"] = "corrected"


def marked_without_entry(rows):
    rows[2].update(review="confirmed", review_note="x")


def correction_undone(rows):
    rows[3]["qualifier"] = "about"


@pytest.mark.parametrize("change,expected", [
    (reject_undone, f"reviews row 4 (id={FOURTEEN}) field id: claim {FOURTEEN} is rejected but still in claims"),
    (status_changed, f"reviews row 2 (id={TWELVE}) field id: claims row 2 ({TWELVE}) does not record this confirm"),
    (marked_without_entry, f"claims row 4 (claim_id={TWO}) field review: 'confirmed', but the reviews table has no "
                           f"confirm entry for {TWO}"),
    (correction_undone, f"reviews row 3 (id={CROWD}) field changes: claims row 5 ({CROWD}) has qualifier 'about', "
                        "not the corrected 'vague'"),
], ids=["rejected row back", "wrong status", "marked without entry", "correction undone"])
def test_validate_checks_rows_against_their_entries(reviewed_package, change, expected):
    rewrite(reviewed_package / "data" / "claims.csv", change)
    problems = problems_of(reviewed_package)
    assert any(p.startswith(expected) for p in problems), problems


@pytest.mark.parametrize("size", [1, 100, 200, 10 ** 6])
def test_validate_finds_reviewed_rows_in_any_batch(reviewed_package, monkeypatch, size):
    """The rows an entry names (claims row 5) and rows marked without entry (row 4) are found, and
    numbered, whichever batch of the table they are read in (sizes in bytes: 1 is a row a batch)."""
    monkeypatch.setattr(validate, "TABLE_BATCH", size)
    assert problems_of(reviewed_package) == []

    def both(rows):
        correction_undone(rows)
        marked_without_entry(rows)
    rewrite(reviewed_package / "data" / "claims.csv", both)
    assert problems_of(reviewed_package) == [
        f"reviews row 3 (id={CROWD}) field changes: claims row 5 ({CROWD}) has qualifier 'about', not the corrected 'vague'",
        f"claims row 4 (claim_id={TWO}) field review: 'confirmed', but the reviews table has no confirm entry for {TWO}"]


def test_validate_checks_the_quote_of_a_rejected_span(reviewed_package):
    rewrite(reviewed_package / "data" / "reviews.csv",
            lambda rows: [dict(r, quote="at least 41") if r["id"] == FOURTEEN else r for r in rows])
    assert any("reviews row 4" in p and "quote 'at least 41' is not the document text at 95:106" in p
               for p in problems_of(reviewed_package))


def test_frictionless_validates_a_package_with_reviews(reviewed_package):
    from frictionless import Package

    report = Package(str(reviewed_package / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    names = [r["name"] for r in json.loads((reviewed_package / "datapackage.json").read_text())["resources"]]
    assert names == ["documents", "claims", "casualties", "dates", "reviews"]
    assert (reviewed_package / "schemas" / "reviews.json").exists()


# --- builds: cache, jobs ------------------------------------------------------------------------

OUTPUTS = ("datapackage.json", "data/claims.csv", "data/casualties.csv", "data/reviews.csv")


def build_bytes(root: Path, **kwargs) -> dict[str, bytes]:
    build(root, charts=False, **kwargs)
    return {name: (root / name).read_bytes() if (root / name).exists() else None for name in OUTPUTS}


def test_cached_and_clean_builds_are_identical_and_follow_the_reviews_file(tmp_path, monkeypatch):
    root = copy_repo_inputs(tmp_path / "repo")
    first = build_bytes(root, jobs=1)  # fills the cache
    write_reviews(root / "seeds" / "reviews.yaml", f"""
        reviews:
          - {{id: '{SEED_CLAIM}', action: correct, set: {{value: 710, low: 710, high: 710}}, note: test}}
          - {{id: '000_679c7536310926e9:1391-1397', action: reject, note: test}}
        """)
    extracted = []
    real = parallel.extract_batch
    monkeypatch.setattr(parallel, "extract_batch", lambda docs, *a: extracted.extend(docs) or real(docs, *a))
    cached = build_bytes(root, jobs=1)
    assert extracted == []  # the cache keeps the rows as extracted; reviews are applied after it
    assert cached != first and b"710" in cached["data/claims.csv"] and b"1391-1397" not in cached["data/claims.csv"]
    clean = tmp_path / "clean"
    shutil.copytree(root / "seeds", clean / "seeds")
    shutil.copytree(root / "schemas", clean / "schemas")
    assert build_bytes(clean, cache=False, jobs=1) == cached


def test_parallel_extract_with_reviews_is_byte_identical(tmp_path, monkeypatch):
    from test_scale import generated_corpus, package_bytes

    corpus = generated_corpus(tmp_path / "corpus.jsonl", n=8)
    reviews = write_reviews(tmp_path / "reviews.yaml", """
        reviews:
          - {id: 'gen-0001:i1', action: confirm, note: checked}
          - {id: 'gen-0005:1374-1377', action: reject, note: test}
          - {id: 'gen-0007:1391-1397', action: correct, set: {value: 1, low: 1, high: 1}, note: test}
        """)
    extract([corpus], tmp_path / "serial", jobs=1, reviews=reviews)
    monkeypatch.setattr(parallel, "BATCH_DOCS", 2)
    assert main(["extract", str(corpus), "-o", str(tmp_path / "parallel"), "--jobs", "2",
                 "--reviews", str(reviews), "--quiet"]) == 0
    assert package_bytes(tmp_path / "parallel") == package_bytes(tmp_path / "serial")
    assert len(read(tmp_path / "serial", "reviews")) == 3


def test_the_seed_review_is_a_confirmation_of_the_suppression_toll():
    """The one committed entry: it reviews the 700 killed / 20,000 wounded incident and changes no figure."""
    text = (REPO / "seeds" / "reviews.yaml").read_text(encoding="utf-8")
    assert "id: 000_679c7536310926e9:i1\n    action: confirm" in text
    row = read(REPO, "casualties")["000_679c7536310926e9:i1"]
    assert (row["killed"], row["wounded"], row["review"]) == ("700", "20000", "confirmed")



@pytest.mark.parametrize("text, before, after", [
    # "a further 6" reads as more victims: 20 + 6, then 21 + 6 after the correction
    ("Gunmen executed 20 prisoners in Kirkuk. A further 6 people were executed later.", "26", "27"),
    # "bringing the death toll to 24" stands for its sentence, before and after the correction
    ("A bus bomb killed 20 people in Kirkuk. Four of the wounded died overnight, bringing the death toll "
     "to 24.", "24", "24"),
], ids=["more victims", "running total"])
def test_a_recomputed_incident_reads_its_claims_as_extraction_does(tmp_path, text, before, after):
    """Recomputing an incident after a review combines its claims as extraction did."""
    path = tmp_path / "t.txt"
    path.write_text(f" date 2021-03-01 {text}\n", encoding="utf-8")
    extract([path], tmp_path / "plain", jobs=1)
    assert read(tmp_path / "plain", "casualties")["t:i1"]["killed"] == before
    twenty = next(i for i, row in read(tmp_path / "plain", "claims").items() if row["quote"] == "20")
    out = reviewed(path, f"""
        reviews:
          - id: {twenty}
            action: correct
            set: {{value: 21, low: 21, high: 21}}
            note: a later count
        """)
    incident = read(out, "casualties")["t:i1"]
    assert (incident["killed"], incident["review"]) == (after, "recomputed")
