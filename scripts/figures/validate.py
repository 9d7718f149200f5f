"""Validate stage: check a written package against its schemas and its source texts.

Reads only what is on disk (datapackage.json, its CSVs, its schemas, its texts), so anyone can
validate a package they downloaded. Two layers:
- Table Schema checks, driven by the package's own schema files: types, required, unique, enum,
  ranges, lengths and patterns of every field, the header, primary and foreign keys. Tables are
  read with polars; each cell is typed by frictionless' own rule (a fast polars cast, and Python's
  `int`/`Decimal`/`strptime` on the cells the cast refuses); then a pandera DataFrameSchema
  derived from the schema file (`pandera_schema`, no hand-written field list) checks the
  constraints as whole-column polars expressions. A type or constraint this module does not know
  is reported, never silently skipped.
- Provenance checks: each document's sha256 and length match its stored file, every `quote`
  is exactly the document text at `start:end` (compared as arrays of code points, a batch of
  documents and a bounded number of quoted characters at a time, so memory holds a few texts,
  not all), and intervals are ordered (low <= value <= high).

Memory does not grow with the tables: each is read TABLE_BATCH bytes of CSV at a time (or the
caller's `batch_bytes`), cut at row ends (`csv_blocks`), every per-row check runs on one batch,
and glibc's heap is trimmed before the next is read (memory.py: the extracting commands also
make polars' allocator return freed pages at once). Across batches the validator
keeps only what the checks of whole tables need: a 64-bit hash per row of each unique key (a
repeated hash sends just those rows to be read again and compared by value, so a collision is
never reported as a duplicate), the ids a foreign key references (one per document; a foreign
key from a table into itself is checked once the table is read, reading the referencing column
again), each usable text's path and length (`TextIndex`, built once), a hash per claim of its
(claim_id, doc_id) for the incidents' claim ids (a collision could hide one unknown claim id:
odds ~ claims / 2^64), and the rows the reviews name. That is 8-16 bytes a row and ~100 a
document.

Rows are numbered as frictionless numbers them: the header is row 1, the first data row row 2.
A duplicated key is reported at its second and later occurrences, as frictionless does.
Problems are reported check by check (types and constraints table by table and field by field,
foreign keys, documents, quotes, intervals, incidents' claim ids, reviews), each check's rows in
file order, at most MAX_REPORTED of them, however the batches fell.
Patterns are Python regular expressions matched against the whole cell (Table Schema's meaning;
frictionless anchors them with ^...$ and `re.match`, which also accepts a trailing line break).
Known differences from frictionless: an integer beyond 64 bits is reported as not an integer;
a row with fewer cells than the header reads its missing cells as empty.

Speed and memory (benchmarks/README.md, a shared 2-core machine, 2026-11-24): on 1,000,000 claim
rows the whole command takes 2.5-3.1 s of wall time and 2.7-3.4 s of CPU, 11-13x faster than
`frictionless validate` in wall time and 9.7-13.2x in CPU, for a peak of 249-307 MB RSS (690-715
MB when tables were read whole). `figures extract` and `figures build` validate in batches of
STREAMING_BATCH and give each batch's memory back (memory.py): `figures extract` peaks at 227 MB
on 10 MB of news and 246 MB on 100 MB (341 MB before session 9). pandera is kept and
imported as usual (it brings pandas, and hypothesis where installed): with this module's imports
0.7 s of CPU, its checks 0.4-0.55 s. Making pandas and hypothesis look uninstalled while pandera
was first imported and run saved 0.4-0.5 s and ~40 MB, but changed the whole process's imports
and relied on pandera's internals, so it is not done. pandera's own `coerce=True` and
`unique=True` are not used, because one bad cell failed the coercion of every column, and
uniqueness marked first occurrences too (and cannot see across batches).
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np
import polars as pl

from .documents import StoredTexts
from .errors import PackageInvalid
from .memory import trim_heap
from .reviews import RESOURCE, ReviewRows, check_reviews

# Intervals checked per resource: (low, best, high) column triples.
INTERVALS = {
    "claims": [("low", "value", "high")],
    "casualties": [("killed_low", "killed", "killed_high"), ("wounded_low", "wounded", "wounded_high")],
}
SPAN_RESOURCES = ("claims", "casualties", "dates")
MAX_REPORTED = 50  # per check, so a broken million-row file gives a readable report
TABLE_BATCH = 8_000_000  # bytes of a table's CSV read and checked at once: memory holds a batch, not a table
# What `figures extract` and `figures build` validate with: half the batch, so that their peak
# stays flat from small corpora to large ones (a 10 MB corpus's claims fill about one), at
# ~0.4 s more CPU a million rows (benchmarks/README.md, "Session 9: peak memory flat").
STREAMING_BATCH = 4_000_000
TEXTS_IN_MEMORY = 8  # decoded texts kept at once for messages about quotes
TEXT_BATCH = 500_000  # code points of document text compared against quotes in one batch (~8 bytes each)
ROW_BATCH = 100_000  # quotes compared in one batch, at most...
QUOTE_CHARS = 250_000  # ...and code points of quotes (~25 bytes each in the comparison's arrays)
DTYPES = {"string": pl.String, "integer": pl.Int64, "number": pl.Float64, "date": pl.Date}
NUMERIC_DTYPES = {"integer": "Int64", "number": "Float64"}
KNOWN_CONSTRAINTS = {"required", "unique", "enum", "pattern", "minimum", "maximum", "exclusiveMinimum",
                     "exclusiveMaximum", "minLength", "maxLength"}
INT64 = 2 ** 63
# Problems are reported check by check in this order (the order of the checks when tables were read
# whole), each check's rows in file order, whichever batch found them.
AT_TABLE, AT_FOREIGN_KEY, AT_DOCUMENT, AT_SPAN, AT_INTERVAL, AT_INCIDENT, AT_REVIEW = range(7)


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a package, located as precisely as we can."""

    resource: str
    row: int | None
    field: str | None
    message: str
    key: str = ""  # the row's primary key value, to find it without counting lines

    def __str__(self) -> str:
        where = self.resource + (f" row {self.row}" if self.row is not None else "")
        where += f" ({self.key})" if self.key else ""
        where += f" field {self.field}" if self.field else ""
        return f"{where}: {self.message}"


def _row(index: int) -> int:
    return int(index) + 2


def _first(mask, room: int) -> np.ndarray:
    """Positions of the first `room` true values of a boolean mask."""
    return np.flatnonzero(np.asarray(mask, dtype=bool))[:max(room, 0)]


