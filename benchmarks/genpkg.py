"""A valid package of >= 1,000,000 claim rows: many copies of real claim rows against a few documents."""

from __future__ import annotations

import csv
import hashlib
import shutil
from pathlib import Path

from common import REPO, fresh
from figures.pipeline import extract


def big_package(folder: Path, claim_rows: int = 1_000_000) -> Path:
    """Extract the seed into `folder`, then multiply its claims (and incidents) to `claim_rows` rows."""
    # The marker names the schemas too: a package kept from before a schema change is rebuilt.
    schemas = hashlib.sha256(b"".join(p.read_bytes() for p in sorted((REPO / "schemas").glob("*.json"))))
    marker = folder / f".rows-{claim_rows}-{schemas.hexdigest()[:12]}"
    if marker.exists():
        return folder
    fresh(folder)
    extract([REPO / "seeds" / "000_679c7536310926e9.txt"], folder, jobs=1)
    claims_path = folder / "data" / "claims.csv"
    with claims_path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header, rows = next(reader), list(reader)
    with (folder / "data" / "casualties.csv").open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        inc_header, incidents = next(reader), list(reader)
    cid = header.index("claim_id")
    iid, icl = inc_header.index("incident_id"), inc_header.index("claim_ids")
    copies = -(-claim_rows // len(rows))
    with claims_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for k in range(copies):
            for row in rows:
                row = list(row)
                row[cid] = f"c{k}-{row[cid]}"
                writer.writerow(row)
    with (folder / "data" / "casualties.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(inc_header)
        for k in range(copies // 10):
            for row in incidents:
                row = list(row)
                row[iid] = f"c{k}-{row[iid]}"
                row[icl] = " ".join(f"c{k}-{c}" for c in row[icl].split())
                writer.writerow(row)
    marker.touch()
    return folder


CORRUPTIONS = {
    # claims data row number (header = row 1) -> (field, bad value)
    1_001: ("measure", "casualties"),  # not in the enum
    250_002: ("start", "12x"),  # not an integer
    500_003: ("claim_id", None),  # duplicate of the previous row's primary key
    750_004: ("doc_id", "no-such-document"),  # foreign key to nowhere
}


def corrupted_copy(source: Path, folder: Path) -> tuple[Path, set[int]]:
    """A copy of `source` with the CORRUPTIONS applied; returns it and the corrupted row numbers."""
    fresh(folder)
    for name in ("datapackage.json",):
        shutil.copyfile(source / name, folder / name)
    for name in ("schemas", "texts"):
        shutil.copytree(source / name, folder / name)
    (folder / "data").mkdir()
    for name in ("documents", "casualties", "dates"):
        shutil.copyfile(source / "data" / f"{name}.csv", folder / "data" / f"{name}.csv")
    with (source / "data" / "claims.csv").open(newline="", encoding="utf-8") as src, \
            (folder / "data" / "claims.csv").open("w", newline="", encoding="utf-8") as dst:
        reader, writer = csv.reader(src), csv.writer(dst, lineterminator="\n")
        header = next(reader)
        writer.writerow(header)
        previous = None
        for number, row in enumerate(reader, 2):
            if number in CORRUPTIONS:
                field, value = CORRUPTIONS[number]
                row[header.index(field)] = previous[header.index(field)] if value is None else value
            writer.writerow(row)
            previous = row
    return folder, set(CORRUPTIONS)
