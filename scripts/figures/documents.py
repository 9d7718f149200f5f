"""Read stage: turn input files and corpora into `Document`s.

Quirks of the sources, recorded here because every later stage depends on them:
- Offsets index the text *as stored*: we decode bytes without normalising line endings, and a
  UTF-8 byte-order mark stays in the text as U+FEFF at offset 0, so `text[start:end]` holds for
  anyone who reads the stored file the same way (the `encoding` column says how).
- A document may open with an inline header ` date YYYY-MM-DD ` (the seeds do). It is the
  publication date, not a claim: extraction starts after it (`header_end`).
- A `.txt` file's doc_id is its name without extension; a corpus row's doc_id is its `id`.
  Ids are never used as paths: a package stores the texts it copies one after another in
  `texts/part-NNNNN.txt` files, each found by `path`, `byte_offset` and `n_bytes`.
- Corpora (`.csv`, `.jsonl`, either compressed as `.gz`, `.bz2` or `.xz`, and `.parquet`) are
  read row by row (parquet a batch of rows at a time), so memory does not grow with their size.
  Archives are usually compressed: a compressed corpus is decompressed as it is read, never to
  disk. Parquet needs pyarrow (the `parquet` extra); a parquet `published` column may be a date
  or timestamp column, and a timestamp's date is the publication date.
- Bad input (README, "Bad input") is either refused with an `InputError` (exit 2, nothing written)
  or, when nothing is lost by going on, skipped with an `InputWarning` (an empty article).
  Text files that are not UTF-8 are decoded with the encoding charset-normalizer detects, with a
  warning, and the `encoding` column records it so offsets hold for the validator; binary files
  (NUL bytes, or bytes no encoding explains) are refused.
"""

from __future__ import annotations

import bz2
import csv
import datetime as dt
import gzip
import hashlib
import json
import lzma
import os
import re
import sys
import warnings
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Callable, Iterable, Iterator

import yaml

from .errors import InputError, InputWarning

CORPUS_SUFFIXES = (".csv", ".jsonl", ".parquet")
# Compressed corpora: `news.jsonl.gz` is read as news.jsonl, decompressed as it is read.
COMPRESSIONS: dict[str, Callable[..., IO]] = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}
PARQUET_BATCH_ROWS = 1024  # rows decoded at a time from a parquet corpus
TEXT_SUFFIX = ".txt"
METADATA_FILE = "metadata.yaml"

# The inline header: optional BOM, a space, "date", the ISO date, a space.
_HEADER = re.compile(r"\ufeff? date (\S+) ")
# Byte-order marks of the encodings whose text legitimately contains NUL bytes.
_WIDE_BOMS = ((b"\xff\xfe\x00\x00", "utf_32"), (b"\x00\x00\xfe\xff", "utf_32"),
              (b"\xff\xfe", "utf_16"), (b"\xfe\xff", "utf_16"))
# When charset-normalizer finds several equally plausible single-byte encodings (short texts),
# prefer the one news text most often comes in.
_PREFERRED_ENCODING = "cp1252"
# Encodings we accept from detection: those news text is actually published in.
_COMMON_ENCODINGS = frozenset(
    "utf_16 utf_16_le utf_16_be utf_32 utf_32_le utf_32_be cp1252 cp1250 cp1251 cp1253 cp1254 "
    "cp1255 cp1256 cp1257 cp1258 latin_1 iso8859_2 iso8859_5 iso8859_7 iso8859_9 iso8859_15 "
    "koi8_r koi8_u mac_roman shift_jis cp932 euc_jp iso2022_jp gb2312 gbk gb18030 big5 euc_kr "
    "cp949".split())
_MAX_CHAOS = 0.02  # charset-normalizer's mess ratio: clean text scores 0
_SURROGATE = re.compile("[\ud800-\udfff]")
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


