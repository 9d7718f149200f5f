"""The build is deterministic, matches what is committed, and is atomic."""

from __future__ import annotations

import json
import shutil

import pytest

from conftest import REPO, copy_repo_inputs
from figures.errors import InputError
from figures.pipeline import build

OUTPUTS = ["datapackage.json", "data/documents.csv", "data/claims.csv", "data/casualties.csv", "data/dates.csv",
           "data/reviews.csv"]


def committed_outputs() -> list[str]:
    charts = sorted(p.relative_to(REPO).as_posix() for p in (REPO / "charts").iterdir() if p.is_file())
    return OUTPUTS + charts


@pytest.mark.parametrize("relative", committed_outputs())
def test_rebuild_matches_committed(fresh_build, relative):
    """Regenerate everything in a temporary folder: each file equals the committed one, byte for byte."""
    assert (fresh_build / relative).read_bytes() == (REPO / relative).read_bytes(), (
        f"{relative} differs from a fresh build: run `figures build` and commit")


def test_build_writes_no_extra_charts(fresh_build):
    built = sorted(p.name for p in (fresh_build / "charts").iterdir())
    assert built == sorted(p.name for p in (REPO / "charts").iterdir())


def test_second_build_changes_no_byte(tmp_path):
    root = copy_repo_inputs(tmp_path)
    build(root)
    first = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    build(root)
    second = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    assert first == second


def test_failed_build_leaves_previous_output_untouched(tmp_path):
    root = copy_repo_inputs(tmp_path)
    build(root)
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    (root / "seeds" / "broken.txt").write_bytes(b"\xff\xfe not utf-8 \x81")
    with pytest.raises(InputError, match="broken.txt"):
        build(root)
    (root / "seeds" / "broken.txt").unlink()
    after = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    assert after == before
    assert not list(root.glob(".figures-stage-*"))


def test_descriptor_is_data_package_v2_with_required_metadata(fresh_build):
    descriptor = json.loads((fresh_build / "datapackage.json").read_text())
    assert descriptor["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    for key in ("name", "title", "description", "version", "licenses", "sources", "contributors", "created"):
        assert descriptor.get(key), key
    assert {s["path"] for s in descriptor["sources"]} == {
        "https://www.jpost.com/Middle-East/Hundreds-of-thousands-turn-out-in-Iraq-for-anti-US-and-anti-Israel-protest-615264"}
    assert [(r["name"], r["schema"]) for r in descriptor["resources"]] == [
        (n, f"schemas/{n}.json") for n in ("documents", "claims", "casualties", "dates", "reviews")]


def test_seed_is_stored_byte_for_byte():
    shared = REPO.parent / "shared" / "seeds" / "000_679c7536310926e9.txt"
    if not shared.exists():
        pytest.skip("../shared is not beside the repository")
    assert (REPO / "seeds" / shared.name).read_bytes() == shared.read_bytes()


def test_frictionless_validates_the_built_package(fresh_build):
    from frictionless import Package

    report = Package(str(fresh_build / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_build_without_metadata_file_uses_the_date_header(tmp_path):
    root = copy_repo_inputs(tmp_path)
    (root / "seeds" / "metadata.yaml").unlink()
    build(root, charts=False)
    docs = (root / "data" / "documents.csv").read_text().splitlines()
    assert ",2020-01-24," in docs[1]
    shutil.rmtree(root)