def _check_message(check: str, value: object, column: str | None, schema: dict) -> str:
    """A failed check in words: what is wrong with the value and what the schema allows."""
    field = next((f for f in schema["fields"] if f["name"] == column), {})
    constraints = field.get("constraints", {})
    shown = "(empty)" if value is None else repr(value)
    if check.startswith("isin"):
        allowed = ", ".join(str(v) for v in constraints.get("enum", []))
        return f"{shown} is not an allowed value (isin: one of {allowed})"
    if check == "field_uniqueness" or check.startswith("unique"):
        return f"{shown} is a duplicate (field_uniqueness: values must be unique)"
    if check == "multiple_fields_uniqueness":
        return f"{shown} is a duplicate primary key (multiple_fields_uniqueness: rows must differ in it)"
    if check == "not_nullable":
        return "required value is missing (not_nullable)"
    if check.startswith("coerce_dtype"):
        kind = field.get("type", "value")
        return f"{shown} is not a valid {kind} ({check})"
    if check.startswith("str_matches"):
        return f"{shown} does not match the pattern {constraints.get('pattern', '')!r} (str_matches)"
    if check.startswith(("greater_than", "less_than", "in_range")):
        bounds = ", ".join(f"{k} {v}" for k, v in constraints.items() if k in ("minimum", "maximum"))
        return f"{shown} is out of range ({bounds + '; ' if bounds else ''}{check})"
    if check.startswith("str_length"):
        bounds = ", ".join(f"{k}={v}" for k, v in constraints.items() if k in ("minLength", "maxLength"))
        return f"{shown} has the wrong length ({bounds}; {check})"
    if check.startswith("column_in_dataframe"):
        return f"column is missing ({check})"
    return f"{check} failed for value {shown}"


# Typing cells as frictionless does (frictionless/fields/{integer,number,date}.py).

def _integer(cell: str) -> int | None:
    try:
        value = int(cell.strip())
    except ValueError:
        return None
    return value if -INT64 <= value < INT64 else None


def _number(cell: str) -> float | None:
    try:
        number = Decimal(cell.strip())
    except ArithmeticError:  # decimal.InvalidOperation
        return None
    return float("nan") if number.is_snan() else float(number)


def _date(cell: str):
    try:
        return datetime.strptime(cell, "%Y-%m-%d").date()
    except ValueError:
        return None


RULES = {"integer": _integer, "number": _number, "date": _date}


def typed_column(cells: pl.Series, kind: str) -> tuple[pl.Series, np.ndarray]:
    """`cells` (strings, null when empty) typed as `kind`, and the positions of cells that are not.

    polars' cast accepts a subset of what frictionless accepts (tests/test_validate_columns.py
    checks that), so only the cells it refuses go through frictionless' rule in Python.
    """
    rule = RULES[kind]
    if kind == "date":
        values = cells.drop_nulls().unique().to_list()
        dates = {value: rule(value) for value in values}
        typed = cells.replace_strict(values, [dates[v] for v in values], default=None, return_dtype=pl.Date)
    else:
        typed = cells.cast(DTYPES[kind], strict=False)
    refused = (typed.is_null() & cells.is_not_null()).arg_true()
    if kind == "date" or refused.is_empty():
        return typed, refused.to_numpy()
    values = [rule(cell) for cell in cells.gather(refused).to_list()]
    good = [i for i, value in enumerate(values) if value is not None]
    if good:
        typed = typed.scatter(refused.gather(good), [values[i] for i in good])
    return typed, refused.to_numpy()[[value is None for value in values]]


# Patterns: polars (Rust regex) on ASCII cells, Python's re on the others.

def _rust_class(items) -> str:
    from re import _constants as c

    parts, negate = [], False
    for op, av in items:
        if op is c.NEGATE:
            negate = True
        elif op is c.LITERAL:
            parts.append(_rust_literal(av))
        elif op is c.RANGE:
            parts.append(f"{_rust_literal(av[0])}-{_rust_literal(av[1])}")
        elif op is c.CATEGORY:
            parts.append(_rust_category(av))
        else:
            raise ValueError(op)
    return ("[^" if negate else "[") + "".join(parts) + "]"


def _rust_literal(code: int) -> str:
    return f"\\x{{{code:X}}}"


def _rust_category(category) -> str:
    """Python's \\d, \\s, \\w as they match ASCII characters (\\s includes \\v and \\x1c-\\x1f)."""
    from re import _constants as c

    classes = {c.CATEGORY_DIGIT: "0-9", c.CATEGORY_SPACE: r"\t\n\x0B\f\r\x1C-\x1F ", c.CATEGORY_WORD: "0-9A-Za-z_"}
    negated = {c.CATEGORY_NOT_DIGIT: c.CATEGORY_DIGIT, c.CATEGORY_NOT_SPACE: c.CATEGORY_SPACE,
               c.CATEGORY_NOT_WORD: c.CATEGORY_WORD}
    if category in classes:
        return f"[{classes[category]}]"
    return f"[^{classes[negated[category]]}]"


def _rust_tree(tree) -> str:
    from re import _constants as c

    out = []
    for op, av in tree:
        if op is c.LITERAL:
            out.append(_rust_literal(av))
        elif op is c.NOT_LITERAL:
            out.append(f"[^{_rust_literal(av)}]")
        elif op is c.ANY:
            out.append(r"[^\n]")
        elif op is c.IN:
            out.append(_rust_class(av))
        elif op is c.BRANCH:
            out.append("(?:" + "|".join(_rust_tree(branch) for branch in av[1]) + ")")
        elif op is c.SUBPATTERN and not av[1] and not av[2]:
            out.append("(?:" + _rust_tree(av[3]) + ")")
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT):
            low, high, item = av
            bound = "" if high is c.MAXREPEAT else str(high)
            out.append(f"(?:{_rust_tree(item)}){{{low},{bound}}}" + ("?" if op is c.MIN_REPEAT else ""))
        else:
            raise ValueError(op)
    return "".join(out)


@lru_cache(maxsize=64)
def rust_pattern(pattern: str) -> str | None:
    """A regex for polars that matches an ASCII string in full exactly when Python's
    `re.fullmatch(pattern, string)` does; None for a pattern outside the subset translated
    (flags, anchors, look-arounds, back-references), which Python then checks alone."""
    from re import _parser

    try:
        parsed = _parser.parse(pattern)
        if parsed.state.flags & ~re.UNICODE:
            return None
        return "^(?:" + _rust_tree(parsed) + ")$"
    except (ValueError, KeyError, re.error, RecursionError):
        return None


def matches(cells: pl.Series, pattern: str) -> pl.Series:
    """Whether each cell matches `pattern` in full (null where the cell is empty)."""
    compiled = re.compile(pattern)
    translated = rust_pattern(pattern)
    if translated is None:
        present = cells.drop_nulls().to_list()
        if _all_match(pattern, present):
            return _where_present(cells, True)
        return cells.map_elements(lambda cell: compiled.fullmatch(cell) is not None, return_dtype=pl.Boolean)
    matched = cells.str.contains(translated)
    other = (cells.str.len_bytes() != cells.str.len_chars()).arg_true()  # cells that are not ASCII
    if not other.is_empty():
        matched = matched.scatter(other, [compiled.fullmatch(cell) is not None for cell in cells.gather(other)])
    return matched


