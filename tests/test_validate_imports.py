"""`figures validate` imports pandera without its pandas side, and reports the same either way.

Each case runs in a fresh process: what a process has imported is the point.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from test_validate import not_a_number, rewrite, unknown_measure

PROBE = """
import json, sys
{before}
import figures.validate as validate
{setup}
problems = validate.validate_package(sys.argv[1])
print(json.dumps({{"problems": [str(p) for p in problems],
                   "pandas": "pandas" in sys.modules, "hypothesis": "hypothesis" in sys.modules,
                   "pandera": "pandera.polars" in sys.modules}}))
"""


def probe(package, before: str = "", setup: str = "") -> dict:
    done = subprocess.run([sys.executable, "-c", PROBE.format(before=before, setup=setup),
                           str(package / "datapackage.json")], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def broken(fresh_build, tmp_path_factory):
    """A copy of the fresh build with a bad enum value and a bad number in claims."""
    import shutil

    root = tmp_path_factory.mktemp("broken")
    for name in ("data", "schemas", "seeds"):
        shutil.copytree(fresh_build / name, root / name)
    shutil.copyfile(fresh_build / "datapackage.json", root / "datapackage.json")
    rewrite(root / "data" / "claims.csv", unknown_measure)
    rewrite(root / "data" / "claims.csv", lambda rows: not_a_number(rows[1:]))
    return root


@pytest.fixture(scope="module")
def reference(broken) -> list[str]:
    """The report with pandera imported as it imports itself (pandas first, as a user's code may)."""
    found = probe(broken, before="import pandas, pandera.polars")
    assert found["pandas"] and found["pandera"]
    return found["problems"]


def test_the_report_names_both_corruptions(reference):
    assert any("measure" in line and "'casualties' is not an allowed value" in line for line in reference)
    assert any("field value" in line and "'seven hundred' is not a valid number" in line for line in reference)


def test_validation_imports_neither_pandas_nor_hypothesis(broken, reference):
    found = probe(broken)
    assert found["pandera"]
    assert not found["pandas"] and not found["hypothesis"]
    assert found["problems"] == reference


def test_a_valid_package_in_a_fresh_process(fresh_build):
    found = probe(fresh_build)
    assert found["problems"] == [] and not found["pandas"]


def test_pandera_is_imported_as_usual_when_it_cannot_be_imported_without_them(broken, reference):
    # pandera cannot be imported without pydantic: the fallback imports it with everything.
    found = probe(broken, setup="validate.PANDERA_SKIPS = ('pandas', 'hypothesis', 'pydantic')")
    assert found["pandera"] and found["pandas"]
    assert found["problems"] == reference


def test_an_import_failing_in_the_first_check_is_retried_as_usual(broken, reference):
    # As if pandera's first validation needed pandas or hypothesis after all: it is run again.
    failing = ("import contextlib\n"
               "@contextlib.contextmanager\n"
               "def failing(names):\n"
               "    yield\n"
               "    raise ImportError('simulated')\n"
               "validate._without = failing")
    found = probe(broken, setup=failing)
    assert found["problems"] == reference
