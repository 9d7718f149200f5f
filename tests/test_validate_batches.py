"""Validation reads tables in batches: what it reports does not depend on where the batches split."""

from __future__ import annotations

import csv
import json

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from figures import validate
from figures.validate import key_hashes, validate_package
from test_validate import rewrite

pytestmark = pytest.mark.usefixtures("small_table_batches")  # every test crosses batches

SIZES = [1, 300, 700, validate.TABLE_BATCH]  # bytes per batch (1: a row a batch); the seed's claims: 11 rows, 1.9 kB


def report(package, monkeypatch, size: int) -> list[str]:
    monkeypatch.setattr(validate, "TABLE_BATCH", size)
    return [str(p) for p in validate_package(package / "datapackage.json")]


def break_many(rows):
    """Problems of every kind that spans batches: a duplicate across batches, a bad foreign key, a
    type error and an interval, all in later batches."""
    rows[9]["claim_id"] = rows[0]["claim_id"]
    rows[10]["claim_id"] = rows[0]["claim_id"]
    rows[6]["doc_id"] = "no-such-document"
    rows[5]["value"] = "seven hundred"
    rows[7]["low"], rows[7]["high"] = "900", "800"
    rows[8]["measure"] = "casualties"


def test_the_report_is_the_same_for_every_batch_size(package_copy, monkeypatch):
    rewrite(package_copy / "data" / "claims.csv", break_many)
    reports = {size: report(package_copy, monkeypatch, size) for size in SIZES}
    assert all(found == reports[SIZES[-1]] for found in reports.values()), reports
    text = "\n".join(reports[1])
    assert "claims row 11 (claim_id=" in text and "claims row 12 (claim_id=" in text
    assert "claims row 8 (claim_id=" in text and "'no-such-document' not found in documents.doc_id" in text


@pytest.mark.parametrize("size", SIZES)
def test_a_duplicate_split_across_batches_is_reported_at_its_second_row(package_copy, monkeypatch, size):
    rewrite(package_copy / "data" / "claims.csv", lambda rows: rows[9].update(claim_id=rows[1]["claim_id"]))
    problems = report(package_copy, monkeypatch, size)
    duplicates = [p for p in problems if "is a duplicate" in p]
    assert len(duplicates) == 1 and duplicates[0].startswith("claims row 11 (claim_id="), problems


@pytest.mark.parametrize("size", SIZES)
def test_a_bad_foreign_key_in_a_later_batch(package_copy, monkeypatch, size):
    rewrite(package_copy / "data" / "dates.csv", lambda rows: rows[6].update(doc_id="elsewhere"))
    problems = report(package_copy, monkeypatch, size)
    assert any(p.startswith("dates row 8 (date_id=") and "'elsewhere' not found in documents.doc_id" in p
               for p in problems), problems


def test_a_composite_key_repeated_across_batches(package_copy, monkeypatch):
    path = package_copy / "schemas" / "dates.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["primaryKey"] = ["doc_id", "date_id"]
    path.write_text(json.dumps(schema), encoding="utf-8")
    rewrite(package_copy / "data" / "dates.csv", lambda rows: rows[8].update(date_id=rows[0]["date_id"]))
    for size in SIZES:
        problems = [p for p in report(package_copy, monkeypatch, size) if "duplicate primary key" in p]
        assert len(problems) == 1 and problems[0].startswith("dates row 10 "), (size, problems)


def test_caps_count_every_batch(package_copy, monkeypatch):
    """MAX_REPORTED is per check, not per batch."""
    monkeypatch.setattr(validate, "MAX_REPORTED", 3)

    def bad_measures(rows):
        for row in rows:
            row["measure"] = "casualties"
    rewrite(package_copy / "data" / "claims.csv", bad_measures)
    problems = [p for p in report(package_copy, monkeypatch, 300) if "isin" in p]
    assert [p.split(" (")[0] for p in problems] == ["claims row 2", "claims row 3", "claims row 4"]


