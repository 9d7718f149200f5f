"""Charts: drawn from the package on disk, deterministic, titled, labelled and sourced."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET

import pytest

from conftest import copy_repo_inputs
from figures.charts import comparable_events, date_span, draw_charts, load_package, timeline_events, load_texts
from figures.cli import main
from handmade import rally_package

CHARTS = ("claims-overview", "casualties", "timeline", "comparison")
AXES = {
    "claims-overview": ("Claims by measure", "Number of claims", "Measure"),
    "casualties": ("Killed and wounded per casualty incident", "People (log scale)", "Incident (sentence, source)"),
    "timeline": ("Timeline of dated events", "Date (as precisely as the text states it)", "Date mention"),
    "comparison": ("Figures for the same event by source", None, "Source"),
}


def svg_texts(path) -> list[str]:
    """Every text run of an SVG (svg.fonttype 'none' keeps text as <text>/<tspan>)."""
    root = ET.parse(path).getroot()
    return ["".join(el.itertext()) for el in root.iter("{http://www.w3.org/2000/svg}text")]


@pytest.fixture(scope="module")
def rally(tmp_path_factory):
    return rally_package(tmp_path_factory.mktemp("rally"))


@pytest.mark.parametrize("stem", CHARTS)
def test_seed_chart_has_title_axis_labels_and_source(fresh_build, stem):
    texts = svg_texts(fresh_build / "charts" / f"{stem}.svg")
    title, xlabel, ylabel = AXES[stem]
    assert any(t.startswith(title) for t in texts), texts
    assert ylabel in texts
    if xlabel:
        assert xlabel in texts
    assert "Source: The Jerusalem Post · casualty-figures 0.1.0" in texts
    assert (fresh_build / "charts" / f"{stem}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("stem", CHARTS)
def test_handmade_chart_has_title_axis_labels_and_source(rally, stem):
    out = rally.parent / "charts"
    draw_charts(rally, out)
    texts = svg_texts(out / f"{stem}.svg")
    title, xlabel, ylabel = AXES[stem]
    assert any(t.startswith(title) for t in texts), texts
    assert ylabel in texts
    assert "Source: Daily Example, Example Wire · handmade 9.9.9" in texts
    if stem == "comparison":
        assert {"crowd (people)", "killed (people)"} <= set(texts)
        assert "crowd on 2020-01-24: 2 sources" in texts and "killed on 2020-01-24: 2 sources" in texts
    elif xlabel:
        assert xlabel in texts


def test_charts_are_deterministic_to_the_byte(rally, tmp_path):
    first = draw_charts(rally, tmp_path / "one")
    second = draw_charts(rally, tmp_path / "two")
    assert [p.name for p in first] == [p.name for p in second]
    assert sorted(p.name for p in first) == sorted(f"{s}.{e}" for s in CHARTS for e in ("svg", "png"))
    for a, b in zip(first, second):
        assert a.read_bytes() == b.read_bytes(), a.name
    svg = (tmp_path / "one" / "casualties.svg").read_text()
    assert "<dc:date>" not in svg and "Matplotlib" not in svg


def test_open_ended_ranges_are_said_so_in_the_legend(rally, tmp_path):
    draw_charts(rally, tmp_path)
    for stem in ("casualties", "comparison"):
        texts = svg_texts(tmp_path / f"{stem}.svg")
        assert "no upper bound stated (open-ended)" in texts, stem
    assert "killed 3 (≥3, no upper bound)" in svg_texts(tmp_path / "casualties.svg")


def test_casualty_labels_name_incident_and_source(rally, tmp_path):
    draw_charts(rally, tmp_path)
    joined = "\n".join(svg_texts(tmp_path / "casualties.svg"))
    assert "— Daily Example, incident i1" in joined and "— Example Wire, incident i3" in joined
    assert "A rocket attack killed a US contractor" in joined


def test_timeline_joins_dates_to_the_claims_of_their_sentence(rally):
    _, frames = load_package(rally)
    events = timeline_events(frames, load_texts(rally, frames["documents"]))
    assert [e.when.isoformat() for e in events][:2] == ["2017-09-01", "2019-01-01"]
    assert events[-1].when.isoformat() == "2020-01-24"
    contractor = next(e for e in events if "December 27" in e.label)
    assert contractor.label.endswith("[killed 1]") and contractor.precision == "day"
    year = next(e for e in events if e.precision == "year")
    assert (year.when.isoformat(), year.until.isoformat()) == ("2019-01-01", "2020-01-01")


def test_date_span_handles_each_precision():
    assert [d.isoformat() for d in date_span("2020-01-24")] == ["2020-01-24", "2020-01-25"]
    assert [d.isoformat() for d in date_span("2019-12")] == ["2019-12-01", "2020-01-01"]
    assert [d.isoformat() for d in date_span("2017")] == ["2017-01-01", "2018-01-01"]


def test_comparison_groups_the_same_event_across_documents(rally):
    _, frames = load_package(rally)
    events = comparable_events(frames)
    assert list(events) == [("crowd", "2020-01-24"), ("killed", "2020-01-24")]
    assert sorted(events[("crowd", "2020-01-24")]["quote"]) == ["Hundreds of thousands", "about 200,000"]
    # The 2017 crowd and the December contractor are reported by one document only.
    assert all("5,000" not in rows["quote"].tolist() for rows in events.values())


def test_nothing_to_compare_is_drawn_and_said(fresh_build):
    texts = svg_texts(fresh_build / "charts" / "comparison.svg")
    assert any("Nothing to compare" in t for t in texts)


def test_plot_command_draws_every_chart_and_the_page(rally, tmp_path):
    assert main(["plot", str(rally.parent), "-o", str(tmp_path / "out"), "--quiet"]) == 0
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == sorted([f"{s}.{e}" for s in CHARTS for e in ("svg", "png")] + ["index.html"])


SECOND_ARTICLE = (" date 2020-01-25 Police said about 200,000 people joined the march in Baghdad on Friday. "
                  "Organisers put the crowd at one million.\n")


def test_second_article_about_the_rally_produces_a_comparison(tmp_path):
    """Our own second article about the 24 January 2020 rally, added to a copy of seeds/."""
    from figures.pipeline import build

    root = copy_repo_inputs(tmp_path)
    (root / "seeds" / "second_rally_report.txt").write_text(SECOND_ARTICLE, encoding="utf-8")
    build(root)
    _, frames = load_package(root / "datapackage.json")
    assert "second_rally_report" in set(frames["documents"]["doc_id"])
    if frames["dates"].empty:
        pytest.skip("the date resolver on this branch is a placeholder that finds no dates (issue 3)")
    events = comparable_events(frames)
    crowd = events.get(("crowd", "2020-01-24"))
    assert crowd is not None, f"no crowd comparison for 2020-01-24; events: {list(events)}"
    assert crowd["doc_id"].nunique() == 2
    texts = svg_texts(root / "charts" / "comparison.svg")
    assert "crowd on 2020-01-24: 2 sources" in texts
    shutil.rmtree(root)
