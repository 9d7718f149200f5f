"""Validate stage: check a written package against its schemas and its source texts.

Reads only what is on disk (datapackage.json, its CSVs, its schemas, its texts), so anyone can
validate a package they downloaded. Two layers:
- Table Schema checks, driven by the package's own schema files: types, required, unique, enum,
  ranges, lengths and patterns of every field, the header, primary and foreign keys. They are the
  checks pandera's importer (`from_frictionless_schema`) derives from a Table Schema, under the
  same names (`isin(...)`, `field_uniqueness`, `coerce_dtype('Float64')`, ...), but run as whole-
  column pandas operations: on a million rows pandera's row-level machinery took most of the time.
  A type or constraint this module does not know is reported, never silently skipped.
- Provenance checks: each document's sha256 and length match its stored file, every `quote`
  is exactly the document text at `start:end`, and intervals are ordered (low <= value <= high).
  Texts are read again one document at a time, so memory does not hold every text at once.

Rows are numbered as frictionless numbers them: the header is row 1, the first data row row 2.
A duplicated key is reported at its second and later occurrences, as frictionless does.
"""

from __future__ import annotations

import hashlib
import json
import re
import warnings
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import PackageInvalid
from .reviews import check_reviews

# Intervals checked per resource: (low, best, high) column triples.
INTERVALS = {
    "claims": [("low", "value", "high")],
    "casualties": [("killed_low", "killed", "killed_high"), ("wounded_low", "wounded", "wounded_high")],
}
SPAN_RESOURCES = ("claims", "casualties", "dates")
MAX_REPORTED = 50  # per check, so a broken million-row file gives a readable report
TEXTS_IN_MEMORY = 8  # decoded texts kept at once while checking quotes (rows come grouped by document)
NUMERIC_DTYPES = {"integer": "Int64", "number": "Float64"}
KNOWN_CONSTRAINTS = {"required", "unique", "enum", "pattern", "minimum", "maximum", "exclusiveMinimum",
                     "exclusiveMaximum", "minLength", "maxLength"}
_INTEGER = re.compile(r"[+-]?\d+")


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
    shown = "(empty)" if value is None or (not isinstance(value, str) and pd.isna(value)) else repr(value)
    if check.startswith("isin"):
        allowed = ", ".join(constraints.get("enum", []))
        return f"{shown} is not an allowed value (isin: one of {allowed})"
    if check == "field_uniqueness" or check.startswith("unique"):
        return f"{shown} is a duplicate (field_uniqueness: values must be unique)"
    if check == "not_nullable":
        return "required value is missing (not_nullable)"
    if check.startswith("coerce_dtype"):
        kind = field.get("type", "value")
        return f"{shown} is not a valid {kind} ({check})"
    if check.startswith("str_matches"):
        return f"{shown} does not match the pattern {constraints.get('pattern', '')!r} ({check})"
    if check.startswith(("greater_than", "less_than", "in_range")):
        bounds = ", ".join(f"{k} {v}" for k, v in constraints.items() if k in ("minimum", "maximum"))
        return f"{shown} is out of range ({bounds + '; ' if bounds else ''}{check})"
    if check.startswith("column_in_dataframe"):
        return f"column is missing ({check})"
    return f"{check} failed for value {shown}"


