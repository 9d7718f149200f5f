"""Draw stage: charts from a written package's CSVs (and the texts they point at) alone.

Deterministic to the byte: the Agg backend, matplotlib's bundled DejaVu fonts, a fixed SVG hash
salt and id, and no dates or software versions in file metadata.

SVG text is written as text (`svg.fonttype: none`), not as glyph paths: the files stay small,
their words are searchable and selectable, and tests can read titles and labels from them. The
bytes do not depend on the fonts installed (no glyphs are embedded); a viewer without DejaVu Sans
falls back to its sans-serif font. The PNG is the reference rendering.

Charts (each as SVG and PNG):

- `claims-overview`: number of claims by measure, stacked by document.
- `casualties`: killed and wounded per casualty incident, best estimate with its low..high range;
  an empty high is drawn as an arrow to the edge (no upper bound stated).
- `timeline`: every resolved date mention on a time axis, one row per mention, labelled with its
  sentence and the figures claimed in that sentence; day, month or year precision drawn as a dot
  or a bar across the month or year.
- `comparison`: figures that several documents give for the same event (see `comparable_events`);
  when nothing is reported by two documents the chart says so, so the set of files is stable.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from .documents import StoredTexts  # noqa: E402

STYLE = {
    "svg.hashsalt": "casualty-figures",
    "svg.id": "casualty-figures",
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.titlesize": 12,
    "figure.dpi": 100,
}
SVG_METADATA = {"Date": None, "Creator": None, "Format": None, "Type": None}
PNG_METADATA = {"Software": None}
SVG_FONT = b"font-family: 'DejaVu Sans'"
SVG_FONT_FALLBACK = b"font-family: 'DejaVu Sans', 'Bitstream Vera Sans', Verdana, sans-serif"
WIDTH = 10  # inches; 1000 px at the published 100 dpi
SOURCE_COLOR = "#555555"
MEASURE_COLORS = {"killed": "#b2182b", "wounded": "#e08214"}
OTHER_COLOR = "#2166ac"
# Measures that count people at one event: the ones worth comparing across sources.
EVENT_MEASURES = ("killed", "wounded", "arrested", "kidnapped", "missing", "displaced", "affected", "crowd")


def load_package(descriptor_path: Path) -> tuple[dict, dict[str, pd.DataFrame]]:
    """The descriptor and each resource as a DataFrame of strings, read from disk."""
    descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    frames = {
        r["name"]: pd.read_csv(descriptor_path.parent / r["path"], dtype=str, keep_default_na=False)
        for r in descriptor["resources"]
    }
    return descriptor, frames


def load_texts(descriptor_path: Path, documents: pd.DataFrame) -> dict[str, str]:
    """doc_id -> the document text: its stored bytes (`path`, `byte_offset`, `n_bytes`) decoded
    with its `encoding`."""
    with StoredTexts(descriptor_path.parent) as stored:
        return {
            row.doc_id: stored.read(row.path, int(row.byte_offset), int(row.n_bytes)).decode(row.encoding or "utf-8")
            for row in documents.itertuples(index=False)
        }


def source_line(descriptor: dict, frames: dict[str, pd.DataFrame]) -> str:
    """'Source: <documents> · <package> <version>' for the foot of every chart."""
    docs = frames["documents"]
    names = [p or d for p, d in zip(docs["publisher"], docs["doc_id"])]
    shown = ", ".join(dict.fromkeys(names[:3])) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return f"Source: {shown or 'no documents'} · {descriptor['name']} {descriptor['version']}"


def number(cell: str) -> float | None:
    """A numeric CSV cell, or None when it is empty."""
    return float(cell) if cell not in ("", None) else None


def fmt(value: float) -> str:
    """A figure as people read it: 20,000 or 2.5."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0").rstrip(".")


