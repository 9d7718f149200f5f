"""charts/index.html: every claim highlighted in place, escaped, self-contained, rendered by Chromium."""

from __future__ import annotations

import csv
import html
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from figures.page import render_page, safe_id, write_page
from figures.pipeline import draw
from handmade import make_package, rally_package

CHROMIUM = Path("/usr/bin/chromium")
needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason=(
    "/usr/bin/chromium is absent: install Debian's chromium (`apt-get install -y chromium`, as .ci/run does)"))

EVIL_TEXT = ("Witnesses said 4 people were killed. <script>document.title='pwned'</script> "
             "<img src=x onerror=\"document.body.setAttribute('data-pwned','1')\"> "
             "Another 7 were wounded on 3 January 2020 & later.")
EVIL_ID = "evil\"><svg/onload=document.body.setAttribute('data-pwned','2')>"


def claim_ids(descriptor: Path) -> list[str]:
    with (descriptor.parent / "data" / "claims.csv").open(encoding="utf-8", newline="") as handle:
        return [row["claim_id"] for row in csv.DictReader(handle)]


def evil_package(root: Path) -> Path:
    return make_package(
        root,
        documents=[{"doc_id": EVIL_ID, "text": EVIL_TEXT, "publisher": "<b>Bold</b> Press",
                    "title": "<i>t</i>", "url": "javascript:alert(1)"}],
        claims=[
            {"doc_id": EVIL_ID, "quote": "4 people", "measure": "killed", "value": 4},
            # A claim that crosses into a date: the spans overlap without nesting.
            {"doc_id": EVIL_ID, "quote": "7 were wounded on 3", "measure": "wounded", "value": 7,
             "rule": "<rule onmouseover=x>"},
        ],
        dates=[{"doc_id": EVIL_ID, "quote": "3 January 2020", "date": "2020-01-03", "precision": "day"}],
        casualties=[{"doc_id": EVIL_ID, "claims": ["4 people", "7 were wounded on 3"], "killed": 4,
                     "killed_low": 4, "killed_high": 4, "wounded": 7, "wounded_low": 7, "wounded_high": 7}],
        name="evil", version="1.0.0")


class Tree(HTMLParser):
    """Checks that every element closes in order and collects ids and the text of .text blocks."""

    VOID = {"meta", "img", "br", "input", "link"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.ids, self.errors, self.texts, self.depth = [], [], [], [], None
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "a" and "href" in attrs:
            self.hrefs.append(attrs["href"])
        if tag in self.VOID:
            return
        self.stack.append(tag)
        if attrs.get("class") == "text":
            self.depth = len(self.stack)
            self.texts.append("")

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        if self.depth == len(self.stack):
            self.depth = None
        self.stack.pop()

    def handle_data(self, data):
        if self.depth is not None:
            self.texts[-1] += data


def parse(page: str) -> Tree:
    tree = Tree()
    tree.feed(page)
    tree.close()
    assert not tree.errors and tree.stack == [], (tree.errors, tree.stack)
    return tree


def test_safe_id_is_a_valid_injective_fragment():
    assert safe_id("000_679c7536310926e9:1374-1377") == "000_679c7536310926e9:1374-1377"
    weird = ['a"b', "a b", "a~22b", "a<b>", "ä:1-2"]
    made = [safe_id(w) for w in weird]
    assert len(set(made)) == len(weird)
    assert all(re.fullmatch(r"[A-Za-z0-9_.:~-]+", m) for m in made)


def test_every_claim_is_highlighted_and_linked_from_the_table(fresh_build):
    page = (fresh_build / "charts" / "index.html").read_text(encoding="utf-8")
    tree = parse(page)
    ids = claim_ids(fresh_build / "datapackage.json")
    assert ids
    for claim_id in ids:
        assert f"claim-{safe_id(claim_id)}" in tree.ids, claim_id
        assert f"#claim-{safe_id(claim_id)}" in tree.hrefs, claim_id
        assert f'data-claim-id="{html.escape(claim_id)}"' in page
    # The text is shown whole: the segments add up to the document.
    seed = (fresh_build / "seeds" / "000_679c7536310926e9.txt").read_text(encoding="utf-8")
    assert tree.texts == [seed]


def test_page_is_self_contained_and_embeds_the_charts(fresh_build):
    page = (fresh_build / "charts" / "index.html").read_text(encoding="utf-8")
    # Links to the articles are fine (followed only on a click); nothing is loaded from elsewhere.
    assert not re.search(r"""src=(?!["']?data:)""", page), "the page must make no network request"
    assert "<link" not in page and "@import" not in page and "url(" not in page
    for stem in ("claims-overview", "casualties", "timeline", "comparison"):
        assert f'<figure id="chart-{stem}"><img src="data:image/svg+xml;base64,' in page


def test_page_is_deterministic(tmp_path):
    descriptor = rally_package(tmp_path / "pkg")
    draw(descriptor, tmp_path / "one")
    draw(descriptor, tmp_path / "two")
    assert (tmp_path / "one" / "index.html").read_bytes() == (tmp_path / "two" / "index.html").read_bytes()


def test_overlapping_spans_become_nested_segments_and_everything_is_escaped(tmp_path):
    descriptor = evil_package(tmp_path / "pkg")
    page = render_page(descriptor, tmp_path / "no-charts")
    tree = parse(page)
    assert tree.texts == [EVIL_TEXT]
    for claim_id in claim_ids(descriptor):
        assert f"claim-{safe_id(claim_id)}" in tree.ids
    assert "<script>document.title" not in page and "<img src=x" not in page and "<svg/onload" not in page
    assert "&lt;script&gt;document.title=&#x27;pwned&#x27;&lt;/script&gt;" in page
    assert "&lt;b&gt;Bold&lt;/b&gt; Press" in page and "&lt;rule onmouseover=x&gt;" in page
    assert 'href="javascript:' not in page
    # Only our own script element.
    assert page.count("<script>") == 1


def dump_dom(path: Path, tmp_path: Path) -> str:
    result = subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'chromium-profile'}", "--dump-dom", path.resolve().as_uri()],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


@needs_chromium
def test_chromium_shows_every_claim_of_the_build(fresh_build, tmp_path):
    dom = dump_dom(fresh_build / "charts" / "index.html", tmp_path)
    for claim_id in claim_ids(fresh_build / "datapackage.json"):
        assert re.search(rf'<mark class="hl claim m-\w+" id="claim-{re.escape(safe_id(claim_id))}"', dom), claim_id
    # The script ran: titles became tooltips shown on hover and focus.
    assert "data-tip=" in dom and 'aria-describedby="tip"' in dom and 'tabindex="0"' in dom


@needs_chromium
def test_chromium_does_not_run_article_markup(tmp_path):
    descriptor = evil_package(tmp_path / "pkg")
    out = tmp_path / "charts"
    draw(descriptor, out)
    dom = dump_dom(out / "index.html", tmp_path)
    assert "<title>&lt;i&gt;t&lt;/i&gt;" not in dom  # the package title is used, not the article's
    title = re.search(r"<title>(.*?)</title>", dom, re.S).group(1)
    assert title == "evil: claims in context" and "pwned" not in title
    assert "data-pwned" not in re.search(r"<body[^>]*>", dom).group(0)
    assert "&lt;script&gt;document.title='pwned'&lt;/script&gt;" in dom
    assert "&lt;img src=x onerror=\"document.body.setAttribute('data-pwned','1')\"&gt;" in dom
    for claim_id in claim_ids(descriptor):
        assert f'id="claim-{safe_id(claim_id)}"' in dom
    assert 'id="date-' in dom and 'id="incident-' in dom
