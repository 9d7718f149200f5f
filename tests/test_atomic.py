"""Atomic output: a run that fails anywhere, swap included, leaves the previous output as it was."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

import figures.package as package
import figures.parallel as parallel
from conftest import REPO, SEED, copy_repo_inputs
from figures.cli import main
from figures.errors import PackageInvalid
from figures.pipeline import build, extract


def snapshot(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def built(tmp_path):
    root = copy_repo_inputs(tmp_path / "repo")
    build(root, charts=False)
    return root


def test_failing_validation_leaves_build_untouched(built, monkeypatch):
    before = snapshot(built)
    real = parallel.extract_document

    def corrupt(doc):
        rows = real(doc)
        rows["claims"][0]["quote"] = "not the text"
        return rows

    monkeypatch.setattr(parallel, "extract_document", corrupt)
    with pytest.raises(PackageInvalid, match="claims row 2 .*field quote"):
        build(built, charts=False, jobs=1, cache=False)  # in this process, so the patch applies
    assert snapshot(built) == before


@pytest.mark.parametrize("fail_at", [1, 2, 3])
def test_error_mid_swap_rolls_back(built, monkeypatch, fail_at):
    before = snapshot(built)
    seed = built / "seeds" / "000_679c7536310926e9.txt"
    seed.write_bytes(seed.read_bytes().replace(b"700", b"710"))  # so the new output differs
    before["seeds/000_679c7536310926e9.txt"] = seed.read_bytes()
    real_replace, calls = os.replace, []

    def flaky(src, dst):
        calls.append(src)
        if len(calls) == fail_at:
            raise OSError(28, "No space left on device", str(dst))
        return real_replace(src, dst)

    monkeypatch.setattr(package.os, "replace", flaky)
    with pytest.raises(OSError):
        build(built, charts=False, cache=False)  # the cache's own writes also use os.replace
    monkeypatch.setattr(package.os, "replace", real_replace)
    assert snapshot(built) == before
    assert not list(built.glob(".figures-stage-*"))


def test_keyboard_interrupt_during_extraction(tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    assert extract([SEED], out).documents == 1
    before = snapshot(out)

    def interrupted(doc):
        raise KeyboardInterrupt

    monkeypatch.setattr(parallel, "extract_document", interrupted)
    assert main(["extract", str(SEED), "-o", str(out), "--jobs", "1"]) == 130
    assert "interrupted; the previous output is unchanged" in capsys.readouterr().err
    assert snapshot(out) == before


def test_internal_error_is_one_line_and_leaves_output(tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    extract([SEED], out)
    before = snapshot(out)

    def bug(doc):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(parallel, "extract_document", bug)
    assert main(["extract", str(SEED), "-o", str(out), "--jobs", "1"]) == 3
    err = capsys.readouterr().err
    assert "internal error (ZeroDivisionError" in err and len(err.strip().splitlines()) == 1
    assert snapshot(out) == before
    with pytest.raises(ZeroDivisionError):
        main(["extract", str(SEED), "-o", str(out), "--jobs", "1", "--debug"])


def test_stale_stage_of_a_killed_run_is_removed(built):
    stale = built / ".figures-stage-999999999"  # no such process
    (stale / "data").mkdir(parents=True)
    (stale / "data" / "claims.csv").write_text("half-written")
    build(built, charts=False)
    assert not stale.exists()
    assert ".figures-stage-*/" in (REPO / ".gitignore").read_text().splitlines()


def test_sigint_to_a_running_extract_leaves_output(tmp_path):
    """A real Ctrl-C (SIGINT) to the command while it works on a large input: exit 130, output unchanged."""
    out = tmp_path / "out"
    extract([SEED], out)
    before = snapshot(out)
    corpus = tmp_path / "big.jsonl"
    line = '{"id": "d%d", "text": "Gunmen killed 12 people and wounded 30 on Monday. ' + "More text. " * 200 + '"}\n'
    corpus.write_text("".join(line % i for i in range(12000)))  # long enough to be interrupted
    proc = subprocess.Popen([sys.executable, "-m", "figures.cli", "extract", str(corpus), "-o", str(out)],
                            env={**os.environ, "PYTHONPATH": str(REPO / "scripts")},
                            stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while not list(out.glob(".figures-stage-*/data/claims.csv")) and time.time() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    # The run takes several seconds and the signal comes as soon as it starts writing: a 0 here
    # means the Ctrl-C was swallowed (as it was when it landed in a fork handler) and the run
    # replaced the output.
    assert proc.returncode == 130 and "Traceback" not in err, (proc.returncode, err[-500:])
    assert snapshot(out) == before
