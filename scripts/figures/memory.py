"""Give the memory of finished batches back to the system, so that peak memory stays flat.

`figures extract` and `figures build` validate the package they wrote batch by batch
(validate.py, STREAMING_BATCH) and free each batch before reading the next, but the two
allocators under them keep what is freed:
- polars' jemalloc keeps freed pages for 10 s by default ("dirty" then "muzzy" decay), and a
  table's batches come much faster than that; with the options below it returns them at once.
  jemalloc reads its options once, from `_RJEM_MALLOC_CONF` (the variable of polars' prefixed
  build), when polars is first imported: so those two commands set them first.
- glibc's malloc (numpy arrays, Python's large strings and bytes) keeps freed memory in its heap
  for the next allocation; `malloc_trim` after each batch returns it.

Measured on 100 MB of news (benchmarks/README.md, "Session 9: peak memory flat"): `figures
extract` peaked at 341 MB before and 246 MB after, against 227 MB on 10 MB of news. The price
is CPU: pages handed back are faulted in again by the next batch, ~0.5 s a million rows, plus
~0.4 s for twice the batches. `figures validate` alone runs for seconds, not hours, and is
measured against frictionless for speed: it keeps the allocators' defaults and 8 MB batches
(a peak of ~290 MB on a million rows), and only trims glibc's heap.
"""

from __future__ import annotations

import ctypes
import os
import sys
from functools import lru_cache

JEMALLOC_OPTIONS_VARIABLE = "_RJEM_MALLOC_CONF"
RETURN_FREED_PAGES = "dirty_decay_ms:0,muzzy_decay_ms:0"


def return_freed_pages_of_polars() -> bool:
    """Ask polars' allocator to return freed pages at once, unless the user set its options or
    polars is already imported (too late: jemalloc has read them). Whether the options apply."""
    if "polars" in sys.modules and JEMALLOC_OPTIONS_VARIABLE not in os.environ:
        return False
    os.environ.setdefault(JEMALLOC_OPTIONS_VARIABLE, RETURN_FREED_PAGES)
    return os.environ[JEMALLOC_OPTIONS_VARIABLE] == RETURN_FREED_PAGES


@lru_cache(maxsize=1)
def _malloc_trim():
    """glibc's malloc_trim, or None where the C library has none (musl, macOS, Windows)."""
    try:
        return ctypes.CDLL(None).malloc_trim
    except (AttributeError, OSError, TypeError):
        return None


def trim_heap() -> None:
    """Return the C heap's free memory to the system (a no-op without glibc)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
