"""`figures validate` vs `frictionless validate` on a package of >= 1,000,000 claim rows.

Run by hand: PYTHONPATH=scripts python benchmarks/bench_validate.py [ROWS]
Prints both times (wall, and CPU: user + sys of every thread), their ratios, the peak memory of
`figures validate`, and whether both report the same invalid claims rows on a corrupted copy
(bad enum, bad integer, duplicate primary key, missing foreign key).
"""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

from common import REPO, WORK, figures, machine, require_shared
from genpkg import big_package, corrupted_copy


def timed(command: list[str]) -> tuple[float, float, subprocess.CompletedProcess]:
    """Wall time, CPU time (user + sys, every thread) and the result of running `command`."""
    env = dict(os.environ, PYTHONPATH=str(REPO / "scripts"))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done


def frictionless_rows(package: Path) -> set[int]:
    """Rows of claims.csv that frictionless reports (row-level errors)."""
    from frictionless import Package

    report = Package(str(package / "datapackage.json")).validate()
    rows = set()
    for task in report.tasks:
        if task.name == "claims":
            rows |= {e.row_number for e in task.errors if getattr(e, "row_number", None)}
    return rows


def figures_rows(package: Path) -> set[int]:
    done = figures("validate", str(package / "datapackage.json"), check=False)
    return {int(m) for m in re.findall(r"claims row (\d+)", done.stderr)}


def breakdown(package: Path) -> None:
    """CPU time (every thread) of pandera's part, in a fresh process: its import (with
    figures.validate's) and its checks; and whether pandas and hypothesis were imported (pandera
    imports them whenever they are installed)."""
    code = f"""
import sys, time
start = time.process_time()
from figures import validate
import pandera.polars
imported = time.process_time() - start
spent = [0.0]
checks = validate.schema_failures
def timed(*args):
    start = time.process_time()
    try:
        return checks(*args)
    finally:
        spent[0] += time.process_time() - start
validate.schema_failures = timed
start = time.process_time()
validate.validate_package({str(package / "datapackage.json")!r})
total = time.process_time() - start
loaded = ", ".join(f"{{name}} {{'imported' if name in sys.modules else 'not imported'}}" for name in ("pandas", "hypothesis"))
print(f"in-process cpu: import figures.validate and pandera.polars {{imported:.2f}} s; validate_package {{total:.2f}} s, "
      f"of which pandera's checks {{spent[0]:.2f}} s ({{loaded}})")
"""
    env = dict(os.environ, PYTHONPATH=str(REPO / "scripts"))
    print(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout.strip())


def environment() -> str:
    """The Python environment the bench runs in, and whether hypothesis is installed in it (pandera
    imports it when it can: the test environment has it, a plain `pip install -e .` does not)."""
    from importlib.util import find_spec

    return f"{sys.prefix} (hypothesis {'installed' if find_spec('hypothesis') else 'not installed'})"


def main() -> None:
    require_shared()
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    package = big_package(WORK / f"pkg-{rows}", rows)
    print(f"machine: {machine()}")
    print(f"environment: {environment()}")
    print(f"package: {rows:,} claim rows, {(package / 'data' / 'claims.csv').stat().st_size / 1e6:.0f} MB claims.csv")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    ours, ours_cpu, done = timed([sys.executable, "-m", "figures.cli", "validate", str(package / "datapackage.json")])
    assert done.returncode == 0, done.stderr
    ours_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    theirs, theirs_cpu, done = timed([str(Path(sys.executable).parent / "frictionless"), "validate",
                                      str(package / "datapackage.json")])
    assert done.returncode == 0, done.stdout[-2000:]
    print(f"figures validate:      wall {ours:6.1f} s, cpu {ours_cpu:6.1f} s, peak RSS {ours_rss:.0f} MB")
    print(f"frictionless validate: wall {theirs:6.1f} s, cpu {theirs_cpu:6.1f} s")
    print(f"ratio: wall {theirs / ours:.1f}x, cpu {theirs_cpu / ours_cpu:.1f}x")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    breakdown(package)
    bad, expected = corrupted_copy(package, WORK / f"pkg-{rows}-bad")
    ours_rows, theirs_rows = figures_rows(bad), frictionless_rows(bad)
    print(f"corrupted rows {sorted(expected)}: figures {sorted(ours_rows)}, frictionless {sorted(theirs_rows)}")
    print("same invalid rows:", ours_rows == theirs_rows == expected)


if __name__ == "__main__":
    main()
