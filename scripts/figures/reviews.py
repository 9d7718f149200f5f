"""Reviewed overrides: maintainers confirm, correct or reject extracted claims and incidents.

The reviews file (`seeds/reviews.yaml` for `figures build`, `--reviews FILE` for `figures extract`)
is a list of entries, each naming one row by its id:

    reviews:
      - id: 000_679c7536310926e9:1374-1377      # a claims.claim_id or a casualties.incident_id
        action: correct                          # confirm | correct | reject
        set: {value: 70, low: 70, high: 70}      # correct only: the fields to change
        note: the article says 70; 700 is a typo # required: why

This module has one job: load and check that file (`load_reviews`), apply it to each document's
rows as they are written (`Reviewer.apply`), refuse entries that matched no row (`Reviewer.finish`),
and check the reviews of a written package from the package alone (`check_reviews`, which
validate.py calls).

How entries apply, in this order, per document:
1. Claim entries. `confirm` and `correct` mark the row (`review` = confirmed/corrected,
   `review_note` = the note); `correct` first sets the fields. `reject` drops the row.
2. Incidents resting on a corrected or rejected claim are recomputed from their remaining claims
   with the extractor's own rules (casualties.py): rejected claims, and claims corrected to a
   measure other than killed/wounded, leave `claim_ids`; figures, span, quote and victims follow.
   Such a row records `review` = recomputed and names the claims in `review_note`. An incident
   left with no claim is dropped. Grouping is not redone, so incident ids never shift and a claim
   corrected *into* killed/wounded joins no incident (correct the incident to count it).
3. Incident entries, on the rows as recomputed: the same three actions.

Only what a reader could get wrong can be corrected (`CORRECTABLE`); provenance (doc_id, start,
end, quote) is fixed by the text. Applied entries are written into the package as the `reviews`
table (`data/reviews.csv`, schema `schemas/reviews.json`) with the span and quote of the row they
reviewed, so that `figures validate` can prove, from the package alone, that every confirm and
correct entry points at a row that exists and carries it, that rejected rows are gone, and that
every rejected span is real text of its document.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING

import polars as pl

from .errors import InputError
from .package import field_types, format_cell, load_schema

if TYPE_CHECKING:  # imported where used: `figures validate` needs neither YAML nor the extractor
    import yaml

    from .claims import Claim

REVIEWS_FILE = "reviews.yaml"
RESOURCE = "reviews"  # the package table of applied entries
ACTIONS = {"confirm": "confirmed", "correct": "corrected", "reject": None}  # action -> `review` cell
STATUSES = {status: action for action, status in ACTIONS.items() if status}  # `review` cell -> action
RECOMPUTED = "recomputed"  # `review` of an incident recomputed because its claims were reviewed
ID_FIELDS = {"claims": "claim_id", "casualties": "incident_id"}
NOUNS = {"claims": "claim", "casualties": "incident"}
CORRECTABLE = {
    "claims": ("measure", "value", "low", "high", "unit", "qualifier", "subject"),
    "casualties": ("killed", "killed_low", "killed_high", "wounded", "wounded_low", "wounded_high",
                   "date", "location", "perpetrator", "victims"),
}
PROVENANCE = ("claim_id", "incident_id", "doc_id", "start", "end", "quote")
ENTRY_KEYS = ("id", "action", "set", "note")
_CLAIM_ID = re.compile(r"(?P<doc>\S+):(?P<start>\d+)-(?P<end>\d+)")
_INCIDENT_ID = re.compile(r"(?P<doc>\S+):i(?P<number>\d+)")


@dataclass(frozen=True, slots=True)
class Review:
    """One entry of a reviews file, checked."""

    id: str
    resource: str  # "claims" or "casualties"
    doc_id: str
    action: str
    note: str
    changes: dict = field(default_factory=dict)  # field -> new value (None = empty), for `correct`
    where: str = ""  # "FILE line N", for messages


def parse_id(row_id: str) -> tuple[str, str] | None:
    """(resource, doc_id) of a claim or incident id; None when it is neither."""
    for resource, pattern in (("claims", _CLAIM_ID), ("casualties", _INCIDENT_ID)):
        match = pattern.fullmatch(row_id)
        if match:
            return resource, match.group("doc")
    return None


def field_value(resource: str, name: str, value: object) -> object:
    """A corrected value checked against the field's schema: returned as it will be written.

    Raises ValueError with what is wrong when the schema does not allow it.
    """
    spec = next(f for f in load_schema(resource)["fields"] if f["name"] == name)
    kind, constraints = spec["type"], spec.get("constraints", {})
    if isinstance(value, dt.date) and kind == "string":
        value = value.isoformat()  # YAML reads an unquoted 2019-12-27 as a date
    if value is None or value == "":
        if constraints.get("required"):
            raise ValueError("is required and cannot be emptied")
        return None
    if kind == "integer" and (isinstance(value, bool) or not isinstance(value, int)):
        raise ValueError(f"{value!r} is not a whole number")
    if kind == "number" and (isinstance(value, bool) or not isinstance(value, (int, float))
                             or not math.isfinite(value)):
        raise ValueError(f"{value!r} is not a number")
    if kind == "string" and not isinstance(value, str):
        raise ValueError(f"{value!r} is not text (quote it)")
    if "enum" in constraints and value not in constraints["enum"]:
        raise ValueError(f"{value!r} is not one of {', '.join(constraints['enum'])}")
    if "minimum" in constraints and value < constraints["minimum"]:
        raise ValueError(f"{value!r} is below the minimum {constraints['minimum']}")
    if "pattern" in constraints and not re.fullmatch(constraints["pattern"], value):
        raise ValueError(f"{value!r} does not match the pattern {constraints['pattern']}")
    return value


def check_changes(resource: str, changes: object) -> dict:
    """The `set` of a correct entry, checked; raises ValueError naming the field at fault."""
    if not isinstance(changes, dict) or not changes:
        raise ValueError("`set` must map one or more fields to their corrected values")
    checked = {}
    for name, value in changes.items():
        if name in PROVENANCE:
            raise ValueError(f"`{name}` cannot be corrected: it is provenance, fixed by the document text "
                             f"(correctable: {', '.join(CORRECTABLE[resource])})")
        if name not in CORRECTABLE[resource]:
            raise ValueError(f"`{name}` is not a correctable field of a {NOUNS[resource]} "
                             f"(correctable: {', '.join(CORRECTABLE[resource])})")
        try:
            checked[name] = field_value(resource, name, value)
        except ValueError as exc:
            raise ValueError(f"`{name}` {exc}") from None
    return checked


def _read_yaml(path: Path) -> tuple[object, yaml.Node | None]:
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not valid UTF-8 (byte {exc.start}); save it as UTF-8") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror}); check the path and permissions") from None
    try:
        return yaml.safe_load(text), yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark else ""
        raise InputError(f"{path}{line}: not valid YAML ({getattr(exc, 'problem', None) or exc}); "
                         "fix the syntax") from None


def load_reviews(path: Path) -> list[Review]:
    """Read and check a reviews file; a bad entry is an InputError naming the file and line."""
    data, root = _read_yaml(path)
    if data is None:
        return []
    if not isinstance(data, dict) or set(data) - {"reviews"}:
        raise InputError(f"{path}: expected a mapping with one key, `reviews`, holding a list of entries; "
                         "see the README, 'Reviewing claims'")
    entries = data.get("reviews") or []
    if not isinstance(entries, list):
        raise InputError(f"{path}: `reviews` must be a list of entries (`- id: ...`)")
    nodes = next(v for k, v in root.value if k.value == "reviews").value if entries else []
    reviews, seen = [], {}
    for number, (entry, node) in enumerate(zip(entries, nodes), 1):
        where = f"{path} line {node.start_mark.line + 1}"
        review = _entry(entry, node, where, number)
        if review.id in seen:
            raise InputError(f"{where}: {review.id} is reviewed twice (also at line {seen[review.id]}); "
                             "keep one entry per row")
        seen[review.id] = node.start_mark.line + 1
        reviews.append(review)
    return reviews


def _entry(entry: object, node: yaml.Node, where: str, number: int) -> Review:
    if not isinstance(entry, dict):
        raise InputError(f"{where}: entry {number} is not a mapping; write `- id: ...` with action and note")
    changes_node = next((value for key, value in node.value if key.value == "set"), None)
    repeated = _repeated_key(node) or _repeated_key(changes_node)
    if repeated:
        raise InputError(f"{where}: entry {number} has `{repeated}` twice; keep one")
    for key in (key.value for key, _ in node.value):
        if key not in ENTRY_KEYS:
            raise InputError(f"{where}: entry {number} has an unknown key `{key}`; "
                             f"an entry has {', '.join(ENTRY_KEYS)}")
    row_id = entry.get("id")
    parsed = parse_id(row_id) if isinstance(row_id, str) else None
    if parsed is None:
        raise InputError(f"{where}: entry {number} has id {row_id!r}, which is neither a claim id "
                         "(doc_id:start-end) nor an incident id (doc_id:i<n>); copy it from data/claims.csv "
                         "or data/casualties.csv")
    resource, doc_id = parsed
    where_id = f"{where}: review of {row_id}"
    action = entry.get("action")
    if action is None:
        raise InputError(f"{where_id}: `action` is missing; set it to one of {', '.join(ACTIONS)}")
    if action not in ACTIONS:
        raise InputError(f"{where_id}: action {action!r} is not one of {', '.join(ACTIONS)}; set `action`")
    note = entry.get("note")
    if not isinstance(note, str) or not note.strip():
        raise InputError(f"{where_id}: `note` is missing or empty; say why the row is {action}ed")
    if action != "correct":
        if "set" in entry:
            raise InputError(f"{where_id}: `set` is only for action correct; remove it or use correct")
        return Review(row_id, resource, doc_id, action, note.strip(), where=where)
    try:
        changes = check_changes(resource, entry.get("set"))
    except ValueError as exc:
        raise InputError(f"{where_id}: {exc}; fix `set`") from None
    return Review(row_id, resource, doc_id, action, note.strip(), changes, where)


def _repeated_key(node: yaml.Node | None) -> str | None:
    """A key written twice in a YAML mapping (which a YAML loader silently collapses), if any."""
    import yaml

    keys = [key.value for key, _ in node.value] if isinstance(node, yaml.MappingNode) else []
    return next((key for key in keys if keys.count(key) > 1), None)


def _claim(row: dict) -> Claim:
    """A Claim from a claims row of cells, for the incident rules."""
    from .claims import Claim, reads_total

    def number(cell: str) -> float | None:
        return float(cell) if cell else None

    return Claim(int(row["start"]), int(row["end"]), row["measure"], float(row["value"]), number(row["low"]),
                 number(row["high"]), row["unit"], row["qualifier"], row["subject"], row["rule"],
                 reads_total(row["rule"]))


def intervals() -> dict[str, list[tuple[str, str, str]]]:
    from .validate import INTERVALS  # validate.py imports this module

    return INTERVALS


class Reviewer:
    """Applies the entries of a reviews file to each document's cells, in input order."""

    def __init__(self, reviews: list[Review]):
        self.reviews = reviews
        self.by_doc: dict[str, list[Review]] = defaultdict(list)
        for review in reviews:
            self.by_doc[review.doc_id].append(review)
        self.applied: dict[str, dict] = {}  # id -> its row of the reviews table
        self.docs_seen: set[str] = set()
        self.gone: dict[str, str] = {}  # incident id -> why it was dropped
        self.incidents: dict[str, int] = {}  # doc_id -> number of incidents extracted

    def apply(self, doc, cells: dict[str, list[list[str]]]) -> dict[str, list[list[str]]]:
        """One document's cells (as `format_rows` made them) with its entries applied."""
        entries = self.by_doc.get(doc.doc_id)
        if not entries:
            return cells
        self.docs_seen.add(doc.doc_id)
        fields = {name: list(field_types(name)) for name in ID_FIELDS}
        rows = {name: [dict(zip(fields[name], row)) for row in cells[name]] for name in ID_FIELDS}
        self.incidents[doc.doc_id] = len(rows["casualties"])
        claims = self._apply_entries("claims", rows["claims"], entries)
        claims_by_id = {row["claim_id"]: row for row in claims}
        touched = {r.id: r.action for r in entries if r.resource == "claims" and r.id in self.applied
                   and r.action != "confirm"}
        incidents = []
        for incident in rows["casualties"]:
            ids = incident["claim_ids"].split()
            if any(claim_id in touched for claim_id in ids):
                if not self._recompute(incident, ids, claims_by_id, touched, doc.text):
                    continue
            incidents.append(incident)
        incidents = self._apply_entries("casualties", incidents, entries)
        out = dict(cells)
        out["claims"] = [[row[f] for f in fields["claims"]] for row in claims]
        out["casualties"] = [[row[f] for f in fields["casualties"]] for row in incidents]
        return out

    def _apply_entries(self, resource: str, rows: list[dict], entries: list[Review]) -> list[dict]:
        """Rows of one resource with its entries applied; rejected rows left out."""
        mine = {r.id: r for r in entries if r.resource == resource}
        if not mine:
            return rows
        kept = []
        for row in rows:
            review = mine.get(row[ID_FIELDS[resource]])
            if review is None:
                kept.append(row)
                continue
            self.applied[review.id] = {
                "id": review.id, "doc_id": review.doc_id, "start": row["start"], "end": row["end"],
                "quote": row["quote"], "action": review.action,
                "changes": json.dumps(review.changes, ensure_ascii=False) if review.changes else "",
                "note": review.note}
            if review.action == "reject":
                continue
            types = field_types(resource)
            for name, value in review.changes.items():
                row[name] = format_cell(value, types[name])
            row["review"], row["review_note"] = ACTIONS[review.action], review.note
            self._check_intervals(resource, row, review)
            kept.append(row)
        return kept

    @staticmethod
    def _check_intervals(resource: str, row: dict, review: Review) -> None:
        for triple in intervals()[resource]:
            present = [(name, float(row[name])) for name in triple if row[name] != ""]
            for (lo, low), (hi, high) in zip(present, present[1:]):
                if low > high:
                    unset = [name for name in triple if name not in review.changes]
                    fix = f"also set {' and '.join(unset)}" if unset else "fix the values in `set`"
                    raise InputError(f"{review.where}: review of {review.id}: after the correction {lo} {row[lo]} "
                                     f"is greater than {hi} {row[hi]}; {fix}")

    def _recompute(self, incident: dict, ids: list[str], claims: dict[str, dict], touched: dict[str, str],
                   text: str) -> bool:
        """Recompute an incident from its claims left after review; False when none is left."""
        from .casualties import CASUALTY_MEASURES, Incident, Mention, mark_more_victims
        from .claims import lowered

        kept = [claims[i] for i in ids if i in claims and claims[i]["measure"] in CASUALTY_MEASURES]
        reviewed = ", ".join(f"{i} ({ACTIONS.get(touched[i]) or 'rejected'})" for i in ids if i in touched)
        if not kept:
            self.gone[incident["incident_id"]] = f"it has no killed or wounded claim left after the review of {reviewed}"
            return False
        sentences: dict[tuple[int, int], list[Claim]] = {}
        for row in kept:  # claims of one sentence add up; sentences bound each other (casualties.py)
            bounds = (int(row["sentence_start"]), int(row["sentence_end"]))
            sentences.setdefault(bounds, []).append(_claim(row))
        recomputed = Incident([Mention(bounds, group, None, "", "") for bounds, group in sentences.items()])
        mark_more_victims(recomputed, lowered(text))
        for measure in CASUALTY_MEASURES:
            for name, value in zip((measure, f"{measure}_low", f"{measure}_high"), recomputed.figure(measure)):
                incident[name] = format_cell(value, "integer")
        start, end = min(c.start for c in recomputed.claims), max(c.end for c in recomputed.claims)
        incident.update(start=str(start), end=str(end), quote=text[start:end], victims=recomputed.victims,
                        claim_ids=" ".join(row["claim_id"] for row in kept), review=RECOMPUTED,
                        review_note=f"recomputed after the review of {reviewed}")
        return True

    def finish(self) -> list[dict]:
        """The rows of the reviews table, in file order; InputError if an entry matched no row."""
        stale = [r for r in self.reviews if r.id not in self.applied]
        if stale:
            more = f" ({len(stale) - 1} more entries match nothing)" if len(stale) > 1 else ""
            raise InputError(f"{stale[0].where}: review of {stale[0].id}: {self._why_stale(stale[0])}{more}")
        return [self.applied[r.id] for r in self.reviews]

    def _why_stale(self, review: Review) -> str:
        fix = "update its id from the rebuilt data/ (without this entry) or remove the entry"
        if review.doc_id not in self.docs_seen:
            return f"there is no document {review.doc_id!r} among the inputs; {fix}"
        if review.id in self.gone:
            return f"the incident was dropped: {self.gone[review.id]}; remove the entry"
        if review.resource == "casualties":
            return (f"no such incident was extracted (document {review.doc_id} has "
                    f"{self.incidents.get(review.doc_id, 0)}); the text or the extractor changed; {fix}")
        return (f"no such claim was extracted from document {review.doc_id} (the text or the extractor "
                f"changed; the claim no longer exists); {fix}")


