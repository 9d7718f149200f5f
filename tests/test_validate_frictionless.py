"""`figures validate` reports the rows frictionless reports, types cells by frictionless' rules,
matches patterns as Python's re does, and compares quotes right in any row order and batch size."""

from __future__ import annotations

import json
import re
import shutil

import polars as pl
import pytest
from frictionless import Package, fields
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import SEED
from figures import validate
from figures.pipeline import extract
from figures.validate import matches, not_repeated, rust_pattern, typed_column, validate_package
from test_validate import rewrite

pytestmark = pytest.mark.usefixtures("small_table_batches")  # every test crosses batches


def setter(row, field, value):
    def change(rows):
        rows[row][field] = rows[row - 1][field] if value is None else value
    return change


# resource, data row index (0 = CSV row 2), field, bad value (None: the previous row's value)
CORRUPTIONS = {
    "enum": ("claims", 3, "measure", "casualties"),
    "nullable enum": ("claims", 0, "review", "maybe"),
    "integer": ("claims", 4, "start", "12x"),
    "integer with a decimal point": ("claims", 2, "end", "1374.0"),
    "number": ("claims", 5, "value", "seven hundred"),
    "nullable number": ("claims", 5, "high", "1,000"),
    "duplicate primary key": ("claims", 6, "claim_id", None),
    "foreign key": ("claims", 7, "doc_id", "no-such-document"),
    "pattern": ("claims", 1, "claim_id", "no-offsets"),
    "required": ("claims", 8, "rule", ""),
    "minimum": ("claims", 9, "sentence_start", "-5"),
    "date": ("documents", 0, "published", "2020-13-01"),
    "nullable integer": ("casualties", 0, "killed_high", "many"),
    "enum of dates": ("dates", 2, "precision", "week"),
    "date pattern": ("dates", 3, "date", "2020-1"),
    # Forms frictionless accepts: no row may be reported.
    "integer with spaces and a sign": ("claims", 4, "sentence_end", " +0999 "),
    "number with an exponent": ("claims", 5, "low", "1e2"),
}


def frictionless_rows(package) -> dict[str, set[int]]:
    report = Package(str(package / "datapackage.json")).validate()
    return {task.name: {e.row_number for e in task.errors if getattr(e, "row_number", None)} for task in report.tasks}


@pytest.mark.parametrize("case", CORRUPTIONS, ids=list(CORRUPTIONS))
def test_each_corruption_is_reported_at_the_rows_frictionless_reports(package_copy, case):
    resource, row, field, value = CORRUPTIONS[case]
    rewrite(package_copy / "data" / f"{resource}.csv", setter(row, field, value))
    theirs = frictionless_rows(package_copy)[resource]
    ours = {p.row for p in validate_package(package_copy / "datapackage.json")
            if p.resource == resource and p.field == field}
    assert ours == theirs, f"{case}: figures {sorted(ours)}, frictionless {sorted(theirs)}"
    assert ours == (set() if case.startswith(("integer with spaces", "number with")) else {row + 2})


def frictionless_value(kind: str, cell: str):
    value, notes = getattr(fields, f"{kind.title()}Field")(name="x").read_cell(cell)
    if notes or kind != "number":
        return None if notes else value
    return float("nan") if value.is_snan() else float(value)


CELLS = st.text(alphabet="0123456789+-. eE_nafiINs\t٣x:", max_size=8).filter(bool)


@settings(max_examples=300, deadline=None)
@given(st.lists(CELLS, min_size=1, max_size=20), st.sampled_from(["integer", "number", "date"]))
def test_cells_are_typed_by_frictionless_rules(cells, kind):
    cells = cells + ["sNaN", "-Infinity", " 1_000 ", "\u0663", "9" * 19, "1e400", "2020-02-29", "2021-02-29", "2020-1-5"]
    typed, bad = typed_column(pl.Series(cells, dtype=pl.String), kind)
    expected = [frictionless_value(kind, cell) for cell in cells]
    if kind == "integer":  # the one documented difference: no integers beyond 64 bits
        expected = [None if v is not None and not -2**63 <= v < 2**63 else v for v in expected]
    assert sorted(bad.tolist()) == [i for i, v in enumerate(expected) if v is None]
    for got, want in zip(typed.to_list(), expected):
        if want is not None:
            assert got == want or (got != got and want != want), (cells, got, want)  # NaN is NaN


PATTERNS = [r"\S+:\d+-\d+", r"\S+( \S+)*", r"\d{4}(-\d{2}(-\d{2})?)?", r"[0-9a-f]{64}", r"\S+:i\d+",
            r"a.c|[^x]\w?", r"[\s\d]+", r"\D\W*?", r"(?=a)a", r"(a)\1", r"(?i)ab", r"a$", r"x{,2}"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="ab cx:-0159\t\x0b\x1c\n\u00a0\u2009\u0663\u00e9f", max_size=8), min_size=1, max_size=10),
       st.sampled_from(PATTERNS))
