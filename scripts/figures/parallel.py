"""Run per-document extraction at scale: in order, in parallel, cached, with progress.

`extract_rows(docs, ...)` yields `(doc, cells)` for every document in input order, whatever runs
the extraction: this process (`jobs=1`), a pool of worker processes (`jobs=N`), or a Dask
cluster (`dask=ADDRESS`). Cells are the CSV cells of `package.format_rows`, so the writer does no
per-row work and the output is byte-identical however it was computed.

Memory stays flat: documents are read lazily, grouped into batches of about BATCH_BYTES, and at
most `window` batches are in flight at once (unlike `Executor.map` and `Pool.imap`, which consume
their whole input up front).

The build cache (`.cache/figures/` at the repository root) holds one JSON file per document
result, keyed by the document's sha256 and metadata and by a fingerprint of the extractor (the
package version, its modules, rules and schemas), so editing a rule or a module invalidates
every entry. It is safe to delete at any time; stale entries are never read, only left behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, Iterator

from . import __version__
from .documents import META_FIELDS, Document
from .errors import FiguresError
from .extract import extract_document, load_rules
from .package import format_rows, sigint_deferred

Cells = dict[str, list[list[str]]]
PACKAGE_DIR = Path(__file__).parent
BATCH_BYTES = 256 * 1024  # a batch is sent to a worker once it holds this much text...
BATCH_DOCS = 256  # ...or this many documents
CACHE_DIR = Path(".cache") / "figures"
DASK_TIMEOUT = "30s"  # how long to keep trying to reach a scheduler


def default_jobs() -> int:
    """All the cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


@lru_cache(maxsize=None)
def extractor_fingerprint() -> str:
    """A hash of everything that decides the rows: version, modules, rules and schemas."""
    digest = hashlib.sha256(__version__.encode())
    files = sorted([*PACKAGE_DIR.glob("*.py"), *PACKAGE_DIR.glob("rules/*"), *PACKAGE_DIR.glob("schemas/*.json")])
    for path in files:
        if path.is_file():
            digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def extract_batch(docs: list[Document], fingerprint: str | None = None) -> list[Cells]:
    """Extract and format a batch of documents; runs in a worker (process or Dask)."""
    if fingerprint is not None and fingerprint != extractor_fingerprint():
        raise FiguresError(
            f"a worker runs a different version of the extractor (figures {__version__} "
            f"at {PACKAGE_DIR}); install the same code on every Dask worker")
    return [format_rows(extract_document(doc)) for doc in docs]


