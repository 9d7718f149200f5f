"""The stages wired together: read -> extract -> write -> validate -> draw, atomically.

`build` turns the seeds folder into the package at the repository root; `extract` turns any
inputs into a self-contained package folder. Both stage their output and replace the previous
output only when every stage, validation included, has succeeded.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from .charts import draw_charts
from .documents import Document, load_metadata, read_folder, read_inputs
from .extract import extract_document
from .package import DATA_DIR, DESCRIPTOR, TEXTS_DIR, PackageWriter, staged
from .page import write_page
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
                  copy_schemas: bool) -> Summary:
    """Extract every document and stream its rows into the package at `stage`."""
    writer = PackageWriter(stage, text_root=text_root, copy_schemas=copy_schemas)
    for doc in docs:
        writer.add(doc, extract_document(doc))
    writer.close(meta)
    return Summary(writer.n_documents, dict(writer.counts))


def draw(descriptor: Path, out_dir: Path) -> list[Path]:
    """The charts of a written package and the annotated page that embeds them, into out_dir."""
    return draw_charts(descriptor, out_dir) + [write_page(descriptor, out_dir)]


def build(root: Path, seeds: Path | None = None, charts: bool = True) -> Summary:
    """Build the repository's package from its seeds: data/, datapackage.json, charts/."""
    seeds = seeds or root / "seeds"
    metadata = load_metadata(seeds)
    docs = read_folder(seeds, metadata)
    with staged(root, BUILD_OUTPUTS, links=("seeds", "schemas")) as stage:
        summary = write_package(stage, docs, metadata["package"], text_root=root, copy_schemas=False)
        require_valid(stage / DESCRIPTOR)
        if charts:
            draw(stage / DESCRIPTOR, stage / "charts")
    return summary


def extract(inputs: list[Path], out_dir: Path, charts: bool = False) -> Summary:
    """Extract any inputs into a complete, valid package folder `out_dir`."""
    with staged(out_dir, EXTRACT_OUTPUTS) as stage:
        summary = write_package(stage, read_inputs(inputs), {}, text_root=stage, copy_schemas=True)
        require_valid(stage / DESCRIPTOR)
        if charts:
            draw(stage / DESCRIPTOR, stage / "charts")
    return summary
