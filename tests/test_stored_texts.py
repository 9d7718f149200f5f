"""Texts that `figures extract` copies are stored one after another in texts/part-NNNNN.txt:
each documents row finds its bytes by path, byte_offset and n_bytes, and validation checks them."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from figures import package
from figures.pipeline import extract
from figures.validate import validate_package

# Our own short articles: one repeated under two ids, one not ASCII.
ARTICLES = [
    ("a", "Gunmen killed 4 guards at the depot on Monday."),
    ("b", "Some 2,000 people marched through the old town."),
    ("c", "Gunmen killed 4 guards at the depot on Monday."),
    ("d", "Police detained 12 people near the café in Zürich."),
]


def corpus(path: Path) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for doc_id, text in ARTICLES:
            handle.write(json.dumps({"id": doc_id, "text": text}, ensure_ascii=False) + "\n")
    return path


def documents(out: Path) -> list[dict]:
    with (out / "data" / "documents.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def write_documents(out: Path, rows: list[dict]) -> None:
    with (out / "data" / "documents.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture
def extracted(tmp_path) -> Path:
    out = tmp_path / "out"
    extract([corpus(tmp_path / "c.jsonl")], out, jobs=1)
    return out


def test_texts_are_stored_one_after_another_and_found_by_offset(extracted):
    assert sorted(p.name for p in (extracted / "texts").iterdir()) == ["part-00001.txt"]
    part = (extracted / "texts" / "part-00001.txt").read_bytes()
    rows = documents(extracted)
    assert [r["doc_id"] for r in rows] == [doc_id for doc_id, _ in ARTICLES]
    end = 0
    for row, (_, text) in zip(rows, ARTICLES):
        offset, size = int(row["byte_offset"]), int(row["n_bytes"])
        assert row["path"] == "texts/part-00001.txt" and offset == end  # in input order, no gaps
        assert part[offset:offset + size] == text.encode("utf-8")
        end = offset + size
    assert end == len(part)
    assert validate_package(extracted / "datapackage.json") == []


def test_parts_roll_over_in_input_order_and_parallel_runs_write_the_same_bytes(tmp_path, monkeypatch):
    monkeypatch.setattr(package, "TEXTS_PART_BYTES", 100)  # two short articles per part
    source = corpus(tmp_path / "c.jsonl")
    extract([source], tmp_path / "one", jobs=1)
    extract([source], tmp_path / "two", jobs=2)
    rows = documents(tmp_path / "one")
    assert [r["path"] for r in rows] == ["texts/part-00001.txt"] * 2 + ["texts/part-00002.txt"] * 2
    assert [r["byte_offset"] for r in rows] == ["0", rows[0]["n_bytes"]] * 2
    files = {p.relative_to(tmp_path / "one"): p.read_bytes() for p in (tmp_path / "one").rglob("*") if p.is_file()}
    assert files == {p.relative_to(tmp_path / "two"): p.read_bytes()
                     for p in (tmp_path / "two").rglob("*") if p.is_file()}
    assert validate_package(tmp_path / "one" / "datapackage.json") == []


def test_a_text_longer_than_a_part_has_a_part_of_its_own(tmp_path, monkeypatch):
    monkeypatch.setattr(package, "TEXTS_PART_BYTES", 30)  # every article is longer than this
    extract([corpus(tmp_path / "c.jsonl")], tmp_path / "out", jobs=1)
    rows = documents(tmp_path / "out")
    assert [(r["path"], r["byte_offset"]) for r in rows] == [(f"texts/part-{n:05d}.txt", "0") for n in range(1, 5)]
    assert validate_package(tmp_path / "out" / "datapackage.json") == []


def test_a_changed_byte_fails_only_the_document_it_belongs_to(extracted):
    part = extracted / "texts" / "part-00001.txt"
    second = documents(extracted)[1]
    data = bytearray(part.read_bytes())
    data[int(second["byte_offset"]) + 5] ^= 1
    part.write_bytes(bytes(data))
    problems = validate_package(extracted / "datapackage.json")
    assert [(p.resource, p.field, p.row) for p in problems] == [("documents", "sha256", 3)], problems


def test_bytes_after_the_last_text_are_reported(extracted):
    with (extracted / "texts" / "part-00001.txt").open("ab") as handle:
        handle.write(b"A sentence appended by hand.")
    problems = validate_package(extracted / "datapackage.json")
    assert [(p.field, p.row) for p in problems] == [("n_bytes", 5)], problems
    assert "the file changed since the package was written" in problems[0].message


def test_an_offset_past_the_end_of_its_file_is_reported(extracted):
    rows = documents(extracted)
    rows[2]["byte_offset"] = "100000"
    write_documents(extracted, rows)
    problems = validate_package(extracted / "datapackage.json")
    assert [(p.resource, p.field, p.row) for p in problems] == [("documents", "path", 4)], problems
    assert f"has no {rows[2]['n_bytes']} bytes at offset 100000" in problems[0].message


def test_documents_rows_in_another_order_still_validate(tmp_path, monkeypatch):
    """Sorting documents.csv (texts of one part no longer one after another) changes nothing."""
    monkeypatch.setattr(package, "TEXTS_PART_BYTES", 100)
    extract([corpus(tmp_path / "c.jsonl")], tmp_path / "out", jobs=1)
    rows = documents(tmp_path / "out")
    write_documents(tmp_path / "out", [rows[1], rows[3], rows[0], rows[2]])
    assert validate_package(tmp_path / "out" / "datapackage.json") == []
