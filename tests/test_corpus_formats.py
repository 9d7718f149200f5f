"""Corpora as archives hold them: compressed (.gz, .bz2, .xz) and parquet, read as they stream.

Damaged ones (cut short, or not the format their name says) are bad-input fixtures
(tests/fixtures/bad_inputs/).
"""

from __future__ import annotations

import bz2
import datetime as dt
import gzip
import json
import lzma
import sys
from pathlib import Path

import pytest

from figures.cli import main
from figures.documents import corpus_format, read_inputs
from figures.errors import InputError
from figures.parallel import count_documents

ROWS = [{"id": f"r{n}", "text": f"Gunmen killed {n} villagers and wounded {n + 2} on Monday.",
         "published": f"2021-05-{n:02d}", "title": f"Raid {n}"} for n in range(1, 8)]
COMPRESSED = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}


def write_jsonl(path: Path, rows=ROWS) -> Path:
    text = "".join(json.dumps(row) + "\n" for row in rows)
    opener = COMPRESSED.get(path.suffix)
    if opener is None:
        path.write_text(text, encoding="utf-8")
    else:
        with opener(path, "wt", encoding="utf-8") as handle:
            handle.write(text)
    return path


def write_parquet(path: Path, rows=ROWS, **columns) -> Path:
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    table = {name: [row[name] for row in rows] for name in rows[0]}
    table.update(columns)
    pq.write_table(pa.table(table), path, row_group_size=3)  # several row groups, several batches
    return path


def documents(path: Path) -> list[tuple]:
    return [(d.doc_id, d.text, d.sha256, d.published, d.title) for d in read_inputs([path])]


@pytest.mark.parametrize("name,form", [
    ("a.csv", "csv"), ("a.jsonl", "jsonl"), ("a.jsonl.gz", "jsonl"), ("a.csv.bz2", "csv"),
    ("a.jsonl.xz", "jsonl"), ("a.parquet", "parquet"), ("a.parquet.gz", None), ("a.txt.gz", None),
    ("a.gz", None), ("notes.csv.txt", None),
])
def test_corpus_format_from_the_file_name(name, form):
    assert corpus_format(Path(name)) == form


@pytest.mark.parametrize("suffix", [".gz", ".bz2", ".xz"])
def test_a_compressed_corpus_reads_as_the_plain_one(tmp_path, suffix):
    plain = write_jsonl(tmp_path / "plain.jsonl")
    packed = write_jsonl(tmp_path / f"packed.jsonl{suffix}")
    assert documents(packed) == documents(plain)
    assert count_documents([packed]) == len(ROWS)


def test_a_compressed_csv_corpus(tmp_path):
    path = tmp_path / "corpus.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8", newline="") as handle:
        handle.write('id,text\nr1,"Five people, all men, were killed."\n')
    assert [(d.doc_id, d.text) for d in read_inputs([path])] == [("r1", "Five people, all men, were killed.")]
    assert count_documents([path]) == 1


def test_a_parquet_corpus_reads_as_the_jsonl_one(tmp_path):
    """Dates may be a date column; the id column may be numbers; other columns are ignored."""
    jsonl = write_jsonl(tmp_path / "a.jsonl")
    parquet = write_parquet(tmp_path / "a.parquet",
                            published=[dt.date.fromisoformat(row["published"]) for row in ROWS],
                            views=list(range(len(ROWS))))
    assert documents(parquet) == documents(jsonl)
    assert count_documents([parquet]) == len(ROWS)
    numbered = write_parquet(tmp_path / "n.parquet", id=list(range(len(ROWS))))
    assert [d.doc_id for d in read_inputs([numbered])] == [str(n) for n in range(len(ROWS))]


def test_a_parquet_timestamp_is_published_on_its_date(tmp_path):
    path = write_parquet(tmp_path / "t.parquet",
                         published=[dt.datetime(2021, 5, n, 23, 59) for n in range(1, len(ROWS) + 1)])
    assert [d.published for d in read_inputs([path])] == [dt.date(2021, 5, n) for n in range(1, len(ROWS) + 1)]


def test_a_parquet_corpus_needs_id_and_text(tmp_path):
    path = write_parquet(tmp_path / "x.parquet", [{"name": "a", "body": "Two were killed."}])
    with pytest.raises(InputError, match=r"missing column\(s\) id, text"):
        list(read_inputs([path]))


def test_extract_writes_the_same_package_from_every_form_of_a_corpus(tmp_path):
    packages = {}
    for name in ("c.jsonl", "c.jsonl.gz", "c.parquet"):
        corpus = write_parquet(tmp_path / name) if name.endswith(".parquet") else write_jsonl(tmp_path / name)
        out = tmp_path / f"pkg-{name}"
        assert main(["extract", str(corpus), "-o", str(out), "--quiet", "--jobs", "1"]) == 0
        packages[name] = {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    first = packages.pop("c.jsonl")
    assert any(path.startswith("data/claims") for path in first)
    for name, files in packages.items():
        assert files == first, name


def test_a_parquet_corpus_without_pyarrow_says_how_to_install_it(tmp_path, monkeypatch):
    path = write_parquet(tmp_path / "a.parquet")
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)  # what an install without pyarrow sees
    with pytest.raises(InputError, match=r"reading \.parquet needs pyarrow; install it with `pip install pyarrow`"):
        list(read_inputs([path]))
    assert count_documents([path]) is None  # no ETA, and the reader reports the problem