class StoredTexts:
    """Reads the stored texts of a package: `n_bytes` bytes at `byte_offset` of the file at
    `path`, relative to the package folder. The last file read stays open, because the texts of
    a package are stored one after another and are read in that order. Use as a context manager."""

    def __init__(self, root: Path):
        self.root = root
        self._path: str | None = None
        self._handle = None

    def read(self, path: str, offset: int, n_bytes: int) -> bytes:
        """The stored bytes; OSError if the file cannot be read or is too short to hold them."""
        if path != self._path:
            self.close()
            self._handle = open(os.path.join(self.root, path), "rb")  # once per file, not per text
            self._path = path
        self._handle.seek(offset)
        data = self._handle.read(n_bytes)
        if len(data) != n_bytes:
            raise OSError(f"{path} has {len(data)} bytes at offset {offset}, not {n_bytes}")
        return data

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
        self._path = self._handle = None

    __del__ = close  # a reader dropped without close() leaves no open file behind

    def __enter__(self) -> "StoredTexts":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


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
    published = parse_date(match.group(1), f"{where}: date header at offset {match.start(1)}")
    return published, match.end()


def warn(message: str) -> None:
    """Report input that is read with a caveat or skipped (the CLI prints it on stderr)."""
    warnings.warn(message, InputWarning, stacklevel=2)


def _binary(where: str, detail: str) -> InputError:
    return InputError(f"{where}: looks like a binary file, not text ({detail}); "
                      "pass a plain-text article (.txt, UTF-8 preferred)")


def _check_text(text: str, where: str) -> None:
    """Refuse text that cannot be stored and read back as the same characters."""
    nul = text.find("\x00")
    if nul >= 0:
        raise InputError(f"{where}: NUL character at offset {nul} (binary data?); "
                         "remove it or pass a plain-text article")
    surrogate = _SURROGATE.search(text)
    if surrogate:
        raise InputError(f"{where}: invalid Unicode (lone surrogate {surrogate.group()!r} at offset "
                         f"{surrogate.start()}); fix the escape in the source or remove the character")


def decode(data: bytes, where: str) -> tuple[str, str]:
    """Decode stored bytes into text, returning (text, encoding).

    UTF-8 (a BOM stays in the text as U+FEFF) is decoded as is. Anything else is decoded with the
    encoding charset-normalizer detects, with a warning; binary data is refused. The returned
    encoding decodes `data` to exactly `text` (strictly), which is what the validator does.
    """
    try:
        text, encoding = data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        text, encoding = _decode_detected(data, where, exc)
    _check_text(text, where)
    return text, encoding


def _detect_encoding(data: bytes) -> str | None:
    """The encoding charset-normalizer finds for `data`, if it is a common one and decodes cleanly.

    Detection on short texts is a guess among equivalent candidates: among the cleanest matches we
    take cp1252 when it decodes the bytes identically, else the first common encoding. Rare or
    exotic guesses (EBCDIC, DOS code pages) and messy decodings are refused rather than risk
    mojibake.
    """
    import charset_normalizer

    matches = list(charset_normalizer.from_bytes(data))
    clean = [m for m in matches if m.chaos <= _MAX_CHAOS]
    if not clean:
        return None
    least = min(m.chaos for m in clean)
    candidates = [m for m in clean if m.chaos == least]
    preferred = list(charset_normalizer.from_bytes(data, cp_isolation=[_PREFERRED_ENCODING]))
    if any(m.chaos <= least for m in preferred) or any(
            _PREFERRED_ENCODING in (m.encoding, *m.could_be_from_charset) for m in candidates):
        return _PREFERRED_ENCODING
    for match in candidates:
        for encoding in (match.encoding, *match.could_be_from_charset):
            if encoding in _COMMON_ENCODINGS:
                return encoding
    return None


