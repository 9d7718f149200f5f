"""Extraction throughput, quantulum3 ratio, peak memory and --jobs scaling of `figures extract`.

Run by hand: PYTHONPATH=scripts python benchmarks/bench_extract.py [--sizes 10,100] [--jobs-mb 10]
- throughput: `figures extract --jobs 1` on a generated corpus of SIZES[0] MB, whole process
  (reading, extraction, writing, validation) and extraction alone, in MB/s on one core;
- quantulum3 on a sample of the same documents in the same run, extrapolated, as a ratio;
- peak RSS of `figures extract --jobs 1` for every size (flat memory means about the same);
- wall time with --jobs 1 and --jobs 2 on JOBS_MB, and that the packages are byte-identical;
- the same on real news (the Lee corpus of 300 ABC news articles, read from gensim's wheel, which
  pip downloads; skipped with a message when it cannot): extract_document and quantulum3 on the
  300 articles, and `figures extract --jobs 1/2` on them repeated to NEWS_MB.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from common import REPO, WORK, generated_corpus, machine, news_corpus, news_texts, require_shared, seed_texts

RUN = """
import resource, sys, time
from figures.cli import main
start = time.perf_counter()
code = main(sys.argv[1:])
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_SELF)
children = resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"RESULT {code} {wall} {usage.ru_maxrss} {usage.ru_utime + usage.ru_stime + children.ru_utime + children.ru_stime}",
      file=sys.stderr)
"""


def run_extract(corpus: Path, out: Path, jobs: int) -> dict:
    env = dict(os.environ, PYTHONPATH=str(REPO / "scripts"))
    done = subprocess.run([sys.executable, "-c", RUN, "extract", str(corpus), "-o", str(out), "--jobs", str(jobs),
                           "--quiet"], env=env, capture_output=True, text=True)
    line = [l for l in done.stderr.splitlines() if l.startswith("RESULT")]
    assert line and line[0].split()[1] == "0", done.stderr[-3000:]
    _, code, wall, rss, cpu = line[0].split()
    return {"wall": float(wall), "rss_mb": int(rss) / 1024, "cpu": float(cpu)}


def package_bytes(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def sample_documents(corpus: Path, max_bytes: int) -> list[str]:
    texts, size = [], 0
    with corpus.open(encoding="utf-8") as handle:
        for line in handle:
            text = json.loads(line)["text"]
            texts.append(text)
            size += len(text.encode())
            if size >= max_bytes:
                break
    return texts


def extraction_only(texts: list[str]) -> float:
    """MB/s of extract_document alone (no reading or writing) on these texts, in this process."""
    from figures.documents import make_document
    from figures.extract import extract_document

    docs = [make_document(f"d{i}", t.encode(), "bench") for i, t in enumerate(texts)]
    extract_document(docs[0])  # compiles the rules and loads dateparser: a one-off cost per process
    best = float("inf")
    for _ in range(3):  # the best of three passes: the machine is shared
        start = time.process_time()
        for doc in docs:
            extract_document(doc)
        best = min(best, time.process_time() - start)
    return sum(len(d.data) for d in docs) / 1e6 / best


def quantulum(texts: list[str]) -> float | None:
    """MB/s of quantulum3's parser on these texts (None when it is not installed)."""
    try:
        from quantulum3 import parser
    except ImportError:
        return None
    parser.parse("warm up: 3 people")
    start = time.process_time()
    for text in texts:
        parser.parse(text)
    return sum(len(t.encode()) for t in texts) / 1e6 / (time.process_time() - start)


