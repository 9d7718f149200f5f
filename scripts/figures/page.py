"""The annotated article page: `charts/index.html`, built from a written package on disk.

One self-contained file (inline CSS and JS, charts as `data:` URIs, no network requests) that
shows every document's text with each claim, date and casualty incident highlighted in place,
the charts, and a table of claims whose rows link to their highlights.

Article text and every CSV cell are untrusted: everything is escaped (`html.escape`, quotes
included), URLs are linked only when they are http(s), and the script only ever sets
`textContent`. Overlapping spans (a date inside a claim, claims inside an incident) are rendered
as non-overlapping segments: each segment nests one element per span that covers it, outermost
the longest, and a span's `id` sits on the element of its first segment.
"""

from __future__ import annotations

import base64
import html
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .charts import CHARTS, fmt, load_package, load_texts, source_line

PAGE = "index.html"
CHART_STEMS = tuple(chart.__name__.replace("_", "-") for chart in CHARTS)
# One colour per measure of the closed vocabulary (schemas/claims.json); anything else is "other".
MEASURE_COLORS = {
    "killed": "#f4a6a6", "wounded": "#f9c98a", "arrested": "#c9b3e6", "kidnapped": "#e6b3d9",
    "missing": "#d9d9a6", "displaced": "#a6d9d0", "affected": "#b3d1f0", "crowd": "#a6e0a6",
    "seized": "#d6c2a8", "attacks": "#9fd8e8", "count": "#d0d0d0", "distance": "#c2d6e6",
    "duration": "#e0d0f0", "money": "#c8e6a0", "percent": "#f0e0a0", "age": "#e0c0c0",
    "rank": "#c0c0e0", "other": "#dddddd",
}


def safe_id(raw: str) -> str:
    """An HTML id and URL fragment for any string, injective: [A-Za-z0-9_.:-] kept, the rest ~hh."""
    return "".join(ch if re.fullmatch(r"[A-Za-z0-9_.:-]", ch) else "".join(f"~{b:02x}" for b in ch.encode())
                   for ch in raw)


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def measure_class(measure: str) -> str:
    return f"m-{measure}" if measure in MEASURE_COLORS else "m-other"


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str  # incident, claim or date
    ident: str  # the row's id in its CSV
    css: str
    tip: str

    @property
    def anchor(self) -> str:
        return f"{self.kind}-{safe_id(self.ident)}"


def bounds(low: str, high: str) -> str:
    return f"{low or '−∞'}..{high or '∞ (no upper bound)'}"


def claim_tip(c) -> str:
    return (f"{c.measure}: {c.value}{' · unit ' + c.unit if c.unit else ''} · range {bounds(c.low, c.high)} · "
            f"qualifier {c.qualifier} · rule {c.rule} · claim {c.claim_id}")


def document_spans(doc_id: str, frames: dict[str, pd.DataFrame]) -> list[Span]:
    """Every highlighted span of one document."""
    spans = []
    for c in frames["claims"][frames["claims"]["doc_id"] == doc_id].itertuples(index=False):
        spans.append(Span(int(c.start), int(c.end), "claim", c.claim_id, f"claim {measure_class(c.measure)}",
                          claim_tip(c)))
    for d in frames["dates"][frames["dates"]["doc_id"] == doc_id].itertuples(index=False):
        spans.append(Span(int(d.start), int(d.end), "date", d.date_id, "date",
                          f"date: {d.date} ({d.precision}) · rule {d.rule} · date {d.date_id}"))
    for i in frames["casualties"][frames["casualties"]["doc_id"] == doc_id].itertuples(index=False):
        parts = [f"{m} {getattr(i, m)} ({bounds(getattr(i, m + '_low'), getattr(i, m + '_high'))})"
                 for m in ("killed", "wounded") if getattr(i, m)]
        spans.append(Span(int(i.start), int(i.end), "incident", i.incident_id, "incident",
                          f"incident: {', '.join(parts) or 'no figures'} · incident {i.incident_id}"))
    return [s for s in spans if s.end > s.start]


KIND_ORDER = {"incident": 0, "claim": 1, "date": 2}