def _decode_detected(data: bytes, where: str, exc: UnicodeDecodeError) -> tuple[str, str]:
    wide_bom = any(data.startswith(bom) for bom, _ in _WIDE_BOMS)
    if not wide_bom and b"\x00" in data:
        raise _binary(where, f"NUL byte at byte {data.index(0)}")
    encoding = _detect_encoding(data)
    if encoding is None:
        raise InputError(
            f"{where}: not valid UTF-8 (byte {exc.start}) and no common text encoding fits it "
            "(binary?); convert it to UTF-8, e.g. `iconv -f WINDOWS-1252 -t UTF-8`")
    try:
        text = data.decode(encoding)
    except (LookupError, UnicodeDecodeError):
        raise _binary(where, f"not decodable as the detected encoding {encoding}") from None
    warn(f"{where}: not UTF-8 (byte {exc.start}); decoded as {encoding} (detected) and recorded "
         "in documents.encoding; convert it to UTF-8 if that is wrong")
    return text, encoding


def make_document(doc_id: str, data: bytes, where: str, meta: dict | None = None,
                  stored_path: Path | None = None) -> Document:
    """Build a Document from stored bytes plus optional metadata (a record or corpus row)."""
    if not doc_id or any(ch.isspace() or ch < " " or "\ud800" <= ch <= "\udfff" for ch in doc_id):
        raise InputError(
            f"{where}: document id {doc_id!r} is empty or contains whitespace or control characters; "
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
    if path.exists() and not path.is_file():
        raise InputError(f"{where}: not a regular file; pass a .txt file, a folder of them, or a corpus")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{where}: cannot read ({exc.strerror}); check the path and permissions") from None
    return make_document(path.stem, data, where, meta, stored_path=path)


def has_text(doc: Document) -> bool:
    """Whether a document has any article text after its date header."""
    return bool(doc.text[doc.header_end:].strip())


def _skip_empty(docs: Iterable[Document]) -> Iterator[Document]:
    """Pass documents with text on; warn about and skip those without (nothing to extract)."""
    for doc in docs:
        if has_text(doc):
            yield doc
        else:
            what = "only a date header" if doc.header_end else "no text"
            warn(f"{doc.source}: {what}; skipped (no document row is written for it)")


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
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not valid UTF-8 (byte {exc.start}); save it as UTF-8") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror}); check the path and permissions") from None
    if not isinstance(loaded, dict):
        raise InputError(f"{path}: expected a mapping with `package` and `documents`")
    package, documents = loaded.get("package") or {}, loaded.get("documents") or {}
    if not isinstance(package, dict) or not isinstance(documents, dict):
        raise InputError(f"{path}: `package` and `documents` must be mappings; see the README")
    return {"package": package, "documents": documents}


def text_files(folder: Path) -> list[Path]:
    """The `.txt` articles of a folder, in a stable (sorted) order."""
    try:
        return sorted(p for p in folder.iterdir() if p.suffix == TEXT_SUFFIX and p.is_file())
    except OSError as exc:
        raise InputError(f"{folder}: cannot list the folder ({exc.strerror}); check the path and permissions") from None


def read_folder(folder: Path, metadata: dict | None = None) -> Iterator[Document]:
    """Read every `.txt` article of a folder, with records from its metadata.yaml.

    Articles without text are skipped with a warning; a folder with no article at all is an error.
    """
    records = (metadata if metadata is not None else load_metadata(folder))["documents"]
    files = text_files(folder)
    if not files:
        raise InputError(f"{folder}: no .txt articles found; add UTF-8 .txt files or pass a corpus")
    kept = 0
    for doc in _skip_empty(read_text_file(path, records.get(path.name)) for path in files):
        kept += 1
        yield doc
    if not kept:
        raise InputError(f"{folder}: every .txt article is empty; nothing to extract")


def corpus_format(path: Path) -> str | None:
    """"csv", "jsonl" or "parquet" for a corpus file, compressed or not; None for anything else."""
    suffixes = path.suffixes[-2:]
    if suffixes and suffixes[-1] in COMPRESSIONS:
        suffixes = suffixes[:-1]
        if suffixes == [".parquet"]:
            return None  # parquet compresses inside the file
    return suffixes[-1][1:] if suffixes and suffixes[-1] in CORPUS_SUFFIXES else None


def open_corpus(path: Path, mode: str = "rb", **options) -> IO:
    """Open a corpus file, decompressing it as it is read when its name ends in .gz/.bz2/.xz."""
    opener = COMPRESSIONS.get(path.suffix)
    if opener is None:
        return path.open(mode, **options)
    return opener(path, mode if "b" in mode else mode.replace("r", "rt"), **options)


