"""Benchmark figures.numbers against two public number/quantity suites, and time it.

Run by hand from the repository root:  PYTHONPATH=scripts python benchmarks/bench_numbers.py

Reads <repo>/../shared/eval/recognizers_number_en.json and quantulum3_quantities.json at run
time (never copied into the project); prints a skip message and exits 0 when they are missing.
Scores are the share of cases where the multiset of our values equals theirs.  The suites
follow other conventions (fractions, ranges as midpoints, "one" as 1...), so 100% is not the
goal; the per-case diff (--show) is for finding general gaps in the grammar.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections import Counter
from pathlib import Path

from figures.numbers import find_numbers

REPO = Path(__file__).resolve().parent.parent
EVAL = REPO.parent / "shared" / "eval"
SEED = REPO / "seeds" / "000_679c7536310926e9.txt"


def _key(v: float) -> float:
    return round(float(v), 6)


def _ours(text: str) -> Counter:
    return Counter(_key(s.value) for s in find_numbers(text))


def score_recognizers(cases, show: bool):
    hit_all = hit_sup = n_sup = 0
    for c in cases:
        theirs = Counter(_key(float(r["Resolution"]["value"])) for r in c["Results"]
                         if r.get("Resolution") and r["Resolution"].get("value") is not None)
        ours = _ours(c["Input"])
        ok = ours == theirs
        hit_all += ok
        if not c.get("NotSupported"):
            n_sup += 1
            hit_sup += ok
        if show and not ok:
            print(f"  R {c['Input'][:70]!r}: ours={dict(ours)} theirs={dict(theirs)}")
    return hit_all, len(cases), hit_sup, n_sup


def score_quantulum(cases, show: bool):
    hit = 0
    for c in cases:
        theirs = Counter(_key(r["value"]) for r in c["res"])
        ours = _ours(c["req"])
        ok = ours == theirs
        hit += ok
        if show and not ok:
            print(f"  Q {c['req'][:70]!r}: ours={dict(ours)} theirs={dict(theirs)}")
    return hit, len(cases)


def throughput(text: str, repeat: int = 3) -> float:
    best = math.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        find_numbers(text)
        best = min(best, time.perf_counter() - t0)
    return len(text.encode("utf-8")) / 1e6 / best


def quantulum_throughput(seed: str):
    try:
        from quantulum3 import parser
    except ImportError:
        return None
    parser.parse(seed)  # load models and caches outside the timing
    best = math.inf
    for _ in range(3):
        t0 = time.perf_counter()
        parser.parse(seed)
        best = min(best, time.perf_counter() - t0)
    return len(seed.encode("utf-8")) / 1e6 / best


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--show", action="store_true", help="print every disagreeing case")
    args = ap.parse_args(argv)
    rec_path = EVAL / "recognizers_number_en.json"
    qua_path = EVAL / "quantulum3_quantities.json"
    if not rec_path.exists() or not qua_path.exists():
        print(f"skip: eval suites not found under {EVAL}")
        return 0
    rec = json.loads(rec_path.read_text(encoding="utf-8"))
    qua = json.loads(qua_path.read_text(encoding="utf-8"))
    seed = SEED.read_text(encoding="utf-8")

    r_all, r_n, r_sup, r_nsup = score_recognizers(rec, args.show)
    q_hit, q_n = score_quantulum(qua, args.show)

    unit = "\n".join([seed] + [c["Input"] for c in rec] + [c["req"] for c in qua]) + "\n"
    big = unit * (10_000_000 // len(unit.encode("utf-8")) + 1)
    ours = throughput(big)
    news = seed * (10_000_000 // len(seed.encode("utf-8")) + 1)
    ours_news = throughput(news)
    theirs = quantulum_throughput(seed)

    rows = [
        ("recognizers-number-en, all", f"{r_all}/{r_n}", f"{100 * r_all / r_n:.1f}%"),
        ("recognizers-number-en, supported", f"{r_sup}/{r_nsup}", f"{100 * r_sup / r_nsup:.1f}%"),
        ("quantulum3 values", f"{q_hit}/{q_n}", f"{100 * q_hit / q_n:.1f}%"),
        (f"find_numbers MB/s, seed + eval ({len(big.encode('utf-8')) / 1e6:.1f} MB)", "",
         f"{ours:.1f}"),
        (f"find_numbers MB/s, seed only ({len(news.encode('utf-8')) / 1e6:.1f} MB)", "",
         f"{ours_news:.1f}"),
    ]
    if theirs is not None:
        rows.append(("quantulum3 parser.parse MB/s (seed)", "", f"{theirs:.4f}"))
        rows.append(("speed ratio ours / quantulum3 (seed + eval)", "", f"{ours / theirs:.0f}x"))
        rows.append(("speed ratio ours / quantulum3 (seed only)", "", f"{ours_news / theirs:.0f}x"))
    else:
        rows.append(("quantulum3", "", "not installed"))
    w = max(len(r[0]) for r in rows)
    print(f"{'measure':<{w}}  {'cases':>9}  {'score':>9}")
    for name, cases, score in rows:
        print(f"{name:<{w}}  {cases:>9}  {score:>9}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
