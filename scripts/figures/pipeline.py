"""The stages wired together: read -> extract -> write -> validate -> draw, atomically.

`build` turns the seeds folder into the package at the repository root; `extract` turns any
inputs into a self-contained package folder. Both stage their output and replace the previous
output only when every stage, validation included, has succeeded.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from .documents import Document, load_metadata, read_folder, read_inputs, text_files
from .package import DATA_DIR, DESCRIPTOR, TEXTS_DIR, PackageWriter, staged
from .parallel import CACHE_DIR, Cache, Progress, count_documents, default_jobs, extract_rows
from .reviews import RESOURCE as REVIEWS, REVIEWS_FILE, Reviewer, reviewer
from . import validate
from .validate import require_valid

BUILD_OUTPUTS = (DATA_DIR, "charts", DESCRIPTOR)
EXTRACT_OUTPUTS = (DATA_DIR, TEXTS_DIR, "schemas", "charts", DESCRIPTOR)


@dataclass(frozen=True, slots=True)
class Summary:
    documents: int
    rows: dict[str, int]

    def __str__(self) -> str:
        counts = ", ".join(f"{n} {name}" for name, n in self.rows.items() if name != "documents")
        return f"{self.documents} document(s): {counts}"


def write_package(stage: Path, docs: Iterable[Document], meta: dict, text_root: Path,
                  copy_schemas: bool, jobs: int = 1, dask: str | None = None, cache: Cache | None = None,
                  progress=None, reviews: Reviewer | None = None) -> Summary:
    """Extract every document and stream its rows into the package at `stage`.

    Rows come out in input order whatever `jobs`, `dask` and `cache` say, so the bytes written are
    those of a serial run (see parallel.py). `reviews` are applied here, to the rows as extracted
    (the cache keeps those), and written as the package's reviews table.
    """
    writer = PackageWriter(stage, text_root=text_root, copy_schemas=copy_schemas)
    for doc, cells in extract_rows(docs, jobs=jobs, dask=dask, cache=cache, progress=progress):
        writer.add_formatted(doc, reviews.apply(doc, cells) if reviews else cells)
    if reviews:
        writer.write_table(REVIEWS, reviews.finish())
    writer.close(meta)
    return Summary(writer.n_documents, dict(writer.counts))


def draw(descriptor: Path, out_dir: Path) -> list[Path]:
    """The charts of a written package and the annotated page that embeds them, into out_dir."""
    # Imported here: matplotlib and pandas take 0.6 s to import, which `figures extract`
    # without --charts (and every worker process) should not pay.
    from .charts import draw_charts
    from .page import write_page

    return draw_charts(descriptor, out_dir) + [write_page(descriptor, out_dir)]


def _stage_package(target: Path, outputs: tuple[str, ...], docs: Iterable[Document], meta: dict, bar: Progress,
                   charts: bool, links: tuple[str, ...] = (), text_root: Path | None = None, **run) -> Summary:
    """Write, validate and (optionally) draw a package in a stage that replaces `outputs` in `target`."""
    try:
        with staged(target, outputs, links=links) as stage:
            summary = write_package(stage, docs, meta, text_root=text_root or stage, copy_schemas="schemas" not in links,
                                    progress=bar, **run)
            bar.close()
            # smaller batches than a standalone `figures validate` reads (never larger): flat memory
            require_valid(stage / DESCRIPTOR, batch_bytes=min(validate.STREAMING_BATCH, validate.TABLE_BATCH))
            if charts:
                draw(stage / DESCRIPTOR, stage / "charts")
    finally:
        bar.close()
    return summary


def build(root: Path, seeds: Path | None = None, charts: bool = True, jobs: int | None = None,
          cache: bool = True, progress: bool = False) -> Summary:
    """Build the repository's package from its seeds: data/, datapackage.json, charts/.

    Documents whose bytes, metadata and extractor are unchanged since the last build are taken
    from the cache in `.cache/figures/` (safe to delete) instead of being extracted again.
    `seeds/reviews.yaml`, when present, is applied to the rows (README, "Reviewing claims").
    """
    seeds = seeds or root / "seeds"
    metadata = load_metadata(seeds)
    reviews = reviewer(seeds / REVIEWS_FILE if (seeds / REVIEWS_FILE).exists() else None)
    docs = read_folder(seeds, metadata)
    bar = Progress(progress, lambda: len(text_files(seeds)), desc="build")
    return _stage_package(root, BUILD_OUTPUTS, docs, metadata["package"], bar, charts, links=("seeds", "schemas"),
                          text_root=root, jobs=jobs or default_jobs(),
                          cache=Cache(root / CACHE_DIR) if cache else None, reviews=reviews)


def extract(inputs: list[Path], out_dir: Path, charts: bool = False, jobs: int | None = None,
            dask: str | None = None, progress: bool = False, reviews: Path | None = None) -> Summary:
    """Extract any inputs into a complete, valid package folder `out_dir`.

    `jobs` worker processes (default: every core) or the Dask scheduler at `dask` do the
    extraction; either way the package is byte-identical to a serial run. `reviews` is a reviews
    file (README, "Reviewing claims") to apply.
    """
    checked = reviewer(reviews)  # a bad reviews file fails before any extraction
    bar = Progress(progress, lambda: count_documents(inputs))
    return _stage_package(out_dir, EXTRACT_OUTPUTS, read_inputs(inputs), {}, bar, charts,
                          jobs=jobs or default_jobs(), dask=dask, reviews=checked)
