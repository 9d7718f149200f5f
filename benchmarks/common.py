"""Shared helpers of the hand-run benchmarks: paths, the machine, generated inputs."""

from __future__ import annotations

import csv
import json
import os
import platform
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEED = REPO / "seeds" / "000_679c7536310926e9.txt"
WORK = Path(os.environ.get("FIGURES_BENCH_DIR", "/tmp/figures-bench"))
sys.path.insert(0, str(REPO / "scripts"))


def require_shared() -> None:
    """Benchmarks compare against ../shared; without it they say so and exit 0."""
    if not SHARED.is_dir():
        print(f"skipped: {SHARED} not found (the benchmarks need ../shared beside the repository)")
        sys.exit(0)


def machine() -> str:
    cpu = "unknown CPU"
    ram = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f", {int(line.split()[1]) / 1024 / 1024:.0f} GiB RAM"
    except OSError:
        pass
    return f"{os.cpu_count()} cores (nproc {len(os.sched_getaffinity(0))}), {cpu}{ram}, Python {platform.python_version()}"


def figures(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run the figures CLI of this checkout in a fresh process."""
    env = dict(os.environ, PYTHONPATH=str(REPO / "scripts"))
    return subprocess.run([sys.executable, "-m", "figures.cli", *args], env=env, check=check,
                          capture_output=True, text=True)


def seed_texts() -> list[str]:
    """The seed, and the texts of ../shared/eval/wikipedia_terror.csv when present (read, never copied)."""
    texts = [SEED.read_text(encoding="utf-8")]
    corpus = SHARED / "eval" / "wikipedia_terror.csv"
    if corpus.exists():
        csv.field_size_limit(sys.maxsize)
        with corpus.open(newline="", encoding="utf-8") as handle:
            texts += [row["text"] for row in csv.DictReader(handle) if row.get("text")]
    return texts


def generated_corpus(path: Path, megabytes: float) -> Path:
    """A .jsonl corpus of about `megabytes` MB: the seed texts repeated with varied ids.

    Documents are about the size of a news article (the short Wikipedia texts are joined 12 at a
    time), each with a distinct id; figures are varied so that copies are not identical texts.
    """
    if path.exists() and path.stat().st_size >= megabytes * 1e6:
        return path
    texts = seed_texts()
    seed, short = texts[0], texts[1:]
    articles = [seed] + ["\n\n".join(short[i:i + 12]) for i in range(0, len(short), 12)]
    return write_corpus(path, megabytes, lambda n: {
        "id": f"doc-{n:07d}", "text": articles[n % len(articles)].replace("700", str(700 + n % 97)),
        "published": "2020-01-24"})


def write_corpus(path: Path, megabytes: float, document) -> Path:
    """A .jsonl corpus of about `megabytes` MB: `document(n)` (a row dict) for n = 0, 1, 2, ..."""
    path.parent.mkdir(parents=True, exist_ok=True)
    written, n = 0, 0
    with path.open("w", encoding="utf-8") as handle:
        while written < megabytes * 1e6:
            line = json.dumps(document(n)) + "\n"
            handle.write(line)
            written += len(line.encode())
            n += 1
    return path


# Real news text: the Lee corpus, 300 ABC (Australian Broadcasting Corporation) news articles
# of 2001 that gensim ships as test data. It is read from gensim's wheel at run time (pip
# downloads the wheel; gensim itself is not installed) and never copied into this repository.
NEWS_PACKAGE, NEWS_VERSION = "gensim", "4.4.0"
NEWS_MEMBER = "gensim/test/test_data/lee_background.cor"


def news_texts() -> list[str] | None:
    """The 300 articles of the Lee corpus, one per line of the file; None if pip cannot fetch it."""
    wheels = WORK / "wheels"
    pattern = f"{NEWS_PACKAGE}-{NEWS_VERSION}-*.whl"
    found = sorted(wheels.glob(pattern)) if wheels.is_dir() else []
    if not found:
        done = subprocess.run([sys.executable, "-m", "pip", "download", f"{NEWS_PACKAGE}=={NEWS_VERSION}",
                               "--no-deps", "--only-binary", ":all:", "--quiet", "-d", str(wheels)],
                              capture_output=True, text=True)
        found = sorted(wheels.glob(pattern))
        if done.returncode != 0 or not found:
            print(f"real news text unavailable (pip download {NEWS_PACKAGE}=={NEWS_VERSION} failed): {done.stderr.strip()[-300:]}")
            return None
    with zipfile.ZipFile(found[0]) as wheel:
        text = wheel.read(NEWS_MEMBER).decode("utf-8")
    return [line.strip() for line in text.splitlines() if line.strip()]


def news_corpus(path: Path, megabytes: float) -> Path | None:
    """A .jsonl corpus of about `megabytes` MB of real news: the Lee articles repeated, each copy
    with its own id and a line naming the copy, so that no two documents are the same text."""
    if path.exists() and path.stat().st_size >= megabytes * 1e6:
        return path
    texts = news_texts()
    if texts is None:
        return None
    return write_corpus(path, megabytes, lambda n: {
        "id": f"news-{n:07d}", "text": f"{texts[n % len(texts)]}\n\n(Copy {n // len(texts) + 1}.)",
        "published": "2001-12-31"})


def fresh(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path
