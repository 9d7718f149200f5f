"""Validate stage: check a written package against its schemas and its source texts.

Reads only what is on disk (datapackage.json, its CSVs, its schemas, its texts), so anyone can
validate a package they downloaded. Two layers:
- Table Schema checks, driven by the package's own schema files: pandera's importer
  (`from_frictionless_schema`) gives types, required, unique, enum, ranges and patterns; we add
  what it drops: nullable integers, ISO dates, the header, primary and foreign keys.
- Provenance checks: each document's sha256 and length match its stored file, every `quote`
  is exactly the document text at `start:end`, and intervals are ordered (low <= value <= high).

Rows are numbered as frictionless numbers them: the header is row 1, the first data row row 2.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors
from pandera.io.pandas_io import from_frictionless_schema

from .errors import PackageInvalid

# Intervals checked per resource: (low, best, high) column triples.
INTERVALS = {
    "claims": [("low", "value", "high")],
    "casualties": [("killed_low", "killed", "killed_high"), ("wounded_low", "wounded", "wounded_high")],
}
SPAN_RESOURCES = ("claims", "casualties", "dates")
MAX_REPORTED = 50  # per check, so a broken million-row file gives a readable report


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


def _pandera_schema(schema: dict) -> pa.DataFrameSchema:
    """pandera's import of a Table Schema, with nullable integers and numbers."""
    nullable_types = {"integer": "Int64", "number": "Float64", "string": "string", "date": "string"}
    imported = from_frictionless_schema(schema)
    return imported.update_columns({
        f["name"]: {"dtype": nullable_types[f["type"]]}
        for f in schema["fields"]
        if f["type"] in nullable_types and not f.get("constraints", {}).get("enum")
    })