def render_text(text: str, spans: list[Span]) -> str:
    """The text, escaped, cut into non-overlapping segments with nested highlight elements."""
    cuts = sorted({0, len(text)} | {min(max(p, 0), len(text)) for s in spans for p in (s.start, s.end)})
    out = []
    for a, b in zip(cuts, cuts[1:]):
        covering = sorted((s for s in spans if s.start <= a and b <= s.end),
                          key=lambda s: (-(s.end - s.start), KIND_ORDER[s.kind], s.start, s.ident))
        opened = []
        for s in covering:
            tag = "span" if s.kind == "incident" else "mark"
            if a == s.start:
                out.append(f'<{tag} class="hl {s.css}" id="{s.anchor}" data-{s.kind}-id="{esc(s.ident)}" '
                           f'tabindex="0" title="{esc(s.tip)}">')
            else:
                out.append(f'<{tag} class="hl {s.css} cont" data-part-of="{s.anchor}">')
            opened.append(tag)
        out.append(esc(text[a:b]))
        out.extend(f"</{tag}>" for tag in reversed(opened))
    return "".join(out)


def link(url: str) -> str:
    if re.match(r"https?://", url, re.I):
        return f'<a href="{esc(url)}" rel="noopener noreferrer">{esc(url)}</a>'
    return esc(url)


CSS = """
body{font-family:"DejaVu Sans",system-ui,sans-serif;margin:0 auto;max-width:64rem;padding:1rem 1.5rem;
line-height:1.55;color:#1a1a1a;background:#fff}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem}
.meta{color:#555;font-size:.9rem}
.text{white-space:pre-wrap;border:1px solid #ddd;padding:1rem;background:#fcfcfc;overflow-wrap:anywhere}
mark.hl{color:inherit;border-radius:2px;padding:0 1px;cursor:help}
mark.date{background:#cfe3ff;border-bottom:2px dotted #3a6ea5}
span.incident{border-bottom:3px double #8a1c1c}
.hl:focus{outline:2px solid #000;outline-offset:1px}
.hl:target{outline:3px solid #d40;outline-offset:2px}
.legend span{display:inline-block;margin:0 .4rem .3rem 0;padding:0 .3rem;border-radius:2px;font-size:.85rem}
#tip{position:absolute;z-index:10;max-width:30rem;background:#222;color:#fff;padding:.4rem .6rem;
border-radius:4px;font-size:.85rem;pointer-events:none}
table{border-collapse:collapse;font-size:.85rem;width:100%}
th,td{border:1px solid #ddd;padding:.2rem .4rem;text-align:left;vertical-align:top}
th{background:#f2f2f2}td.num{text-align:right}
figure{margin:1rem 0}figure img{max-width:100%;height:auto;border:1px solid #eee;box-sizing:border-box}
.wide{overflow-x:auto}
"""

SCRIPT = """
(function(){
var tip=document.getElementById('tip');
document.querySelectorAll('.hl[title]').forEach(function(el){
el.setAttribute('data-tip',el.getAttribute('title'));el.removeAttribute('title');
el.setAttribute('aria-describedby','tip');});
function show(el){if(!el){return;}tip.textContent=el.getAttribute('data-tip');tip.hidden=false;
var r=el.getBoundingClientRect();tip.style.left=Math.max(4,r.left+window.scrollX)+'px';
tip.style.top=(r.bottom+window.scrollY+6)+'px';}
function hide(){tip.hidden=true;}
document.addEventListener('mouseover',function(e){var el=e.target.closest&&e.target.closest('.hl[data-tip]');
if(el){show(el);}else{hide();}});
document.addEventListener('focusin',function(e){var el=e.target.closest&&e.target.closest('.hl[data-tip]');
if(el){show(el);}else{hide();}});
document.addEventListener('focusout',hide);
document.addEventListener('keydown',function(e){if(e.key==='Escape'){hide();}});
function fromHash(){var el=location.hash&&document.getElementById(location.hash.slice(1));
if(el&&el.matches('.hl[data-tip]')){el.focus({preventScroll:true});show(el);}}
window.addEventListener('hashchange',fromHash);fromHash();
})();
"""


