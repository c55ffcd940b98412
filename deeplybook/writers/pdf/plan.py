"""The PDF's own plan: the book plan cut into pieces that WeasyPrint renders as separate documents.

Pieces go to worker processes, so they are plain frozen dataclasses, small to send:
the edition travels without its articles, an index with light copies of them.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field, replace

from ...bookplan import ARTICLE, CONTENTS, COVER, IMPRINT, INDEX, SECTION, TITLE, BookPlan, Page
from ...model import Article, Edition, TocEntry
from ...themes import Theme

#: Articles per chunk when the caller does not say: large enough that WeasyPrint's
#: fixed cost per document is small, small enough that memory stays low and that
#: several workers get several chunks each to balance their load.
MAX_CHUNK = 25
MIN_CHUNK = 8
#: Chunks the automatic size aims at: four each for four workers, so none idles at the end.
#: Not a number per worker: each chunk embeds its own font subsets, so the chunks
#: show in the book's bytes, which must not depend on the machine's cores.
CHUNKS_WANTED = 16
#: Pages an article may take at most, for the width of the page-number stand-ins.
MAX_PAGES_PER_ARTICLE = 6


@dataclass(frozen=True, slots=True)
class CoverPicture:
    """The picture the cover page shows, edge to edge."""

    digest: str
    """A hash of the picture's bytes: what a cached front matter is keyed by, not the file's place."""
    generated: bool
    """True for the typographic cover the writer made (the page's shape); False for the edition's own."""
    path: str = field(default="", repr=False)
    """The picture's file (a generated one is named by its content: see ``write_pdf``'s ``_cover_file``)."""


@dataclass(frozen=True, slots=True)
class FrontMatter:
    """What the cover, title page, imprint and contents need; the edition comes without its articles."""

    edition: Edition
    """The edition's metadata; ``sections`` is emptied to keep the piece small to send."""
    toc: tuple[TocEntry, ...]
    """The contents tree as the Contents page lists it (cut to the edition's ``toc_depth``)."""
    article_count: int
    """How many articles the book holds."""
    span: str
    """The years the book covers ('2013–2018'), or empty."""
    made: dt.datetime
    """The build time printed in the imprint."""
    pages: tuple[Page, ...] = ()
    """The book plan's front pages in order: cover, title page, imprint, contents."""
    cover: CoverPicture | None = None
    """The cover's picture; no cover page without one."""
    sites: tuple[str, ...] = ()
    """The sites the articles come from, for the imprint."""
    sections: frozenset[str] = frozenset()
    """The anchors of the section openers: their contents entries are set apart."""


@dataclass(frozen=True, slots=True)
class BackMatter:
    """The indexes after the articles."""

    indexes: tuple[tuple[str, str, tuple], ...]
    """(kind, heading, entries) per index, entries as ``deeplybook.indices`` makes them
    but holding light copies of the articles (title, slug, date and address only)."""


@dataclass(frozen=True, slots=True)
class Piece:
    """A piece of the book rendered as one WeasyPrint document."""

    theme: Theme
    """The theme whose templates and CSS render it."""
    edition: Edition
    """The edition's metadata (``sections`` emptied)."""
    pages: tuple[Page, ...]
    """Section openers and articles of the book plan, in reading order."""
    front: FrontMatter | None
    """Title page and contents, when this piece opens the book."""
    anchors: frozenset[str]
    """Every anchor of the whole book: in-book links to anything else are dropped."""
    one_document: bool
    """True when this piece is the whole book: links are ``#anchor`` and WeasyPrint numbers pages."""
    meta: tuple[tuple[str, str], ...] = ()
    """``<meta name content>`` pairs for WeasyPrint's PDF metadata (one document only)."""
    back: BackMatter | None = None
    """The indexes, when this piece closes the book."""
    digits: int = 4
    """How many digits the widest page number may have: the width of the stand-ins."""
    tagged: bool = False
    """A tagged PDF (PDF/UA-1): structure tree, language, alt text; for the whole book in one document only."""
    variant: str = ""
    """Another PDF variant WeasyPrint writes (``pdf/a-3b``, ``pdf/x-4``...); for one document only."""


def front_matter(plan: BookPlan, made: dt.datetime, cover: CoverPicture | None = None) -> FrontMatter:
    """The front matter's part of ``plan`` (cover, title page, imprint, contents), dated ``made``."""
    return FrontMatter(bare(plan.edition), plan.contents, len(plan.articles), plan.span, made,
                       plan.having(COVER, TITLE, IMPRINT, CONTENTS), cover, plan.sites,
                       frozenset(page.anchor for page in plan.having(SECTION)))


def back_matter(plan: BookPlan) -> BackMatter | None:
    """The plan's indexes holding light copies of its articles; ``None`` when it has none."""
    light = {a.slug: Article(title=a.title, body=(), slug=a.slug, date=a.date, url=a.url) for a in plan.articles}
    made = []
    for page in plan.having(INDEX):
        if page.index == "sources":
            entries = tuple(light[a.slug] for a in page.entries)
        else:
            entries = tuple(replace(e, articles=tuple(light[a.slug] for a in e.articles)) for e in page.entries)
        made.append((page.index, page.title, entries))
    return BackMatter(tuple(made)) if made else None


def bare(edition: Edition) -> Edition:
    """The edition's metadata without its articles."""
    return replace(edition, sections=())


def body(plan: BookPlan) -> tuple[Page, ...]:
    """The section openers and articles, the pages the chunks are cut from."""
    return plan.having(SECTION, ARTICLE)


def automatic_chunk_size(article_count: int) -> int:
    """Articles per chunk: ``CHUNKS_WANTED`` chunks, within ``MIN_CHUNK``..``MAX_CHUNK`` articles each."""
    return max(MIN_CHUNK, min(MAX_CHUNK, math.ceil(article_count / CHUNKS_WANTED)))


def chunks_of(pages: tuple[Page, ...], size: int) -> list[tuple[Page, ...]]:
    """Cut the body into runs of ``size`` articles; a section opener goes with the article after it."""
    chunks: list[tuple[Page, ...]] = []
    current: list[Page] = []
    count = 0
    for page in pages:
        if count == size:
            chunks.append(tuple(current))
            current, count = [], 0
        current.append(page)
        count += page.role == ARTICLE
    if current:
        chunks.append(tuple(current))
    return chunks


def weight(chunk: tuple[Page, ...]) -> int:
    """Roughly how long a chunk takes to lay out: the length of its articles' bodies."""
    return sum(len(repr(page.article.body)) for page in chunk if page.article is not None)


def stand_in_digits(article_count: int) -> int:
    """How many digits the page-number stand-ins hold: enough for a book of long articles."""
    return len(str(MAX_PAGES_PER_ARTICLE * article_count + 20))