def fmt_range(best: float, low: float | None, high: float | None) -> str:
    """'700', '700 (600–800)' or '700 (≥700)' for a best estimate and its bounds."""
    if high is None:
        return f"{fmt(best)} (≥{fmt(low if low is not None else best)}, no upper bound)"
    if low is not None and (low, high) != (best, best):
        return f"{fmt(best)} ({fmt(low)}–{fmt(high)})"
    return fmt(best)


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def excerpt(text: str, start: int, end: int, around: tuple[int, int], width: int = 90) -> str:
    """The sentence `around` the span start:end, shortened to about `width` characters with '…'."""
    s0, s1 = around
    if s1 - s0 <= width:
        return squash(text[s0:s1])
    room = max(width - (end - start), 20)
    lo = max(s0, start - room // 2)
    hi = min(s1, lo + (end - lo) + room - (start - lo))
    lo = max(s0, min(lo, hi - width))
    if lo > s0 and not text[lo - 1].isspace():  # do not start or end mid-word
        space = text.find(" ", lo, start)
        lo = space + 1 if space >= 0 else lo
    if hi < s1 and not text[hi].isspace():
        space = text.rfind(" ", end, hi)
        hi = space if space >= 0 else hi
    core = squash(text[lo:hi])
    return ("…" if lo > s0 else "") + core + ("…" if hi < s1 else "")


_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*(?=\s|[A-Z“\"]|$)|\n")


def sentence_around(text: str, start: int, end: int, claims: pd.DataFrame, doc_id: str) -> tuple[int, int]:
    """Sentence bounds of a span: from claims.csv when a claim's sentence holds it, else by punctuation."""
    mine = claims[claims["doc_id"] == doc_id]
    for s0, s1 in zip(mine["sentence_start"].astype(int), mine["sentence_end"].astype(int)):
        if s0 <= start and end <= s1:
            return s0, s1
    s0 = 0
    for m in _SENTENCE_END.finditer(text, 0, start):
        s0 = m.end()
    m = _SENTENCE_END.search(text, end)
    s1 = m.end() if m else len(text)
    while s0 < start and text[s0].isspace():
        s0 += 1
    return s0, s1


def wrap(label: str, width: int = 48, lines: int = 2) -> str:
    return "\n".join(textwrap.wrap(label, width, max_lines=lines, placeholder=" …"))


def plural(unit: str) -> str:
    """The unit as an axis label: 'people' for person, 'attacks' for attack, 'count' when none."""
    return {"person": "people", "": "count"}.get(unit, unit if unit.endswith("s") else unit + "s")


def source_name(documents: pd.DataFrame, doc_id: str) -> str:
    row = documents[documents["doc_id"] == doc_id]
    return (row["publisher"].iloc[0] if len(row) and row["publisher"].iloc[0] else doc_id)


def finish(fig: plt.Figure, descriptor: dict, frames: dict[str, pd.DataFrame], out_dir: Path, stem: str) -> list[Path]:
    """Add the source line at the foot and save."""
    fig.text(0.01, 0.005, source_line(descriptor, frames), fontsize=8, color=SOURCE_COLOR, ha="left", va="bottom")
    height = fig.get_size_inches()[1]
    fig.get_layout_engine().set(rect=(0, 0.3 / height, 1, 1 - 0.3 / height))
    return save(fig, out_dir, stem)


def save(fig: plt.Figure, out_dir: Path, stem: str) -> list[Path]:
    """Write a figure as SVG and PNG with no varying metadata."""
    out_dir.mkdir(parents=True, exist_ok=True)
    svg, png = out_dir / f"{stem}.svg", out_dir / f"{stem}.png"
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", metadata=SVG_METADATA)
    # Text stays text: name fallbacks with DejaVu's metrics for viewers that lack DejaVu Sans.
    svg.write_bytes(buffer.getvalue().replace(SVG_FONT, SVG_FONT_FALLBACK))
    fig.savefig(png, format="png", metadata=PNG_METADATA, dpi=100)
    plt.close(fig)
    return [svg, png]


def empty_message(ax: plt.Axes, message: str) -> None:
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, fontsize=11, wrap=True)
    ax.set_xticks([])
    ax.set_yticks([])


def draw_range(ax: plt.Axes, y: float, best: float, low: float | None, high: float | None,
               color: str, right: float) -> None:
    """A best estimate as a dot, its low..high as a bar; no high: an arrow to the axis edge."""
    lo = low if low is not None else best
    if high is None:
        ax.plot([lo, right], [y, y], color=color, lw=2.5, alpha=0.45, solid_capstyle="butt")
        ax.plot([right], [y], marker=">", color=color, ms=9, clip_on=False, alpha=0.8)
    elif high > lo:
        ax.plot([lo, high], [y, y], color=color, lw=2.5, alpha=0.45, marker="|", ms=10)
    ax.plot([best], [y], "o", color=color, ms=7, zorder=3)


RANGE_HANDLES = [
    Line2D([], [], color="#777777", lw=2.5, alpha=0.45, marker="|", ms=10, label="low–high range stated"),
    Line2D([], [], color="#777777", lw=2.5, alpha=0.45, marker=">", ms=8, label="no upper bound stated (open-ended)"),
]


def value_axis(ax: plt.Axes, values: list[float], open_ended: bool, log: bool) -> float:
    """Set the value axis limits; returns the right edge (where open-ended arrows end)."""
    top = max(values) if values else 1
    if log:
        bottom = min(v for v in values if v > 0) if any(v > 0 for v in values) else 1
        if any(v <= 0 for v in values):
            ax.set_xscale("symlog", linthresh=1)
            left = 0
        else:
            ax.set_xscale("log")
            left = bottom / 3
        right = top * (40 if open_ended else 15)
    else:
        left, right = 0, top * (1.6 if open_ended else 1.3)
    ax.set_xlim(left, right)
    return right


def claims_overview(descriptor: dict, frames: dict[str, pd.DataFrame], out_dir: Path, texts: dict) -> list[Path]:
    """Horizontal bars: number of claims by measure, one colour per document."""
    claims = frames["claims"]
    counts = claims.groupby(["measure", "doc_id"]).size().unstack(fill_value=0).sort_index(ascending=False)
    height = 1.8 + 0.35 * max(len(counts), 1)
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(WIDTH, height), layout="constrained")
        if counts.empty:
            empty_message(ax, "No claims in this package")
        else:
            left = pd.Series(0, index=counts.index)
            for doc_id in counts.columns:
                ax.barh(counts.index, counts[doc_id], left=left, label=source_name(frames["documents"], doc_id))
                left += counts[doc_id]
            for y, total in enumerate(left):
                ax.text(total, y, f" {total}", va="center", fontsize=9)
            ax.set_xlim(0, max(left) * 1.08 + 0.2)
            if len(counts.columns) > 1:
                ax.legend(title="Document", fontsize=8)
            ax.xaxis.get_major_locator().set_params(integer=True)
        ax.set_title(f"Claims by measure ({len(claims)} numeric claims in {len(frames['documents'])} document(s))")
        ax.set_xlabel("Number of claims")
        ax.set_ylabel("Measure")
        return finish(fig, descriptor, frames, out_dir, "claims-overview")