# What a damaged compressed file raises as it is read: gzip.BadGzipFile (an OSError) or
# zlib.error for a corrupt stream, EOFError for a truncated one, and the bz2/lzma equivalents.
DECOMPRESSION_ERRORS = (EOFError, zlib.error, lzma.LZMAError)


def _bad_utf8_line(path: Path) -> str:
    """`line N, byte B` of the first line of a file that is not valid UTF-8 (for messages)."""
    with open_corpus(path) as handle:
        for number, line in enumerate(handle, 1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as exc:
                return f"line {number}, byte {exc.start + 1} of the line"
    return "somewhere"


def _corpus_rows_csv(path: Path) -> Iterator[tuple[int, dict]]:
    csv.field_size_limit(sys.maxsize)
    with open_corpus(path, "r", newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        yield 1, {name: None for name in (reader.fieldnames or [])}
        width = len(reader.fieldnames or [])
        for row in reader:
            if None in row:
                raise InputError(
                    f"{path} row {reader.line_num}: {width + len(row[None])} cells but the header has "
                    f"{width}; quote cells that contain commas (\"like, this\")")
            if any(value is None for value in row.values()):
                cells = sum(value is not None for value in row.values())
                raise InputError(f"{path} row {reader.line_num}: {cells} cell(s) but the header has {width}; "
                                 "give every row all the header's columns")
            yield reader.line_num, row


def _corpus_rows_jsonl(path: Path) -> Iterator[tuple[int, dict]]:
    with open_corpus(path, "r", encoding="utf-8-sig", newline="") as handle:
        first = True
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{path} line {number}: not valid JSON ({exc.msg} at character {exc.pos + 1}); "
                                 "write one JSON object per line") from None
            if not isinstance(row, dict):
                raise InputError(f"{path} line {number}: expected a JSON object with `id` and `text`")
            if first:
                yield 0, {name: None for name in row}
                first = False
            yield number, row


def _corpus_rows_parquet(path: Path) -> Iterator[tuple[int, dict]]:
    """Rows of a parquet corpus, numbered from 1, a batch at a time (only the columns we read)."""
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError(f"{path}: reading .parquet needs pyarrow; install it with `pip install pyarrow` "
                         "(or, in a clone of this repository, `pip install -e '.[parquet]'`)") from None
    import pyarrow

    try:
        corpus = pq.ParquetFile(path)
        names = corpus.schema_arrow.names
        yield 0, {name: None for name in names}
        wanted = [name for name in ("id", "text", *META_FIELDS) if name in names]
        number = 0
        for batch in corpus.iter_batches(batch_size=PARQUET_BATCH_ROWS, columns=wanted):
            for row in batch.to_pylist():
                number += 1
                yield number, {name: _parquet_cell(value) for name, value in row.items()}
    except (pyarrow.ArrowException, OSError) as exc:
        raise InputError(f"{path}: not a readable parquet file ({str(exc).splitlines()[0]}); "
                         "check that the download is complete") from None


def _parquet_cell(value: object) -> object:
    """A parquet value as a corpus cell: a date or timestamp as its ISO date (YYYY-MM-DD)."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _cell(row: dict, name: str, where: str) -> str | None:
    """A corpus cell as a string (numbers allowed for ids and dates), or None when absent/empty."""
    value = row.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise InputError(f"{where}: `{name}` must be a string, not {type(value).__name__}")
    value = str(value)
    _check_text(value, f"{where} `{name}`")
    return value


def read_corpus(path: Path) -> Iterator[Document]:
    """Read a tabular corpus row by row: columns `id`, `text`, optional published/title/url/publisher.

    Rows with empty text are skipped with a warning; a corpus without rows is an error.
    """
    form = corpus_format(path)
    rows = {"csv": _corpus_rows_csv, "jsonl": _corpus_rows_jsonl, "parquet": _corpus_rows_parquet}[form](path)
    kind = "line" if form == "jsonl" else "row"
    seen: dict[str, int] = {}
    header_seen = False
    kept = 0
    try:
        for number, row in rows:
            if not header_seen:
                header_seen = True
                if not row:
                    raise InputError(f"{path}: empty file; a corpus needs `id` and `text` "
                                     f"({'a header row' if kind == 'row' else 'one JSON object per line'})")
                missing = [c for c in ("id", "text") if c not in row]
                if missing:
                    raise InputError(
                        f"{path}: missing column(s) {', '.join(missing)} (found: {', '.join(map(str, row)) or 'none'}); "
                        "a corpus needs `id` and `text`"
                    )
                if all(v is None for v in row.values()):
                    continue
            where = f"{path} {kind} {number}"
            doc_id = _cell(row, "id", where) or ""
            if not doc_id:
                raise InputError(f"{where}: empty `id`; give every row a unique id")
            if doc_id in seen:
                raise InputError(f"{where}: duplicate id {doc_id!r} (also {kind} {seen[doc_id]}); "
                                 "ids must be unique within the input")
            seen[doc_id] = number
            text = row.get("text")
            if text is not None and not isinstance(text, str):
                raise InputError(f"{where}: `text` must be a string, not {type(text).__name__}")
            _check_text(text or "", where)
            meta = {k: _cell(row, k, where) for k in META_FIELDS}
            doc = make_document(doc_id, (text or "").encode("utf-8"), where, meta)
            if has_text(doc):
                kept += 1
                yield doc
            else:
                warn(f"{where}: id {doc_id!r} has empty text; skipped (no document row is written for it)")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not valid UTF-8 ({_bad_utf8_line(path)}); convert the corpus to UTF-8, "
                         "e.g. `iconv -f WINDOWS-1252 -t UTF-8`") from None
    except csv.Error as exc:
        raise InputError(f"{path}: malformed CSV ({exc}); check quoting") from None
    except (gzip.BadGzipFile, *DECOMPRESSION_ERRORS) as exc:
        raise InputError(f"{path}: damaged or truncated {path.suffix[1:]} file ({exc or type(exc).__name__}); "
                         "download or compress it again") from None
    except OSError as exc:
        if path.suffix in COMPRESSIONS and path.is_file():  # bz2 reports a damaged stream so
            raise InputError(f"{path}: damaged {path.suffix[1:]} file ({exc}); download or compress it again") from None
        raise InputError(f"{path}: cannot read ({exc.strerror or exc}); check the path and permissions") from None
    if not header_seen:
        raise InputError(f"{path}: empty file; a corpus needs `id` and `text`")
    if not seen:
        raise InputError(f"{path}: no rows, only a header; add rows with `id` and `text`")
    if not kept:
        raise InputError(f"{path}: every row has empty text; nothing to extract")


def read_inputs(inputs: Iterable[Path]) -> Iterator[Document]:
    """Documents from any mix of `.txt` files, folders of them, and corpora (`corpus_format`)."""
    seen: dict[str, str] = {}
    for path in inputs:
        if not path.exists():
            raise InputError(f"{path}: no such file or folder; check the path")
        if path.is_dir():
            docs: Iterable[Document] = read_folder(path)
        elif corpus_format(path):
            docs = read_corpus(path)
        elif path.suffix == TEXT_SUFFIX:
            docs = _skip_empty([read_text_file(path)])
        else:
            raise InputError(
                f"{path}: unsupported input type {path.suffix or '(no extension)'}; "
                "pass a .txt file, a folder of them, or a .csv/.jsonl corpus (or .csv.gz, .jsonl.gz, "
                ".bz2, .xz) or a .parquet corpus"
            )
        for doc in docs:
            if doc.doc_id in seen:
                raise InputError(
                    f"{doc.source}: duplicate document id {doc.doc_id!r} (also in {seen[doc.doc_id]}); "
                    "rename one of them"
                )
            seen[doc.doc_id] = doc.source
            yield doc
    if not seen:
        raise InputError("no document with text in the input(s); nothing to extract")
