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
code = cli.main(["validate", sys.argv[1]])
print(json.dumps([code, seen]))
"""


def test_the_cli_sets_them_before_any_stage_imports_polars(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != JEMALLOC_OPTIONS_VARIABLE}
    descriptor = tmp_path / "datapackage.json"
    descriptor.write_text(json.dumps({"resources": []}), encoding="utf-8")
    out = subprocess.run([sys.executable, "-c", PROBE % JEMALLOC_OPTIONS_VARIABLE, str(descriptor)],
                         capture_output=True, text=True, env=env, check=True).stdout.splitlines()[-1]
    code, seen = json.loads(out)
    assert code == 1  # no resources: not a valid package
    assert seen and seen[0] == RETURN_FREED_PAGES


def test_trim_heap_runs_with_or_without_glibc(monkeypatch):
    trim_heap()  # glibc here: returns the free heap; elsewhere nothing
    monkeypatch.setattr(memory, "_malloc_trim", lambda: None)
    trim_heap()