def casualties(descriptor: dict, frames: dict[str, pd.DataFrame], out_dir: Path, texts: dict) -> list[Path]:
    """Killed and wounded per incident: best estimate with its range, labelled with sentence and source."""
    incidents, claims, documents = frames["casualties"], frames["claims"], frames["documents"]
    rows, labels = [], []
    for i, inc in enumerate(incidents.itertuples(index=False)):
        text = texts[inc.doc_id]
        start, end = int(inc.start), int(inc.end)
        around = sentence_around(text, start, end, claims, inc.doc_id)
        quote = excerpt(text, start, end, around, 80)
        labels.append(f"{wrap('“' + quote + '”', 46)}\n— {source_name(documents, inc.doc_id)}, incident {inc.incident_id.rsplit(':', 1)[-1]}")
        for k, measure in enumerate(("killed", "wounded")):
            best = number(getattr(inc, measure))
            if best is None:
                continue
            low, high = number(getattr(inc, f"{measure}_low")), number(getattr(inc, f"{measure}_high"))
            rows.append((i + (k - 0.5) * 0.36, measure, best, low, high))
    height = 2.2 + 1.0 * max(len(labels), 1)
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(WIDTH, height), layout="constrained")
        if not rows:
            empty_message(ax, "No casualty incidents in this package")
        else:
            values = [v for r in rows for v in r[2:] if v is not None]
            open_ended = any(r[4] is None for r in rows)
            right = value_axis(ax, values, open_ended, log=True)
            for y, measure, best, low, high in rows:
                draw_range(ax, y, best, low, high, MEASURE_COLORS[measure], right)
                ax.annotate(f"{measure} {fmt_range(best, low, high)}", (best, y), xytext=(6, 5),
                            textcoords="offset points", va="bottom", fontsize=8.5)
            ax.set_yticks(range(len(labels)), labels, fontsize=8.5)
            ax.set_ylim(len(labels) - 0.5, -0.5)
            ax.grid(axis="x", color="#dddddd", lw=0.6)
            ax.set_axisbelow(True)
            handles = [Line2D([], [], color=c, marker="o", ls="", label=f"{m} (best estimate)")
                       for m, c in MEASURE_COLORS.items()] + RANGE_HANDLES
            ax.legend(handles=handles, fontsize=8, loc="lower center", bbox_to_anchor=(0.5, 1.0),
                      ncols=2, frameon=False)
        ax.set_title("Killed and wounded per casualty incident", pad=40)
        ax.set_xlabel("People (log scale)")
        ax.set_ylabel("Incident (sentence, source)")
        return finish(fig, descriptor, frames, out_dir, "casualties")