def _locate_csv_error(path: Path) -> str:
    """Where Python's csv module finds a CSV broken (polars' errors do not say); "" if it does not."""
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle)
            width = len(next(reader, []))
            for number, row in enumerate(reader, 2):
                if row and len(row) != width:
                    return f"row {number} has {len(row)} cells, the header {width}"
    except UnicodeDecodeError as exc:
        return f"not UTF-8 at byte {exc.start}"
    except csv.Error as exc:
        return str(exc)
    return ""


def csv_blocks(path: Path, size: int):
    """A CSV file as a series of small CSV files (bytes): its header, then about `size` bytes of its
    rows (more when one row is longer), cut at the end of a row.

    polars' `collect_batches` reads ahead of its consumer: only reading the tables of the 100 MB
    corpus with it peaked at 400-430 MB RSS, against 175-185 MB for the 10 MB corpus; with these
    blocks, 219 MB against 176 MB (benchmarks/README.md). Each block is parsed as a whole file
    is, header included, so that empty lines and short rows read the same in any block.
    """
    with path.open("rb") as handle:
        header = handle.readline()
        while header.count(b'"') % 2 and (line := handle.readline()):  # a line break in a quoted name
            header += line
        # One buffer for the whole file: the header, the rest of a row cut by the last read, then
        # the next read (into the buffer: no copy of it, no fresh memory). Each block is copied out
        # of it once, as the bytes polars parses.
        start = len(header)
        buffer, filled = bytearray(header), start
        while True:
            if len(buffer) < filled + size:
                buffer.extend(bytes(filled + size - len(buffer)))
            with memoryview(buffer) as view:
                read = handle.readinto(view[filled:filled + size])
            if not read:  # the end of the file
                break
            end = _row_end(buffer, start, filled + read)
            if end > start:
                yield bytes(memoryview(buffer)[:end])  # the view is released before the yield
            buffer[start:start + filled + read - end] = buffer[end:filled + read]  # the rest of a cut row
            filled = start + filled + read - end
        if filled > start:
            yield bytes(buffer[:filled])


def _row_end(block: bytes | bytearray, start: int = 0, stop: int | None = None) -> int:
    """Where the last complete row of `block[start:stop]` (which starts at a row) ends; `start` when
    none does.

    A line break ends a row unless an odd number of quote characters precede it: it is then inside
    a quoted cell (where a quote is written doubled). polars splits a file for its threads the same way.
    """
    end = block.rfind(b"\n", start, len(block) if stop is None else stop)
    inside = block.count(b'"', start, end) % 2 if end >= 0 else 0
    while end >= 0 and inside:
        previous = block.rfind(b"\n", start, end)
        inside ^= block.count(b'"', previous + 1 if previous >= 0 else start, end) % 2
        end = previous
    return end + 1 if end >= 0 else start


def _where_present(cells: pl.Series, result) -> pl.Series:
    """`result` (a value or a boolean Series) where the cell is there, null where it is empty:
    pandera's checks pass a null result (ignore_na)."""
    return pl.select(pl.when(cells.is_not_null()).then(result)).to_series()


def not_repeated(cells: pl.Series) -> pl.Series:
    """False at the second and later occurrences of a value (null where the cell is empty), as
    frictionless reports duplicates (pandera's `unique=True` marks every occurrence). Run on the
    few rows whose key hashes repeat (`PackageValidator.check_unique`)."""
    return _where_present(cells, cells.is_first_distinct())


def _all_match(pattern: str, cells) -> bool:
    """True when every cell matches `pattern` in full: one regex scan over the cells as lines.

    Each of n lines can start at most one `^...$` match, and a match running over a line break
    would leave a later line without one; so n matches means every line matched on its own.
    False means "look cell by cell" (also when a cell itself holds a line break).
    """
    if len(cells) == 0:
        return True
    joined = "\n".join(cells)
    if joined.count("\n") != len(cells) - 1:
        return False
    try:
        return len(re.findall(f"^(?:{pattern})$", joined, flags=re.MULTILINE)) == len(cells)
    except re.error:  # e.g. global flags, which must open the pattern
        return False


def _constraint_value(kind: str, value):
    """A constraint's bound or enum value in the field's type (Table Schema writes dates as strings)."""
    if isinstance(value, str) and kind in RULES:
        return RULES[kind](value)
    return value


def pandera_schema(schema: dict):
    """The pandera (polars) DataFrameSchema of a Table Schema: one Column per field, its type as the
    dtype, `required` and the primary key as nullable=False, and each constraint as a Check:
    pandera's built-in `isin`, `ge`/`le`/`gt`/`lt` and `str_length`, and `str_matches` as a check of
    our own (Python's regex semantics). Uniqueness is not among them: it spans batches
    (`PackageValidator.check_unique`)."""
    import pandera.polars as pa

    keys = primary_key(schema)
    bounds = {"minimum": pa.Check.ge, "maximum": pa.Check.le, "exclusiveMinimum": pa.Check.gt,
              "exclusiveMaximum": pa.Check.lt}
    columns = {}
    for field in schema["fields"]:
        kind = field.get("type", "string")
        constraints = field.get("constraints", {})
        checks = []
        if "enum" in constraints:
            checks.append(pa.Check.isin([_constraint_value(kind, v) for v in constraints["enum"]]))
        if "pattern" in constraints:
            pattern = constraints["pattern"]
            checks.append(pa.Check(lambda data, p=pattern: data.lazyframe.select(
                matches(data.lazyframe.select(data.key).collect().to_series(), p)),
                name="str_matches", error=f"str_matches({pattern!r})"))
        for key, check in bounds.items():
            if key in constraints:
                checks.append(check(_constraint_value(kind, constraints[key])))
        if "minLength" in constraints or "maxLength" in constraints:
            checks.append(pa.Check.str_length(constraints.get("minLength"), constraints.get("maxLength")))
        columns[field["name"]] = pa.Column(
            DTYPES.get(kind), checks=checks, nullable=not (constraints.get("required") or field["name"] in keys))
    return pa.DataFrameSchema(columns)


def schema_failures(checker, frame: pl.DataFrame) -> pl.DataFrame:
    """pandera's failure cases (column, check, index) of a typed frame; empty when it passes."""
    import pandera.polars as pa

    try:
        checker.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        return exc.failure_cases.select("column", "check", "index")
    return pl.DataFrame(schema={"column": pl.String, "check": pl.String, "index": pl.Int32})


def check_order(checker) -> dict[str, list[str]]:
    """Each column's checks in the order pandera reports them (missing values first)."""
    return {name: ["not_nullable"] + [check.error for check in column.checks]
            for name, column in checker.columns.items()}


