"""Throughput of figures.dates.resolve_dates on the seed article repeated to ~10 MB.

Usage: PYTHONPATH=scripts python benchmarks/bench_dates.py [target_mb]
Prints MB/s (UTF-8 bytes of input per second, one core) for detection + resolution,
once with the article as one huge text and once as many separate articles (the real case:
one call per article, each with its own inline header skipped).
"""

from __future__ import annotations

import datetime
import sys
import time
from pathlib import Path

from figures.dates import resolve_dates

SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_679c7536310926e9.txt"
PUBLISHED = datetime.date(2020, 1, 24)
SKIP = 17  # end of the inline header " date 2020-01-24 "


def main() -> None:
    target_mb = float(sys.argv[1]) if len(sys.argv) > 1 else 10.0
    article = SEED.read_text(encoding="utf-8")
    size = len(article.encode("utf-8"))
    reps = max(1, int(target_mb * 1e6 / size))
    total_mb = reps * size / 1e6

    big = article * reps
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        rows = resolve_dates(big, PUBLISHED, SKIP)
        best = min(best, time.perf_counter() - t0)
    print(f"one text:      {total_mb:.1f} MB, {len(rows)} mentions, {total_mb / best:.1f} MB/s")

    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        n = 0
        for _ in range(reps):
            n += len(resolve_dates(article, PUBLISHED, SKIP))
        best = min(best, time.perf_counter() - t0)
    print(f"per article:   {total_mb:.1f} MB, {n} mentions, {total_mb / best:.1f} MB/s")


if __name__ == "__main__":
    main()
