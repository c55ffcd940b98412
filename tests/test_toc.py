"""The contents tree: titled sections hold their articles, untitled ones give theirs to their parent."""

from __future__ import annotations

from factories import article

from deeplybook import edition as edition_module
from deeplybook import toc
from deeplybook.model import Paragraph, Section, TocEntry


def shape(entries):
    return [(e.title, e.href, shape(e.children)) for e in entries]


def test_sections_nest_and_number_in_book_order():
    book = edition_module.make([article(1, year=2016), article(2, year=2017, month=3), article(3, year=2017)],
                               title="Chronicle", group_by=["year", "month"])
    assert shape(toc.build(book)) == [
        ("2016", "section-001.xhtml", [("January 2016", "section-002.xhtml",
                                        [("Story number 1", "story-1.xhtml", [])])]),
        ("2017", "section-003.xhtml", [("January 2017", "section-004.xhtml",
                                        [("Story number 3", "story-3.xhtml", [])]),
                                       ("March 2017", "section-005.xhtml",
                                        [("Story number 2", "story-2.xhtml", [])])]),
    ]


def test_an_ungrouped_book_is_a_flat_list_between_its_foreword_and_indexes():
    book = edition_module.make([article(1), article(2)], title="Flat", foreword=(Paragraph("Why."),),
                               back_matter=("contributors",))
    assert toc.build(book) == (TocEntry("Foreword", "foreword.xhtml"),
                               TocEntry("Story number 1", "story-1.xhtml"),
                               TocEntry("Story number 2", "story-2.xhtml"),
                               TocEntry("Contributors", "index-contributors.xhtml"))


def test_an_untitled_section_gives_its_articles_and_subsections_to_its_parent():
    one, two, three = (article(n) for n in (1, 2, 3))
    book = edition_module.assemble([one, two, three], (
        Section("", (one,), (Section("Inside", (two,)),)),
        Section("After", (three,)),
    ), title="Mixed")
    assert shape(toc.build(book)) == [
        ("Story number 1", "story-1.xhtml", []),
        ("Inside", "section-001.xhtml", [("Story number 2", "story-2.xhtml", [])]),
        ("After", "section-002.xhtml", [("Story number 3", "story-3.xhtml", [])]),
    ]
