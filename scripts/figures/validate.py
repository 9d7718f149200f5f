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

Rows are numbered as frictionless numbers them: the header is row 1, the first data row row 2.
A duplicated key is reported at its second and later occurrences, as frictionless does.
Patterns are Python regular expressions matched against the whole cell (Table Schema's meaning;
frictionless anchors them with ^...$ and `re.match`, which also accepts a trailing line break).
Known differences from frictionless: an integer beyond 64 bits is reported as not an integer;
a row with fewer cells than the header reads its missing cells as empty.

Speed (benchmarks/README.md): on 1,000,000 claim rows the whole command takes 2.8–3.9 s of CPU
against 34–45 s for `frictionless validate` (11–13.5x; 14–17x in wall time). pandera is kept on
that measurement: its checks take ~0.5 s and its import (it brings pandas) 0.7–1 s; its own
`coerce=True` and `unique=True` are not used, because one bad cell failed the coercion of every
column, and uniqueness marked first occurrences too (and hashed slower than a sort).
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import numpy as np
import polars as pl

from .errors import PackageInvalid
from .reviews import check_reviews

# Intervals checked per resource: (low, best, high) column triples.
INTERVALS = {
    "claims": [("low", "value", "high")],
    "casualties": [("killed_low", "killed", "killed_high"), ("wounded_low", "wounded", "wounded_high")],
}
SPAN_RESOURCES = ("claims", "casualties", "dates")
MAX_REPORTED = 50  # per check, so a broken million-row file gives a readable report
TEXTS_IN_MEMORY = 8  # decoded texts kept at once for messages about quotes
TEXT_BATCH = 2_000_000  # code points of document text compared against quotes in one batch
ROW_BATCH = 100_000  # quotes compared in one batch, at most...
QUOTE_CHARS = 1_000_000  # ...and code points of quotes (~25 bytes each in the comparison's arrays)
DTYPES = {"string": pl.String, "integer": pl.Int64, "number": pl.Float64, "date": pl.Date}
NUMERIC_DTYPES = {"integer": "Int64", "number": "Float64"}
KNOWN_CONSTRAINTS = {"required", "unique", "enum", "pattern", "minimum", "maximum", "exclusiveMinimum",
                     "exclusiveMaximum", "minLength", "maxLength"}
INT64 = 2 ** 63


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


def _first(mask) -> np.ndarray:
    """Positions of the first MAX_REPORTED true values of a boolean mask."""
    return np.flatnonzero(np.asarray(mask, dtype=bool))[:MAX_REPORTED]


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


def _where_present(cells: pl.Series, result) -> pl.Series:
    """`result` (a value or a boolean Series) where the cell is there, null where it is empty:
    pandera's checks pass a null result (ignore_na)."""
    return pl.select(pl.when(cells.is_not_null()).then(result)).to_series()


def not_repeated(cells: pl.Series) -> pl.Series:
    """False at the second and later occurrences of a value (null where the cell is empty).

    pandera's own `unique=True` marks every occurrence, and hashes a million strings in ~0.45 s;
    sorting them takes ~0.15 s, and tells whether any value repeats at all.
    """
    ordered = cells.drop_nulls().sort()
    if not (ordered.head(-1) == ordered.tail(-1)).any():
        return _where_present(cells, True)
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
    pandera's built-in `isin`, `ge`/`le`/`gt`/`lt` and `str_length`; `str_matches` and
    `field_uniqueness` as checks of our own (Python's regex semantics; only second and later
    occurrences fail, as in frictionless), and a composite primary key as a check of whole rows."""
    import pandera.polars as pa

    keys = schema.get("primaryKey") or []
    keys = [keys] if isinstance(keys, str) else list(keys)
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
        if constraints.get("unique") or keys == [field["name"]]:
            checks.append(pa.Check(lambda data: data.lazyframe.select(
                not_repeated(data.lazyframe.select(data.key).collect().to_series())),
                name="field_uniqueness", error="field_uniqueness"))
        columns[field["name"]] = pa.Column(
            DTYPES.get(kind), checks=checks, nullable=not (constraints.get("required") or field["name"] in keys))
    checks = []
    if len(keys) > 1:  # pandera's unique=[...] would also mark the first occurrence
        checks.append(pa.Check(lambda data: data.lazyframe.select(pl.struct(keys).is_first_distinct()),
                               name="multiple_fields_uniqueness", error="multiple_fields_uniqueness"))
    return pa.DataFrameSchema(columns, checks=checks)


def schema_failures(schema: dict, frame: pl.DataFrame) -> pl.DataFrame:
    """pandera's failure cases (column, check, index) of a typed frame; empty when it passes."""
    import pandera.polars as pa

    try:
        pandera_schema(schema).validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        return exc.failure_cases.select("column", "check", "index")
    return pl.DataFrame(schema={"column": pl.String, "check": pl.String, "index": pl.Int32})


