"""Evaluate document-level casualty totals against a gold corpus.

The gold corpus is a CSV with columns `id,text,killed,wounded` (one incident description per
row, as in lists of terrorist incidents). We extract every row, total the killed and wounded of
its incidents (no incident = 0) and report the exact-match rate overall and on rows whose gold
is non-zero, with the misses listed for inspection.
"""

from __future__ import annotations

import csv
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .documents import make_document
from .errors import InputError
from .extract import extract_document

MEASURES = ("killed", "wounded")


@dataclass
class Score:
    """Exact matches of one measure's document totals."""

    total: int = 0
    hits: int = 0
    nonzero_total: int = 0
    nonzero_hits: int = 0

    def add(self, gold: int, predicted: int) -> None:
        self.total += 1
        self.hits += gold == predicted
        if gold:
            self.nonzero_total += 1
            self.nonzero_hits += gold == predicted

    @staticmethod
    def rate(hits: int, total: int) -> float:
        return hits / total if total else 0.0


@dataclass
class Evaluation:
    scores: dict[str, Score] = field(default_factory=lambda: {m: Score() for m in MEASURES})
    misses: list[dict] = field(default_factory=list)

    def report(self, show_misses: int = 20) -> str:
        lines = ["measure   exact match        non-zero gold"]
        for measure, s in self.scores.items():
            lines.append(f"{measure:<9} {Score.rate(s.hits, s.total):6.1%} ({s.hits}/{s.total})"
                         f"   {Score.rate(s.nonzero_hits, s.nonzero_total):6.1%} ({s.nonzero_hits}/{s.nonzero_total})")
        if self.misses and show_misses:
            lines.append(f"\nfirst {min(show_misses, len(self.misses))} of {len(self.misses)} misses "
                         "(id, measure, gold, predicted, text):")
            for miss in self.misses[:show_misses]:
                lines.append(f"  {miss['id']}  {miss['measure']}  gold={miss['gold']}  got={miss['predicted']}  "
                             f"{miss['text'][:160]!r}")
        return "\n".join(lines)


def document_totals(rows: dict[str, list[dict]]) -> dict[str, int]:
    """Killed and wounded totals of a document: the sum of its incidents' best figures."""
    return {m: int(sum(r[m] or 0 for r in rows["casualties"])) for m in MEASURES}


def _gold_int(value: str, where: str) -> int:
    try:
        return int(float(value or 0))
    except ValueError:
        raise InputError(f"{where}: gold value {value!r} is not a number") from None


def evaluate(path: Path) -> Evaluation:
    """Score the extractor's document totals against the gold columns of a CSV corpus."""
    if not path.exists():
        raise InputError(f"{path}: no such file; pass a CSV with columns id,text,killed,wounded")
    result = Evaluation()
    csv.field_size_limit(sys.maxsize)
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in ("id", "text", *MEASURES) if c not in (reader.fieldnames or [])]
        if missing:
            raise InputError(f"{path}: missing column(s) {', '.join(missing)}; need id,text,killed,wounded")
        for row in reader:
            where = f"{path} row {reader.line_num}"
            doc = make_document(str(row["id"]).strip() or f"row{reader.line_num}",
                                row["text"].encode("utf-8"), where)
            predicted = document_totals(extract_document(doc))
            for measure in MEASURES:
                gold = _gold_int(row[measure], where)
                result.scores[measure].add(gold, predicted[measure])
                if gold != predicted[measure]:
                    result.misses.append({"id": row["id"], "measure": measure, "gold": gold,
                                          "predicted": predicted[measure], "text": row["text"]})
    return result
