"""Small packages built by hand in a test's tmp folder: our own texts, rows located by their quotes.

The rows do not come from the extractor, so chart and page tests do not depend on what the
extractor finds today (the date resolver, for one, is still a placeholder).
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from pathlib import Path

from figures.package import RESOURCES, SCHEMA_DIR, field_types, format_cell
from figures.sentences import SentenceIndex

HEADER = " date {published} "


def locate(text: str, quote: str, after: str = "") -> tuple[int, int]:
    """Offsets of `quote` in `text`, first occurrence after the text `after`."""
    base = text.index(after) + len(after) if after else 0
    start = text.index(quote, base)
    return start, start + len(quote)


def make_package(root: Path, documents: list[dict], claims: list[dict] = (), dates: list[dict] = (),
                 casualties: list[dict] = (), name: str = "handmade", version: str = "9.9.9") -> Path:
    """Write texts/, data/*.csv, schemas/ and datapackage.json under root; returns the descriptor path.

    documents: {doc_id, text, published?, publisher?, title?, url?}
    claims:    {doc_id, quote, after?, measure, value, low?, high?, qualifier?, unit?}
    dates:     {doc_id, quote, after?, date, precision}
    casualties: {doc_id, claims: [claim quote, ...], killed?, killed_low?, ...}
    """
    root.mkdir(parents=True, exist_ok=True)
    (root / "texts").mkdir(exist_ok=True)
    texts, rows = {}, {resource: [] for resource in RESOURCES}
    for n, d in enumerate(documents):
        text = d["text"]
        texts[d["doc_id"]] = text
        data = text.encode("utf-8")
        path = f"texts/{n}.txt"  # doc ids may hold characters a file name cannot
        (root / path).write_bytes(data)
        header_end = len(HEADER.format(published=d["published"])) if text.startswith(" date ") else 0
        rows["documents"].append({
            "doc_id": d["doc_id"], "sha256": hashlib.sha256(data).hexdigest(), "path": path,
            "byte_offset": 0, "n_bytes": len(data),
            "encoding": "utf-8", "n_chars": len(text), "header_end": header_end,
            "published": d.get("published"), "title": d.get("title"), "url": d.get("url"),
            "publisher": d.get("publisher")})
    claim_ids = {}
    for c in claims:
        text = texts[c["doc_id"]]
        start, end = locate(text, c["quote"], c.get("after", ""))
        s0, s1 = SentenceIndex(text).bounds(start)
        claim_id = f"{c['doc_id']}:{start}-{end}"
        claim_ids[(c["doc_id"], c["quote"])] = (claim_id, start, end)
        rows["claims"].append({
            "claim_id": claim_id, "doc_id": c["doc_id"], "start": start, "end": end, "quote": c["quote"],
            "measure": c["measure"], "value": c["value"], "low": c.get("low", c["value"]),
            "high": c.get("high", c["value"]), "unit": c.get("unit", "person"),
            "qualifier": c.get("qualifier", "exact"), "subject": "", "rule": c.get("rule", "handmade"),
            "sentence_start": s0, "sentence_end": max(s1, end)})
    for d in dates:
        start, end = locate(texts[d["doc_id"]], d["quote"], d.get("after", ""))
        rows["dates"].append({
            "date_id": f"{d['doc_id']}:{start}-{end}", "doc_id": d["doc_id"], "start": start, "end": end,
            "quote": d["quote"], "date": d["date"], "precision": d["precision"], "rule": "handmade"})
    for n, i in enumerate(casualties, 1):
        found = [claim_ids[(i["doc_id"], q)] for q in i["claims"]]
        start, end = min(f[1] for f in found), max(f[2] for f in found)
        row = {k: v for k, v in i.items() if k != "claims"}
        row.update({"incident_id": f"{i['doc_id']}:i{n}", "start": start, "end": end,
                    "quote": texts[i["doc_id"]][start:end], "claim_ids": " ".join(f[0] for f in found)})
        rows["casualties"].append(row)
    (root / "data").mkdir(exist_ok=True)
    (root / "schemas").mkdir(exist_ok=True)
    for resource in RESOURCES:
        types = field_types(resource)
        with (root / "data" / f"{resource}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(types)
            for row in rows[resource]:
                writer.writerow([format_cell(row.get(f), t) for f, t in types.items()])
        shutil.copyfile(SCHEMA_DIR / f"{resource}.json", root / "schemas" / f"{resource}.json")
    descriptor = {
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json", "name": name, "version": version,
        "resources": [{"name": n, "type": "table", "path": f"data/{n}.csv", "format": "csv", "encoding": "utf-8",
                       "schema": f"schemas/{n}.json"} for n in RESOURCES]}
    path = root / "datapackage.json"
    path.write_text(json.dumps(descriptor, indent=2) + "\n", encoding="utf-8")
    return path


# Two articles we wrote ourselves about one rally, which disagree about its size and its dead.
RALLY_A = (" date 2020-01-24 Hundreds of thousands of people marched in Baghdad on Friday against the US "
           "presence. At least 3 protesters were killed and 25 wounded on Friday, medics said. "
           "The movement began in October 2019 and grew through 2019. A rocket attack killed a US "
           "contractor on December 27.")
RALLY_B = (" date 2020-01-25 Police said about 200,000 people joined the march in Baghdad on Friday. "
           "Two protesters were killed on Friday. An earlier protest in September 2017 drew 5,000.")


def rally_package(root: Path) -> Path:
    """Two documents about the 24 January 2020 rally, with hand-made claims, dates and incidents."""
    return make_package(
        root,
        documents=[
            {"doc_id": "rally-a", "text": RALLY_A, "published": "2020-01-24", "publisher": "Daily Example"},
            {"doc_id": "rally-b", "text": RALLY_B, "published": "2020-01-25", "publisher": "Example Wire"},
        ],
        claims=[
            {"doc_id": "rally-a", "quote": "Hundreds of thousands", "measure": "crowd", "value": 200000,
             "low": 200000, "high": "", "qualifier": "vague"},
            {"doc_id": "rally-a", "quote": "At least 3", "measure": "killed", "value": 3, "low": 3, "high": "",
             "qualifier": "at_least"},
            {"doc_id": "rally-a", "quote": "25", "measure": "wounded", "value": 25},
            {"doc_id": "rally-a", "quote": "a US contractor", "measure": "killed", "value": 1},
            {"doc_id": "rally-b", "quote": "about 200,000", "measure": "crowd", "value": 200000, "low": 180000,
             "high": 220000, "qualifier": "about"},
            {"doc_id": "rally-b", "quote": "Two", "measure": "killed", "value": 2},
            {"doc_id": "rally-b", "quote": "5,000", "measure": "crowd", "value": 5000},
        ],
        dates=[
            {"doc_id": "rally-a", "quote": "on Friday", "date": "2020-01-24", "precision": "day"},
            {"doc_id": "rally-a", "quote": "on Friday", "after": "wounded", "date": "2020-01-24",
             "precision": "day"},
            {"doc_id": "rally-a", "quote": "October 2019", "date": "2019-10", "precision": "month"},
            {"doc_id": "rally-a", "quote": "2019", "after": "through ", "date": "2019", "precision": "year"},
            {"doc_id": "rally-a", "quote": "December 27", "date": "2019-12-27", "precision": "day"},
            {"doc_id": "rally-b", "quote": "on Friday", "date": "2020-01-24", "precision": "day"},
            {"doc_id": "rally-b", "quote": "on Friday", "after": "killed", "date": "2020-01-24", "precision": "day"},
            {"doc_id": "rally-b", "quote": "September 2017", "date": "2017-09", "precision": "month"},
        ],
        casualties=[
            {"doc_id": "rally-a", "claims": ["At least 3", "25"], "killed": 3, "killed_low": 3, "wounded": 25,
             "wounded_low": 25, "wounded_high": 25},
            {"doc_id": "rally-a", "claims": ["a US contractor"], "killed": 1, "killed_low": 1, "killed_high": 1},
            {"doc_id": "rally-b", "claims": ["Two"], "killed": 2, "killed_low": 2, "killed_high": 2},
        ],
    )
