"""The generic reader on pages written for it (tests/samples/extraction): as good as trafilatura, and faithful."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path

import pytest

from deeplybook.errors import ReadError
from deeplybook.log import counting_warnings
from deeplybook.model import ItemList, Quote, Table, inline_texts
from deeplybook.readers import Skip, generic

ROOT = Path(__file__).resolve().parents[2]
PAGES = ROOT / "tests" / "samples" / "extraction"
_spec = importlib.util.spec_from_file_location("extraction_bench", ROOT / "benchmarks" / "extraction_bench.py")
bench = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("extraction_bench", bench)  # its dataclasses look their module up there
_spec.loader.exec_module(bench)

NAMES = sorted(page.stem for page in PAGES.glob("*.html"))
# Text of the pages' menus, banners, boxes, comments and footers: none of it is article text.
BOILERPLATE = ("Accept all", "storing of cookies", "Most read", "Council votes", "morning briefing", "Sign up",
               "Related stories", "tram timetable", "comments", "marigold77", "Post comment", "All rights reserved",
               "Privacy policy", "Advertisement", "Subscribe", "Best viewed", "Facebook")


def read(name: str):
    (article,) = generic.read(PAGES / f"{name}.html")
    return article


def text_of(article) -> str:
    return " ".join(inline_texts(article.body))


def test_at_least_two_dozen_varied_pages():
    assert len(NAMES) >= 24


def test_body_f1_and_titles_reach_trafilaturas_on_these_pages():
    results = bench.run(PAGES)
    ours, theirs = results["deeplybook"], results["trafilatura"]
    assert bench.mean_f1(ours) >= bench.mean_f1(theirs)
    assert sum(s.title_ok for s in ours.values()) >= sum(s.title_ok for s in theirs.values())
    assert not [name for name, score in ours.items() if score.empty]


@pytest.mark.parametrize("name", NAMES)
def test_each_page_gives_its_title_text_byline_and_local_day(name):
    gold = bench.load_gold(PAGES / f"{name}.gold.txt")
    article = read(name)
    assert article.title == gold.title
    assert bench.f1_score(text_of(article), gold.body)[2] >= 0.85
    theirs = bench.trafilatura_extract(PAGES / f"{name}.html")[0]
    for word in BOILERPLATE:  # what trafilatura leaves out (a layout table's footer it keeps too)
        assert word not in text_of(article) or word in theirs, word
    if "author" in gold.fields:
        assert article.authors == (gold.fields["author"],)
    if "date" in gold.fields:
        # The day the page was published where it was published, not in UTC.
        assert article.date.date() == dt.date.fromisoformat(gold.fields["date"])


def test_a_page_of_a_few_words_is_kept_with_a_warning():
    with counting_warnings() as warnings:
        article = read("very-short")
    assert text_of(article) == "Tonight's concert is cancelled."
    assert warnings.counts["short-article"] == 1


@pytest.mark.parametrize(("name", "title"), [
    ("no-title-h1", "Skating race returns to the frozen pond"),  # no <title>: the first heading
    ("no-title-og", "The shop with no sign"),  # no <title>, no heading: og:title
    ("allotment-minutes", "Allotment minutes"),  # nothing: the file's name
    ("site-prefix-chess", "Chess club beats the champions"),  # "Site: Title"
    ("blog-garden", "What the library garden taught us"),  # "Title | Site"
    ("table-layout-regatta", "Regatta report"),  # "Site :: Title"
])
def test_titles_come_from_somewhere_and_without_the_sites_name(name, title):
    assert read(name).title == title


def test_bylines_are_never_interface_words():
    assert read("byline-trees").authors == ("Dana Whitlock",)


def test_dates_keep_the_pages_offset():
    date = read("date-newyear").date
    assert date == dt.datetime(2019, 12, 31, 22, 30, tzinfo=dt.timezone.utc)  # the same instant...
    assert date.utcoffset() == dt.timedelta(hours=2) and date.day == 1  # ...on the page's own day


def test_tables_lists_and_quotes_keep_their_kind():
    table = next(block for block in read("table-loans").body if isinstance(block, Table))
    assert (table.columns, table.head_rows) == (3, 1)
    assert table.cells[:6] == ("Branch", "Loans", "Change", "Central", "182,400", "+12%")
    lists = [block for block in read("lists-cat").body if isinstance(block, ItemList)]
    assert [(len(block.items), block.ordered) for block in lists] == [(3, True), (3, False)]
    quote = next(block for block in read("quote-lighthouse").body if isinstance(block, Quote))
    assert quote.paragraphs == ("The sea is never the same twice, and neither is the keeper who watches it.",)
    assert quote.cite == "Mary Tregarthen"  # trafilatura drops a quote's footer: it is found again


def test_two_line_breaks_in_a_row_part_paragraphs():
    body = read("br-rain").body
    assert len(body) == 4
    assert body[1].text.startswith("The smell comes from oils") and "<br" not in body[1].text


def test_a_layout_table_is_read_as_text_not_as_a_table():
    article = read("table-layout-regatta")
    assert "The annual regatta was held" in text_of(article)
    assert not [block for block in article.body if isinstance(block, Table) and "regatta" in " ".join(block.cells)]


ODD = {
    "comment-before-doctype": "<!-- hi --><!DOCTYPE html><html><head><title>A<!-- x -->B</title></head><body>{p}</body></html>",
    "unclosed-comment": "<html><head><title>Open</title></head><body>{p}<!-- never closed <p>more</p></body></html>",
    "comment-in-inline": "<title>In</title><p><a href='/x'>one<!-- c --></a><!-- c --> <b><!-- c --></b>two {w}</p>",
    "bad-json-ld": ("<title>J</title><script type='application/ld+json'>{{\"@type\": [{{\"x\": 1}}, \"Article\"], "
                    "\"headline\": {{\"a\": 1}}, \"author\": [{{\"name\": [\"x\"]}}, 7], \"publisher\": {{\"name\": 3}}, "
                    "\"datePublished\": [2020], \"keywords\": [1, null]}}</script>{p}"),
    "json-ld-not-json": "<title>J</title><script type='application/ld+json'>{{nope</script>{p}",
    "processing-instruction": "<?xml version='1.0' encoding='latin-1'?><?pi x?><title>P</title>{p}<![CDATA[ x ]]>",
    "broken-addresses": "<title>Q</title><base href='http://[::1'><p><a href='http://[::1'>x</a> <a href='javascript:x'>y</a> {w}</p>",
    "control-characters": "<title>C\x01</title><p>\x00\x0b text {w}</p>",
    "only-comments": "<html><!-- a --><body><!-- b --></body></html>",
    "table-in-list-in-table": "<title>T</title><table><tr><td><ul><li><table><tr><td>a</td><td>b</td></tr></table></li></ul></td></tr></table>{p}",
    "empty-table-cells": "<title>E</title><table><tr><th></th><th></th></tr><tr><td>x</td></tr></table>{p}",
}


@pytest.mark.parametrize("name", sorted(ODD))
def test_odd_markup_never_crashes(name, tmp_path):
    words = " ".join(f"word{n}" for n in range(30))
    page = tmp_path / f"{name}.html"
    page.write_text(ODD[name].format(p=f"<p>{words}</p>", w=words), encoding="utf-8")
    try:
        articles = generic.read(page)
    except (Skip, ReadError):
        return  # a page with nothing to read is told apart, never a traceback
    assert articles[0].title


def test_a_json_ld_author_naming_two_people_is_two_bylines(tmp_path):
    page = tmp_path / "two.html"
    words = " ".join(f"word{n}" for n in range(30))
    page.write_text("<title>Two</title><script type='application/ld+json'>{\"@type\": \"NewsArticle\", \"author\": "
                    "[{\"name\": \"Ann Lee and Bo Park\"}, {\"name\": \"Share\"}]}</script>"
                    f"<article><p>{words}</p></article>", encoding="utf-8")
    assert generic.read(page)[0].authors == ("Ann Lee", "Bo Park")


def test_a_book_of_these_pages_with_a_table_passes_epubcheck(tmp_path, epubcheck):
    import re
    import zipfile

    import deeplybook

    pages = [PAGES / f"{name}.html" for name in ("table-loans", "lists-cat", "essay-drovers", "very-short")]
    result = deeplybook.build(pages, tmp_path / "pages", title="Pages", formats=("epub",), cache=False)
    epubcheck(result.outputs["epub"])
    with zipfile.ZipFile(result.outputs["epub"]) as book:
        chapter = next(book.read(name).decode() for name in book.namelist() if name.endswith("library-loans-reach-record-high.xhtml"))
    assert re.search(r"<tr>\s*<th>Branch</th><th>Loans</th><th>Change</th></tr>", chapter)
    assert "<td>Riverside</td><td>64,150</td><td>+9%</td>" in chapter


@pytest.mark.parametrize(("head", "body", "title"), [
    # A kicker in the headline is kept, not taken for a site's name.
    ("<title>Analysis: What comes next | Valley Post</title>", "<span>Analysis</span><h1>Analysis: What comes next</h1>",
     "Analysis: What comes next"),
    # With a kicker that is also a text of the page, the longer part is the headline.
    ("<title>Analysis: What comes next</title>", "<span>Analysis</span><b>What comes next</b>", "What comes next"),
    # A dash inside a headline stays when nothing names a site.
    ("<title>Rain - and more rain</title>", "<p>nothing</p>", "Rain - and more rain"),
])
def test_title_parts(tmp_path, head, body, title):
    page = tmp_path / "page.html"
    words = " ".join(f"word{n}" for n in range(30))
    page.write_text(f"<html><head>{head}</head><body>{body}<article><p>{words}</p></article></body></html>",
                    encoding="utf-8")
    assert generic.read(page)[0].title == title
