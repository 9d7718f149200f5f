"""Print the extractor's casualty, arrest and crowd claims on real news, for a person to check.

Run by hand: PYTHONPATH=scripts python benchmarks/review_news.py [--misses] [--measures killed,wounded]

No gold annotation exists for real news text here, so precision and recall on it are read, not
computed: this lists every claim of the chosen measures in the Lee corpus (300 ABC news articles
that gensim ships as test data, read from its wheel at run time, see common.news_texts) with the
text around it, `[[quote]]` marked: the claims rows `extract_document` gives the package, so
numbers that are dates are left out as they are there. With --misses it lists instead the sentences that hold a
casualty, arrest or crowd word and a number or article but no such claim: where missed figures
are. benchmarks/README.md records what a reading of both lists found.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter

from common import news_texts

from figures.documents import make_document
from figures.extract import extract_document
from figures.sentences import SentenceIndex

MEASURES = "killed,wounded,arrested,kidnapped,missing,crowd"
# Words that make a sentence worth reading for a missed figure (stems, case-insensitive).
CUE = re.compile(r"\b(?:kill|dead|die|death|injur|wound|hurt|arrest|detain|custody|protest|toll|lives|bod(?:y|ies)|"
                 r"demonstrat|rall|march|crowd|gather|casualt|fatalit|shot|captur|hostage|kidnap|abduct)", re.I)
COUNTABLE = re.compile(r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|dozens?|hundreds?|"
                       r"thousands?|several|an?)\b", re.I)


def main() -> None:
    options = argparse.ArgumentParser()
    options.add_argument("--measures", default=MEASURES, help="comma-separated measures to list")
    options.add_argument("--misses", action="store_true", help="list sentences with no such claim instead")
    args = options.parse_args()
    measures = set(args.measures.split(","))
    texts = news_texts()
    if texts is None:
        sys.exit(0)
    counts: Counter[str] = Counter()
    for number, text in enumerate(texts):
        rows = extract_document(make_document(f"lee-{number}", text.encode("utf-8"), "the Lee corpus"))
        claims = [row for row in rows["claims"] if row["measure"] in measures]
        counts.update(row["measure"] for row in claims)
        if not args.misses:
            for row in claims:
                start, end = row["start"], row["end"]
                print(f"{number:3d} {row['measure']:9s} {row['value']:>9g} {row['rule'].split('+')[-1]:30s} | "
                      f"{text[max(0, start - 90):start]}[[{row['quote']}]]{text[end:end + 70]}")
            continue
        for start, end in SentenceIndex(text).spans():
            sentence = text[start:end]
            if CUE.search(sentence) and COUNTABLE.search(sentence) and not any(start <= row["start"] < end for row in claims):
                print(f"{number:3d} {sentence}")
    print(f"{len(texts)} articles; claims: {dict(sorted(counts.items()))}", file=sys.stderr)


if __name__ == "__main__":
    main()