@dataclass(frozen=True)
class Event:
    when: dt.date
    until: dt.date
    precision: str
    label: str
    has_claims: bool


def date_span(iso: str) -> tuple[dt.date, dt.date]:
    """The first day of an ISO date at day, month or year precision and the first day after it."""
    parts = [int(p) for p in iso.split("-")]
    if len(parts) == 3:
        day = dt.date(*parts)
        return day, day + dt.timedelta(days=1)
    if len(parts) == 2:
        y, m = parts
        return dt.date(y, m, 1), dt.date(y + m // 12, m % 12 + 1, 1)
    return dt.date(parts[0], 1, 1), dt.date(parts[0] + 1, 1, 1)


def sentence_claims(claims: pd.DataFrame, doc_id: str, start: int) -> pd.DataFrame:
    """Claims whose sentence holds offset `start` of document `doc_id`."""
    same = claims[claims["doc_id"] == doc_id]
    inside = (same["sentence_start"].astype(int) <= start) & (start < same["sentence_end"].astype(int))
    return same[inside]


def timeline_events(frames: dict[str, pd.DataFrame], texts: dict) -> list[Event]:
    """Every resolved date mention, with its sentence and the claims of that sentence."""
    dates, claims = frames["dates"], frames["claims"]
    events = []
    for d in dates.itertuples(index=False):
        if not d.date:
            continue
        start, end = int(d.start), int(d.end)
        text = texts[d.doc_id]
        when, until = date_span(d.date)
        label = excerpt(text, start, end, sentence_around(text, start, end, claims, d.doc_id), 70)
        found = sentence_claims(claims, d.doc_id, start)
        figures = ", ".join(f"{c.measure} {fmt(float(c.value))}" for c in found.itertuples(index=False))
        head = f"{d.date} “{squash(d.quote)}”"
        events.append(Event(when, until, d.precision, f"{head}: {label}" + (f"  [{figures}]" if figures else ""),
                            bool(figures)))
    return sorted(events, key=lambda e: (e.when, e.until, e.label))


def timeline(descriptor: dict, frames: dict[str, pd.DataFrame], out_dir: Path, texts: dict) -> list[Path]:
    """Dated events on a time axis, one row per date mention so labels never overlap."""
    events = timeline_events(frames, texts)
    height = 2.0 + 0.5 * len(events) if events else 3.0
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(WIDTH, height), layout="constrained")
        if not events:
            empty_message(ax, "No resolved dates in this package")
        else:
            for y, e in enumerate(events):
                color = "#b2182b" if e.has_claims else "#4d4d4d"
                if e.precision == "day":
                    ax.plot([e.when], [y], "o", color=color, ms=7, zorder=3)
                else:
                    ax.barh(y, (e.until - e.when).days, left=e.when, height=0.5, color=color, alpha=0.55)
            first = min(e.when for e in events)
            last = max(e.until for e in events)
            pad = max((last - first).days * 0.04, 10)
            ax.set_xlim(first - dt.timedelta(days=pad), last + dt.timedelta(days=pad))
            ax.set_yticks(range(len(events)), [wrap(e.label, 62) for e in events], fontsize=8)
            ax.set_ylim(len(events) - 0.5, -0.5)
            locator = mdates.AutoDateLocator(maxticks=8)
            ax.xaxis.set_major_locator(locator)
            ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
            ax.grid(axis="x", color="#dddddd", lw=0.6)
            ax.set_axisbelow(True)
            handles = [
                Line2D([], [], color="#4d4d4d", marker="o", ls="", label="day"),
                Patch(color="#4d4d4d", alpha=0.55, label="month or year (bar spans it)"),
                Line2D([], [], color="#b2182b", marker="o", ls="", label="sentence states figures [measure value]"),
            ]
            ax.legend(handles=handles, fontsize=8, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=3,
                      frameon=False)
        span = f" ({events[0].when:%B %Y} to {events[-1].when:%B %Y})" if events else ""
        ax.set_title(f"Timeline of dated events{span}", pad=22)
        ax.set_xlabel("Date (as precisely as the text states it)")
        ax.set_ylabel("Date mention")
        return finish(fig, descriptor, frames, out_dir, "timeline")


COMPARISON_RULE = ("Same event: same measure, and the claim's sentence names exactly one date, "
                   "the same resolved date; reported by at least two documents.")


