"""Write stage: rows to CSVs, the descriptor to datapackage.json, all staged and swapped atomically.

The schemas in `schemas/` are the only field lists: column order, types and formatting all come
from them. Output is deterministic: rows in input order (documents as read, rows by offset),
numbers in one fixed format, `\\n` line endings, a trailing newline, no timestamps.
"""

from __future__ import annotations

import csv
import json
import math
import os
import shutil
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from . import __version__
from .documents import Document

SCHEMA_DIR = Path(__file__).parent / "schemas"
RESOURCES = ("documents", "claims", "casualties", "dates")
DATA_DIR = "data"
TEXTS_DIR = "texts"
TEXTS_PART = "part-{:05d}.txt"  # texts stored one after another, in files of at most...
TEXTS_PART_BYTES = 256 * 2**20  # ...this many bytes (a longer text has a file of its own)
DESCRIPTOR = "datapackage.json"
PACKAGE_PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
# Beyond this many documents the descriptor names the documents table instead of every source.
MAX_LISTED_SOURCES = 100


@lru_cache(maxsize=None)
def load_schema(resource: str) -> dict:
    """The Table Schema of a resource, from schemas/<resource>.json."""
    return json.loads((SCHEMA_DIR / f"{resource}.json").read_text(encoding="utf-8"))


def field_types(resource: str) -> dict[str, str]:
    """Field name -> Table Schema type, in schema order."""
    return {f["name"]: f["type"] for f in load_schema(resource)["fields"]}


def format_cell(value: object, field_type: str) -> str:
    """One cell in the package's fixed format: integers plain, numbers shortest round-trip."""
    if value is None or value == "":
        return ""
    if field_type == "integer":
        return str(int(value))
    if field_type == "number":
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(f"number {number!r} cannot be written")
        if number.is_integer() and abs(number) < 1e15:
            return str(int(number))
        return repr(number)
    return str(value)


def format_rows(rows: dict[str, list[dict]]) -> dict[str, list[list[str]]]:
    """One document's rows (as extract_document returns them) as CSV cells, in schema order.

    This is all the per-row work of writing, done where the rows are extracted (a worker process
    or a Dask worker) and what the build cache stores; the documents row's `path`, `byte_offset`
    and `n_bytes` stay empty until the writer has stored the text.
    """
    formatted = {}
    for name in RESOURCES:
        types = tuple(field_types(name).items())
        formatted[name] = [[format_cell(row.get(field), kind) for field, kind in types] for row in rows[name]]
    return formatted


@lru_cache(maxsize=None)
def _text_columns() -> tuple[int, int, int]:
    """Where a documents row says where its text is stored: path, byte_offset, n_bytes."""
    names = list(field_types("documents"))
    return names.index("path"), names.index("byte_offset"), names.index("n_bytes")


