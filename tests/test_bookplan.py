"""The book plan: every page once, in reading order, with the anchors and hrefs both writers use."""

from __future__ import annotations

from factories import article

from deeplybook import edition as edition_module
from deeplybook import toc
from deeplybook.bookplan import ARTICLE, INDEX, SECTION, is_book_href, link_target, plan
from deeplybook.model import Paragraph


def grouped_book():
    articles = [article(1, year=2016, topics=("Aleppo",)), article(2, year=2017, month=3),
                article(3, year=2017, month=5, topics=("Idlib",))]
    return edition_module.make(articles, title="Chronicle", group_by=["year", "month"],
                               foreword=(Paragraph("Why this book."),), back_matter=("topics", "sources"))


def test_pages_come_in_reading_order_with_their_depth_in_the_contents():
    book = plan(grouped_book())
    assert [(p.role, p.anchor, p.level) for p in book.pages] == [
        ("cover", "cover", 0), ("title", "title-page", 0), ("imprint", "imprint-page", 0), ("contents", "contents", 0),
        ("foreword", "foreword", 1),
        ("section", "section-001", 1), ("section", "section-002", 2), ("article", "story-1", 3),
        ("section", "section-003", 1), ("section", "section-004", 2), ("article", "story-2", 3),
        ("section", "section-005", 2), ("article", "story-3", 3),
        ("index", "index-topics", 1), ("index", "index-sources", 1),
    ]
    assert [p.title for p in book.having(SECTION)] == ["2016", "January 2016", "2017", "March 2017", "May 2017"]
    assert [p.count for p in book.having(SECTION)] == [1, 1, 2, 1, 1]
    assert book.body_start.anchor == "section-001"


def test_every_page_has_a_file_named_for_its_anchor_and_the_contents_point_at_them():
    book = plan(grouped_book())
    hrefs = {p.href for p in book.pages}
    assert len(hrefs) == len(book.pages) and len(book.anchors) == len(book.pages)
    assert {p.href for p in book.having(ARTICLE, SECTION, INDEX)} == {f"{p.anchor}.xhtml"
                                                                      for p in book.having(ARTICLE, SECTION, INDEX)}

    def walk(entries):
        for entry in entries:
            yield entry.href
            yield from walk(entry.children)

    assert book.toc == toc.build(book.edition)
    assert set(walk(book.toc)) <= hrefs


def test_the_indexes_are_made_once_in_the_plan():
    book = plan(grouped_book())
    topics = book.having(INDEX)[0]
    assert (topics.index, topics.title) == ("topics", "Topics")
    assert [(e.name, [a.slug for a in e.articles]) for e in topics.entries] == [
        ("Aleppo", ["story-1"]), ("Idlib", ["story-3"]), ("ISIS", ["story-2"])]
    assert [a.slug for a in book.having(INDEX)[1].entries] == ["story-1", "story-2", "story-3"]


def test_a_book_without_sections_or_matter_is_cover_title_imprint_contents_and_articles():
    book = plan(edition_module.make([article(2), article(1)], title="Flat"))
    assert [p.role for p in book.pages] == ["cover", "title", "imprint", "contents", "article", "article"]
    assert [a.slug for a in book.articles] == ["story-1", "story-2"]
    assert book.span == "2017" and book.sites == ("Syria Deeply",)


def test_a_link_between_pages_resolves_to_the_anchor_it_names():
    anchors = {"story-1", "section-001", "note-3"}
    assert link_target("story-1.xhtml", anchors) == "story-1"
    assert link_target("story-1.xhtml#note-3", anchors) == "note-3"  # a place inside a page wins
    assert link_target("story-1.xhtml#nowhere", anchors) == "story-1"
    assert link_target("story-9.xhtml", anchors) is None
    for address in ("https://example.org/story-1.xhtml", "../story-1.xhtml", "story-1.html", "#story-1",
                    "story-1.xhtml?x=1"):
        assert not is_book_href(address) and link_target(address, anchors) is None, address


def _depth(entries):
    return 1 + max((_depth(e.children) for e in entries), default=0) if entries else 0


def test_the_contents_page_lists_as_many_levels_as_asked_and_the_tree_stays_whole():
    whole = plan(grouped_book())
    assert whole.contents == whole.toc and _depth(whole.toc) == 3
    top = plan(grouped_book(), toc_depth=1)
    assert [(e.title, e.children) for e in top.contents] == [
        ("Foreword", ()), ("2016", ()), ("2017", ()), ("Topics", ()), ("Sources", ())]
    two = plan(grouped_book(), toc_depth=2)
    assert _depth(two.contents) == 2
    assert [c.title for c in two.contents[2].children] == ["March 2017", "May 2017"]
    assert top.toc == whole.toc  # bookmarks and navigation keep every level
