"""Each bad input gets its documented outcome (tests/fixtures/bad_inputs/expected.yaml), in at
most two lines of stderr, without a traceback, and an error leaves OUT as it was."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
import yaml

from conftest import REPO, SEED
from figures.cli import main
from figures.validate import validate_package

pytestmark = pytest.mark.usefixtures("small_table_batches")  # every test crosses batches

FIXTURES = Path(__file__).parent / "fixtures" / "bad_inputs"
EXPECTED = yaml.safe_load((FIXTURES / "expected.yaml").read_text(encoding="utf-8"))


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_fixtures_are_what_the_generator_writes():
    sys.path.insert(0, str(FIXTURES))
    try:
        from make_fixtures import FILES
    finally:
        sys.path.pop(0)
    for name, data in FILES.items():
        assert (FIXTURES / name).read_bytes() == data, f"{name}: run make_fixtures.py"
    assert {c["file"] for c in EXPECTED} - {"missing.txt"} == {n.split("/")[0] for n in FILES}


@pytest.fixture(scope="module")
def previous_package(tmp_path_factory) -> Path:
    """A package from an earlier, successful run: errors must leave it byte-identical."""
    out = tmp_path_factory.mktemp("previous") / "out"
    assert main(["extract", str(SEED), "-o", str(out), "--quiet"]) == 0
    return out


@pytest.mark.parametrize("case", EXPECTED, ids=[c["file"] for c in EXPECTED])
def test_bad_input_outcome(case, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(FIXTURES)  # messages name the file as given on the command line
    out = tmp_path / "out"
    code = main(["extract", case["file"], "-o", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert code == case["exit"], err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) <= 2, err
    for expected in case.get("stderr", []):
        assert expected in err, f"{expected!r} not in {err!r}"
    if case["outcome"] == "handled":
        assert err == ""
    if code == 0:
        assert validate_package(out / "datapackage.json") == []
        if "encoding" in case:
            rows = list(csv.DictReader(io.StringIO((out / "data" / "documents.csv").read_text(encoding="utf-8"))))
            assert {r["encoding"] for r in rows} == {case["encoding"]}
    else:
        assert not out.exists(), "a failed run must not create OUT"


@pytest.mark.parametrize("case", [c for c in EXPECTED if c["exit"] != 0], ids=lambda c: c["file"])
def test_bad_input_leaves_previous_output_byte_identical(case, previous_package, tmp_path, capsys, monkeypatch):
    out = tmp_path / "out"
    shutil.copytree(previous_package, out)
    before = snapshot(out)
    monkeypatch.chdir(FIXTURES)
    assert main(["extract", case["file"], "-o", str(out), "--quiet"]) == case["exit"]
    assert snapshot(out) == before
    assert not list(out.glob(".figures-stage-*"))


def test_subprocess_error_has_no_traceback(tmp_path):
    """The installed command's path: one line on stderr, exit 2, for a binary file and a bad corpus."""
    for name in ("binary.txt", "ragged.csv"):
        result = subprocess.run([sys.executable, "-m", "figures.cli", "extract", str(FIXTURES / name),
                                 "-o", str(tmp_path / "out")], capture_output=True, text=True,
                                env={"PYTHONPATH": str(REPO / "scripts"), "PATH": ""})
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1 and name in result.stderr
        assert not (tmp_path / "out").exists()


def test_unsafe_id_creates_nothing_outside_out(tmp_path, monkeypatch):
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    assert main(["extract", str(FIXTURES / "unsafe_id.jsonl"), "-o", "out", "--quiet"]) == 0
    outside = [p for p in tmp_path.rglob("*") if p.is_file() and not p.is_relative_to(work / "out")]
    assert outside == []
    claims = (work / "out" / "data" / "claims.csv").read_text(encoding="utf-8")
    assert "../../etc/passwd:" in claims


def test_bom_and_crlf_offsets_index_the_text_as_stored(tmp_path):
    for name, encoding in (("bom.txt", "utf-8"), ("crlf.txt", "utf-8"), ("utf16.txt", "utf_16"), ("cp1252.txt", "cp1252")):
        out = tmp_path / name
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert main(["extract", str(FIXTURES / name), "-o", str(out), "--quiet"]) == 0
        text = (FIXTURES / name).read_bytes().decode(encoding)
        rows = list(csv.DictReader(io.StringIO((out / "data" / "claims.csv").read_text(encoding="utf-8"))))
        assert rows, name
        for row in rows:
            assert text[int(row["start"]):int(row["end"])] == row["quote"]
        docs = list(csv.DictReader(io.StringIO((out / "data" / "documents.csv").read_text(encoding="utf-8"))))
        if name == "bom.txt":
            assert text[0] == "\ufeff" and docs[0]["published"] == "2020-01-03" and docs[0]["header_end"] == "18"
        if name == "crlf.txt":
            assert "\r\n" in text and docs[0]["published"] == "2020-01-03"



def test_output_that_is_a_file_is_refused(tmp_path, capsys):
    out = tmp_path / "out"
    out.write_text("keep me")
    assert main(["extract", str(SEED), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "exists and is not a folder" in err and len(err.strip().splitlines()) == 1
    assert out.read_text() == "keep me"
