"""Shared fixtures: the repository root, the shared evaluation folder, and fresh builds."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEED = REPO / "seeds" / "000_679c7536310926e9.txt"


def copy_repo_inputs(root: Path) -> Path:
    """A minimal repository (seeds and schemas) under `root`, ready for `build`."""
    shutil.copytree(REPO / "seeds", root / "seeds")
    shutil.copytree(REPO / "schemas", root / "schemas")
    return root


@pytest.fixture(scope="session")
def fresh_build(tmp_path_factory) -> Path:
    """The seeds built from scratch into a temporary repository root (built once per session)."""
    from figures.pipeline import build

    root = copy_repo_inputs(tmp_path_factory.mktemp("fresh"))
    build(root)
    return root


@pytest.fixture
def package_copy(fresh_build, tmp_path) -> Path:
    """A writable copy of the fresh build, for corrupting."""
    for name in ("data", "schemas", "seeds"):
        shutil.copytree(fresh_build / name, tmp_path / name)
    shutil.copyfile(fresh_build / "datapackage.json", tmp_path / "datapackage.json")
    return tmp_path


@pytest.fixture
def small_table_batches(monkeypatch):
    """Validate tables 400 bytes of CSV (two or three rows) at a time, so that a test crosses batch
    boundaries. The tests of validation use it for every test (`pytestmark`); the others keep the
    default, which the tiny batches would slow down by a minute in all."""
    from figures import validate

    monkeypatch.setattr(validate, "TABLE_BATCH", 400)