def json_text(data: object) -> str:
    """JSON as we commit it: sorted nowhere (key order is meaningful), indented, trailing newline."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


class PackageWriter:
    """Streams rows into the CSVs of a package folder, one document at a time.

    `root` is the folder that will hold datapackage.json. A document whose text file lies inside
    `text_root` is referenced where it is (the seeds of a build); any other text is appended to
    texts/part-NNNNN.txt so the package is complete on its own: one file per text would be
    millions of files for a news archive, and most of the time spent writing a corpus of short
    articles. Parts roll over at TEXTS_PART_BYTES, in input order, so the bytes are the same on
    every run.
    """

    def __init__(self, root: Path, text_root: Path | None = None, copy_schemas: bool = True):
        self.root = root
        self.text_root = (text_root or root).resolve()
        self.copy_schemas = copy_schemas
        # Unique sources, keyed by their JSON; only MAX_LISTED_SOURCES + 1 are kept, because
        # beyond that the descriptor lists none of them (so memory does not grow with the corpus).
        self.sources: dict[str, dict] = {}
        self.n_documents = 0
        self.counts = {name: 0 for name in RESOURCES}
        self.tables: list[str] = []  # whole tables written besides RESOURCES (write_table)
        self._part = None  # the texts part being appended to, its path, its number and size so far
        self._part_path = ""
        self._parts = 0
        self._part_size = 0
        (root / DATA_DIR).mkdir(parents=True, exist_ok=True)
        self._files = {}
        self._writers = {}
        for name in RESOURCES:
            self._files[name], self._writers[name] = self._open(name)

    def _open(self, name: str) -> tuple:
        """data/<name>.csv opened with its header written, and its row writer."""
        handle = (self.root / DATA_DIR / f"{name}.csv").open("w", encoding="utf-8", newline="")
        writer = _RowWriter(handle)
        writer.plain.writerow(field_types(name))
        return handle, writer

    def _store_text(self, doc: Document) -> tuple[str, int, int]:
        """Where the document's bytes are: (path relative to root, byte offset, number of bytes)."""
        if doc.stored_path is not None:
            resolved = doc.stored_path.resolve()
            if resolved.is_relative_to(self.text_root):
                return resolved.relative_to(self.text_root).as_posix(), 0, len(doc.data)
        if self._part is None or (self._part_size and self._part_size + len(doc.data) > TEXTS_PART_BYTES):
            self._close_part()
            self._parts += 1
            (self.root / TEXTS_DIR).mkdir(exist_ok=True)
            self._part_path = f"{TEXTS_DIR}/{TEXTS_PART.format(self._parts)}"
            self._part = (self.root / self._part_path).open("wb")
            self._part_size = 0
        offset = self._part_size
        self._part.write(doc.data)
        self._part_size += len(doc.data)
        return self._part_path, offset, len(doc.data)

    def _close_part(self) -> None:
        if self._part is not None:
            self._part.close()
            self._part = None

    def add(self, doc: Document, rows: dict[str, list[dict]]) -> None:
        """Write one document's rows (as returned by extract_document)."""
        self.add_formatted(doc, format_rows(rows))

    def add_formatted(self, doc: Document, cells: dict[str, list[list[str]]]) -> None:
        """Write one document's rows already formatted by `format_rows`."""
        path_at, offset_at, size_at = _text_columns()
        for row in cells["documents"]:
            path, offset, size = self._store_text(doc)
            row[path_at], row[offset_at], row[size_at] = path, str(offset), str(size)
        for name in RESOURCES:
            self._writers[name].writerows(cells[name])
            self.counts[name] += len(cells[name])
        self.n_documents += 1
        if (doc.url or doc.publisher) and len(self.sources) <= MAX_LISTED_SOURCES:
            source = {k: v for k, v in (("title", doc.publisher or doc.url), ("path", doc.url)) if v}
            self.sources.setdefault(json.dumps(source, sort_keys=True), source)

    def write_table(self, name: str, rows: list[dict]) -> None:
        """Write a whole table that is not extracted per document (the applied reviews), listed last."""
        types = field_types(name).items()
        handle, writer = self._open(name)
        with handle:
            for row in rows:
                writer.writerow([format_cell(row.get(field), kind) for field, kind in types])
        self.tables.append(name)
        self.counts[name] = len(rows)

    def close(self, package_meta: dict) -> Path:
        """Finish the CSVs and write datapackage.json (and the schemas it points at)."""
        for handle in self._files.values():
            handle.close()
        self._close_part()
        if self.copy_schemas:
            (self.root / "schemas").mkdir(exist_ok=True)
            for name in (*RESOURCES, *self.tables):
                shutil.copyfile(SCHEMA_DIR / f"{name}.json", self.root / "schemas" / f"{name}.json")
        descriptor = self.root / DESCRIPTOR
        descriptor.write_text(json_text(self.descriptor(package_meta)), encoding="utf-8")
        return descriptor

    def descriptor(self, meta: dict) -> dict:
        """The Data Package v2 descriptor: package metadata plus one resource per CSV."""
        unique_sources = list(self.sources.values())
        if len(unique_sources) > MAX_LISTED_SOURCES:
            unique_sources = [{"title": f"{self.n_documents} documents, listed with their URLs in data/documents.csv"}]
        package = {
            "$schema": PACKAGE_PROFILE,
            "name": meta.get("name", "extracted-figures"),
            "title": meta.get("title", "Numeric claims extracted by casualty-figures"),
            "description": meta.get("description", "Numeric claims extracted from the input documents by `figures extract`."),
            "version": str(meta.get("version", __version__)),
        }
        for key in ("created", "homepage", "keywords"):
            if meta.get(key):
                package[key] = meta[key]
        package["licenses"] = meta.get("licenses") or [{
            "name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/",
            "title": "Creative Commons Attribution 4.0"}]
        package["contributors"] = meta.get("contributors") or [{"title": "casualty-figures", "roles": ["creator"]}]
        if unique_sources:
            package["sources"] = unique_sources
        package["resources"] = [
            {
                "name": name, "type": "table", "path": f"{DATA_DIR}/{name}.csv", "scheme": "file",
                "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
                "description": load_schema(name)["description"], "schema": f"schemas/{name}.json",
            }
            for name in (*RESOURCES, *self.tables)
        ]
        return package


