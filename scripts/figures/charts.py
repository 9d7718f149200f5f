"""Draw stage: charts from a written package's CSVs alone.

Deterministic to the byte: the Agg backend, matplotlib's bundled DejaVu fonts, a fixed SVG hash
salt, and no dates or software versions in file metadata.
"""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

STYLE = {
    "svg.hashsalt": "casualty-figures",
    "svg.fonttype": "path",
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.titlesize": 12,
    "figure.dpi": 100,
}
SVG_METADATA = {"Date": None, "Creator": None, "Format": None, "Type": None}
PNG_METADATA = {"Software": None}


def load_package(descriptor_path: Path) -> tuple[dict, dict[str, pd.DataFrame]]:
    """The descriptor and each resource as a DataFrame, read from disk."""
    descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    frames = {
        r["name"]: pd.read_csv(descriptor_path.parent / r["path"], dtype=str, keep_default_na=False)
        for r in descriptor["resources"]
    }
    return descriptor, frames


def source_line(descriptor: dict, frames: dict[str, pd.DataFrame]) -> str:
    """'Source: <documents> · <package> <version>' for the foot of every chart."""
    docs = frames["documents"]
    names = [p or d for p, d in zip(docs["publisher"], docs["doc_id"])]
    shown = ", ".join(dict.fromkeys(names[:3])) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return f"Source: {shown or 'no documents'} · {descriptor['name']} {descriptor['version']}"


def save(fig: plt.Figure, out_dir: Path, stem: str) -> list[Path]:
    """Write a figure as SVG and PNG with no varying metadata."""
    out_dir.mkdir(parents=True, exist_ok=True)
    svg, png = out_dir / f"{stem}.svg", out_dir / f"{stem}.png"
    fig.savefig(svg, format="svg", metadata=SVG_METADATA)
    fig.savefig(png, format="png", metadata=PNG_METADATA, dpi=100)
    plt.close(fig)
    return [svg, png]


def claims_overview(descriptor: dict, frames: dict[str, pd.DataFrame], out_dir: Path) -> list[Path]:
    """Horizontal bars: number of claims by measure, one colour per document."""
    claims = frames["claims"]
    counts = claims.groupby(["measure", "doc_id"]).size().unstack(fill_value=0).sort_index(ascending=False)
    height = 1.6 + 0.35 * max(len(counts), 1)
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(8, height), layout="constrained")
        if counts.empty:
            ax.text(0.5, 0.5, "No claims in this package", ha="center", va="center", transform=ax.transAxes)
        else:
            left = pd.Series(0, index=counts.index)
            for doc_id in counts.columns:
                ax.barh(counts.index, counts[doc_id], left=left, label=doc_id)
                left += counts[doc_id]
            if len(counts.columns) > 1:
                ax.legend(title="Document", fontsize=8)
        ax.set_title("Claims by measure")
        ax.set_xlabel("Number of claims")
        ax.set_ylabel("Measure")
        ax.xaxis.get_major_locator().set_params(integer=True)
        fig.text(0.01, 0.005, source_line(descriptor, frames), fontsize=7, color="#555555", ha="left", va="bottom")
        fig.get_layout_engine().set(rect=(0, 0.04, 1, 0.96))
        return save(fig, out_dir, "claims-overview")


CHARTS = (claims_overview,)


def draw_charts(descriptor_path: Path, out_dir: Path) -> list[Path]:
    """Every chart of a package, into out_dir. Returns the files written."""
    descriptor, frames = load_package(descriptor_path)
    written: list[Path] = []
    for chart in CHARTS:
        written += chart(descriptor, frames, out_dir)
    return written