def comparable_events(frames: dict[str, pd.DataFrame]) -> dict[tuple[str, str], pd.DataFrame]:
    """(measure, date) -> the claims of at least two documents about that event.

    A claim belongs to an event when its measure counts people at one event (EVENT_MEASURES) and
    the date mentions inside its sentence (claims.sentence_start..sentence_end, dates.csv) resolve
    to exactly one distinct date. Claims with no date or several dates in their sentence are left
    out rather than guessed.
    """
    claims, dates = frames["claims"], frames["dates"]
    keyed = []
    for c in claims.itertuples(index=False):
        if c.measure not in EVENT_MEASURES:
            continue
        s0, s1 = int(c.sentence_start), int(c.sentence_end)
        same = dates[dates["doc_id"] == c.doc_id]
        inside = same[(same["start"].astype(int) >= s0) & (same["end"].astype(int) <= s1) & (same["date"] != "")]
        distinct = sorted(set(inside["date"]))
        if len(distinct) == 1:
            keyed.append((c.measure, distinct[0], c))
    events: dict[tuple[str, str], pd.DataFrame] = {}
    for key in sorted({(m, d) for m, d, _ in keyed}):
        rows = pd.DataFrame([c for m, d, c in keyed if (m, d) == key])
        if rows["doc_id"].nunique() >= 2:
            events[key] = rows
    return events


def comparison(descriptor: dict, frames: dict[str, pd.DataFrame], out_dir: Path, texts: dict) -> list[Path]:
    """One panel per event several documents report: each source's figure with its range."""
    events = comparable_events(frames)
    documents = frames["documents"]
    n_rows = sum(len(v) for v in events.values())
    height = 2.4 + 0.55 * n_rows + 0.9 * len(events) if events else 3.0
    with plt.rc_context(STYLE):
        fig = plt.figure(figsize=(WIDTH, height), layout="constrained")
        if not events:
            ax = fig.subplots()
            empty_message(ax, "Nothing to compare: no event is reported by more than one document.\n"
                              + textwrap.fill(COMPARISON_RULE, 80))
            ax.set_title("Figures for the same event by source")
            ax.set_xlabel("Figure reported (nothing to compare)")
            ax.set_ylabel("Source")
            return finish(fig, descriptor, frames, out_dir, "comparison")
        axes = fig.subplots(len(events), 1, squeeze=False,
                            height_ratios=[len(v) + 0.8 for v in events.values()])[:, 0]
        fig.suptitle("Figures for the same event by source")
        for ax, ((measure, date), rows) in zip(axes, events.items()):
            color = MEASURE_COLORS.get(measure, OTHER_COLOR)
            bests = [float(v) for v in rows["value"]]
            values = bests + [float(v) for v in rows["low"] if v] + [float(v) for v in rows["high"] if v]
            open_ended = any(not h for h in rows["high"])
            right = value_axis(ax, values, open_ended, log=False)
            labels = []
            for y, c in enumerate(rows.itertuples(index=False)):
                best, low, high = float(c.value), number(c.low), number(c.high)
                draw_range(ax, y, best, low, high, color, right)
                ax.annotate(fmt_range(best, low, high), (best, y), xytext=(8, 6), textcoords="offset points",
                            fontsize=8.5)
                labels.append(f"{source_name(documents, c.doc_id)}\n“{wrap(squash(c.quote), 40, 1)}” ({c.qualifier})")
            ax.set_yticks(range(len(labels)), labels, fontsize=8.5)
            ax.set_ylim(len(labels) - 0.4, -0.6)
            unit = next((u for u in rows["unit"] if u), "")
            ax.set_xlabel(f"{measure} ({plural(unit)})")
            ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: fmt(v)))
            ax.grid(axis="x", color="#dddddd", lw=0.6)
            ax.set_axisbelow(True)
            ax.set_title(f"{measure} on {date}: {rows['doc_id'].nunique()} sources", fontsize=10, loc="left")
        axes[0].legend(handles=[Line2D([], [], color="#777777", marker="o", ls="", label="stated value")]
                       + RANGE_HANDLES, fontsize=8, loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=3,
                       frameon=False, borderaxespad=0.1)
        axes[0].set_title(axes[0].get_title("left"), fontsize=10, loc="left", pad=22)
        axes[-1].set_ylabel("Source") if len(axes) == 1 else fig.supylabel("Source", fontsize=10)
        return finish(fig, descriptor, frames, out_dir, "comparison")


CHARTS = (claims_overview, casualties, timeline, comparison)


def draw_charts(descriptor_path: Path, out_dir: Path) -> list[Path]:
    """Every chart of a package, into out_dir. Returns the files written."""
    descriptor, frames = load_package(descriptor_path)
    texts = load_texts(descriptor_path, frames["documents"])
    written: list[Path] = []
    for chart in CHARTS:
        written += chart(descriptor, frames, out_dir, texts)
    return written