class PackageValidator:
    """Collects the problems of one package; `run()` returns them."""

    def __init__(self, descriptor_path: Path):
        self.descriptor_path = descriptor_path
        self.base = descriptor_path.parent
        self.problems: list[Problem] = []
        self.raw: dict[str, pl.DataFrame] = {}  # cells as written (strings, null when empty)
        self.frames: dict[str, pl.DataFrame] = {}  # typed by the schema (null when empty or bad)
        self.schemas: dict[str, dict] = {}
        self.stored: dict[str, tuple[Path, str, int]] = {}  # doc_id -> text file, encoding, length

    def report(self, resource: str, index: int | None, field: str | None, message: str) -> None:
        key = ""
        frame = self.raw.get(resource)
        pk = self.schemas.get(resource, {}).get("primaryKey") or []
        pk = [pk] if isinstance(pk, str) else pk
        if index is not None and frame is not None and pk and 0 <= index < frame.height:
            key = f"{pk[0]}={frame[pk[0]][int(index)] or ''}"
        self.problems.append(Problem(resource, None if index is None else _row(index), field, message, key))

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
        for name, schema in self.schemas.items():
            self.check_table(name, schema)
        self.check_foreign_keys()
        self.check_documents()
        for name in SPAN_RESOURCES:
            self.check_spans(name)
        for name, triples in INTERVALS.items():
            for triple in triples:
                self.check_interval(name, *triple)
        self.check_incident_claims()
        check_reviews(self)
        return self.problems

    def load_resource(self, resource: dict) -> None:
        name = resource.get("name", "?")
        try:
            schema_ref = resource["schema"]
            schema = schema_ref if isinstance(schema_ref, dict) else json.loads(
                (self.base / schema_ref).read_text(encoding="utf-8"))
            path = self.base / resource["path"]
            # Every cell as text, empty (quoted or not) as null: typing is check_table's job.
            frame = pl.read_csv(path, infer_schema=False, null_values=[""], encoding="utf8")
        except (OSError, KeyError, TypeError, json.JSONDecodeError, UnicodeDecodeError) as exc:
            self.problems.append(Problem(name, None, None, f"cannot read resource: {exc}"))
            return
        except pl.exceptions.PolarsError as exc:
            where = _locate_csv_error(path)
            self.problems.append(Problem(name, None, None, f"cannot read resource: {str(exc).splitlines()[0]}"
                                         + (f" ({where})" if where else "")))
            return
        expected = [f["name"] for f in schema["fields"]]
        if frame.columns != expected:
            missing = [c for c in expected if c not in frame.columns]
            extra = [c for c in frame.columns if c not in expected]
            self.problems.append(Problem(name, 1, None, f"header does not match the schema (missing {missing}, unexpected {extra})"))
            return
        self.schemas[name] = schema
        self.raw[name] = frame

    def check_table(self, name: str, schema: dict) -> None:
        """Type every field by the schema, then report pandera's failures field by field."""
        raw = self.raw[name]
        columns, type_errors = [], {}
        for field in schema["fields"]:
            column, kind = field["name"], field.get("type", "string")
            unknown = set(field.get("constraints", {})) - KNOWN_CONSTRAINTS
            if unknown:
                self.report(name, None, column, f"constraint(s) {sorted(unknown)} are not checked by figures validate")
            if kind in RULES:
                typed, type_errors[column] = typed_column(raw[column], kind)
                columns.append(typed)
            else:
                if kind != "string":
                    self.report(name, None, column, f"type {kind!r} is not checked by figures validate")
                columns.append(raw[column])
        frame = self.frames[name] = pl.DataFrame(columns)
        failed: dict[str | None, list[tuple[str, list]]] = {}
        for column, check, found in schema_failures(schema, frame).group_by(
                "column", "check", maintain_order=True).agg("index").iter_rows():
            failed.setdefault(column if column in raw.columns else None, []).append((check, found))
        for field in schema["fields"]:
            column = field["name"]
            cells = raw[column]
            for check, rows in self._failed_rows(name, column, failed.pop(column, [])):
                if check == "not_nullable":  # a cell that is there but not of its type is a type error
                    rows = rows[cells.gather(rows).is_null().to_numpy()]
                for index in rows[:MAX_REPORTED]:
                    self.report(name, index, column, _check_message(check, cells[int(index)], column, schema))
            for index in type_errors.get(column, [])[:MAX_REPORTED]:
                value = cells[int(index)]
                if field.get("type") == "date":
                    self.report(name, index, column, f"{value!r} is not a YYYY-MM-DD date")
                else:
                    self.report(name, index, column, _check_message(
                        f"coerce_dtype('{NUMERIC_DTYPES[field['type']]}')", value, column, schema))
        keys = schema.get("primaryKey") or []
        keys = [keys] if isinstance(keys, str) else keys
        for check, rows in self._failed_rows(name, None, failed.pop(None, [])):  # checks of whole rows
            for index in rows[:MAX_REPORTED]:
                value = ", ".join(f"{k}={raw[k][int(index)]}" for k in keys)
                self.report(name, index, None, _check_message(check, value, None, schema))

    def _failed_rows(self, name: str, column: str | None, failed: list[tuple[str, list]]):
        """(check, sorted row positions) of pandera's failures; one that names no row is reported as is."""
        for check, found in failed:
            rows = np.unique(np.array([i for i in found if i is not None], dtype=np.int64))
            if len(rows) < len(found):
                self.report(name, None, column, f"{check} failed")
            yield check, rows

    def check_foreign_keys(self) -> None:
        for name, schema in self.schemas.items():
            for fk in schema.get("foreignKeys", []):
                (field,), ref = fk["fields"], fk["reference"]
                target = self.frames[ref["resource"]][ref["fields"][0]]
                values = self.frames[name][field]
                bad = (values.is_not_null() & ~values.is_in(target.drop_nulls().unique().implode())).to_numpy()
                for index in _first(bad):
                    self.report(name, index, field, f"{values[int(index)]!r} not found in {ref['resource']}.{ref['fields'][0]}")

    def check_documents(self) -> None:
        """Read every stored text once; check sha256, encoding and length.

        Remembers where each good text is and its length (not the text itself), for the quote checks.
        """
        docs = self.frames["documents"]
        for index, (doc_id, path, sha256, encoding, n_chars) in enumerate(docs.select(
                "doc_id", "path", "sha256", "encoding", "n_chars").iter_rows()):
            location = self.base / str(path)
            try:
                data = location.read_bytes()
            except OSError:
                self.report("documents", index, "path", f"text file {path} cannot be read")
                continue
            digest = hashlib.sha256(data).hexdigest()
            if digest != sha256:
                self.report("documents", index, "sha256",
                            f"{path} has sha256 {digest}, not the recorded one: the text changed; rebuild")
                continue
            try:
                text = data.decode(str(encoding))
            except (LookupError, UnicodeDecodeError) as exc:
                self.report("documents", index, "encoding", f"{path} cannot be decoded as {encoding}: {exc}")
                continue
            if n_chars is not None and len(text) != n_chars:
                self.report("documents", index, "n_chars", f"text has {len(text)} characters, not {n_chars}")
            self.stored[str(doc_id)] = (location, str(encoding), len(text))

    def _texts(self):
        """doc_id -> text (None when unusable), reading a few texts at a time."""
        cache: OrderedDict[str, str | None] = OrderedDict()

        def text_of(doc_id: str) -> str | None:
            if doc_id in cache:
                cache.move_to_end(doc_id)
                return cache[doc_id]
            stored = self.stored.get(doc_id)
            text = None
            if stored is not None:
                try:
                    text = stored[0].read_bytes().decode(stored[1])
                except (OSError, UnicodeDecodeError):
                    text = None
            cache[doc_id] = text
            if len(cache) > TEXTS_IN_MEMORY:
                cache.popitem(last=False)
            return text

        return text_of

    def check_spans(self, name: str) -> None:
        """Every row's quote is its document's text at start:end (rows of unusable documents,
        and rows without offsets, are left to the document and type checks)."""
        frame = self.frames[name]
        doc_ids = list(self.stored)
        lengths = np.array([self.stored[d][2] for d in doc_ids] + [0], dtype=np.int64)
        doc = frame["doc_id"].replace_strict(doc_ids, list(range(len(doc_ids))), default=-1,
                                             return_dtype=pl.Int64).to_numpy()
        starts = frame["start"].fill_null(-1).to_numpy()
        ends = frame["end"].fill_null(-1).to_numpy()
        usable = (doc >= 0) & (starts >= 0) & (ends >= 0)
        outside = usable & ((starts >= ends) | (ends > lengths[doc]))
        inside = usable & ~outside
        wrong = inside & (frame["quote"].str.len_chars().fill_null(-1).to_numpy() != ends - starts)
        candidates = np.flatnonzero(inside & ~wrong)
        wrong[candidates[self._quotes_differ(candidates, doc, starts, ends, frame["quote"], doc_ids)]] = True
        text_of = self._texts()
        for index in _first(outside | wrong):
            doc_id, start, end = doc_ids[doc[index]], int(starts[index]), int(ends[index])
            text = _fitted(text_of(doc_id), self.stored[doc_id][2])
            if outside[index]:
                message = f"span {start}:{end} is outside the document text (0:{len(text)})"
            else:
                message = f"quote {frame['quote'][int(index)] or ''!r} is not the document text at {start}:{end} ({text[start:end]!r})"
            self.report(name, index, "quote", message)

    def _quotes_differ(self, rows: np.ndarray, doc: np.ndarray, starts: np.ndarray, ends: np.ndarray,
                       quotes: pl.Series, doc_ids: list[str]) -> np.ndarray:
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
        base = np.zeros(len(doc_ids) + 1, dtype=np.int64)
        first = 0
        while first < len(run_docs):
            last, chars = first, 0
            while last < len(run_docs) and (last == first or chars + self.stored[doc_ids[run_docs[last]]][2] <= TEXT_BATCH):
                chars += self.stored[doc_ids[run_docs[last]]][2]
                last += 1
            # A text that cannot be read now (changed since check_documents) differs everywhere.
            texts = [_fitted(text_of(doc_ids[d]), self.stored[doc_ids[d]][2]) for d in run_docs[first:last]]
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

    def check_interval(self, name: str, low: str, best: str, high: str) -> None:
        frame = self.frames[name]
        for lo, hi in ((low, best), (best, high), (low, high)):
            lows, highs = frame[lo].to_numpy().astype("float64"), frame[hi].to_numpy().astype("float64")
            with np.errstate(invalid="ignore"):
                bad = lows > highs  # False wherever either is missing (NaN)
            for index in _first(bad):
                self.report(name, index, lo, f"{lo} {self.raw[name][lo][int(index)]} is greater than {hi} {self.raw[name][hi][int(index)]}")

    def check_incident_claims(self) -> None:
        """Every claim id an incident lists is a claim of the incident's own document."""
        claims = self.frames["claims"].select("claim_id", "doc_id")
        listed = (self.frames["casualties"].select("doc_id", "claim_ids").with_row_index("row")
                  .with_columns(pl.col("claim_ids").str.extract_all(r"\S+")).explode("claim_ids")
                  .drop_nulls("claim_ids").with_row_index("position"))
        # Only the claims an incident lists take part in the join (a hash of 27k ids, not of 1M rows).
        claims = claims.filter(pl.col("claim_id").is_in(listed["claim_ids"].unique().implode()))
        unknown = listed.join(claims, left_on=["claim_ids", "doc_id"], right_on=["claim_id", "doc_id"],
                              how="anti").sort("position").head(MAX_REPORTED * 4)
        for index, doc_id, claim_id in unknown.select("row", "doc_id", "claim_ids").iter_rows():
            self.report("casualties", index, "claim_ids", f"claim {claim_id!r} is not a claim of document {doc_id or ''!r}")


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


def _fitted(text: str | None, length: int) -> str:
    return text if text is not None and len(text) == length else "\0" * length


def validate_package(descriptor_path: Path) -> list[Problem]:
    """All problems found in the package at `descriptor_path` (empty when valid)."""
    return PackageValidator(Path(descriptor_path)).run()


def require_valid(descriptor_path: Path) -> None:
    """Raise PackageInvalid with a readable report when the package has problems."""
    problems = validate_package(descriptor_path)
    if problems:
        lines = [str(p) for p in problems[:MAX_REPORTED]]
        more = len(problems) - len(lines)
        raise PackageInvalid(f"{descriptor_path}: {len(problems)} problem(s)\n  " + "\n  ".join(lines)
                             + (f"\n  ... and {more} more" if more > 0 else ""))