def primary_key(schema: dict) -> list[str]:
    return _names(schema.get("primaryKey") or [])


def _names(fields) -> list[str]:
    """A Table Schema field list, which may be written as one name."""
    return [fields] if isinstance(fields, str) else list(fields)


def foreign_keys(schema: dict, name: str) -> list[tuple[int, str, str, str]]:
    """(number, field, referenced table, referenced field) of each foreign key of one field of table
    `name` (those of several fields are reported as not checked). A reference without a resource, or
    with "", is to the table itself (Table Schema), as is one that names it; frictionless reads them so."""
    found = []
    for number, fk in enumerate(schema.get("foreignKeys", [])):
        fields, reference = _names(fk["fields"]), fk["reference"]
        targets = _names(reference["fields"])
        if len(fields) == 1 and len(targets) == 1:
            found.append((number, fields[0], reference.get("resource") or name, targets[0]))
    return found


def unique_keys(schema: dict) -> list[tuple[str, ...]]:
    """The keys whose values must not repeat: each unique field, and the primary key."""
    keys = [(f["name"],) for f in schema["fields"] if f.get("constraints", {}).get("unique")]
    pk = tuple(primary_key(schema))
    return keys + [pk] if pk and pk not in keys else keys


def typed_frame(schema: dict, raw: pl.DataFrame) -> tuple[pl.DataFrame, dict[str, np.ndarray]]:
    """The cells of `raw` typed by the schema, and per field the positions of cells not of its type."""
    kinds = {f["name"]: f.get("type", "string") for f in schema["fields"]}
    columns, errors = [], {}
    for column in raw.columns:
        if kinds.get(column) in RULES:
            typed, errors[column] = typed_column(raw[column], kinds[column])
            columns.append(typed)
        else:
            columns.append(raw[column])
    return pl.DataFrame(columns), errors


def key_hashes(typed: pl.DataFrame, key: tuple[str, ...]) -> pl.Series:
    """A 64-bit hash of each row's key; null where a one-field key is empty (empty cells never repeat)."""
    if len(key) == 1:
        cells = pl.col(key[0])
        return typed.select(pl.when(cells.is_not_null()).then(cells.hash())).to_series()
    return typed.select(pl.struct(key).hash()).to_series()


def repeated(hashes: pl.Series) -> pl.Series:
    """The hashes that occur more than once (a sort: it needs no hash table beside the hashes)."""
    ordered = hashes.drop_nulls().sort()
    return ordered.tail(-1).filter(ordered.head(-1) == ordered.tail(-1)).unique()