class _RowWriter:
    """CSV rows with standard minimal quoting, except rows holding a carriage return.

    Python 3.11's minimal quoting leaves a bare carriage return unquoted (only the line
    terminator's characters count), and every CSV reader then splits the row there. Rows with one
    are written fully quoted instead.
    """

    def __init__(self, handle):
        self.plain = csv.writer(handle, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        self.quoting = csv.writer(handle, lineterminator="\n", quoting=csv.QUOTE_ALL)

    def writerow(self, row: list[str]) -> None:
        (self.quoting if _carriage_return(row) else self.plain).writerow(row)

    def writerows(self, rows: list[list[str]]) -> None:
        """Rows of cells: one test over all of them, since a carriage return is rare."""
        if any(map(_carriage_return, rows)):
            for row in rows:
                self.writerow(row)
        else:
            self.plain.writerows(rows)


def _carriage_return(row: list[str]) -> bool:
    """Whether a row of cells (strings, as format_cell writes them) holds a carriage return."""
    return "\r" in "".join(row)


STAGE_PREFIX = ".figures-stage-"


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def remove_stale_stages(target: Path) -> None:
    """Remove stages left in `target` by killed runs (their process is gone)."""
    for stage in target.glob(f"{STAGE_PREFIX}*"):
        suffix = stage.name[len(STAGE_PREFIX):]
        if not suffix.isdigit() or not _pid_alive(int(suffix)):
            shutil.rmtree(stage, ignore_errors=True)


def _swap(stage: Path, target: Path, outputs: tuple[str, ...]) -> None:
    """Move `outputs` from `stage` into `target`, the old ones to stage/.previous; all or nothing.

    If anything fails midway (an OSError, a KeyboardInterrupt), every output already swapped is
    put back, so `target` holds either all the new outputs or all the old ones. SIGINT is held off
    until the swap or its rollback is complete.
    """
    old = stage / ".previous"
    old.mkdir()
    done: list[list] = []  # [name, had an old one, new one installed]
    with sigint_deferred() as interrupted:
        try:
            for name in outputs:
                if not (stage / name).exists():
                    continue
                had_old = (target / name).exists() or (target / name).is_symlink()
                if had_old:
                    os.replace(target / name, old / name)
                done.append([name, had_old, False])
                os.replace(stage / name, target / name)
                done[-1][2] = True
            if interrupted:
                raise KeyboardInterrupt
        except BaseException:
            for name, had_old, installed in reversed(done):
                if installed:
                    _remove(target / name)
                if had_old:
                    os.replace(old / name, target / name)
            raise


@contextmanager
def sigint_deferred() -> Iterator[list]:
    """Hold SIGINT (Ctrl-C) while the block runs; the yielded list is non-empty if one came."""
    import signal
    import threading

    received: list = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return
    previous = signal.signal(signal.SIGINT, lambda signum, frame: received.append(signum))
    try:
        yield received
    finally:
        signal.signal(signal.SIGINT, previous)


@contextmanager
def staged(target: Path, outputs: tuple[str, ...], links: tuple[str, ...] = ()) -> Iterator[Path]:
    """Yield a staging folder beside `target`; on success replace `outputs` in `target` with it.

    On any exception (KeyboardInterrupt included) the staging folder is removed and `target` is
    left byte-identical; if we created `target`, it is removed again. `links` are existing items
    of `target` made visible inside the stage (the seeds and schemas of a build), so that the
    staged package validates as it will once in place. Stages left by killed runs
    (`.figures-stage-<pid>` of a dead process) are removed first.
    """
    if target.exists() and not target.is_dir():
        from .errors import InputError

        raise InputError(f"{target}: exists and is not a folder; choose another output folder")
    created = [p for p in (target, *target.parents) if not p.exists()]
    target.mkdir(parents=True, exist_ok=True)
    remove_stale_stages(target)
    stage = target / f"{STAGE_PREFIX}{os.getpid()}"
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir()
    succeeded = False
    try:
        for name in links:
            if (target / name).exists():
                (stage / name).symlink_to((target / name).resolve())
        yield stage
        _swap(stage, target, outputs)
        succeeded = True
    finally:
        shutil.rmtree(stage, ignore_errors=True)
        if not succeeded:
            for folder in created:  # innermost first; only folders we made and left empty
                try:
                    folder.rmdir()
                except OSError:
                    break
