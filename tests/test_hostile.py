"""Hostile text: adversarial sizes cannot hang the extractor, CSV cells round-trip exactly, and
random text and corpora never crash the pipeline or break provenance (hypothesis)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import textwrap
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REPO
from figures.cli import main
from figures.documents import make_document, read_corpus
from figures.errors import InputError
from figures.extract import extract_document
from figures.validate import validate_package

pytestmark = pytest.mark.usefixtures("small_table_batches")  # every test crosses batches

MB = 1_000_000
# Inputs built to make a backtracking regex take quadratic (or worse) time.
ADVERSARIAL = {
    "digits and commas": "'1234567890,' * (MB // 11)",
    "1,1,1,": "'1,1,1,' * (MB // 6)",
    "digits, no separators": "'7' * MB",
    "number words": "'one hundred and twenty thousand ' * (MB // 32)",
    "spaces": "' ' * MB",
    "one huge line of claims": "'killed 12 people and wounded 30, ' * (MB // 33)",
    "no full stops": "'at least some of the dozens of ' * (MB // 31)",
    "dots and digits": "'1.' * (MB // 2)",
    "date header then digits": "' date 2020-01-01 ' + '9,' * (MB // 2)",
}


@pytest.mark.parametrize("expression", ADVERSARIAL.values(), ids=ADVERSARIAL.keys())
def test_adversarial_input_does_not_hang(expression):
    """A hang detector, not a speed test: 1 MB of each must finish well inside 60 s."""
    code = textwrap.dedent(f"""
        from figures.documents import make_document
        from figures.extract import extract_document
        MB = {MB}
        text = {expression}
        rows = extract_document(make_document("adv", text.encode("utf-8"), "adversarial"))
        for row in rows["claims"]:
            assert text[row["start"]:row["end"]] == row["quote"]
    """)
    try:
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                                env={"PYTHONPATH": str(REPO / "scripts"), "PATH": ""})
    except subprocess.TimeoutExpired:
        pytest.fail(f"extraction of {expression} took over 60 s: a pattern backtracks catastrophically")
    assert result.returncode == 0, result.stderr[-2000:]


HOSTILE_TEXT = (
    'He said "12 people were killed, 30 wounded" at 10 a.m.\n'
    "=HYPERLINK(\"http://evil.test\",\"5 people\") were arrested, '+3 more' said @police;\r\n"
    "-7 degrees; 4,000 marched, \"quoted\"\r and \"\"doubled\"\" 8 soldiers were killed.\n\n"
    "Tabs\t9 wounded\u2028and 11 killed\u0085 then 13 injured\x0b, 14 missing.\n"
)


def read_rows(path):
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_hostile_cells_round_trip_exactly(tmp_path, suffix):
    corpus = tmp_path / f"corpus{suffix}"
    texts = {"q1": HOSTILE_TEXT, "q,2": HOSTILE_TEXT[::-1] + " 15 killed", '"q3"': "=1+2 " + HOSTILE_TEXT,
             "q4": "A fine of $\r12 was paid."}  # a bare carriage return inside a claim's quote
    if suffix == ".csv":
        with corpus.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["id", "text", "title"])
            writer.writerows([doc_id, text, "=cmd|' /C calc'!A0"] for doc_id, text in texts.items())
    else:
        corpus.write_text("".join(json.dumps({"id": k, "text": v}) + "\n" for k, v in texts.items()))
    out = tmp_path / "out"
    assert main(["extract", str(corpus), "-o", str(out), "--quiet"]) == 0
    claims = read_rows(out / "data" / "claims.csv")
    assert len(claims) >= 6
    assert any("\r" in row["quote"] for row in claims)
    for row in claims:
        assert texts[row["doc_id"]][int(row["start"]):int(row["end"])] == row["quote"]
    assert {r["doc_id"] for r in read_rows(out / "data" / "documents.csv")} == set(texts)
    assert main(["validate", str(out), "--quiet"]) == 0
    from frictionless import Package

    report = Package(str(out / "datapackage.json")).validate()
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "type", "note"])


# ---- fuzzing -------------------------------------------------------------------------------

# Text as news looks when it goes wrong: digits, number words, separators, line breaks, quotes,
# formulas and any other Unicode character.
_PIECES = st.sampled_from([
    "12", "1,000", "3.5", "700", " ", "  ", "\n", "\r\n", "\r", "\t", ",", ".", '"', "'", "=", "+", "-",
    "@", "killed", "wounded", "people", "at least", "hundreds of", "thousands", "one", "dozen", " date ",
    "2020-01-02", "\ufeff", "\u2028", "\x85", "\x0b", "%", "$", "km", "and", "or", "(", ")",
])
TEXT = st.lists(st.one_of(_PIECES, st.text(max_size=8)), max_size=40).map("".join)
FUZZ = settings(max_examples=75, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                      HealthCheck.function_scoped_fixture])


def _allowed_error(exc: InputError) -> bool:
    return any(s in exc.message for s in ("NUL character", "lone surrogate", "date header"))


@FUZZ
@given(text=TEXT)
def test_random_text_never_crashes_and_keeps_provenance(text):
    try:
        doc = make_document("fuzz", text.encode("utf-8", "surrogatepass"), "fuzz")
    except InputError as exc:
        assert _allowed_error(exc), exc.message
        return
    rows = extract_document(doc)
    for name in ("claims", "casualties", "dates"):
        for row in rows[name]:
            assert 0 <= row["start"] < row["end"] <= len(text)
            assert doc.text[row["start"]:row["end"]] == row["quote"]
    for row in rows["claims"]:
        assert row["low"] is None or row["high"] is None or row["low"] <= row["high"]


IDS = st.text(alphabet=st.characters(blacklist_categories=["Zs", "Zl", "Zp", "Cc", "Cs"]), min_size=1, max_size=12)


@FUZZ
@given(rows=st.lists(st.tuples(IDS, TEXT), min_size=1, max_size=4, unique_by=lambda r: r[0]),
       suffix=st.sampled_from([".csv", ".jsonl"]))
def test_random_corpus_round_trips_through_extract_and_validate(tmp_path_factory, rows, suffix):
    folder = tmp_path_factory.mktemp("fuzz")
    corpus = folder / f"corpus{suffix}"
    if suffix == ".csv":
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer)
        writer.writerow(["id", "text"])
        writer.writerows(rows)
        corpus.write_text(buffer.getvalue(), encoding="utf-8", newline="")
    else:
        corpus.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in rows), encoding="utf-8")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = {d.doc_id: d.text for d in read_corpus(corpus)}
    except InputError as exc:
        assert _allowed_error(exc) or "nothing to extract" in exc.message, exc.message
        return
    out = folder / "out"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert main(["extract", str(corpus), "-o", str(out), "--quiet"]) == 0
    assert validate_package(out / "datapackage.json") == []
    for row in read_rows(out / "data" / "claims.csv"):
        assert expected[row["doc_id"]][int(row["start"]):int(row["end"])] == row["quote"]
    assert [r["doc_id"] for r in read_rows(out / "data" / "documents.csv")] == list(expected)
