"""`figures validate` finds each corruption and names its table, row and field."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from figures.cli import main
from figures.validate import validate_package

pytestmark = pytest.mark.usefixtures("small_table_batches")  # every test crosses batches


def rewrite(path: Path, change) -> None:
    """Apply `change(rows)` to a CSV (rows as dicts), keeping its header and quoting."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        fields, rows = reader.fieldnames, list(reader)
    change(rows)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def first_with(rows, **where):
    return next(r for r in rows if all(r[k] == v for k, v in where.items()))


def test_fresh_build_is_valid(fresh_build):
    assert validate_package(fresh_build / "datapackage.json") == []


def edit_quote(rows):
    first_with(rows, quote="700")["quote"] = "701"


def unknown_measure(rows):
    rows[0]["measure"] = "casualties"


def missing_document(rows):
    rows[0]["doc_id"] = "no-such-document"


def duplicate_id(rows):
    rows[1]["claim_id"] = rows[0]["claim_id"]


def low_above_high(rows):
    row = first_with(rows, quote="700")
    row["low"], row["high"] = "900", "800"


def not_a_number(rows):
    rows[0]["value"] = "seven hundred"


CASES = [
    ("edited quote", edit_quote, "claims", "quote", "is not the document text"),
    ("unknown measure", unknown_measure, "claims", "measure", "isin"),
    ("missing document", missing_document, "claims", "doc_id", "not found in documents.doc_id"),
    ("duplicate claim id", duplicate_id, "claims", "claim_id", "field_uniqueness"),
    ("low above high", low_above_high, "claims", "low", "greater than"),
    ("value not a number", not_a_number, "claims", "value", "Float64"),
]


@pytest.mark.parametrize("name,change,resource,field,message", CASES, ids=[c[0] for c in CASES])
def test_corruption_is_reported_with_row_and_field(package_copy, name, change, resource, field, message):
    rewrite(package_copy / "data" / f"{resource}.csv", change)
    problems = validate_package(package_copy / "datapackage.json")
    matching = [p for p in problems if p.resource == resource and p.field == field and message in p.message]
    assert matching, f"{name}: expected a {resource}.{field} problem with {message!r}, got {problems}"
    assert all(p.row is not None and p.row >= 2 for p in matching)


def test_changed_seed_fails_its_sha256(package_copy):
    seed = package_copy / "seeds" / "000_679c7536310926e9.txt"
    seed.write_bytes(seed.read_bytes().replace(b"700", b"701"))
    problems = validate_package(package_copy / "datapackage.json")
    assert any(p.resource == "documents" and p.field == "sha256" and p.row == 2 for p in problems), problems


def test_incident_pointing_at_unknown_claim(package_copy):
    rewrite(package_copy / "data" / "casualties.csv",
            lambda rows: rows[0].update(claim_ids=rows[0]["claim_ids"] + " nowhere:1-2"))
    problems = validate_package(package_copy / "datapackage.json")
    assert any(p.resource == "casualties" and p.field == "claim_ids" and "nowhere:1-2" in p.message for p in problems)


def test_header_mismatch(package_copy):
    path = package_copy / "data" / "dates.csv"
    path.write_text(path.read_text().replace("precision", "accuracy", 1))
    problems = validate_package(package_copy / "datapackage.json")
    assert any(p.resource == "dates" and "header" in p.message for p in problems)


def test_cli_exit_codes_and_report(package_copy, capsys):
    assert main(["validate", str(package_copy / "datapackage.json")]) == 0
    rewrite(package_copy / "data" / "claims.csv", edit_quote)
    assert main(["validate", str(package_copy / "datapackage.json")]) == 1
    err = capsys.readouterr().err
    assert "claims row" in err and "field quote" in err and "'701'" in err
    assert "Traceback" not in err


def negative_count(rows):
    rows[0]["sentence_start"] = "-5"


def missing_required(rows):
    rows[0]["rule"] = ""


def bad_claim_id(rows):
    rows[0]["claim_id"] = "no-offsets"


MORE_CASES = [
    ("negative offset", negative_count, "claims", "sentence_start", "out of range"),
    ("missing required", missing_required, "claims", "rule", "required value is missing"),
    ("claim id pattern", bad_claim_id, "claims", "claim_id", "does not match the pattern"),
]


@pytest.mark.parametrize("name,change,resource,field,message", MORE_CASES, ids=[c[0] for c in MORE_CASES])
def test_more_corruptions_are_reported_readably(package_copy, name, change, resource, field, message):
    test_corruption_is_reported_with_row_and_field(package_copy, name, change, resource, field, message)


def test_report_lines_name_resource_row_key_and_field(package_copy, capsys):
    def break_everything(rows):
        edit_quote(rows)
        unknown_measure(rows)
        duplicate_id(rows)
    rewrite(package_copy / "data" / "claims.csv", break_everything)
    assert main(["validate", str(package_copy / "datapackage.json")]) == 1
    lines = capsys.readouterr().err.strip().splitlines()[1:]
    assert lines and all(line.strip().startswith(("claims row ", "casualties row ")) and " field " in line for line in lines), lines
    text = "\n".join(lines)
    assert "'casualties' is not an allowed value (isin: one of killed, wounded" in text
    assert "is a duplicate" in text and "(claim_id=" in text


def test_changed_seed_message_says_what_to_do(package_copy, capsys):
    seed = package_copy / "seeds" / "000_679c7536310926e9.txt"
    seed.write_bytes(seed.read_bytes().replace(b"700", b"701"))
    assert main(["validate", str(package_copy)]) == 1
    err = capsys.readouterr().err
    assert "documents row 2 (doc_id=000_679c7536310926e9) field sha256:" in err and "rebuild" in err


def test_the_callers_polars_engine_is_restored(package_copy):
    """Validation runs polars on its in-memory engine and gives the caller's setting back, also
    when the package has problems."""
    import polars as pl

    rewrite(package_copy / "data" / "claims.csv", unknown_measure)
    expected = [str(p) for p in validate_package(package_copy / "datapackage.json")]
    assert any("isin" in line for line in expected)
    with pl.Config(engine_affinity="streaming"):
        assert [str(p) for p in validate_package(package_copy / "datapackage.json")] == expected
        assert pl.Config.state(if_set=True).get("POLARS_ENGINE_AFFINITY") == "streaming"
