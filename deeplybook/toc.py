"""The table of contents tree, built once from an edition and handed to every writer.

Hrefs follow the book's one convention: each article lives in ``<slug>.xhtml``,
each section opens with a divider page ``<section_id>.xhtml``, the foreword is
``foreword.xhtml`` and each index ``index-<kind>.xhtml`` (see ``deeplybook.indices``). The EPUB writer uses
them as file names; the PDF writer turns ``X.xhtml`` into the anchor ``#X``.
"""

from __future__ import annotations

from typing import Callable

from .indices import TITLES, page_id
from .model import Edition, Section, TocEntry

#: The foreword's page, before the articles.
FOREWORD = "foreword"


def article_href(slug: str) -> str:
    """The book href of the article with this slug."""
    return f"{slug}.xhtml"


def section_ids(edition: Edition) -> dict[int, str]:
    """A stable id for every titled section, keyed by ``id(section)``, in book order."""
    ids: dict[int, str] = {}

    def visit(sections: tuple[Section, ...]) -> None:
        for section in sections:
            if section.title:
                ids[id(section)] = f"section-{len(ids) + 1:03d}"
            visit(section.sections)

    visit(edition.sections)
    return ids


def build(edition: Edition, say: Callable[[str], str] = str) -> tuple[TocEntry, ...]:
    """The contents tree: titled sections hold their articles and subsections.

    Untitled sections contribute their articles at their parent's level, so a book
    without grouping has a flat list of articles.
    """
    ids = section_ids(edition)

    def entries(sections: tuple[Section, ...]) -> list[TocEntry]:
        out: list[TocEntry] = []
        for section in sections:
            children = [TocEntry(a.title, article_href(a.slug)) for a in section.articles]
            children += entries(section.sections)
            if section.title:
                out.append(TocEntry(section.title, f"{ids[id(section)]}.xhtml", tuple(children)))
            else:
                out.extend(children)
        return out

    front = [TocEntry(say("Foreword"), f"{FOREWORD}.xhtml")] if edition.foreword else []
    back = [TocEntry(say(TITLES[kind]), f"{page_id(kind)}.xhtml") for kind in edition.back_matter]
    return (*front, *entries(edition.sections), *back)