def contains(ordered: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Whether each value is in the sorted array `ordered`."""
    found = np.searchsorted(ordered, values).clip(max=max(len(ordered) - 1, 0))
    return ordered[found] == values if len(ordered) else np.zeros(len(values), dtype=bool)


class PackageValidator:
    """Collects the problems of one package; `run()` returns them.

    Reads each table TABLE_BATCH bytes at a time and runs every per-row check on each batch; what
    it keeps across batches is listed in the module docstring (`keep`, `finish`).
    """

    def __init__(self, descriptor_path: Path, batch_bytes: int | None = None):
        self.descriptor_path = descriptor_path
        self.batch_bytes = batch_bytes or TABLE_BATCH
        self.base = descriptor_path.parent
        self.problems: list[Problem] = []  # problems reading the package: with one, nothing else is reported
        self.found: dict[tuple, list[Problem]] = {}  # check (its place in the report) -> its problems
        self.stage: tuple = (AT_REVIEW,)  # the check of a problem reported without one
        self.schemas: dict[str, dict] = {}
        self.paths: dict[str, Path] = {}
        self.checkers: dict[str, object] = {}  # resource -> its pandera schema
        self.orders: dict[str, dict[str, list[str]]] = {}  # resource -> column -> its checks, in report order
        self.batch: dict[str, tuple[int, pl.Series | None]] = {}  # resource -> first row, key cells of the batch at hand
        self.hashes: dict[tuple[str, tuple[str, ...]], pl.Series] = {}  # (resource, unique key) -> a hash per row
        self.ids: dict[tuple[str, str], pl.Series] = {}  # (resource, field) a foreign key references -> its values
        self.claim_keys = pl.Series(dtype=pl.UInt64)  # a hash of each claim's (claim_id, doc_id); sorted when complete
        self.stored: list[pl.DataFrame] = []  # per batch of documents: doc_id, where, encoding, length of its good texts
        self.stored_files: dict[str, tuple[int, int]] = {}  # text file -> end of its last text, the row that has it
        self.reviewed = ReviewRows()

    def room(self, check: tuple, cap: int | None = None) -> int:
        """How many more problems `check` may report (MAX_REPORTED): caps are per check, not per batch."""
        return max((MAX_REPORTED if cap is None else cap) - len(self.found.get(check, ())), 0)

    def report(self, resource: str, index: int | None, field: str | None, message: str,
               check: tuple | None = None, key: str | None = None) -> None:
        """File a problem of row `index` (0 = the first data row) under `check` (default: the stage at
        hand). `key` names the row ("claim_id=..."); by default it is looked up in the batch at hand."""
        key = self._key(resource, index) if key is None else key
        self.found.setdefault(check or self.stage, []).append(
            Problem(resource, None if index is None else _row(index), field, message, key))

    def report_rows(self, resource: str, check: tuple, field: str | None, positions, offset: int, message) -> None:
        """Report the rows at `positions` (ascending) of a batch starting at row `offset`, up to the
        check's cap; `message(position)` says what is wrong with one."""
        for position in positions[:self.room(check)]:
            self.report(resource, offset + int(position), field, message(int(position)), check)

    def _key(self, resource: str, index: int | None) -> str:
        """"field=value" of a row's primary key, when the row is in the batch at hand ("" otherwise)."""
        offset, cells = self.batch.get(resource, (0, None))
        if index is None or cells is None or not 0 <= index - offset < len(cells):
            return ""
        return f"{cells.name}={cells[int(index) - offset] or ''}"

    def run(self) -> list[Problem]:
        try:
            descriptor = json.loads(self.descriptor_path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            return [Problem(self.descriptor_path.name, None, None, f"cannot read descriptor: {exc}")]
        for resource in descriptor.get("resources", []):
            self.load_resource(resource)
        for name in ("documents", "claims", "casualties", "dates"):
            if name not in self.schemas and not any(p.resource == name for p in self.problems):
                self.problems.append(Problem(name, None, None, "resource missing from datapackage.json"))
        if self.problems:
            return self.problems
        for name in self.reading_order():
            self.read_table(name)
        if self.problems:  # a table polars cannot parse: that alone is reported, in descriptor order
            return sorted(self.problems, key=lambda p: list(self.schemas).index(p.resource))
        self.stage = (AT_REVIEW,)
        if self.reviewed.entries is not None and primary_key(self.schemas[RESOURCE]):  # kept whole: name any of its rows
            self.batch[RESOURCE] = (0, self.reviewed.entries[primary_key(self.schemas[RESOURCE])[0]])
        check_reviews(self, self.reviewed)
        return [problem for check in sorted(self.found) for problem in self.found[check]]

    def load_resource(self, resource: dict) -> None:
        """Read a resource's schema and its CSV's header (the rows are read by `read_table`)."""
        name = resource.get("name", "?")
        try:
            schema_ref = resource["schema"]
            schema = schema_ref if isinstance(schema_ref, dict) else json.loads(
                (self.base / schema_ref).read_text(encoding="utf-8"))
            path = self.base / resource["path"]
            header = pl.scan_csv(path, infer_schema=False, encoding="utf8").collect_schema().names()
        except (OSError, KeyError, TypeError, json.JSONDecodeError, UnicodeDecodeError) as exc:
            self.problems.append(Problem(name, None, None, f"cannot read resource: {exc}"))
            return
        except pl.exceptions.PolarsError as exc:
            self.problems.append(_unreadable(name, path, exc))
            return
        expected = [f["name"] for f in schema["fields"]]
        if header != expected:
            missing = [c for c in expected if c not in header]
            extra = [c for c in header if c not in expected]
            self.problems.append(Problem(name, 1, None, f"header does not match the schema (missing {missing}, unexpected {extra})"))
            return
        self.schemas[name], self.paths[name] = schema, path

    def reading_order(self) -> list[str]:
        """Tables a foreign key references first (the checks of the others need their ids), then the
        reviews (their ids pick the rows kept of claims and casualties), then claims (casualties list
        claims); the others as the descriptor lists them."""
        referenced = {resource for owner, schema in self.schemas.items()
                      for _, _, resource, _ in foreign_keys(schema, owner)}
        first = [RESOURCE, "claims"]
        return sorted(self.schemas, key=lambda name: (name not in referenced,
                                                      first.index(name) if name in first else len(first)))

    def batches(self, name: str, columns: list[str] | None = None):
        """(first row index, cells) of a table, `batch_bytes` of its CSV at a time. A CSV that
        polars cannot parse ends the batches with a reading problem."""
        offset = 0
        try:
            for block in csv_blocks(self.paths[name], self.batch_bytes):
                # Every cell as text, empty (quoted or not) as null: typing is check_table's job.
                raw = pl.read_csv(block, infer_schema=False, null_values=[""], encoding="utf8", columns=columns)
                yield offset, raw
                offset += raw.height
        except pl.exceptions.PolarsError as exc:
            self.problems.append(_unreadable(name, self.paths[name], exc))

    def read_table(self, name: str) -> None:
        """Check one table batch by batch, then what needs all of its rows (uniqueness). After a
        reading problem the rest is only read, to find the reading problems of every table."""
        self.checkers[name] = pandera_schema(self.schemas[name])
        self.orders[name] = check_order(self.checkers[name])
        self.note_unchecked(name)
        for offset, raw in self.batches(name):
            if not self.problems:
                self.check_batch(name, raw, offset)
            del raw
            trim_heap()  # the batch's memory goes back to the system, not to the next batch's peak
        if not self.problems:
            self.check_unique(name)
            self.finish(name)

    def check_batch(self, name: str, raw: pl.DataFrame, offset: int) -> None:
        """Every per-row check of one batch (rows offset, offset + 1, ...); keeps what later checks need."""
        pk = primary_key(self.schemas[name])
        self.batch[name] = (offset, raw[pk[0]] if pk else None)
        typed = self.check_table(name, raw, offset)
        self.check_foreign_keys(name, typed, offset)
        if name == "documents":
            self.check_documents(typed, offset)
        if name in SPAN_RESOURCES:
            self.check_spans(name, typed, offset)
        self.check_intervals(name, typed, raw, offset)
        if name == "casualties":
            self.check_incident_claims(typed, offset)
        self.keep(name, typed, offset)

    def keep(self, name: str, typed: pl.DataFrame, offset: int) -> None:
        """What later checks need of a batch: hashes of its unique keys, the ids a foreign key
        references, claims' (claim_id, doc_id) hashes, and the rows the reviews check."""
        for key in unique_keys(self.schemas[name]):
            _append(self.hashes, (name, key), key_hashes(typed, key))
        targets = {target for owner, schema in self.schemas.items()
                   for _, _, resource, target in foreign_keys(schema, owner) if resource == name}
        for field in sorted(targets):
            _append(self.ids, (name, field), typed[field].drop_nulls())
        if name == "claims":
            claims = typed.select("claim_id", "doc_id").drop_nulls()  # a join never matches an empty cell
            self.claim_keys = pl.concat([self.claim_keys, claims.select(pl.struct("claim_id", "doc_id").hash()).to_series()])
        self.reviewed.add(name, typed, offset)

    def finish(self, name: str) -> None:
        """Once a table is read: its referenced ids without repeats (and its foreign keys into
        itself checked against them), and claims' hashes sorted."""
        for key in [key for key in self.ids if key[0] == name]:
            self.ids[key] = self.ids[key].unique()
        self.check_self_references(name)
        if name == "documents":
            for path, (end, index) in self.stored_files.items():
                self.check_stored_file_end(path, index, end)
        if name == "claims":
            self.claim_keys = self.claim_keys.sort()

    def note_unchecked(self, name: str) -> None:
        """Say which constraints and types of a table's schema are not checked (once, not per batch)."""
        schema, check = self.schemas[name], (AT_TABLE, list(self.schemas).index(name), -1)
        for field in schema["fields"]:
            unknown = set(field.get("constraints", {})) - KNOWN_CONSTRAINTS
            if unknown:
                self.report(name, None, field["name"], f"constraint(s) {sorted(unknown)} are not checked by figures validate", check)
            if field.get("type", "string") not in (*RULES, "string"):
                self.report(name, None, field["name"], f"type {field['type']!r} is not checked by figures validate", check)
        for fk in schema.get("foreignKeys", []):
            fields = _names(fk["fields"])
            if len(fields) != 1 or len(_names(fk["reference"]["fields"])) != 1:
                self.report(name, None, ", ".join(fields), "a foreign key of several fields is not checked by figures validate", check)

    def check_table(self, name: str, raw: pl.DataFrame, offset: int) -> pl.DataFrame:
        """Type a batch by the schema, then report pandera's failures and the type errors field by
        field; returns the typed batch."""
        schema, table = self.schemas[name], list(self.schemas).index(name)
        typed, type_errors = typed_frame(schema, raw)
        failed: dict[str | None, list[tuple[str, list]]] = {}
        for column, check, found in schema_failures(self.checkers[name], typed).group_by(
                "column", "check", maintain_order=True).agg("index").iter_rows():
            failed.setdefault(column if column in raw.columns else None, []).append((check, found))
        for position, field in enumerate(schema["fields"]):
            column, cells, order = field["name"], raw[field["name"]], self.orders[name][field["name"]]
            for check, rows in self._failed_rows(name, column, failed.pop(column, []), (AT_TABLE, table, position)):
                if check == "not_nullable":  # a cell that is there but not of its type is a type error
                    rows = rows[cells.gather(rows).is_null().to_numpy()]
                self.report_rows(name, (AT_TABLE, table, position, _rank(order, check)), column, rows, offset,
                                 lambda i: _check_message(check, cells[i], column, schema))
            self.report_rows(name, (AT_TABLE, table, position, len(order) + 1), column, type_errors.get(column, []),
                             offset, lambda i: _type_message(field, cells[i], schema))
        keys = primary_key(schema)
        for check, rows in self._failed_rows(name, None, failed.pop(None, []), (AT_TABLE, table, len(schema["fields"]))):
            self.report_rows(name, (AT_TABLE, table, len(schema["fields"]), 0), None, rows, offset,  # checks of whole rows
                             lambda i: _check_message(check, ", ".join(f"{k}={raw[k][i]}" for k in keys), None, schema))
        return typed

    def _failed_rows(self, name: str, column: str | None, failed: list[tuple[str, list]], where: tuple):
        """(check, sorted row positions) of pandera's failures; one that names no row is reported as
        is, once (under `where` + the check's rank)."""
        order = self.orders[name].get(column, [])
        for check, found in failed:
            rows = np.unique(np.array([i for i in found if i is not None], dtype=np.int64))
            message, at = f"{check} failed", (*where, _rank(order, check))
            if len(rows) < len(found) and not any(p.message == message for p in self.found.get(at, ())):
                self.report(name, None, column, message, at)
            yield check, rows

    def check_unique(self, name: str) -> None:
        """Report the second and later rows of each repeated key, as frictionless does. The hashes
        say which keys may repeat; only those rows are read again, to compare (and quote) their cells."""
        schema, table = self.schemas[name], list(self.schemas).index(name)
        suspects = {key: repeated(self.hashes.pop((name, key))) for key in unique_keys(schema) if (name, key) in self.hashes}
        suspects = {key: hashes for key, hashes in suspects.items() if len(hashes)}
        if not suspects:
            return
        rows, raw, typed = self.rows_with_keys(name, suspects)
        fields, pk = [f["name"] for f in schema["fields"]], primary_key(schema)
        for key in suspects:
            if len(key) == 1:  # reported where pandera reported it when tables were read whole
                check = (AT_TABLE, table, fields.index(key[0]), len(self.orders[name][key[0]]))
                again = ~not_repeated(typed[key[0]]).fill_null(True)
            else:
                check = (AT_TABLE, table, len(fields), 0)
                again = ~typed.select(pl.struct(key).is_first_distinct()).to_series()
            for i in again.arg_true().to_list()[:self.room(check)]:
                self.report(name, rows[i], key[0] if len(key) == 1 else None, _duplicate_message(schema, key, raw, i),
                            check, key=f"{pk[0]}={raw[pk[0]][i] or ''}" if pk else "")

    def rows_with_keys(self, name: str, suspects: dict[tuple[str, ...], pl.Series]):
        """Row indices, cells and typed cells of the rows of a table whose key hash is a suspect."""
        schema = self.schemas[name]
        wanted = {column for key in suspects for column in key} | set(primary_key(schema)[:1])
        columns = [f["name"] for f in schema["fields"] if f["name"] in wanted]
        rows, raws, typeds = [], [], []
        for offset, raw in self.batches(name, columns):
            typed, _ = typed_frame(schema, raw)
            hit = pl.select(pl.any_horizontal(
                [key_hashes(typed, key).is_in(hashes.implode()).fill_null(False) for key, hashes in suspects.items()])).to_series()
            rows.append(hit.arg_true() + offset)
            raws.append(raw.filter(hit))
            typeds.append(typed.filter(hit))
        return pl.concat(rows).to_list(), pl.concat(raws), pl.concat(typeds)

    def check_foreign_keys(self, name: str, frame: pl.DataFrame, offset: int) -> None:
        """A batch's values of each foreign key into another table (read before this one)."""
        for number, field, resource, target in foreign_keys(self.schemas[name], name):
            if resource != name:  # into its own table: once it is read (check_self_references)
                self.check_references(name, number, frame[field], resource, target, offset)

    def check_references(self, name: str, number: int, values: pl.Series, resource: str, target: str,
                         offset: int) -> None:
        """Report the values (typed, of rows offset, offset + 1, ...) of foreign key `number` of a
        table that are not among the values of `resource`.`target` (an empty cell is no reference)."""
        ids = self.ids.get((resource, target), values.clear())
        bad = (values.is_not_null() & ~values.is_in(ids.implode())).to_numpy()
        self.report_rows(name, (AT_FOREIGN_KEY, list(self.schemas).index(name), number), values.name,
                         np.flatnonzero(bad), offset, lambda i: f"{values[i]!r} not found in {resource}.{target}")

    def check_self_references(self, name: str) -> None:
        """Foreign keys from a table into itself, once all its rows are read (a row may name a later
        row, in a later batch): the referencing column is read again, batch by batch, and checked
        against the referenced ids kept of every batch. Memory holds those ids, as for any table a
        foreign key references."""
        schema = self.schemas[name]
        pk = primary_key(schema)
        for number, field, resource, target in foreign_keys(schema, name):
            if resource != name or not self.room((AT_FOREIGN_KEY, list(self.schemas).index(name), number)):
                continue
            for offset, raw in self.batches(name, list(dict.fromkeys([field, *pk[:1]]))):
                self.batch[name] = (offset, raw[pk[0]] if pk else None)
                typed, _ = typed_frame(schema, raw.select(field))
                self.check_references(name, number, typed[field], resource, target, offset)

    def check_documents(self, docs: pl.DataFrame, offset: int) -> None:
        """Read every stored text once; check sha256, encoding and length.

        Remembers where each good text is and its length (not the text itself), for the quote checks.
        """
        check, good, lengths = (AT_DOCUMENT,), [], []
        with StoredTexts(self.base) as stored:
            for index, (doc_id, path, at, size, sha256, encoding, n_chars) in enumerate(docs.select(
                    "doc_id", "path", "byte_offset", "n_bytes", "sha256", "encoding", "n_chars").iter_rows(), offset):
                if path is None or at is None or size is None:
                    continue  # the type checks report the missing cell
                try:
                    data = stored.read(str(path), at, size)
                except OSError:
                    self.report("documents", index, "path",
                                f"text file {path} cannot be read or has no {size} bytes at offset {at}", check)
                    continue
                self.note_stored_file(str(path), index, at + size)
                digest = hashlib.sha256(data).hexdigest()
                if digest != sha256:
                    self.report("documents", index, "sha256", f"{path} at offset {at} has sha256 {digest}, "
                                "not the recorded one: the text changed; rebuild", check)
                    continue
                try:
                    text = data.decode(str(encoding))
                except (LookupError, UnicodeDecodeError) as exc:
                    self.report("documents", index, "encoding", f"{path} cannot be decoded as {encoding}: {exc}", check)
                    continue
                if n_chars is not None and len(text) != n_chars:
                    self.report("documents", index, "n_chars", f"text has {len(text)} characters, not {n_chars}", check)
                good.append(index - offset)
                lengths.append(len(text))
        self.stored.append(docs.select("doc_id", "path", "byte_offset", "n_bytes", "encoding")[good].with_columns(
            length=pl.Series(lengths, dtype=pl.Int64)))

    def note_stored_file(self, path: str, index: int, end: int) -> None:
        """Remember how far into its file a documents row's text reaches (one entry per file:
        the few parts of `figures extract`, or a build's seed files)."""
        known = self.stored_files.get(path)
        if known is None or end >= known[0]:
            self.stored_files[path] = (end, index)

    def check_stored_file_end(self, path: str, index: int, end: int) -> None:
        """A text file holds its texts and nothing after them: more bytes mean it changed since the
        package was written (a seed edited and not rebuilt), and the rows no longer cover it."""
        try:
            size = os.path.getsize(self.base / path)
        except OSError:
            return  # reported with the row that could not read it
        if size != end:
            self.report("documents", index, "n_bytes", f"{path} has {size} bytes but its texts end at byte "
                        f"{end}: the file changed since the package was written; rebuild", (AT_DOCUMENT,))

    @cached_property
    def texts(self) -> "TextIndex":
        """Where each usable text is and its length (complete once the documents table is read).
        Built once: every batch of claims, incidents and dates looks its documents up in it."""
        empty = pl.DataFrame(schema={"doc_id": pl.String, "path": pl.String, "byte_offset": pl.Int64,
                                     "n_bytes": pl.Int64, "encoding": pl.String, "length": pl.Int64})
        index = TextIndex(pl.concat([empty, *self.stored]))
        self.stored.clear()  # the index holds what is needed of these
        return index

    def _texts(self):
        """Position in `texts` -> its text (None when unusable), reading a few texts at a time."""
        cache: OrderedDict[int, str | None] = OrderedDict()
        stored = StoredTexts(self.base)  # texts are read in document order
        where = self.texts.where

        def text_of(position: int) -> str | None:
            position = int(position)
            if position in cache:
                cache.move_to_end(position)
                return cache[position]
            path, offset, size, encoding = where(position)
            try:
                text = stored.read(path, offset, size).decode(encoding)
            except (OSError, UnicodeDecodeError):
                text = None
            cache[position] = text
            if len(cache) > TEXTS_IN_MEMORY:
                cache.popitem(last=False)
            return text

        return text_of

    def check_spans(self, name: str, frame: pl.DataFrame, offset: int = 0, check: tuple | None = None) -> None:
        """Every row's quote is its document's text at start:end (rows of unusable documents, and rows
        without offsets, are left to the document and type checks). `frame` is a typed batch whose
        first row is row `offset`; its problems go under `check` (default: the spans of `name`)."""
        check = check or ((AT_SPAN, SPAN_RESOURCES.index(name)) if name in SPAN_RESOURCES else self.stage)
        lengths = self.texts.lengths
        doc = self.texts.positions(frame["doc_id"])
        starts = frame["start"].fill_null(-1).to_numpy()
        ends = frame["end"].fill_null(-1).to_numpy()
        usable = (doc >= 0) & (starts >= 0) & (ends >= 0)
        outside = usable & ((starts >= ends) | (ends > lengths[doc]))
        inside = usable & ~outside
        wrong = inside & (frame["quote"].str.len_chars().fill_null(-1).to_numpy() != ends - starts)
        candidates = np.flatnonzero(inside & ~wrong)
        wrong[candidates[self._quotes_differ(candidates, doc, starts, ends, frame["quote"], lengths)]] = True
        text_of = self._texts()
        for index in _first(outside | wrong, self.room(check)):
            start, end = int(starts[index]), int(ends[index])
            text = _fitted(text_of(doc[index]), lengths[doc[index]])
            if outside[index]:
                message = f"span {start}:{end} is outside the document text (0:{len(text)})"
            else:
                message = f"quote {frame['quote'][int(index)] or ''!r} is not the document text at {start}:{end} ({text[start:end]!r})"
            self.report(name, offset + int(index), "quote", message, check)

    def _quotes_differ(self, rows: np.ndarray, doc: np.ndarray, starts: np.ndarray, ends: np.ndarray,
                       quotes: pl.Series, lengths: np.ndarray) -> np.ndarray:
        """For rows whose quote has the right length: whether it differs from text[start:end].

        Compares code points as numpy arrays: the texts of a batch of documents, concatenated,
        gathered at every row's offsets, against the row's quotes, concatenated.
        """
        differ = np.zeros(len(rows), dtype=bool)
        if not len(rows):
            return differ
        order = np.argsort(doc[rows], kind="stable")
        sorted_docs = doc[rows[order]]
        run_starts = np.flatnonzero(np.r_[True, sorted_docs[1:] != sorted_docs[:-1]])
        run_bounds = np.r_[run_starts, len(rows)]
        run_docs = sorted_docs[run_starts]
        text_of = self._texts()
        base = np.zeros(len(lengths), dtype=np.int64)
        first = 0
        while first < len(run_docs):
            last, chars = first, 0
            while last < len(run_docs) and (last == first or chars + lengths[run_docs[last]] <= TEXT_BATCH):
                chars += lengths[run_docs[last]]
                last += 1
            # A text that cannot be read now (changed since check_documents) differs everywhere.
            texts = [_fitted(text_of(d), lengths[d]) for d in run_docs[first:last]]
            base[run_docs[first:last]] = np.cumsum([0] + [len(t) for t in texts[:-1]])
            text = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32)
            del texts
            run = order[run_bounds[first]:run_bounds[last]]
            for lo, hi in _pieces(ends[rows[run]] - starts[rows[run]], ROW_BATCH, QUOTE_CHARS):
                part = run[lo:hi]
                chosen = rows[part]
                quote = np.frombuffer(quotes.gather(chosen).str.join("").item().encode("utf-32-le"), dtype=np.uint32)
                sizes = ends[chosen] - starts[chosen]
                offsets = np.cumsum(sizes) - sizes
                where = np.repeat(base[doc[chosen]] + starts[chosen] - offsets, sizes) + np.arange(len(quote))
                differ[part] = np.logical_or.reduceat(text[where] != quote, offsets)
            first = last
        return differ

    def check_intervals(self, name: str, frame: pl.DataFrame, raw: pl.DataFrame, offset: int) -> None:
        """low <= best <= high in each interval of a batch (a missing bound is no problem)."""
        for number, triple in enumerate(INTERVALS.get(name, [])):
            low, best, high = triple
            for pair, (lo, hi) in enumerate(((low, best), (best, high), (low, high))):
                lows, highs = frame[lo].to_numpy().astype("float64"), frame[hi].to_numpy().astype("float64")
                with np.errstate(invalid="ignore"):
                    bad = lows > highs  # False wherever either is missing (NaN)
                self.report_rows(name, (AT_INTERVAL, list(INTERVALS).index(name), number, pair), lo,
                                 np.flatnonzero(bad), offset,
                                 lambda i: f"{lo} {raw[lo][i]} is greater than {hi} {raw[hi][i]}")

    def check_incident_claims(self, frame: pl.DataFrame, offset: int) -> None:
        """Every claim id an incident of a batch lists is a claim of the incident's own document
        (looked up among the hashes of every claim's (claim_id, doc_id))."""
        check = (AT_INCIDENT,)
        listed = (frame.select("doc_id", "claim_ids").with_row_index("row", offset)
                  .with_columns(pl.col("claim_ids").str.extract_all(r"\S+")).explode("claim_ids")
                  .drop_nulls("claim_ids"))
        hashes = listed.select(pl.struct(claim_id="claim_ids", doc_id="doc_id").hash()).to_series().to_numpy()
        known = contains(self.claim_keys.to_numpy(), hashes) & listed["doc_id"].is_not_null().to_numpy()
        unknown = listed.filter(~known).head(self.room(check, MAX_REPORTED * 4))
        for index, doc_id, claim_id in unknown.select("row", "doc_id", "claim_ids").iter_rows():
            self.report("casualties", index, "claim_ids", f"claim {claim_id!r} is not a claim of document {doc_id or ''!r}", check)


def _rank(order: list[str], check: str) -> int:
    """Where a check's failures go among a column's: pandera's order; checks it does not list after."""
    return order.index(check) if check in order else len(order)


def _duplicate_message(schema: dict, key: tuple[str, ...], raw: pl.DataFrame, index: int) -> str:
    if len(key) == 1:
        return _check_message("field_uniqueness", raw[key[0]][index], key[0], schema)
    value = ", ".join(f"{k}={raw[k][index]}" for k in key)
    return _check_message("multiple_fields_uniqueness", value, None, schema)


def _type_message(field: dict, value: object, schema: dict) -> str:
    if field.get("type") == "date":
        return f"{value!r} is not a YYYY-MM-DD date"
    return _check_message(f"coerce_dtype('{NUMERIC_DTYPES[field['type']]}')", value, field["name"], schema)


def _unreadable(name: str, path: Path, exc: Exception) -> Problem:
    where = _locate_csv_error(path)
    return Problem(name, None, None, f"cannot read resource: {str(exc).splitlines()[0]}" + (f" ({where})" if where else ""))


def _append(store: dict, key, values: pl.Series) -> None:
    """Add a batch's values to what `store` keeps under `key` (polars appends chunks, copying nothing)."""
    store[key] = pl.concat([store[key], values]) if key in store else values


def _pieces(sizes: np.ndarray, most: int, total: int):
    """(start, stop) of consecutive pieces of `sizes`, each of at most `most` items whose sizes add up
    to at most `total` (or of one item, when that alone is larger)."""
    ends = np.cumsum(sizes)
    start = 0
    while start < len(sizes):
        before = ends[start - 1] if start else 0
        stop = min(max(start + 1, int(np.searchsorted(ends, before + total, side="right"))), start + most)
        yield start, stop
        start = stop


def _codes(column: pl.Series) -> tuple[np.ndarray, list]:
    """A column of few distinct values as (code per row, the values): values[codes[i]] is row i."""
    values = column.unique(maintain_order=True)
    codes = column.replace_strict(values, pl.int_range(len(values), eager=True), return_dtype=pl.Int32)
    return codes.to_numpy(), values.to_list()


def _fitted(text: str | None, length: int) -> str:
    return text if text is not None and len(text) == length else "\0" * length


class TextIndex:
    """The usable texts of a package (one row each: doc_id, path, byte_offset, n_bytes, encoding,
    length) in the forms the quote checks use per row. An item of a polars frame costs
    microseconds and Python lists hundreds of bytes a document, so: numbers as numpy arrays, and
    the few distinct paths and encodings as codes into short lists (~40 bytes a document)."""

    def __init__(self, texts: pl.DataFrame):
        self.ids = texts["doc_id"]
        self.lengths = np.append(texts["length"].to_numpy(), 0)  # and 0 for rows of no usable text
        self.offsets, self.sizes = (texts[name].to_numpy() for name in ("byte_offset", "n_bytes"))
        (self.path_codes, self.paths), (self.encoding_codes, self.encodings) = (
            _codes(texts[name]) for name in ("path", "encoding"))
        self._numbers = pl.int_range(len(self.ids), eager=True)

    def where(self, position: int) -> tuple[str, int, int, str]:
        """The text at `position`: its file's path, byte offset and size there, and its encoding."""
        return (self.paths[self.path_codes[position]], int(self.offsets[position]), int(self.sizes[position]),
                self.encodings[self.encoding_codes[position]])

    def positions(self, doc_ids: pl.Series) -> np.ndarray:
        """The position of each doc_id's text, -1 where it has none (-1 indexes `lengths`' 0)."""
        return doc_ids.replace_strict(self.ids, self._numbers, default=-1, return_dtype=pl.Int64).to_numpy()


def validate_package(descriptor_path: Path, batch_bytes: int | None = None) -> list[Problem]:
    """All problems found in the package at `descriptor_path` (empty when valid).

    polars runs every query of the validation on its in-memory engine: pandera collects a lazy
    query per check (~50 a batch), and the default engine's choice and set-up cost ~0.3 ms a
    query, ten times the in-memory engine's, on frames that are in memory anyway. The results
    are the same on either engine; the setting is the caller's again on return."""
    with pl.Config(engine_affinity="in-memory"):
        return PackageValidator(Path(descriptor_path), batch_bytes).run()


def require_valid(descriptor_path: Path, batch_bytes: int | None = None) -> None:
    """Raise PackageInvalid with a readable report when the package has problems (`batch_bytes`:
    bytes of CSV read at a time, TABLE_BATCH by default)."""
    problems = validate_package(descriptor_path, batch_bytes)
    if problems:
        lines = [str(p) for p in problems[:MAX_REPORTED]]
        more = len(problems) - len(lines)
        raise PackageInvalid(f"{descriptor_path}: {len(problems)} problem(s)\n  " + "\n  ".join(lines)
                             + (f"\n  ... and {more} more" if more > 0 else ""))
