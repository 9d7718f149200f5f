"""A foreign key from a table into itself is checked across batches, as frictionless checks it.

No schema of ours has one, so the package here is the fresh build with a table of our own added:
`sections`, whose `parent` names another section's `id` (empty for a top section).
"""

from __future__ import annotations

import csv
import json

import pytest
from frictionless import Package

from figures import validate
from figures.validate import validate_package

pytestmark = pytest.mark.usefixtures("small_table_batches")  # every test crosses batches

# id, parent: section 1 names the last section (a later batch), "+3" and " 7 " are integers
# as frictionless reads them; empty cells are top sections.
VALID = [("1", "12"), ("2", ""), ("3", "2"), ("4", "+3"), ("5", " 7 "), ("6", "1"), ("7", ""), ("8", "7"),
         ("9", "8"), ("10", "9"), ("11", "10"), ("12", "")]
# Rows 3 and 12 (CSV rows, header = row 1) name sections that do not exist; row 5 is not an integer.
INVALID = [(row[0], {"2": "99", "11": "0"}.get(row[0], row[1])) for row in VALID]
INVALID[3] = ("4", "three")
REFERENCES = {"named": {"resource": "sections", "fields": ["id"]}, "empty": {"resource": "", "fields": "id"},
              "omitted": {"fields": ["id"]}}


def add_sections(root, rows, reference) -> None:
    schema = {"fields": [{"name": "id", "type": "integer", "constraints": {"required": True}},
                         {"name": "parent", "type": "integer"},
                         {"name": "title", "type": "string"}],
              "primaryKey": ["id"],
              "foreignKeys": [{"fields": ["parent"], "reference": reference}]}
    (root / "schemas" / "sections.json").write_text(json.dumps(schema), encoding="utf-8")
    with (root / "data" / "sections.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["id", "parent", "title"])
        writer.writerows([number, parent, f"section {number}, long enough that a few rows fill a batch"]
                         for number, parent in rows)
    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"].append({"name": "sections", "type": "table", "path": "data/sections.csv",
                                    "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
                                    "schema": "schemas/sections.json"})
    (root / "datapackage.json").write_text(json.dumps(descriptor, indent=2), encoding="utf-8")


def frictionless_rows(root) -> set[int]:
    report = Package(str(root / "datapackage.json")).validate()
    return {e.row_number for task in report.tasks if task.name == "sections" for e in task.errors}


@pytest.mark.parametrize("form", REFERENCES)
def test_a_valid_self_reference_passes(package_copy, form):
    add_sections(package_copy, VALID, REFERENCES[form])
    assert validate_package(package_copy / "datapackage.json") == []
    assert frictionless_rows(package_copy) == set()


@pytest.mark.parametrize("size", [1, 400, validate.TABLE_BATCH])
@pytest.mark.parametrize("form", REFERENCES)
def test_an_unknown_parent_is_reported_at_its_row_in_any_batch(package_copy, monkeypatch, form, size):
    monkeypatch.setattr(validate, "TABLE_BATCH", size)
    add_sections(package_copy, INVALID, REFERENCES[form])
    problems = [str(p) for p in validate_package(package_copy / "datapackage.json") if p.resource == "sections"]
    assert problems == ["sections row 5 (id=4) field parent: 'three' is not a valid integer (coerce_dtype('Int64'))",
                        "sections row 3 (id=2) field parent: 99 not found in sections.id",
                        "sections row 12 (id=11) field parent: 0 not found in sections.id"]
    assert frictionless_rows(package_copy) == {3, 5, 12}


def test_the_cap_counts_every_batch(package_copy, monkeypatch):
    monkeypatch.setattr(validate, "MAX_REPORTED", 1)
    add_sections(package_copy, INVALID, REFERENCES["named"])
    problems = [str(p) for p in validate_package(package_copy / "datapackage.json") if "not found in" in p.message]
    assert problems == ["sections row 3 (id=2) field parent: 99 not found in sections.id"]


def test_a_foreign_key_of_several_fields_is_said_to_be_unchecked(package_copy):
    add_sections(package_copy, VALID, {"resource": "sections", "fields": ["id", "title"]})
    schema = json.loads((package_copy / "schemas" / "sections.json").read_text(encoding="utf-8"))
    schema["foreignKeys"][0]["fields"] = ["parent", "title"]
    (package_copy / "schemas" / "sections.json").write_text(json.dumps(schema), encoding="utf-8")
    assert [str(p) for p in validate_package(package_copy / "datapackage.json")] == [
        "sections field parent, title: a foreign key of several fields is not checked by figures validate"]