def claims_table(claims: pd.DataFrame) -> str:
    head = ("<tr><th>claim</th><th>document</th><th>quote</th><th>measure</th><th>value</th>"
            "<th>low..high</th><th>unit</th><th>qualifier</th><th>rule</th><th>review</th></tr>")
    rows = []
    for c in claims.itertuples(index=False):
        rows.append(
            f'<tr id="row-{safe_id(c.claim_id)}"><td><a href="#claim-{safe_id(c.claim_id)}">{esc(c.claim_id)}</a></td>'
            f"<td>{esc(c.doc_id)}</td><td>{esc(c.quote)}</td>"
            f'<td><span class="{measure_class(c.measure)}">{esc(c.measure)}</span></td>'
            f'<td class="num">{esc(c.value)}</td><td>{esc(bounds(c.low, c.high))}</td><td>{esc(c.unit)}</td>'
            f"<td>{esc(c.qualifier)}</td><td>{esc(c.rule)}</td><td>{esc(c.review)}</td></tr>")
    return (f'<div class="wide"><table>\n<thead>{head}</thead>\n<tbody>\n' + "\n".join(rows)
            + "\n</tbody>\n</table></div>")


def chart_figures(charts_dir: Path) -> str:
    figures = []
    for stem in CHART_STEMS:
        svg = charts_dir / f"{stem}.svg"
        if not svg.exists():
            continue
        data = base64.b64encode(svg.read_bytes()).decode("ascii")
        title = stem.replace("-", " ")
        figures.append(f'<figure id="chart-{stem}"><img src="data:image/svg+xml;base64,{data}" '
                       f'alt="Chart: {esc(title)}"><figcaption>{esc(title)} '
                       f'(<code>{esc(stem)}.svg</code>, <code>{esc(stem)}.png</code>)</figcaption></figure>')
    return "\n".join(figures) or "<p>No charts were drawn.</p>"


def render_page(descriptor_path: Path, charts_dir: Path) -> str:
    """The whole page as a string: deterministic for a given package and charts."""
    descriptor, frames = load_package(descriptor_path)
    texts = load_texts(descriptor_path, frames["documents"])
    measures = sorted(set(frames["claims"]["measure"]))
    css = CSS + "".join(f".{measure_class(m)}{{background:{MEASURE_COLORS.get(m, MEASURE_COLORS['other'])}}}"
                        for m in list(MEASURE_COLORS)) + "\n"
    legend = "".join(f'<span class="{measure_class(m)}">{esc(m)}</span>' for m in measures)
    legend += '<span style="background:#cfe3ff">date</span><span style="border-bottom:3px double #8a1c1c">incident</span>'
    docs = []
    for d in frames["documents"].itertuples(index=False):
        meta = " · ".join(esc(x) for x in (d.publisher, d.published) if x)
        docs.append(
            f'<article id="doc-{safe_id(d.doc_id)}"><h3>{esc(d.title or d.doc_id)}</h3>'
            f'<p class="meta">document <code>{esc(d.doc_id)}</code>{" · " + meta if meta else ""}'
            f'{"<br>" + link(d.url) if d.url else ""}</p>'
            f'<div class="text">{render_text(texts[d.doc_id], document_spans(d.doc_id, frames))}</div></article>')
    title = f"{descriptor.get('title') or descriptor['name']}: claims in context"
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>{esc(title)}</title>
<style>{css}</style>
</head>
<body>
<header>
<h1>{esc(title)}</h1>
<p class="meta">{esc(source_line(descriptor, frames))} · {len(frames['claims'])} claims, {len(frames['dates'])} dates, {len(frames['casualties'])} incidents</p>
<nav><a href="#documents">Documents</a> · <a href="#charts">Charts</a> · <a href="#claims">Claims table</a></nav>
</header>
<main>
<section id="documents">
<h2>Documents</h2>
<p>Every claim, date and casualty incident is highlighted where it occurs. Hover over or focus
(Tab) a highlight to see its measure, value, low..high range, qualifier, rule and id.</p>
<p class="legend">{legend}</p>
{chr(10).join(docs)}
</section>
<section id="charts">
<h2>Charts</h2>
{chart_figures(charts_dir)}
</section>
<section id="claims">
<h2>Claims</h2>
{claims_table(frames["claims"])}
</section>
</main>
<div id="tip" role="tooltip" hidden></div>
<script>{SCRIPT}</script>
</body>
</html>
"""


def write_page(descriptor_path: Path, charts_dir: Path) -> Path:
    """Write charts_dir/index.html for the package at descriptor_path."""
    charts_dir.mkdir(parents=True, exist_ok=True)
    target = charts_dir / PAGE
    target.write_text(render_page(descriptor_path, charts_dir), encoding="utf-8", newline="\n")
    return target
