"""memory.py: the allocator options are set only where they can act, and never over the user's."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from figures import memory
from figures.memory import JEMALLOC_OPTIONS_VARIABLE, RETURN_FREED_PAGES, return_freed_pages_of_polars, trim_heap


def test_options_are_set_before_polars_is_imported(monkeypatch):
    monkeypatch.delenv(JEMALLOC_OPTIONS_VARIABLE, raising=False)
    monkeypatch.delitem(sys.modules, "polars", raising=False)
    assert return_freed_pages_of_polars()
    assert os.environ[JEMALLOC_OPTIONS_VARIABLE] == RETURN_FREED_PAGES


def test_users_own_options_are_kept(monkeypatch):
    monkeypatch.setenv(JEMALLOC_OPTIONS_VARIABLE, "dirty_decay_ms:5000")
    monkeypatch.delitem(sys.modules, "polars", raising=False)
    assert not return_freed_pages_of_polars()
    assert os.environ[JEMALLOC_OPTIONS_VARIABLE] == "dirty_decay_ms:5000"


def test_nothing_is_set_once_polars_is_imported(monkeypatch):
    import polars  # noqa: F401  (jemalloc has read its options)

    monkeypatch.delenv(JEMALLOC_OPTIONS_VARIABLE, raising=False)
    assert not return_freed_pages_of_polars()
    assert JEMALLOC_OPTIONS_VARIABLE not in os.environ


PROBE = """
import json, os, sys
seen = []

class Watch:  # records the allocator options at the moment polars is first imported
    def find_spec(self, name, path=None, target=None):
        if name == "polars":
            seen.append(os.environ.get("%s"))
        return None

sys.meta_path.insert(0, Watch())
from figures import cli
code = cli.main(sys.argv[1:])
print(json.dumps([code, seen]))
"""


def _options_when_polars_is_imported(*command: str) -> tuple[int, list]:
    env = {k: v for k, v in os.environ.items() if k != JEMALLOC_OPTIONS_VARIABLE}
    out = subprocess.run([sys.executable, "-c", PROBE % JEMALLOC_OPTIONS_VARIABLE, *command],
                         capture_output=True, text=True, env=env, check=True).stdout.splitlines()[-1]
    return tuple(json.loads(out))


def test_extract_sets_them_before_the_pipeline_imports_polars(tmp_path):
    article = tmp_path / "report.txt"
    article.write_text("Gunmen killed 4 guards at the depot.", encoding="utf-8")
    code, seen = _options_when_polars_is_imported("extract", str(article), "-o", str(tmp_path / "out"),
                                                  "--jobs", "1", "--quiet")
    assert code == 0
    assert seen and seen[0] == RETURN_FREED_PAGES


def test_validate_alone_keeps_the_allocators_defaults(tmp_path):
    """A standalone validation runs for seconds: it keeps jemalloc's pages for speed."""
    descriptor = tmp_path / "datapackage.json"
    descriptor.write_text(json.dumps({"resources": []}), encoding="utf-8")
    code, seen = _options_when_polars_is_imported("validate", str(descriptor))
    assert code == 1  # no resources: not a valid package
    assert seen == [None]


def test_trim_heap_runs_with_or_without_glibc(monkeypatch):
    trim_heap()  # glibc here: returns the free heap; elsewhere nothing
    monkeypatch.setattr(memory, "_malloc_trim", lambda: None)
    trim_heap()