def test_hash_collisions_are_not_duplicates(package_copy, monkeypatch):
    """Keys whose hashes collide are compared by value before a duplicate is reported."""
    monkeypatch.setattr(validate, "key_hashes", lambda typed, key: key_hashes(typed, key) // 2 ** 62)  # 4 hashes
    assert report(package_copy, monkeypatch, 300) == []
    rewrite(package_copy / "data" / "claims.csv", lambda rows: rows[7].update(claim_id=rows[2]["claim_id"]))
    duplicates = [p for p in report(package_copy, monkeypatch, 300) if "duplicate" in p]
    assert len(duplicates) == 1 and duplicates[0].startswith("claims row 9 "), duplicates


@pytest.mark.parametrize("size", [1, 400, validate.TABLE_BATCH])
def test_batches_are_cut_at_row_ends(package_copy, monkeypatch, size):
    """A batch holds about TABLE_BATCH bytes of whole rows (at least one), rows numbered on."""
    monkeypatch.setattr(validate, "TABLE_BATCH", size)
    rewrite(package_copy / "data" / "claims.csv", lambda rows: rows[3].update(quote=rows[3]["quote"] + '\n"x"'))
    with (package_copy / "data" / "claims.csv").open(newline="", encoding="utf-8") as handle:
        n_rows = sum(1 for _ in csv.DictReader(handle))
    # one row per batch when a batch may hold 1 byte, all rows in one at the default size
    if size == 1:
        expected = lambda n: n == n_rows  # noqa: E731
    elif size == 400:
        expected = lambda n: 1 < n < n_rows  # noqa: E731
    else:
        expected = lambda n: n == 1  # noqa: E731
    seen = []
    batches = validate.PackageValidator.batches

    def counted(self, name, columns=None):
        for offset, raw in batches(self, name, columns):
            seen.append((name, offset, raw.height))
            yield offset, raw
    monkeypatch.setattr(validate.PackageValidator, "batches", counted)
    problems = validate_package(package_copy / "datapackage.json")
    assert [p.row for p in problems] == [5], problems  # the quote with a line break and quotes in it
    claims = [(offset, height) for name, offset, height in seen if name == "claims"]
    assert expected(len(claims)) and all(height >= 1 for _, height in claims), claims
    assert [offset for offset, _ in claims] == [sum(height for _, height in claims[:i]) for i in range(len(claims))]
    assert sum(height for _, height in claims) == n_rows


def test_an_unparsable_later_batch_is_reported_alone(package_copy, monkeypatch):
    path = package_copy / "data" / "claims.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[9] += ",extra"
    path.write_text("\n".join(lines), encoding="utf-8")
    problems = validate.PackageValidator(package_copy / "datapackage.json")
    monkeypatch.setattr(validate, "TABLE_BATCH", 300)
    found = problems.run()
    assert [p.resource for p in found] == ["claims"] and "row 10 has 18 cells" in found[0].message, found


def test_key_hashes_ignore_empty_cells_of_one_field_keys():
    frame = pl.DataFrame({"a": ["x", None, "x"], "b": [1, 2, 1]})
    single = key_hashes(frame, ("a",)).to_list()
    assert single[0] == single[2] and single[1] is None
    pair = key_hashes(frame, ("a", "b")).to_list()
    assert pair[0] == pair[2] != pair[1]


CELLS = st.text(alphabet='a,"\n\r é', max_size=6)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(CELLS, min_size=2, max_size=2), max_size=8), st.integers(1, 40))
def test_blocks_read_as_the_whole_file(tmp_path_factory, rows, size):
    """Cut into blocks of any size, a CSV written by Python's csv module reads as it reads whole."""
    path = tmp_path_factory.mktemp("blocks") / "t.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows([["x", "y"], *rows])
    whole = pl.read_csv(path, infer_schema=False, null_values=[""])
    parts = [pl.read_csv(block, infer_schema=False, null_values=[""]) for block in validate.csv_blocks(path, size)]
    assert pl.concat([whole.clear(), *parts]).rows() == whole.rows()
