"""Reading documents: ids, sha256, the date header, corpora."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest

from conftest import SEED
from figures.documents import read_corpus, read_inputs, read_text_file
from figures.errors import InputError


def test_seed_document():
    doc = read_text_file(SEED)
    assert doc.doc_id == "000_679c7536310926e9"
    assert doc.sha256 == hashlib.sha256(SEED.read_bytes()).hexdigest()
    assert doc.published == dt.date(2020, 1, 24)
    assert doc.header_end == 17 and doc.text[doc.header_end:].startswith("Hundreds of thousands")


def test_header_date_that_does_not_exist_is_an_error(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text(" date 2020-13-45 Ten people were killed.")
    with pytest.raises(InputError, match=r"bad.txt: date header at offset 6: published date '2020-13-45'"):
        read_text_file(path)


def test_text_without_header(tmp_path):
    path = tmp_path / "plain.txt"
    path.write_text("Ten people were killed.")
    doc = read_text_file(path)
    assert doc.published is None and doc.header_end == 0


def test_csv_corpus_rows(tmp_path):
    path = tmp_path / "corpus.csv"
    path.write_text('id,text,published,url\nr1,"Five people, all men, were killed.",2021-03-04,https://x.test/1\nr2,Nothing here.,,\n')
    docs = list(read_corpus(path))
    assert [d.doc_id for d in docs] == ["r1", "r2"]
    assert docs[0].published == dt.date(2021, 3, 4) and docs[0].url == "https://x.test/1"
    assert docs[0].text == "Five people, all men, were killed."


def test_jsonl_corpus_numeric_id(tmp_path):
    path = tmp_path / "corpus.jsonl"
    path.write_text(json.dumps({"id": 7, "text": "Two were injured."}) + "\n\n")
    assert [d.doc_id for d in read_corpus(path)] == ["7"]


@pytest.mark.parametrize("content,message", [
    ("ident,text\n1,a\n", "missing column"),
    ("id,text\n1,a\n1,b\n", "duplicate id '1'"),
    ("id,text\nhas space,a\n", "contains whitespace"),
])
def test_bad_corpus(tmp_path, content, message):
    path = tmp_path / "c.csv"
    path.write_text(content)
    with pytest.raises(InputError, match=message):
        list(read_corpus(path))


def test_missing_path(tmp_path):
    with pytest.raises(InputError, match="no such file or folder"):
        list(read_inputs([tmp_path / "nope.txt"]))
