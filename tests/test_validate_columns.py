"""Each schema check of validate.py reports the row and field, in the words of pandera's check names."""

from __future__ import annotations

import pytest

from figures.validate import _all_match, validate_package
from test_validate import rewrite

pytestmark = pytest.mark.usefixtures("small_table_batches")  # every test crosses batches


def set_cell(resource, row, field, value):
    def change(rows):
        rows[row][field] = value
    return resource, change, field


CASES = {
    "pattern": (set_cell("claims", 0, "claim_id", "no colon"), "str_matches"),
    "integer with a decimal point": (set_cell("claims", 1, "start", "1374.0"), "coerce_dtype('Int64')"),
    "negative offset": (set_cell("claims", 2, "sentence_start", "-3"), "greater_than_or_equal_to(0)"),
    "missing required": (set_cell("claims", 0, "rule", ""), "not_nullable"),
    "bad enum in a nullable field": (set_cell("claims", 0, "review", "maybe"), "isin"),
    "bad date": (set_cell("documents", 0, "published", "2020-13-01"), "not a YYYY-MM-DD date"),
    "bad nullable integer": (set_cell("casualties", 0, "killed_high", "many"), "coerce_dtype('Int64')"),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_column_check_reports_row_and_field(package_copy, case):
    (resource, change, field), message = CASES[case]
    rewrite(package_copy / "data" / f"{resource}.csv", change)
    problems = validate_package(package_copy / "datapackage.json")
    assert any(p.resource == resource and p.field == field and message in p.message and p.row and p.row >= 2
               for p in problems), problems


def test_all_match_is_exact():
    assert _all_match(r"\S+:\d+-\d+", ["a:1-2", "b:3-4"])
    assert not _all_match(r"\S+:\d+-\d+", ["a:1-2", "b:3-x"])
    assert not _all_match(r"\S+( \S+)*", ["a b", "c\nd"])  # a cell with a line break: checked cell by cell
    assert not _all_match(r"a\s+b", ["a", "b"])  # a match across two cells does not count
