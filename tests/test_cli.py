"""The `figures` command end to end: extract, validate, plot, help."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import SEED
from figures.cli import main


def test_help_lists_subcommands():
    out = subprocess.run([sys.executable, "-m", "figures.cli", "--help"], capture_output=True, text=True).stdout
    for name in ("build", "extract", "validate", "plot"):
        assert name in out


def test_extract_corpus_writes_a_valid_self_contained_package(tmp_path):
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("\n".join(json.dumps(r) for r in [
        {"id": "a", "text": "Gunmen killed 12 people and wounded 30 on Monday.", "published": "2021-05-03"},
        {"id": "b", "text": "A bomb, hidden in a \"cart\", wounded 4 people.\nNo one else was hurt."},
    ]) + "\n")
    out = tmp_path / "pkg"
    assert main(["extract", str(corpus), "-o", str(out), "--quiet"]) == 0
    assert main(["validate", str(out / "datapackage.json"), "--quiet"]) == 0
    claims = (out / "data" / "claims.csv").read_text()
    assert "a:14-16,a,14,16,12,killed" in claims
    descriptor = json.loads((out / "datapackage.json").read_text())
    assert all((out / r["schema"]).exists() for r in descriptor["resources"])
    from frictionless import Package
    assert Package(str(out / "datapackage.json")).validate().valid


def test_extract_txt_file_and_plot(tmp_path):
    out = tmp_path / "pkg"
    assert main(["extract", str(SEED), "-o", str(out), "--quiet"]) == 0
    docs = (out / "data" / "documents.csv").read_text().splitlines()
    assert docs[1].startswith("000_679c7536310926e9,") and ",texts/" in docs[1]
    assert main(["plot", str(out), "-o", str(tmp_path / "charts"), "--quiet"]) == 0
    assert (tmp_path / "charts" / "claims-overview.svg").exists()


def test_extract_bad_input_exits_2_without_traceback(tmp_path, capsys):
    out = tmp_path / "pkg"
    assert main(["extract", str(tmp_path / "missing.csv"), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "missing.csv" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not (out / "datapackage.json").exists()


def test_evaluate_reports_exact_match_and_misses(tmp_path, capsys):
    gold = tmp_path / "gold.csv"
    gold.write_text("id,text,killed,wounded\n"
                    "1,Gunmen killed 4 people and wounded 9.,4,9\n"
                    "2,A bomb wounded 3 guards.,0,3\n"
                    "3,The attack killed several people.,5,0\n")
    assert main(["evaluate", str(gold), "--misses", "5"]) == 0
    out = capsys.readouterr().out
    assert "killed" in out and "66.7% (2/3)" in out and "100.0% (3/3)" in out
    assert "3  killed  gold=5  got=3" in out
