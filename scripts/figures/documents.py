"""Read stage: turn input files and corpora into `Document`s.

Quirks of the sources, recorded here because every later stage depends on them:
- Offsets index the text *as stored*: we decode bytes without normalising line endings, and a
  UTF-8 byte-order mark stays in the text as U+FEFF at offset 0, so `text[start:end]` holds for
  anyone who reads the stored file the same way (the `encoding` column says how).
- A document may open with an inline header ` date YYYY-MM-DD ` (the seeds do). It is the
  publication date, not a claim: extraction starts after it (`header_end`).
- A `.txt` file's doc_id is its name without extension; a corpus row's doc_id is its `id`.
  Ids are never used as paths; stored copies are named by their sha256.
- Corpora (`.csv`, `.jsonl`) are read row by row, so memory does not grow with their size.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

import yaml

from .errors import InputError

CORPUS_SUFFIXES = (".csv", ".jsonl")
TEXT_SUFFIX = ".txt"
METADATA_FILE = "metadata.yaml"

# The inline header: optional BOM, a space, "date", the ISO date, a space.
_HEADER = re.compile(r"\ufeff? date (\S*) ")
# Metadata fields copied from a metadata record or corpus row into the documents table.
META_FIELDS = ("published", "title", "url", "publisher", "author", "license")


@dataclass(frozen=True, slots=True)
class Document:
    """One article: its text as stored, where it came from, and what is known about it."""

    doc_id: str
    text: str
    data: bytes  # the stored bytes; sha256 is of these
    encoding: str
    header_end: int
    published: dt.date | None = None
    title: str = ""
    url: str = ""
    publisher: str = ""
    author: str = ""
    license: str = ""
    source: str = ""  # where it was read from, for messages: "seeds/a.txt" or "corpus.csv row 4"
    stored_path: Path | None = None  # the file holding `data`, when there is one

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def parse_date(value: object, where: str) -> dt.date | None:
    """Parse an ISO `YYYY-MM-DD` date from metadata or a corpus cell; empty means unknown."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise InputError(
            f"{where}: published date {str(value)!r} is not a valid YYYY-MM-DD date; "
            "correct it or leave it empty"
        ) from None


def parse_date_header(text: str, where: str) -> tuple[dt.date | None, int]:
    """Return (publication date, offset where the article text begins) for an inline header."""
    match = _HEADER.match(text)
    if not match:
        return None, 0
    published = parse_date(match.group(1), f"{where}: date header")
    return published, match.end()


def decode(data: bytes, where: str) -> tuple[str, str]:
    """Decode stored bytes into text, returning (text, encoding)."""
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{where}: not valid UTF-8 (byte {exc.start}); convert the file to UTF-8, "
            "for example with `iconv -f WINDOWS-1252 -t UTF-8`"
        ) from None


def make_document(doc_id: str, data: bytes, where: str, meta: dict | None = None,
                  stored_path: Path | None = None) -> Document:
    """Build a Document from stored bytes plus optional metadata (a record or corpus row)."""
    if not doc_id or any(ch.isspace() for ch in doc_id):
        raise InputError(
            f"{where}: document id {doc_id!r} is empty or contains whitespace; "
            "use an id without spaces (claim ids are built from it)"
        )
    text, encoding = decode(data, where)
    header_date, header_end = parse_date_header(text, where)
    meta = dict(meta or {})
    published = parse_date(meta.get("published"), where) or header_date
    fields = {k: str(meta[k]) if meta.get(k) is not None else "" for k in META_FIELDS[1:]}
    return Document(doc_id=doc_id, text=text, data=data, encoding=encoding,
                    header_end=header_end, published=published, source=where,
                    stored_path=stored_path, **fields)


def read_text_file(path: Path, meta: dict | None = None, where: str | None = None) -> Document:
    """Read one `.txt` article."""
    where = where or str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{where}: cannot read ({exc.strerror}); check the path and permissions") from None
    return make_document(path.stem, data, where, meta, stored_path=path)