class PackageValidator:
    """Collects the problems of one package; `run()` returns them."""

    def __init__(self, descriptor_path: Path):
        self.descriptor_path = descriptor_path
        self.base = descriptor_path.parent
        self.problems: list[Problem] = []
        self.frames: dict[str, pd.DataFrame] = {}
        self.schemas: dict[str, dict] = {}
        self.paths: dict[str, Path] = {}

    def report(self, resource: str, index: int | None, field: str | None, message: str) -> None:
        key = ""
        frame = self.frames.get(resource)
        pk = self.schemas.get(resource, {}).get("primaryKey") or []
        if index is not None and frame is not None and pk and 0 <= index < len(frame):
            key = "=".join([pk[0], str(frame[pk[0]].iat[index])])
        self.problems.append(Problem(resource, None if index is None else _row(index), field, message, key))

    def run(self) -> list[Problem]:
        try:
            descriptor = json.loads(self.descriptor_path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            return [Problem(self.descriptor_path.name, None, None, f"cannot read descriptor: {exc}")]
        for resource in descriptor.get("resources", []):
            self.load_resource(resource)
        for name in ("documents", "claims", "casualties", "dates"):
            if name not in self.schemas:
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
            frame = self._read_csv(path, schema)
        except (OSError, KeyError, json.JSONDecodeError, pd.errors.ParserError, UnicodeDecodeError) as exc:
            self.problems.append(Problem(name, None, None, f"cannot read resource: {exc}"))
            return
        expected = [f["name"] for f in schema["fields"]]
        if list(frame.columns) != expected:
            missing = [c for c in expected if c not in frame.columns]
            extra = [c for c in frame.columns if c not in expected]
            self.problems.append(Problem(name, 1, None, f"header does not match the schema (missing {missing}, unexpected {extra})"))
            return
        self.schemas[name] = schema
        self.paths[name] = path
        self.frames[name] = frame

    @staticmethod
    def _read_csv(path: Path, schema: dict, columns: list[str] | None = None, as_text: bool = False) -> pd.DataFrame:
        """Read a CSV: numeric fields parsed by the CSV reader, enums as categories, strings as str.

        An empty cell is a missing value (NaN). A numeric column the reader cannot parse comes
        back as strings, and `check_table` reads it again as text to find the bad cells.
        Strings are plain Python objects whether or not pyarrow is installed (pandas 3 would
        otherwise store them in Arrow and convert on every string operation).
        """
        header = pd.read_csv(path, nrows=0, encoding="utf-8").columns
        kinds = {f["name"]: f for f in schema.get("fields", [])}
        dtype = {}
        for column in header:
            field = kinds.get(column, {})
            if as_text or field.get("type") not in NUMERIC_DTYPES:
                dtype[column] = "category" if field.get("constraints", {}).get("enum") else object
        with warnings.catch_warnings():  # a column of mixed types is what check_table looks into
            warnings.simplefilter("ignore", pd.errors.DtypeWarning)
            return pd.read_csv(path, dtype=dtype, keep_default_na=False, na_values={c: [""] for c in header},
                               usecols=columns, encoding="utf-8")

    def check_table(self, name: str, schema: dict) -> None:
        """Every field's type and constraints, from the schema; numeric columns become float64."""
        frame = self.frames[name]
        keys = set(schema.get("primaryKey") or [])
        for field in schema["fields"]:
            column = field["name"]
            values = frame[column]
            present = values.notna().to_numpy()
            constraints = dict(field.get("constraints", {}))
            unknown = set(constraints) - KNOWN_CONSTRAINTS
            if unknown:
                self.report(name, None, column, f"constraint(s) {sorted(unknown)} are not checked by figures validate")
            if column in keys:
                constraints.update(required=True, unique=len(keys) == 1 or constraints.get("unique", False))
            if constraints.get("required"):
                for index in _first(~present):
                    self.report(name, index, column, _check_message("not_nullable", None, column, schema))
            kind = field["type"]
            if kind in NUMERIC_DTYPES:
                numbers, bad = self._parse_numbers(name, column, values, present, kind)
                for index in _first(bad):
                    self.report(name, index, column, _check_message(f"coerce_dtype('{NUMERIC_DTYPES[kind]}')",
                                                                    frame[column].iat[index], column, schema))
                frame[column] = numbers
                self._check_range(name, column, numbers, constraints)
            elif kind == "date":
                parsed = pd.to_datetime(values, format="%Y-%m-%d", errors="coerce")
                for index in _first(present & parsed.isna().to_numpy()):
                    self.report(name, index, column, f"{values.iat[index]!r} is not a YYYY-MM-DD date")
            elif kind != "string":
                self.report(name, None, column, f"type {kind!r} is not checked by figures validate")
            if kind in ("string", "date"):
                self._check_strings(name, column, values, present, constraints)
            if constraints.get("unique"):
                duplicated = present & values.duplicated(keep="first").to_numpy()
                for index in _first(duplicated):
                    self.report(name, index, column, _check_message("field_uniqueness", values.iat[index], column, schema))

    def _parse_numbers(self, name: str, column: str, values: pd.Series, present: np.ndarray, kind: str
                       ) -> tuple[pd.Series, np.ndarray]:
        """The column as float64 (NaN when missing or bad), and the mask of bad cells.

        The CSV reader has parsed clean columns already: an integer column without gaps arrives
        as int64, a number column as int64 or float64. Anything else is checked from the text.
        """
        if values.dtype.kind == "i" or (kind == "number" and values.dtype.kind == "f"):
            return values.astype("float64"), np.zeros(len(values), dtype=bool)
        text = self._read_csv(self.paths[name], self.schemas[name], columns=[column], as_text=True)[column]
        numbers = pd.to_numeric(text, errors="coerce").astype("float64")
        bad = present & numbers.isna().to_numpy()
        if kind == "integer":
            # Plain digits are the common case and fast to check; anything else gets the full pattern.
            plain = text.str.isdigit().fillna(False).to_numpy(dtype=bool)
            for position in np.flatnonzero(present & ~plain & ~bad):
                if not _INTEGER.fullmatch(text.iat[position]):
                    bad[position] = True
            numbers = numbers.where(~bad)
        self.frames[name][column] = text  # so reports quote the cell as written
        return numbers, bad

    def _check_range(self, name: str, column: str, numbers: pd.Series, constraints: dict) -> None:
        bounds = (("minimum", "greater_than_or_equal_to", np.less), ("maximum", "less_than_or_equal_to", np.greater),
                  ("exclusiveMinimum", "greater_than", np.less_equal), ("exclusiveMaximum", "less_than", np.greater_equal))
        array = numbers.to_numpy()
        for key, check, fails in bounds:
            if key in constraints:
                with np.errstate(invalid="ignore"):
                    bad = fails(array, constraints[key])
                for index in _first(bad):
                    self.report(name, index, column, _check_message(f"{check}({constraints[key]})", _number_text(array[index]),
                                                                    column, self.schemas[name]))

    def _check_strings(self, name: str, column: str, values: pd.Series, present: np.ndarray, constraints: dict) -> None:
        if "enum" in constraints:
            allowed = [str(v) for v in constraints["enum"]]
            bad = present & ~values.isin(allowed).to_numpy()
            for index in _first(bad):
                self.report(name, index, column, _check_message("isin", values.iat[index], column, self.schemas[name]))
        if "pattern" in constraints:
            pattern = re.compile(constraints["pattern"])
            positions = np.flatnonzero(present)
            cells = values.to_numpy()[positions]
            if _all_match(constraints["pattern"], cells):
                matched = np.ones(len(positions), dtype=bool)
            else:
                matched = np.fromiter((pattern.fullmatch(value) is not None for value in cells),
                                      dtype=bool, count=len(positions))
            for index in positions[~matched][:MAX_REPORTED]:
                self.report(name, index, column, _check_message("str_matches", values.iat[index], column, self.schemas[name]))
        if "minLength" in constraints or "maxLength" in constraints:
            lengths = values.str.len().to_numpy(dtype="float64", na_value=np.nan)
            with np.errstate(invalid="ignore"):
                for key, check, fails in (("minLength", "str_length", np.less), ("maxLength", "str_length", np.greater)):
                    if key in constraints:
                        for index in _first(fails(lengths, constraints[key])):
                            self.report(name, index, column, f"{check}({key}={constraints[key]}) failed for value {values.iat[index]!r}")

    def check_foreign_keys(self) -> None:
        for name, schema in self.schemas.items():
            for fk in schema.get("foreignKeys", []):
                (field,), ref = fk["fields"], fk["reference"]
                target = self.frames[ref["resource"]][ref["fields"][0]]
                values = self.frames[name][field]
                bad = values.notna() & ~values.isin(target.dropna().unique())
                for index in _first(bad):
                    self.report(name, index, field, f"{values.iat[index]!r} not found in {ref['resource']}.{ref['fields'][0]}")

    def check_documents(self) -> None:
        """Read every stored text once; check sha256, encoding and length.

        Remembers where each good text is (not the text itself), for the quote checks.
        """
        docs = self.frames["documents"]
        self.stored: dict[str, tuple[Path, str]] = {}
        for index, (doc_id, path, sha256, encoding, n_chars) in enumerate(zip(
                docs["doc_id"], docs["path"], docs["sha256"], docs["encoding"], docs["n_chars"])):
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
            if not pd.isna(n_chars) and len(text) != int(n_chars):
                self.report("documents", index, "n_chars", f"text has {len(text)} characters, not {_number_text(n_chars)}")
            self.stored[str(doc_id)] = (location, str(encoding))

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
        frame = self.frames[name]
        text_of = self._texts()
        starts = np.nan_to_num(frame["start"].to_numpy(dtype="float64"), nan=-1).astype(np.int64).tolist()
        ends = np.nan_to_num(frame["end"].to_numpy(dtype="float64"), nan=-1).astype(np.int64).tolist()
        current, text = None, None
        reported = 0
        for index, (doc_id, start, end, quote) in enumerate(zip(frame["doc_id"].tolist(), starts, ends,
                                                                  frame["quote"].tolist())):
            if doc_id != current:
                current, text = doc_id, text_of(doc_id)
            if text is None or start < 0 or end < 0:
                continue  # reported by the document or type checks
            if text[start:end] == quote and 0 <= start < end <= len(text):
                continue
            quote = quote if isinstance(quote, str) else ""
            if not 0 <= start < end <= len(text):
                message = f"span {start}:{end} is outside the document text (0:{len(text)})"
            else:
                message = f"quote {quote!r} is not the document text at {start}:{end} ({text[start:end]!r})"
            self.report(name, index, "quote", message)
            reported += 1
            if reported >= MAX_REPORTED:
                break

    def check_interval(self, name: str, low: str, best: str, high: str) -> None:
        frame = self.frames[name]
        for lo, hi in ((low, best), (best, high), (low, high)):
            lows, highs = frame[lo].to_numpy(dtype="float64"), frame[hi].to_numpy(dtype="float64")
            with np.errstate(invalid="ignore"):
                bad = lows > highs  # False wherever either is missing (NaN)
            for index in _first(bad):
                self.report(name, index, lo, f"{lo} {_number_text(lows[index])} is greater than {hi} {_number_text(highs[index])}")

    def check_incident_claims(self) -> None:
        """Every claim id an incident lists is a claim of the incident's own document."""
        claims = self.frames["claims"]
        known = pd.Index(claims["claim_id"].fillna("") + "\0" + claims["doc_id"].astype(object).fillna(""))
        incidents = self.frames["casualties"]
        listed = incidents["claim_ids"].fillna("").str.split().explode().dropna()
        if listed.empty:
            return
        doc_ids = incidents["doc_id"].fillna("").reindex(listed.index)
        bad = ~(listed + "\0" + doc_ids).isin(known).to_numpy()
        for position in np.flatnonzero(bad)[:MAX_REPORTED * 4]:
            index = listed.index[position]
            self.report("casualties", index, "claim_ids",
                        f"claim {listed.iat[position]!r} is not a claim of document {doc_ids.iat[position]!r}")


def _all_match(pattern: str, cells: np.ndarray) -> bool:
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
    return len(re.findall(f"^(?:{pattern})$", joined, flags=re.MULTILINE)) == len(cells)


def _number_text(value) -> str:
    """A number as the CSV had it (integers without `.0`)."""
    number = float(value)
    return str(int(number)) if number.is_integer() else repr(number)


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
