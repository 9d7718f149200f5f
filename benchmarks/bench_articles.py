"""Precision and recall of killed, wounded, arrested and crowd claims on whole articles of our own.

Run by hand: python benchmarks/bench_articles.py [--show]

The users score the extractor on news reports we do not hold. The closest we can measure here is
news we wrote ourselves, in the styles of wire reports, and read by hand before the extractor was
run on it: benchmarks/articles/*.txt and their figures in benchmarks/articles/gold.yaml (its
header says how a claim matches a figure). A claim of the four measures that matches no figure
is a false claim; a required figure that no claim matches is a miss. Optional figures (a part of
a total, a capacity, a denial) count neither way. Needs nothing outside the repository.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

import yaml

import common  # noqa: F401  (puts scripts/ on the path)

from figures.documents import read_text_file
from figures.extract import extract_document

ARTICLES = Path(__file__).resolve().parent / "articles"
MEASURES = ("killed", "wounded", "arrested", "crowd")


def gold_spans(text: str, rows: list[dict], where: str) -> list[dict]:
    """Each gold row with the span (start, end) of its quote in `text`."""
    located = []
    for row in rows:
        start = -1
        for _ in range(row.get("nth", 1)):
            start = text.find(row["quote"], start + 1)
            if start < 0:
                raise SystemExit(f"{where}: quote {row['quote']!r} (occurrence {row.get('nth', 1)}) not in the text")
        located.append({**row, "start": start, "end": start + len(row["quote"])})
    return located


def matches(claim: dict, figure: dict) -> bool:
    """Same measure, overlapping spans and, unless the figure is vague, the same value."""
    return (claim["measure"] == figure["measure"] and claim["start"] < figure["end"]
            and figure["start"] < claim["end"] and (figure.get("vague") or claim["value"] == figure["value"]))


def score(show: bool) -> Counter:
    """Counts per measure: found, missed (required figures), right and false (claims)."""
    gold = yaml.safe_load((ARTICLES / "gold.yaml").read_text(encoding="utf-8"))
    counts: Counter = Counter()
    for name in sorted(gold):
        doc = read_text_file(ARTICLES / name)
        figures = gold_spans(doc.text, gold[name], name)
        claims = [c for c in extract_document(doc)["claims"] if c["measure"] in MEASURES]
        for figure in figures:
            if figure.get("optional"):
                continue
            found = any(matches(c, figure) for c in claims)
            counts[figure["measure"], "found" if found else "missed"] += 1
            if show and not found:
                print(f"{name}: missed {figure['measure']} {figure.get('value', 'vague')} at {figure['quote']!r}")
        for claim in claims:
            right = any(matches(claim, figure) for figure in figures)
            counts[claim["measure"], "right" if right else "false"] += 1
            if show and not right:
                print(f"{name}: false {claim['measure']} {claim['value']:g} at {claim['quote']!r} "
                      f"({doc.text[claim['sentence_start']:claim['sentence_end']][:120]!r})")
    return counts


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--show", action="store_true", help="print every miss and false claim")
    counts = score(options.parse_args().show)
    print("| measure | figures found | recall | claims right | precision |")
    print("| --- | --- | --- | --- | --- |")
    for measure in (*MEASURES, "all"):
        keys = MEASURES if measure == "all" else (measure,)
        found, missed, right, false = (sum(counts[m, k] for m in keys) for k in ("found", "missed", "right", "false"))
        recall = f"{found / (found + missed):.0%}" if found + missed else "-"
        precision = f"{right / (right + false):.0%}" if right + false else "-"
        print(f"| {measure} | {found}/{found + missed} | {recall} | {right}/{right + false} | {precision} |")


if __name__ == "__main__":
    main()
