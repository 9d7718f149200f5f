"""Score document-level casualty totals on ../shared/eval/wikipedia_terror.csv (run by hand).

    python benchmarks/bench_casualties.py [--misses N]

Reads the evaluation data at run time (never copied into the repository); exits 0 with a
message when ../shared is not beside the repository.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

GOLD = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "wikipedia_terror.csv"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", type=int, default=0)
    args = parser.parse_args()
    if not GOLD.exists():
        print(f"skipped: {GOLD} not found (../shared is not beside the repository)")
        return 0
    from figures.evaluate import evaluate

    started = time.perf_counter()
    result = evaluate(GOLD)
    elapsed = time.perf_counter() - started
    print(result.report(show_misses=args.misses))
    print(f"\n{GOLD.stat().st_size / 1e6:.2f} MB of CSV in {elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
