"""`figures validate` vs `frictionless validate` on a package of >= 1,000,000 claim rows.

Run by hand: PYTHONPATH=scripts python benchmarks/bench_validate.py [ROWS]
Prints both times, their ratio, and whether both report the same invalid claims rows on a
corrupted copy (bad enum, bad integer, duplicate primary key, missing foreign key).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

from common import REPO, WORK, figures, machine, require_shared
from genpkg import big_package, corrupted_copy


def timed(command: list[str]) -> tuple[float, subprocess.CompletedProcess]:
    env = dict(os.environ, PYTHONPATH=str(REPO / "scripts"))
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    return time.perf_counter() - start, done


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


def main() -> None:
    require_shared()
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    package = big_package(WORK / f"pkg-{rows}", rows)
    print(f"machine: {machine()}")
    print(f"package: {rows:,} claim rows, {(package / 'data' / 'claims.csv').stat().st_size / 1e6:.0f} MB claims.csv")
    ours, done = timed([sys.executable, "-m", "figures.cli", "validate", str(package / "datapackage.json")])
    assert done.returncode == 0, done.stderr
    theirs, done = timed([str(Path(sys.executable).parent / "frictionless"), "validate",
                          str(package / "datapackage.json")])
    assert done.returncode == 0, done.stdout[-2000:]
    print(f"figures validate:     {ours:7.1f} s")
    print(f"frictionless validate:{theirs:7.1f} s")
    print(f"ratio: {theirs / ours:.1f}x")
    bad, expected = corrupted_copy(package, WORK / f"pkg-{rows}-bad")
    ours_rows, theirs_rows = figures_rows(bad), frictionless_rows(bad)
    print(f"corrupted rows {sorted(expected)}: figures {sorted(ours_rows)}, frictionless {sorted(theirs_rows)}")
    print("same invalid rows:", ours_rows == theirs_rows == expected)


if __name__ == "__main__":
    main()