def load_metadata(folder: Path) -> dict:
    """Read `metadata.yaml` of a seeds folder: {"package": {...}, "documents": {file: {...}}}."""
    path = folder / METADATA_FILE
    if not path.exists():
        return {"package": {}, "documents": {}}
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        raise InputError(f"{path}{line}: not valid YAML ({getattr(exc, 'problem', exc)}); fix the syntax") from None
    if not isinstance(loaded, dict):
        raise InputError(f"{path}: expected a mapping with `package` and `documents`")
    return {"package": loaded.get("package") or {}, "documents": loaded.get("documents") or {}}


def text_files(folder: Path) -> list[Path]:
    """The `.txt` articles of a folder, in a stable (sorted) order."""
    return sorted(p for p in folder.iterdir() if p.suffix == TEXT_SUFFIX and p.is_file())


def read_folder(folder: Path, metadata: dict | None = None) -> Iterator[Document]:
    """Read every `.txt` article of a folder, with records from its metadata.yaml."""
    records = (metadata if metadata is not None else load_metadata(folder))["documents"]
    files = text_files(folder)
    if not files:
        raise InputError(f"{folder}: no .txt articles found; add UTF-8 .txt files or pass a corpus")
    for path in files:
        yield read_text_file(path, records.get(path.name))


def _corpus_rows_csv(path: Path) -> Iterator[tuple[int, dict]]:
    csv.field_size_limit(sys.maxsize)
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        yield 1, {name: None for name in (reader.fieldnames or [])}
        for row in reader:
            yield reader.line_num, row


def _corpus_rows_jsonl(path: Path) -> Iterator[tuple[int, dict]]:
    with path.open(encoding="utf-8") as handle:
        first = True
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{path} line {number}: not valid JSON ({exc.msg}); one JSON object per line") from None
            if not isinstance(row, dict):
                raise InputError(f"{path} line {number}: expected a JSON object with `id` and `text`")
            if first:
                yield 0, {name: None for name in row}
                first = False
            yield number, row


def read_corpus(path: Path) -> Iterator[Document]:
    """Read a tabular corpus row by row: columns `id`, `text`, optional published/title/url/publisher."""
    rows = _corpus_rows_csv(path) if path.suffix == ".csv" else _corpus_rows_jsonl(path)
    kind = "row" if path.suffix == ".csv" else "line"
    seen: set[str] = set()
    try:
        for number, row in rows:
            if number <= 1 and all(v is None for v in row.values()):
                missing = [c for c in ("id", "text") if c not in row]
                if missing:
                    raise InputError(
                        f"{path}: missing column(s) {', '.join(missing)}; a corpus needs `id` and `text`"
                    )
                continue
            where = f"{path} {kind} {number}"
            doc_id = "" if row.get("id") is None else str(row["id"])
            if doc_id in seen:
                raise InputError(f"{where}: duplicate id {doc_id!r}; ids must be unique within the input")
            seen.add(doc_id)
            text = row.get("text")
            if not isinstance(text, str):
                raise InputError(f"{where}: `text` must be a string")
            meta = {k: row.get(k) for k in META_FIELDS if row.get(k) not in (None, "")}
            yield make_document(doc_id, text.encode("utf-8"), where, meta)
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not valid UTF-8 (byte {exc.start}); convert the corpus to UTF-8") from None
    except csv.Error as exc:
        raise InputError(f"{path}: malformed CSV ({exc}); check quoting") from None


def read_inputs(inputs: Iterable[Path]) -> Iterator[Document]:
    """Documents from any mix of `.txt` files, folders of them, and `.csv`/`.jsonl` corpora."""
    seen: dict[str, str] = {}
    for path in inputs:
        if not path.exists():
            raise InputError(f"{path}: no such file or folder; check the path")
        if path.is_dir():
            docs: Iterable[Document] = read_folder(path)
        elif path.suffix in CORPUS_SUFFIXES:
            docs = read_corpus(path)
        elif path.suffix == TEXT_SUFFIX:
            docs = [read_text_file(path)]
        else:
            raise InputError(
                f"{path}: unsupported input type {path.suffix or '(no extension)'}; "
                "pass a .txt file, a folder of them, or a .csv/.jsonl corpus"
            )
        for doc in docs:
            if doc.doc_id in seen:
                raise InputError(
                    f"{doc.source}: duplicate document id {doc.doc_id!r} (also in {seen[doc.doc_id]}); "
                    "rename one of them"
                )
            seen[doc.doc_id] = doc.source
            yield doc