def test_patterns_match_as_pythons_re_fullmatch(cells, pattern):
    got = matches(pl.Series(cells, dtype=pl.String), pattern).to_list()
    assert got == [re.fullmatch(pattern, cell) is not None for cell in cells], (pattern, cells)


def test_patterns_outside_the_translated_subset_are_left_to_python():
    assert rust_pattern(r"\S+:\d+-\d+") is not None
    for pattern in (r"(?=a)a", r"(a)\1", r"(?i)ab", r"a$", r"\bword"):
        assert rust_pattern(pattern) is None, pattern


def test_not_repeated_marks_second_and_later_occurrences():
    cells = pl.Series(["a", "b", None, "a", None, "c", "a"], dtype=pl.String)
    assert not_repeated(cells).to_list() == [True, True, None, False, None, True, False]
    assert not_repeated(pl.Series(["a", None, "b"], dtype=pl.String)).to_list() == [True, None, True]


def test_composite_primary_key_duplicates_are_reported(package_copy):
    path = package_copy / "schemas" / "dates.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["primaryKey"] = ["doc_id", "date_id"]
    path.write_text(json.dumps(schema), encoding="utf-8")
    assert validate_package(package_copy / "datapackage.json") == []
    rewrite(package_copy / "data" / "dates.csv", setter(4, "date_id", None))
    problems = [p for p in validate_package(package_copy / "datapackage.json") if "duplicate primary key" in p.message]
    assert [p.row for p in problems] == [6], problems


@pytest.fixture(scope="module")
def three_documents(tmp_path_factory):
    """A package of three documents whose claims rows are then stored in reverse order."""
    folder = tmp_path_factory.mktemp("three")
    text = SEED.read_text(encoding="utf-8")
    inputs = []
    for n, prefix in enumerate(("", "Breaking: ", "Update \u2014 ")):
        path = folder / "in" / f"doc{n}.txt"
        path.parent.mkdir(exist_ok=True)
        path.write_text(prefix + text, encoding="utf-8")
        inputs.append(path)
    out = folder / "out"
    extract(inputs, out, jobs=1)
    rewrite(out / "data" / "claims.csv", lambda rows: rows.reverse())
    return out


@pytest.mark.parametrize("text_batch,row_batch,quote_chars", [(10**9, 10**6, 10**9), (1, 3, 10**9), (10**9, 10**6, 12)],
                         ids=["one batch", "tiny batches", "few characters a batch"])
def test_quotes_are_compared_in_any_row_order_and_batch_size(three_documents, tmp_path, monkeypatch, text_batch, row_batch,
                                                            quote_chars):
    monkeypatch.setattr(validate, "TEXT_BATCH", text_batch)
    monkeypatch.setattr(validate, "ROW_BATCH", row_batch)
    monkeypatch.setattr(validate, "QUOTE_CHARS", quote_chars)
    assert validate_package(three_documents / "datapackage.json") == []
    claims = (three_documents / "data" / "claims.csv").read_text(encoding="utf-8")
    copy = tmp_path / "pkg"
    shutil.copytree(three_documents, copy)

    def edit(rows):
        for row in rows[5::7]:  # rows of every document, in several batches
            row["quote"] = row["quote"][:-1] + ("X" if row["quote"][-1] != "X" else "Y")
    rewrite(copy / "data" / "claims.csv", edit)
    expected = list(range(7, claims.count("\n") + 1, 7))
    found = [p.row for p in validate_package(copy / "datapackage.json") if p.field == "quote"]
    assert found == expected


@pytest.mark.parametrize("damage,where", [
    (lambda text: "\n".join(line + ",extra" * (n == 3) for n, line in enumerate(text.split("\n"))),
     "row 4 has 18 cells, the header 17"),
    (lambda text: text.replace("crowd", "cr\udcffowd", 1), "not UTF-8 at byte"),
], ids=["a row with a cell too many", "not UTF-8"])
def test_unreadable_csv_is_reported_with_where(package_copy, damage, where):
    path = package_copy / "data" / "claims.csv"
    path.write_bytes(damage(path.read_text(encoding="utf-8")).encode("utf-8", "surrogateescape"))
    problems = validate_package(package_copy / "datapackage.json")
    assert [p.resource for p in problems] == ["claims"], problems
    assert "cannot read resource" in problems[0].message and where in problems[0].message, problems
    assert "\n" not in problems[0].message
