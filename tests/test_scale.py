"""Parallel, distributed and incremental runs write exactly the bytes of a serial clean run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import SEED, copy_repo_inputs
from figures import parallel
from figures.cli import main
from figures.pipeline import build, extract

OUTPUTS = ("datapackage.json", "data/documents.csv", "data/claims.csv", "data/casualties.csv", "data/dates.csv")


def generated_corpus(path: Path, n: int = 24) -> Path:
    """The seed text with varied ids and figures: `n` distinct documents in a .jsonl corpus."""
    text = SEED.read_text(encoding="utf-8")
    with path.open("w", encoding="utf-8") as handle:
        for i in range(n):
            varied = text.replace("700", str(700 + i)).replace("20,000", f"{20 + i},000")
            row = {"id": f"gen-{i:04d}", "text": varied, "url": f"https://example.org/{i % 3}",
                   "published": f"2020-01-{1 + i % 28:02d}"}
            handle.write(json.dumps(row) + "\n")
    return path


def package_bytes(folder: Path) -> dict[str, bytes]:
    files = {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert all(name in files for name in OUTPUTS)
    return files


@pytest.fixture
def small_batches(monkeypatch):
    """Batches of two documents, so that a small corpus keeps several batches in flight."""
    monkeypatch.setattr(parallel, "BATCH_DOCS", 2)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return generated_corpus(tmp_path_factory.mktemp("corpus") / "corpus.jsonl")


@pytest.fixture(scope="module")
def serial(corpus, tmp_path_factory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("serial") / "pkg"
    extract([corpus], out, jobs=1)
    return package_bytes(out)


def test_serial_run_has_rows_from_every_document(serial):
    claims = serial["data/claims.csv"].decode().splitlines()
    assert {line.split(",")[1] for line in claims[1:]} == {f"gen-{i:04d}" for i in range(24)}


def test_jobs_2_is_byte_identical_to_serial(corpus, serial, tmp_path, small_batches):
    out = tmp_path / "pkg"
    assert main(["extract", str(corpus), "-o", str(out), "--jobs", "2", "--quiet"]) == 0
    assert package_bytes(out) == serial


def test_one_batch_with_jobs_runs_without_a_pool(corpus, serial, tmp_path, monkeypatch):
    def no_pool(*args, **kwargs):
        raise AssertionError("a single batch should not start worker processes")

    monkeypatch.setattr(parallel, "ProcessPoolExecutor", no_pool)
    extract([corpus], tmp_path / "pkg", jobs=2)
    assert package_bytes(tmp_path / "pkg") == serial


def test_batches_keep_order_and_bound_size(monkeypatch):
    from figures.documents import make_document

    docs = [make_document(f"d{i}", b"x" * 10, "test") for i in range(7)]
    monkeypatch.setattr(parallel, "BATCH_BYTES", 25)
    grouped = list(parallel.batches(iter(docs)))
    assert [len(b) for b in grouped] == [3, 3, 1]
    assert [d.doc_id for b in grouped for d in b] == [d.doc_id for d in docs]


def test_jobs_must_be_positive(capsys):
    with pytest.raises(SystemExit):
        main(["extract", str(SEED), "-o", "unused", "--jobs", "0"])
    assert "positive" in capsys.readouterr().err


# --- incremental build -------------------------------------------------------------------------

def build_bytes(root: Path, **kwargs) -> dict[str, bytes]:
    build(root, charts=False, **kwargs)
    return {name: (root / name).read_bytes() for name in OUTPUTS}


def add_generated_seeds(root: Path, n: int = 5) -> None:
    text = SEED.read_text(encoding="utf-8")
    for i in range(n):
        (root / "seeds" / f"gen_{i}.txt").write_text(text.replace("700", str(800 + i)), encoding="utf-8")


def clean_build(tmp_path: Path, root: Path) -> dict[str, bytes]:
    """A build of the same seeds in a fresh root, without any cache."""
    fresh = tmp_path / "fresh"
    shutil.rmtree(fresh, ignore_errors=True)
    fresh.mkdir()
    shutil.copytree(root / "seeds", fresh / "seeds")
    shutil.copytree(root / "schemas", fresh / "schemas")
    return build_bytes(fresh, cache=False, jobs=1)


def test_incremental_build_reextracts_only_changed_documents(tmp_path, monkeypatch):
    root = copy_repo_inputs(tmp_path / "repo")
    add_generated_seeds(root)
    first = build_bytes(root, jobs=1)
    assert first == clean_build(tmp_path, root)
    cache_dir = root / ".cache" / "figures"
    assert len(list(cache_dir.rglob("*.json"))) == 6

    extracted = []
    real = parallel.extract_batch
    monkeypatch.setattr(parallel, "extract_batch", lambda docs, *a: extracted.extend(d.doc_id for d in docs) or real(docs, *a))
    assert build_bytes(root, jobs=1) == first
    assert extracted == []  # nothing changed: everything from the cache

    seed = root / "seeds" / "gen_2.txt"
    seed.write_text(seed.read_text().replace("wounding", "injuring"), encoding="utf-8")
    edited = build_bytes(root, jobs=1)
    assert extracted == ["gen_2"]
    assert edited != first and edited == clean_build(tmp_path, root)

    shutil.rmtree(root / ".cache")
    extracted.clear()
    assert build_bytes(root, jobs=1) == edited
    assert sorted(extracted) == ["000_679c7536310926e9", *(f"gen_{i}" for i in range(5))]


def test_cache_key_changes_with_metadata_and_extractor(monkeypatch):
    from figures.documents import make_document

    doc = make_document("a", b"Gunmen killed 12 people.", "test")
    dated = make_document("a", b"Gunmen killed 12 people.", "test", {"published": "2021-05-03"})
    renamed = make_document("b", b"Gunmen killed 12 people.", "test")
    keys = {parallel.Cache.key(d) for d in (doc, dated, renamed)}
    assert len(keys) == 3
    monkeypatch.setattr(parallel, "extractor_fingerprint", lambda: "another extractor")
    assert parallel.Cache.key(doc) not in keys


def test_fingerprint_covers_rules_files():
    rules = sorted(p.name for p in (Path(parallel.__file__).parent / "rules").iterdir())
    assert rules, "expected rule files under scripts/figures/rules/"
    # The fingerprint hashes every file under rules/, whatever it is called.
    assert "rules/*" in Path(parallel.__file__).read_text()


def test_damaged_cache_entry_is_extracted_again(tmp_path):
    root = copy_repo_inputs(tmp_path / "repo")
    first = build_bytes(root, jobs=1)
    for entry in (root / ".cache" / "figures").rglob("*.json"):
        entry.write_text("{not json")
    assert build_bytes(root, jobs=1) == first


# --- Dask ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("processes", [False, True], ids=["threads", "processes"])
def test_dask_run_is_byte_identical_to_serial(corpus, serial, tmp_path, small_batches, processes):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=processes,
                                  dashboard_address=None) as cluster:
        out = tmp_path / "pkg"
        assert main(["extract", str(corpus), "-o", str(out), "--dask", cluster.scheduler_address,
                     "--quiet"]) == 0
    assert package_bytes(out) == serial


def test_dask_unreachable_scheduler_is_a_usage_error(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(parallel, "DASK_TIMEOUT", "1s")
    pytest.importorskip("distributed")
    code = main(["extract", str(SEED), "-o", str(tmp_path / "pkg"), "--dask", "tcp://127.0.0.1:9", "--quiet"])
    assert code == 2
    assert "Dask scheduler" in capsys.readouterr().err
    assert not (tmp_path / "pkg" / "datapackage.json").exists()