def reviewer(path: Path | None) -> Reviewer | None:
    """A Reviewer for the reviews file at `path`, None when there is none."""
    return Reviewer(load_reviews(path)) if path is not None else None


# --- validation, from the package alone ----------------------------------------------------------

def _cell(value: object) -> str | None:
    """A frame cell as text, None when empty (null, or NaN in a float column)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _same(cell: object, value: object, kind: str) -> bool:
    written, wanted = _cell(cell), format_cell(value, kind) or None
    if written is None or wanted is None or kind not in ("integer", "number"):
        return written == wanted
    try:
        return float(written) == float(wanted)
    except ValueError:
        return False


class ReviewRows:
    """What `check_reviews` reads of a package, gathered while the validator reads it batch by batch
    (it reads the reviews table before claims and casualties): the reviews table whole (one row per
    reviewed row: short), and of claims and casualties only the rows it names or that carry a
    review, with their row indices (0 = the first data row) in a `row` column."""

    def __init__(self):
        self.entries: pl.DataFrame | None = None  # the reviews table, typed; None when the package has none
        self.rows: dict[str, pl.DataFrame] = {}  # claims / casualties -> their reviewed rows
        self.wanted: list[str] | None = None  # the ids the entries name

    def add(self, resource: str, frame: pl.DataFrame, offset: int) -> None:
        """Keep what is needed of a typed batch of `resource` whose first row is row `offset`."""
        if resource == RESOURCE:
            self.entries = frame if self.entries is None else pl.concat([self.entries, frame])
        elif resource in ID_FIELDS:
            rows = self._reviewed(resource, frame.with_row_index("row", offset))
            self.rows[resource] = pl.concat([self.rows[resource], rows]) if resource in self.rows else rows

    def _reviewed(self, resource: str, frame: pl.DataFrame) -> pl.DataFrame:
        """The rows of a batch whose id an entry names or that carry a review."""
        if self.wanted is None:  # the reviews table is complete by the first batch of claims
            self.wanted = [] if self.entries is None else sorted({str(v) for v in self.entries["id"].drop_nulls().to_list()})
        id_field = ID_FIELDS[resource]
        if id_field not in frame.columns:
            return frame.clear()  # a missing id column is reported elsewhere
        keep = pl.col(id_field).cast(pl.String).is_in(self.wanted)
        return frame.filter(keep | pl.col("review").is_not_null() if "review" in frame.columns else keep)

    def of(self, resource: str) -> pl.DataFrame:
        """The reviewed rows of claims or casualties (no columns when the table had no rows)."""
        return self.rows.get(resource, pl.DataFrame())


def _positions(rows: pl.DataFrame, id_field: str) -> dict[str, int]:
    """Position in `rows` of each id (its first occurrence: duplicates are reported elsewhere)."""
    found: dict[str, int] = {}
    for position, row_id in enumerate(rows[id_field].to_list() if id_field in rows.columns else []):
        found.setdefault(str(row_id), position)
    return found


def check_reviews(validator, gathered: ReviewRows) -> None:
    """Check the reviews of a written package; problems go to `validator.report` (validate.py).

    Every confirm/correct entry of the `reviews` table must point at an existing row that records
    it (and carries each corrected value); every rejected row must be gone; every entry's span and
    quote must be the document's text. Conversely, every row marked confirmed or corrected must have
    its entry, and every recomputed incident a reviewed claim in its document.
    """
    frames = {name: gathered.of(name) for name in ID_FIELDS}
    entries = gathered.entries
    positions = {name: _positions(frames[name], id_field) for name, id_field in ID_FIELDS.items()}
    actions: dict[str, str] = {}
    reviewed_docs = set()
    if entries is not None:
        validator.check_spans(RESOURCE, entries)
        for index, fields in enumerate(entries.select("id", "doc_id", "start", "end", "action", "changes", "note")
                                       .iter_rows(named=True)):
            row = SimpleNamespace(**fields)
            parsed = parse_id(str(row.id))
            if parsed is None:
                continue  # reported by the pattern check
            actions[str(row.id)] = _cell(row.action) or ""
            if _cell(row.action) in ("correct", "reject") and parsed[0] == "claims":
                reviewed_docs.add(parsed[1])
            for problem, field_name in _entry_problems(frames, parsed, row, positions):
                validator.report(RESOURCE, index, field_name, problem)
    for resource in ID_FIELDS:
        frame = frames[resource]
        if not {"review", ID_FIELDS[resource], "doc_id"} <= set(frame.columns):
            continue  # no review column: nothing marked (a missing id column is reported elsewhere)
        marked = frame.filter(pl.col("review").is_not_null()).select("row", "review", ID_FIELDS[resource], "doc_id")
        for index, review, row_id, doc_id in marked.iter_rows():
            status, key = _cell(review), f"{ID_FIELDS[resource]}={row_id or ''}"
            if status == RECOMPUTED:
                if str(doc_id) not in reviewed_docs:
                    validator.report(resource, int(index), "review",
                                     "recomputed, but no claim of its document is corrected or rejected in reviews", key=key)
            elif status in STATUSES and actions.get(str(row_id)) != STATUSES[status]:
                validator.report(resource, int(index), "review",
                                 f"{status!r}, but the reviews table has no {STATUSES[status]} entry for {row_id}", key=key)


def _entry_problems(frames: dict[str, pl.DataFrame], parsed: tuple[str, str], row,
                    positions: dict[str, dict[str, int]]):
    """(message, field) for each thing wrong with one entry of the reviews table."""
    resource, doc_id = parsed
    noun, action, row_id = NOUNS[resource], _cell(row.action), str(row.id)
    if doc_id != _cell(row.doc_id):
        yield f"id {row_id} is not an id of document {_cell(row.doc_id)!r}", "doc_id"
    match = _CLAIM_ID.fullmatch(row_id)
    if match and (match.group("start"), match.group("end")) != (_cell(row.start), _cell(row.end)):
        yield f"start and end ({_cell(row.start)}, {_cell(row.end)}) are not those of claim {row_id}", "start"
    changes = _cell(row.changes)
    if action == "correct":
        try:
            changes = check_changes(resource, json.loads(changes or "null"))
        except (ValueError, TypeError) as exc:
            yield f"changes {changes!r} of a correct entry: {exc}", "changes"
            changes = {}
    elif changes is not None:
        yield f"changes are only for correct entries, not {action}", "changes"
    position = positions[resource].get(row_id)
    if action == "reject":
        if position is not None:
            yield f"{noun} {row_id} is rejected but still in {resource}; rebuild", "id"
        return
    if position is None:
        yield (f"{action} of {noun} {row_id}: there is no such row in {resource}: the {noun} no longer exists; "
               "update or remove the entry in the reviews file and rebuild"), "id"
        return
    target = frames[resource]
    if "review" not in target.columns or "review_note" not in target.columns:
        yield f"{resource} has no review and review_note columns to record this {action}", "id"
        return
    status, note = _cell(target["review"][position]), _cell(target["review_note"][position])
    number = target["row"][position] + 2  # as frictionless numbers rows: the header is row 1
    if status != ACTIONS.get(action) or note != _cell(row.note):
        yield (f"{resource} row {number} ({row_id}) does not record this {action} "
               f"(review {status!r}, review_note {note!r})"), "id"
    types = field_types(resource)
    for name, value in (changes or {}).items() if action == "correct" else ():
        if not _same(target[name][position], value, types[name]):
            yield (f"{resource} row {number} ({row_id}) has {name} {_cell(target[name][position])!r}, "
                   f"not the corrected {format_cell(value, types[name]) or '(empty)'!r}"), "changes"