def _check_message(check: str, value: object, column: str | None, schema: dict) -> str:
    """A pandera failure in words: what is wrong with the value and what the schema allows."""
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
        return f"{shown} does not match the pattern {constraints.get('pattern', '')!r}"
    if check.startswith(("greater_than", "less_than", "in_range")):
        bounds = ", ".join(f"{k} {v}" for k, v in constraints.items() if k in ("minimum", "maximum"))
        return f"{shown} is out of range ({bounds or check})"
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

    def report(self, resource: str, index: int | None, field: str | None, message: str) -> None:
        key = ""
        frame = self.frames.get(resource)
        pk = self.schemas.get(resource, {}).get("primaryKey") or []
        if index is not None and frame is not None and pk and index in frame.index:
            key = "=".join([pk[0], str(frame.at[index, pk[0]])])
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
        texts = self.check_documents()
        for name in SPAN_RESOURCES:
            self.check_spans(name, texts)
        for name, triples in INTERVALS.items():
            for triple in triples:
                self.check_interval(name, *triple)
        self.check_incident_claims()
        return self.problems

    def load_resource(self, resource: dict) -> None:
        name = resource.get("name", "?")
        try:
            schema_ref = resource["schema"]
            schema = schema_ref if isinstance(schema_ref, dict) else json.loads(
                (self.base / schema_ref).read_text(encoding="utf-8"))
            path = self.base / resource["path"]
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[], encoding="utf-8")
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
        self.frames[name] = frame.replace("", pd.NA)

    def check_table(self, name: str, schema: dict) -> None:
        frame = self.frames[name]
        try:
            self.frames[name] = _pandera_schema(schema).validate(frame, lazy=True)
        except SchemaErrors as errors:
            cases = errors.failure_cases
            for _, case in cases.head(MAX_REPORTED * 4).iterrows():
                index = None if pd.isna(case["index"]) else int(case["index"])
                column = None if pd.isna(case["column"]) else str(case["column"])
                self.report(name, index, column, _check_message(str(case["check"]), case["failure_case"], column,
                                                                schema))
            # Continue with the values that could be typed, so later checks still run.
            self.frames[name] = self._coerce(frame, schema)
        for field in schema["fields"]:
            if field["type"] == "date":
                values = self.frames[name][field["name"]]
                parsed = pd.to_datetime(values, format="%Y-%m-%d", errors="coerce")
                for index in values.index[values.notna() & parsed.isna()][:MAX_REPORTED]:
                    self.report(name, index, field["name"], f"{values[index]!r} is not a YYYY-MM-DD date")

    @staticmethod
    def _coerce(frame: pd.DataFrame, schema: dict) -> pd.DataFrame:
        out = frame.copy()
        for field in schema["fields"]:
            if field["type"] in ("integer", "number"):
                out[field["name"]] = pd.to_numeric(frame[field["name"]], errors="coerce").astype("Float64")
        return out

    def check_foreign_keys(self) -> None:
        for name, schema in self.schemas.items():
            for fk in schema.get("foreignKeys", []):
                (field,), ref = fk["fields"], fk["reference"]
                target = self.frames[ref["resource"]][ref["fields"][0]]
                values = self.frames[name][field]
                bad = values.notna() & ~values.isin(set(target.dropna()))
                for index in values.index[bad][:MAX_REPORTED]:
                    self.report(name, index, field, f"{values[index]!r} not found in {ref['resource']}.{ref['fields'][0]}")

    def check_documents(self) -> dict[str, str]:
        """Read every stored text; check sha256 and length. Returns doc_id -> text."""
        docs = self.frames["documents"]
        texts: dict[str, str] = {}
        for index, row in docs.iterrows():
            path = self.base / str(row["path"])
            try:
                data = path.read_bytes()
            except OSError:
                self.report("documents", index, "path", f"text file {row['path']} cannot be read")
                continue
            digest = hashlib.sha256(data).hexdigest()
            if digest != row["sha256"]:
                self.report("documents", index, "sha256",
                            f"{row['path']} has sha256 {digest}, not the recorded one: the text changed; rebuild")
                continue
            try:
                text = data.decode(str(row["encoding"]))
            except (LookupError, UnicodeDecodeError) as exc:
                self.report("documents", index, "encoding", f"{row['path']} cannot be decoded as {row['encoding']}: {exc}")
                continue
            if pd.notna(row["n_chars"]) and len(text) != int(row["n_chars"]):
                self.report("documents", index, "n_chars", f"text has {len(text)} characters, not {row['n_chars']}")
            texts[str(row["doc_id"])] = text
        return texts

    def check_spans(self, name: str, texts: dict[str, str]) -> None:
        frame = self.frames[name]
        reported = 0
        for index, doc_id, start, end, quote in zip(frame.index, frame["doc_id"], frame["start"],
                                                    frame["end"], frame["quote"]):
            text = texts.get(doc_id)
            if text is None or pd.isna(start) or pd.isna(end):
                continue  # reported by the document or type checks
            start, end = int(start), int(end)
            quote = "" if pd.isna(quote) else quote
            if not 0 <= start < end <= len(text):
                message = f"span {start}:{end} is outside the document text (0:{len(text)})"
            elif text[start:end] != quote:
                message = f"quote {quote!r} is not the document text at {start}:{end} ({text[start:end]!r})"
            else:
                continue
            self.report(name, index, "quote", message)
            reported += 1
            if reported >= MAX_REPORTED:
                break

    def check_interval(self, name: str, low: str, best: str, high: str) -> None:
        frame = self.frames[name]
        for lo, hi in ((low, best), (best, high), (low, high)):
            bad = frame[lo].notna() & frame[hi].notna() & (frame[lo] > frame[hi])
            for index in frame.index[bad.fillna(False)][:MAX_REPORTED]:
                self.report(name, index, lo, f"{lo} {frame.at[index, lo]} is greater than {hi} {frame.at[index, hi]}")

    def check_incident_claims(self) -> None:
        claims = self.frames["claims"]
        known = dict(zip(claims["claim_id"], claims["doc_id"]))
        incidents = self.frames["casualties"]
        for index, doc_id, ids in zip(incidents.index, incidents["doc_id"], incidents["claim_ids"]):
            for claim_id in ("" if pd.isna(ids) else ids).split():
                if known.get(claim_id) != doc_id:
                    self.report("casualties", index, "claim_ids",
                                f"claim {claim_id!r} is not a claim of document {doc_id!r}")


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