class Cache:
    """One JSON file of cells per (extractor fingerprint, document bytes, document metadata)."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.hits = self.misses = 0

    @staticmethod
    def key(doc: Document) -> str:
        published = doc.published.isoformat() if doc.published else ""
        identity = [extractor_fingerprint(), doc.doc_id, doc.sha256, doc.encoding, doc.header_end, published,
                    *(getattr(doc, name) for name in META_FIELDS[1:])]
        return hashlib.sha256(json.dumps(identity).encode()).hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, doc: Document) -> Cells | None:
        try:
            cells = json.loads(self._path(self.key(doc)).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.misses += 1
            return None  # absent or damaged: extract again
        self.hits += 1
        return cells

    def put(self, doc: Document, cells: Cells) -> None:
        path = self._path(self.key(doc))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(f".{os.getpid()}.tmp")
            temporary.write_text(json.dumps(cells, ensure_ascii=False), encoding="utf-8")
            os.replace(temporary, path)
        except OSError:
            pass  # a cache that cannot be written only costs time


def batches(docs: Iterable[Document], max_bytes: int | None = None, max_docs: int | None = None
            ) -> Iterator[list[Document]]:
    """Consecutive documents grouped into batches of about `max_bytes` of text."""
    max_bytes = max_bytes or BATCH_BYTES
    max_docs = max_docs or BATCH_DOCS
    batch: list[Document] = []
    size = 0
    for doc in docs:
        batch.append(doc)
        size += len(doc.data)
        if size >= max_bytes or len(batch) >= max_docs:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


class _Inline:
    """A 'future' computed in this process when its result is asked for."""

    def __init__(self, docs: list[Document]):
        self.docs = docs

    def result(self) -> list[Cells]:
        return extract_batch(self.docs)


class _Runner:
    """Submits batches to whatever does the work; `close()` releases it."""

    window = 1

    def submit(self, docs: list[Document]):
        return _Inline(docs)

    def close(self, cancel: bool = False) -> None:
        pass


class _ProcessRunner(_Runner):
    """A process pool, started only once there is more than one batch to do."""

    def __init__(self, jobs: int):
        self.jobs = jobs
        self.window = 2 * jobs
        self.pool: ProcessPoolExecutor | None = None
        self.first: _Deferred | None = None

    def submit(self, docs: list[Document]):
        # Workers are forked inside submit, and a Ctrl-C that lands in one of Python's fork
        # handlers is printed and ignored ("Exception ignored in _releaseLock"): the run went on
        # and replaced the output. SIGINT is therefore held off here and raised after.
        with sigint_deferred() as interrupted:
            future = self._submit(docs)
        if interrupted:
            raise KeyboardInterrupt
        return future

    def _submit(self, docs: list[Document]):
        if self.pool is None:
            if self.first is None:  # maybe the only batch: not worth starting processes for
                self.first = _Deferred(docs)
                return self.first
            # Workers are forked from this process: compiled here once, the rules are theirs
            # without each compiling them again (a second of CPU per worker).
            load_rules()
            self.pool = ProcessPoolExecutor(max_workers=self.jobs)
            self.first.future = self.pool.submit(extract_batch, self.first.docs)
        return self.pool.submit(extract_batch, docs)

    def close(self, cancel: bool = False) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=cancel)


class _Deferred:
    """The first batch of a pool run: sent to the pool if a second batch follows, else run here."""

    def __init__(self, docs: list[Document]):
        self.docs, self.future = docs, None

    def result(self) -> list[Cells]:
        return self.future.result() if self.future is not None else extract_batch(self.docs)


class _DaskRunner(_Runner):
    """A Dask cluster: batches are submitted as tasks and gathered in input order."""

    def __init__(self, address: str):
        try:
            from distributed import Client
        except ImportError:
            raise FiguresError("--dask needs dask.distributed: pip install 'casualty-figures[dask]'") from None
        try:
            self.client = Client(address, timeout=DASK_TIMEOUT)
        except (OSError, TimeoutError) as exc:
            raise FiguresError(f"cannot reach the Dask scheduler at {address} ({exc}); "
                               "start one with `dask scheduler` and pass its tcp:// address") from None
        threads = sum(self.client.nthreads().values()) or 1
        self.window = 2 * threads + 2

    def submit(self, docs: list[Document]):
        return self.client.submit(extract_batch, docs, extractor_fingerprint(), pure=False)

    def close(self, cancel: bool = False) -> None:
        self.client.close()


def extract_rows(docs: Iterable[Document], jobs: int = 1, dask: str | None = None, cache: Cache | None = None,
                 progress: Callable[[int], None] | None = None) -> Iterator[tuple[Document, Cells]]:
    """Extract every document, yielding (doc, cells) in input order; see the module docstring."""
    if dask:
        runner: _Runner = _DaskRunner(dask)
    elif jobs > 1:
        runner = _ProcessRunner(jobs)
    else:
        runner = _Runner()
    pending: deque = deque()  # (batch, cached cells or None per doc, future for the misses or None)

    def finish():
        batch, cached, future = pending.popleft()
        fresh = iter(future.result() if future is not None else ())
        for doc, cells in zip(batch, cached):
            if cells is None:
                cells = next(fresh)
                if cache is not None:
                    cache.put(doc, cells)
            if progress is not None:
                progress(1)
            yield doc, cells

    completed = False
    try:
        for batch in batches(docs):
            cached = [cache.get(doc) if cache is not None else None for doc in batch]
            misses = [doc for doc, cells in zip(batch, cached) if cells is None]
            future = runner.submit(misses) if misses else None
            pending.append((batch, cached, future))
            while len(pending) > runner.window:
                yield from finish()
        while pending:
            yield from finish()
        completed = True
    finally:
        runner.close(cancel=not completed)


def count_documents(inputs: Iterable[Path]) -> int | None:
    """How many documents the inputs hold, for a progress bar's ETA (None when unknown).

    Reads corpora once more, row by row (much faster than extracting them); only called when a
    progress bar is shown.
    """
    import csv

    from .documents import DECOMPRESSION_ERRORS, TEXT_SUFFIX, corpus_format, open_corpus, text_files

    total = 0
    try:
        for path in inputs:
            form = corpus_format(path)
            if path.is_dir():
                total += len(text_files(path))
            elif path.suffix == TEXT_SUFFIX:
                total += 1
            elif form == "csv":
                csv.field_size_limit(sys.maxsize)
                with open_corpus(path, "r", newline="", encoding="utf-8") as handle:
                    total += max(0, sum(1 for _ in csv.reader(handle)) - 1)
            elif form == "jsonl":
                with open_corpus(path) as handle:
                    total += sum(1 for line in handle if line.strip())
            elif form == "parquet":
                import pyarrow.parquet as pq

                total += pq.ParquetFile(path).metadata.num_rows  # from the footer, not the rows
    except (OSError, UnicodeDecodeError, csv.Error, ImportError, ValueError, *DECOMPRESSION_ERRORS):
        return None  # the reader will report it properly
    return total


class Progress:
    """A tqdm bar on stderr (documents/s and ETA) when stderr is a terminal and not --quiet."""

    def __init__(self, enabled: bool, total: Callable[[], int | None] | int | None = None, desc: str = "extract"):
        self.bar = None
        if enabled and sys.stderr.isatty():
            from tqdm import tqdm

            count = total() if callable(total) else total
            self.bar = tqdm(total=count, desc=desc, unit="doc", file=sys.stderr, dynamic_ncols=True,
                            mininterval=0.5, leave=False)

    def __call__(self, n: int) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
