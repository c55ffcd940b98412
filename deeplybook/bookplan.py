"""The book plan: an edition's pages in reading order and its contents tree, made once for every writer.

A writer never walks the edition's sections itself: it renders the pages of the
plan in order, each by its ``role``, and prints ``plan.toc`` as the contents. Every
page has an ``anchor`` (its id in a one-file format such as the PDF) and an
``href`` (its file in a many-file format such as the EPUB); links between pages in
the model's inline text use the hrefs (``<slug>.xhtml``, see ``deeplybook.toc``),
and ``target`` tells a one-file writer which anchor such a link goes to.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from typing import Callable, Collection

from . import indices, toc
from .cover import date_span
from .model import Article, Edition, Section, TocEntry

#: Page roles, in the order they come in a book.
COVER, TITLE, IMPRINT, CONTENTS, FOREWORD, SECTION, ARTICLE, INDEX = (
    "cover", "title", "imprint", "contents", "foreword", "section", "article", "index")

#: The anchor of the cover (its file is ``cover.xhtml``).
COVER_ANCHOR = "cover"
#: The anchor of the title page (its file is ``title.xhtml``).
TITLE_ANCHOR = "title-page"
#: The anchor of the imprint, the copyright page behind the title page (its file is ``imprint.xhtml``).
IMPRINT_ANCHOR = "imprint-page"
#: The anchor of the contents (its file is the EPUB's navigation document).
CONTENTS_ANCHOR = "contents"


@dataclass(frozen=True, slots=True)
class Page:
    """One page of the book (or the run of pages one article takes), in reading order."""

    role: str
    """What the page is: ``cover``, ``title``, ``imprint``, ``contents``, ``foreword``, ``section``, ``article``
    or ``index``."""
    anchor: str
    """Its id in a one-file book (``section-001``, the article's slug, ``index-topics``)."""
    href: str
    """Its file in a many-file book (``section-001.xhtml``, ``<slug>.xhtml``, ``nav.xhtml``)."""
    title: str
    """The heading it is listed under."""
    level: int = 0
    """Its depth in the contents tree: 1 at the top; 0 for the cover, title page, imprint and contents."""
    article: Article | None = None
    """The article, on an ``article`` page."""
    count: int = 0
    """How many articles a ``section`` page opens, subsections included."""
    index: str = ""
    """The kind of index (``contributors``, ``topics``, ``sources``) on an ``index`` page."""
    entries: tuple = ()
    """An index page's entries as ``deeplybook.indices`` makes them."""


@dataclass(frozen=True)
class BookPlan:
    """The pages of one book in reading order, its contents tree, and what its front matter prints."""

    edition: Edition
    """The edition the book is made of."""
    pages: tuple[Page, ...]
    """Every page in reading order, the cover first."""
    toc: tuple[TocEntry, ...]
    """The contents tree (see ``deeplybook.toc``)."""
    span: str
    """The years the articles cover ("2013–2018"), or empty when none is dated."""
    sites: tuple[str, ...]
    """The sites the articles come from, sorted."""
    toc_depth: int | None = None
    """How many levels of ``toc`` the Contents page lists (1: the top level only); all when ``None``."""

    @property
    def articles(self) -> tuple[Article, ...]:
        """The book's articles in reading order."""
        return tuple(page.article for page in self.pages if page.article is not None)

    @cached_property
    def anchors(self) -> frozenset[str]:
        """The anchor of every page: what an in-book link may point at."""
        return frozenset(page.anchor for page in self.pages)

    @cached_property
    def contents(self) -> tuple[TocEntry, ...]:
        """The contents tree cut to ``toc_depth`` levels: what the Contents page lists.

        ``toc`` stays whole for what a reader navigates by rather than reads, such as
        the PDF's bookmarks.
        """
        return cut(self.toc, self.toc_depth)

    def having(self, *roles: str) -> tuple[Page, ...]:
        """The pages of the given roles, in reading order."""
        return tuple(page for page in self.pages if page.role in roles)

    @property
    def body_start(self) -> Page:
        """The first page after the front matter: a section opener or an article."""
        return self.having(SECTION, ARTICLE)[0]

    def target(self, href: str) -> str | None:
        """The anchor an in-book href leads to; ``None`` if no page of this book has it (see ``link_target``)."""
        return link_target(href, self.anchors)


def cut(entries: tuple[TocEntry, ...], depth: int | None) -> tuple[TocEntry, ...]:
    """The contents tree ``entries`` down to ``depth`` levels (1: the top level only); whole when ``None``."""
    if depth is None:
        return entries
    if depth <= 1:
        return tuple(replace(entry, children=()) for entry in entries)
    return tuple(replace(entry, children=cut(entry.children, depth - 1)) for entry in entries)


def is_book_href(href: str) -> bool:
    """Whether ``href`` names a page of a book (``<name>.xhtml``, ``<name>.xhtml#id``), not an address."""
    name = href.partition("#")[0]
    return name.endswith(".xhtml") and not any(mark in name for mark in ':/?"')


def link_target(href: str, anchors: Collection[str]) -> str | None:
    """The anchor among ``anchors`` an in-book href leads to; ``None`` if it is an address or leads nowhere.

    A fragment that is an anchor wins over its file, so a link may point at a
    place inside a page; any other fragment means the file's page.
    """
    if not is_book_href(href):
        return None
    name, _, fragment = href.partition("#")
    for anchor in (fragment, name.removesuffix(".xhtml")):
        if anchor in anchors:
            return anchor
    return None


def plan(edition: Edition, *, toc_depth: int | None = None, say: Callable[[str], str] = str) -> BookPlan:
    """The plan of ``edition``'s book: cover, title page, imprint, contents, foreword, sections and articles, indexes.

    ``toc_depth`` is how many levels the Contents page lists (all when ``None``);
    ``say`` puts the book's own headings ("Contents", "Foreword", "Topics") in the
    edition's language (a theme's ``words``; English as they are without it).
    """
    articles = edition.articles
    dates = [a.date for a in articles if a.date]
    pages = [Page(COVER, COVER_ANCHOR, "cover.xhtml", edition.title),
             Page(TITLE, TITLE_ANCHOR, "title.xhtml", edition.title),
             Page(IMPRINT, IMPRINT_ANCHOR, "imprint.xhtml", say("Imprint")),
             Page(CONTENTS, CONTENTS_ANCHOR, "nav.xhtml", say("Contents"))]
    if edition.foreword:
        pages.append(Page(FOREWORD, toc.FOREWORD, f"{toc.FOREWORD}.xhtml", say("Foreword"), level=1))
    pages += _body(edition)
    for kind in edition.back_matter:
        name = indices.page_id(kind)
        pages.append(Page(INDEX, name, f"{name}.xhtml", say(indices.TITLES[kind]), level=1, index=kind,
                          entries=getattr(indices, kind)(edition)))
    return BookPlan(edition, tuple(pages), toc.build(edition, say),
                    date_span(min(dates, default=None), max(dates, default=None)),
                    tuple(sorted({a.site for a in articles if a.site})), toc_depth)


def _body(edition: Edition) -> list[Page]:
    """Section openers and articles in reading order, each at its depth in the contents tree."""
    ids = toc.section_ids(edition)
    pages: list[Page] = []

    def visit(sections: tuple[Section, ...], level: int) -> None:
        for section in sections:
            inner = level
            if section.title:
                anchor = ids[id(section)]
                pages.append(Page(SECTION, anchor, f"{anchor}.xhtml", section.title, level,
                                  count=sum(1 for _ in section.walk())))
                inner = level + 1
            pages.extend(Page(ARTICLE, a.slug, toc.article_href(a.slug), a.title, inner, article=a)
                         for a in section.articles)
            visit(section.sections, inner)

    visit(edition.sections, 1)
    return pages