def main() -> None:
    require_shared()
    options = argparse.ArgumentParser()
    options.add_argument("--sizes", default="10,100", help="corpus sizes in MB for throughput and memory")
    options.add_argument("--jobs-mb", type=float, default=None, help="corpus size for --jobs 1 vs 2 (default: largest)")
    options.add_argument("--sample-kb", type=int, default=200, help="text given to quantulum3 and extract_document")
    options.add_argument("--news-mb", type=float, default=10, help="size of the real news corpus (0: skip it)")
    args = options.parse_args()
    sizes = [float(s) for s in args.sizes.split(",")]
    print(f"machine: {machine()}")

    corpora = {size: generated_corpus(WORK / f"corpus-{size:g}mb.jsonl", size) for size in sizes}
    first = corpora[sizes[0]]
    # Two kinds of text: a news article (the seed, repeated with varied figures), where numbers
    # are a few per paragraph, and the corpus sample, mostly incident descriptions where nearly
    # every sentence holds a casualty figure: the worst case for the extractor.
    seed = seed_texts()[0]
    samples = {
        "news article (seed)": [seed.replace("700", str(700 + i)) for i in range(args.sample_kb * 1000 // len(seed) + 1)],
        "corpus sample (incident descriptions)": sample_documents(first, args.sample_kb * 1000),
    }
    # A third kind, real news of every topic (sport, weather, courts, conflict), when pip can
    # fetch it: 300 articles, each once (about 360 kB).
    news = news_texts()
    if news is not None:
        samples["real news (Lee corpus, 300 articles)"] = news
    # Ours first, for every kind: quantulum3 leaves large models in memory, and the garbage
    # collector's passes over them would slow whatever runs after it in this process.
    ours = {name: extraction_only(texts) for name, texts in samples.items()}
    for name, texts in samples.items():
        theirs = quantulum(texts)
        kb = sum(len(t.encode()) for t in texts) / 1000
        print(f"{name}: extract_document alone on {kb:.0f} kB: {ours[name]:.3f} MB/s on one core (best of 3)")
        if theirs is None:
            print("  quantulum3 not installed (pip install '.[bench]'): no ratio")
        else:
            print(f"  quantulum3 on the same text: {theirs:.4f} MB/s; ratio {ours[name] / theirs:.0f}x")

    for size, corpus in corpora.items():
        mb = corpus.stat().st_size / 1e6
        result = run_extract(corpus, WORK / f"out-{size:g}-j1", jobs=1)
        print(f"figures extract --jobs 1, {mb:.1f} MB corpus: {result['wall']:.1f} s wall, "
              f"{mb / result['wall']:.3f} MB/s whole process, peak RSS {result['rss_mb']:.0f} MB")

    if args.news_mb and news is not None:
        corpus = news_corpus(WORK / f"news-lee-{args.news_mb:g}mb.jsonl", args.news_mb)
        mb = corpus.stat().st_size / 1e6
        for jobs in (1, 2):
            result = run_extract(corpus, WORK / f"out-news-{args.news_mb:g}-j{jobs}", jobs=jobs)
            print(f"figures extract --jobs {jobs}, {mb:.1f} MB of real news: {result['wall']:.1f} s wall, "
                  f"{result['cpu']:.1f} s CPU, {mb / result['wall']:.3f} MB/s whole process "
                  f"({mb / result['wall'] / jobs:.3f} MB/s per core), peak RSS {result['rss_mb']:.0f} MB")

    jobs_mb = args.jobs_mb or sizes[-1]
    corpus = corpora.get(jobs_mb) or generated_corpus(WORK / f"corpus-{jobs_mb:g}mb.jsonl", jobs_mb)
    serial = WORK / f"out-{jobs_mb:g}-j1"
    if not serial.exists():
        run_extract(corpus, serial, jobs=1)
    one = run_extract(corpus, WORK / f"out-{jobs_mb:g}-j1b", jobs=1)
    two = run_extract(corpus, WORK / f"out-{jobs_mb:g}-j2", jobs=2)
    same = package_bytes(serial) == package_bytes(WORK / f"out-{jobs_mb:g}-j2")
    print(f"--jobs 1: {one['wall']:.1f} s, --jobs 2: {two['wall']:.1f} s on {jobs_mb:g} MB "
          f"(speed-up {one['wall'] / two['wall']:.2f}x); byte-identical: {same}")


if __name__ == "__main__":
    main()
