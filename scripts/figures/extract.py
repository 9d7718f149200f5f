"""Extract stage: one document in, the rows of every resource out. Pure: touches no files.

Row dicts are keyed by the field names of schemas/*.json; the writer orders and formats them.
"""

from __future__ import annotations

from . import casualties, claims as claim_rules
from .casualties import casualty_incidents
from .claims import extract_claims
from .dates import resolve_dates
from .documents import Document
from .sentences import SentenceIndex


def load_rules() -> None:
    """Compile every rule file and every pattern now (a few seconds) rather than as documents
    need them (claims.LazyPattern): a process that forks workers after this call shares the
    compiled rules with all of them, instead of each worker compiling them again."""
    claim_rules.compile_all()
    casualties.load_rules()


def span_id(doc_id: str, start: int, end: int) -> str:
    """The stable id of a span: `doc_id:start-end`."""
    return f"{doc_id}:{start}-{end}"


def document_row(doc: Document) -> dict:
    """The documents row, except `path`, which the writer sets when it stores the text."""
    return {
        "doc_id": doc.doc_id, "sha256": doc.sha256, "encoding": doc.encoding,
        "n_chars": len(doc.text), "header_end": doc.header_end,
        "published": doc.published.isoformat() if doc.published else None,
        "title": doc.title, "url": doc.url, "publisher": doc.publisher,
        "author": doc.author, "license": doc.license,
    }


def extract_document(doc: Document) -> dict[str, list[dict]]:
    """Claims, dates and casualty incidents of one document, as rows per resource."""
    text = doc.text
    mentions = resolve_dates(text, doc.published, skip_until=doc.header_end)
    claims = extract_claims(text, doc.header_end, exclude=[(d.start, d.end) for d in mentions])
    sentences = SentenceIndex(text, doc.header_end)
    claim_rows = []
    for claim in claims:
        sentence_start, sentence_end = sentences.bounds(claim.start)
        claim_rows.append({
            "claim_id": span_id(doc.doc_id, claim.start, claim.end), "doc_id": doc.doc_id,
            "start": claim.start, "end": claim.end, "quote": text[claim.start:claim.end],
            "measure": claim.measure, "value": claim.value, "low": claim.low, "high": claim.high,
            "unit": claim.unit, "qualifier": claim.qualifier, "subject": claim.subject,
            "rule": claim.rule, "sentence_start": sentence_start,
            "sentence_end": max(sentence_end, claim.end),
        })
    date_rows = [
        {"date_id": span_id(doc.doc_id, m.start, m.end), "doc_id": doc.doc_id, "start": m.start,
         "end": m.end, "quote": m.quote, "date": m.date, "precision": m.precision, "rule": m.rule}
        for m in mentions if m.date
    ]
    incident_rows = []
    for number, incident in enumerate(casualty_incidents(text, claims, mentions, sentences), 1):
        start = min(c.start for c in incident.claims)
        end = max(c.end for c in incident.claims)
        row = {"incident_id": f"{doc.doc_id}:i{number}", "doc_id": doc.doc_id, "start": start,
               "end": end, "quote": text[start:end],
               "claim_ids": " ".join(span_id(doc.doc_id, c.start, c.end) for c in incident.claims)}
        for measure in ("killed", "wounded"):
            best, low, high = incident.figure(measure)
            row.update({measure: best, f"{measure}_low": low, f"{measure}_high": high})
        row.update(date=incident.date or None, location=incident.location,
                   perpetrator=incident.perpetrator, victims=incident.victims)
        incident_rows.append(row)
    return {"documents": [document_row(doc)], "claims": claim_rows,
            "casualties": incident_rows, "dates": date_rows}
