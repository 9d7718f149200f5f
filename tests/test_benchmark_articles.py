"""The hand-read figures of benchmarks/articles stay attached to their articles' words."""

from __future__ import annotations

import sys

import yaml

from conftest import REPO

sys.path.insert(0, str(REPO / "benchmarks"))
import bench_articles  # noqa: E402  (a benchmark script, importable without side effects)


def test_every_gold_figure_is_found_in_its_article_and_names_a_scored_measure():
    gold = yaml.safe_load((bench_articles.ARTICLES / "gold.yaml").read_text(encoding="utf-8"))
    assert sorted(gold) == sorted(path.name for path in bench_articles.ARTICLES.glob("*.txt"))
    for name, rows in gold.items():
        text = (bench_articles.ARTICLES / name).read_text(encoding="utf-8")
        for figure in bench_articles.gold_spans(text, rows, name):
            assert text[figure["start"]:figure["end"]] == figure["quote"]
            assert figure["measure"] in bench_articles.MEASURES, (name, figure)
            assert figure.get("vague") or isinstance(figure.get("value"), (int, float)), (name, figure)


def test_a_claim_matches_a_figure_only_with_its_measure_span_and_value():
    figure = {"measure": "killed", "value": 23, "start": 10, "end": 21}
    claim = {"measure": "killed", "value": 23.0, "start": 19, "end": 21}
    assert bench_articles.matches(claim, figure)
    assert not bench_articles.matches({**claim, "value": 24.0}, figure)
    assert not bench_articles.matches({**claim, "measure": "wounded"}, figure)
    assert not bench_articles.matches({**claim, "start": 21, "end": 23}, figure)
    assert bench_articles.matches({**claim, "value": 1000.0}, {**figure, "vague": True})
