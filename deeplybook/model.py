"""The document model: articles as typed blocks, and editions as trees of sections.

Readers produce these objects, editions arrange them, themes and writers consume
them. Nothing here parses or renders.

Inline text (``Inline``) is a string of *sanitised* XHTML inline markup: escaped
text plus only ``<em>``, ``<strong>``, ``<a href>``, ``<sub>``, ``<sup>``,
``<abbr>``, ``<br/>``. Readers guarantee that (``deeplybook.sanitize.inline``
makes it); writers place it in a page as it is, without parsing it again.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator

#: Sanitised inline XHTML; see the module docstring.
Inline = str


class Kind(enum.StrEnum):
    """What sort of piece an article is."""

    ARTICLE = "article"
    OPED = "op-ed"
    QA = "q&a"
    BRIEFING = "briefing"


@dataclass(frozen=True, slots=True)
class Image:
    """A picture an article refers to."""

    url: str
    """Where the page pointed (absolute URL or path as written in the page)."""
    path: str | None = None
    """A local file holding the picture, when the archive has one."""
    alt: str = ""
    """Alternative text for readers who cannot see it."""


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph of running text."""

    text: Inline
    """The paragraph's inline content, without any dateline."""
    dateline: str | None = None
    """The place name that opens a news story ("BEIRUT"), when this paragraph has one."""


@dataclass(frozen=True, slots=True)
class Heading:
    """A subhead inside an article."""

    text: Inline
    """The heading's inline content."""
    level: int = 2
    """2 for a subhead, 3 and deeper for headings below it."""


@dataclass(frozen=True, slots=True)
class Figure:
    """A photograph, chart or other picture with its caption and credit."""

    caption: Inline = ""
    """What the picture shows."""
    credit: str = ""
    """Who made it ("STRINGER/AFP/Getty Images")."""
    image: Image | None = None
    """The picture itself; ``None`` when only the caption survives."""


@dataclass(frozen=True, slots=True)
class Quote:
    """A block quotation."""

    paragraphs: tuple[Inline, ...]
    """The quoted text, one item a paragraph."""
    cite: str = ""
    """Who or what is quoted, when the page says."""


@dataclass(frozen=True, slots=True)
class ItemList:
    """A bulleted or numbered list."""

    items: tuple[Inline, ...]
    """One inline string per item."""
    ordered: bool = False
    """True for a numbered list."""


@dataclass(frozen=True, slots=True)
class Table:
    """A table of data, row by row."""

    cells: tuple[Inline, ...]
    """Every cell's inline content, row after row; short rows are filled with empty cells."""
    columns: int
    """Cells a row."""
    head_rows: int = 0
    """How many of the first rows are headings."""


@dataclass(frozen=True, slots=True)
class Exchange:
    """One question and its answer in an interview."""

    question: Inline
    """The question, without the asker's label."""
    answer: tuple[Inline, ...]
    """The answer, one item a paragraph, without the speaker's label."""
    asker: str = ""
    """Who asks ("Syria Deeply"); empty when the page does not say."""
    speaker: str = ""
    """Who answers ("Fabrice Balanche"); empty when the page does not say."""


@dataclass(frozen=True, slots=True)
class Embed:
    """Media that cannot go in a book (audio, video, a tweet), kept as a linked note."""

    kind: str
    """"audio", "video", "tweet", "map" or "media" (anything else)."""
    url: str
    """The original address of the media: once the edition is made, its public page, or "" when it has none."""
    title: str = ""
    """What the media is, when known."""
    service: str = ""
    """Who holds the media, as printed ("Vimeo", "Twitter/X", or the host name); filled in by the edition."""


Block = Paragraph | Heading | Figure | Quote | ItemList | Table | Exchange | Embed

#: The fields of each block kind that hold inline text, in reading order; each is an
#: ``Inline`` or a tuple of them. Kinds not named (``Embed``) hold none. The one place
#: that knows where a block keeps its text: walk blocks with the two functions below.
_INLINE_FIELDS: dict[type, tuple[str, ...]] = {
    Paragraph: ("text",),
    Heading: ("text",),
    Figure: ("caption",),
    Quote: ("paragraphs",),
    ItemList: ("items",),
    Table: ("cells",),
    Exchange: ("question", "answer"),
}


def inline_texts(blocks: Iterable[Block]) -> Iterator[Inline]:
    """Every inline string of ``blocks`` in reading order (texts, captions, quoted paragraphs,
    list items, questions and answers); credits, cites and speaker labels are plain text, not inline."""
    for block in blocks:
        for name in _INLINE_FIELDS.get(type(block), ()):
            value = getattr(block, name)
            if isinstance(value, str):
                yield value
            else:
                yield from value


def map_inline(blocks: tuple[Block, ...], fix: Callable[[Inline], Inline]) -> tuple[Block, ...]:
    """``blocks`` with ``fix`` applied to every inline string, as ``inline_texts`` walks them.

    A block whose strings ``fix`` leaves equal is returned as the same object, and so is
    the tuple when no block changes: callers can tell "nothing to do" by identity.
    """
    mapped = tuple(_map_block(block, fix) for block in blocks)
    return blocks if all(new is old for new, old in zip(mapped, blocks)) else mapped


def _map_block(block: Block, fix: Callable[[Inline], Inline]) -> Block:
    # Any: which fields these are depends on the block's kind, beyond what a checker follows.
    changes: dict[str, Any] = {}
    for name in _INLINE_FIELDS.get(type(block), ()):
        old = getattr(block, name)
        new = fix(old) if isinstance(old, str) else tuple(fix(text) for text in old)
        if new != old:
            changes[name] = new
    return dataclasses.replace(block, **changes) if changes else block


@dataclass(frozen=True, slots=True)
class Article:
    """One article, op-ed, interview or briefing, as the reader should see it."""

    title: str
    """The headline, plain text."""
    body: tuple[Block, ...]
    """The article's content in reading order."""
    dek: str = ""
    """The standfirst under the headline, plain text."""
    authors: tuple[str, ...] = ()
    """Bylines in page order."""
    date: dt.datetime | None = None
    """Publication time, aware: in UTC, or at the offset the page gives (its own day); ``None`` when not given."""
    modified: dt.datetime | None = None
    """Last modification time (UTC), when given."""
    read_time: int | None = None
    """The page's own reading-time estimate in minutes."""
    topics: tuple[str, ...] = ()
    """Subject tags ("ISIS", "Diplomacy & Foreign Affairs")."""
    kind: Kind = Kind.ARTICLE
    """What sort of piece this is."""
    category: str = ""
    """The site's own label for the kind ("Q&A", "Op-Eds"), as printed."""
    url: str = ""
    """The original public address of the article."""
    site: str = ""
    """The publication it came from ("Syria Deeply")."""
    lead: Figure | None = None
    """The lead photo with caption and credit."""
    slug: str = ""
    """A stable short name, unique within an edition; used for file names and links."""
    source: str = ""
    """The input file it was read from, as given to the reader."""
    also_at: tuple[str, ...] = ()
    """Other addresses where the same story was published (republished, or on another site), printed once."""
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    """Metadata a reader found that the model has no field for."""

    @property
    def dateline(self) -> str | None:
        """The dateline of the first paragraph that has one."""
        for block in self.body:
            if isinstance(block, Paragraph) and block.dateline:
                return block.dateline
        return None

    @property
    def exchanges(self) -> tuple[Exchange, ...]:
        """The interview exchanges in the body."""
        return tuple(b for b in self.body if isinstance(b, Exchange))


@dataclass(frozen=True, slots=True)
class Section:
    """A titled group of articles, possibly holding smaller groups (year, then month)."""

    title: str
    """The group's heading ("2017", "ISIS"); empty for an untitled single section."""
    articles: tuple[Article, ...] = ()
    """Articles directly in this section, in book order."""
    sections: tuple["Section", ...] = ()
    """Subsections, after the direct articles."""

    def walk(self):
        """Every article in this section and below, in book order."""
        yield from self.articles
        for sub in self.sections:
            yield from sub.walk()


@dataclass(frozen=True, slots=True)
class Creator:
    """A person or body credited on the book."""

    name: str
    """As printed."""
    role: str = "editor"
    """"editor", "author", "compiler" ...; MARC relator codes are derived from it."""


@dataclass(frozen=True, slots=True)
class Edition:
    """A book: metadata and a tree of sections."""

    title: str
    """The book's title."""
    sections: tuple[Section, ...]
    """The content, in book order."""
    subtitle: str = ""
    """A line under the title."""
    language: str = "en"
    """BCP 47 language tag."""
    identifier: str = ""
    """A stable unique identifier (``urn:uuid:...``); derived from the content when empty."""
    date: dt.datetime | None = None
    """The edition's date (publication); the build time when ``None``."""
    publisher: str = ""
    """Who publishes the edition."""
    creators: tuple[Creator, ...] = ()
    """Editors, compilers and other credited people."""
    description: str = ""
    """A paragraph about the book for catalogues."""
    rights: str = ""
    """Copyright and licence statement."""
    cover: str | None = None
    """Path of a cover image; a typographic cover is generated when ``None``."""
    series: str = ""
    """The collection this book belongs to ("Syria Deeply: The Complete Archive")."""
    series_position: int | None = None
    """This book's number in the series (a volume number)."""
    foreword: tuple[Block, ...] = ()
    """Front matter text by the edition's makers, shown after the title page."""
    provenance: tuple[tuple[str, str], ...] = ()
    """Imprint lines (label, value): source archive, mirror date, article count..."""
    back_matter: tuple[str, ...] = ()
    """Which indexes follow the articles, in order: any of "contributors", "topics", "sources"."""

    @property
    def articles(self) -> tuple[Article, ...]:
        """Every article in book order."""
        return tuple(a for s in self.sections for a in s.walk())


@dataclass(frozen=True, slots=True)
class TocEntry:
    """One line of the table of contents; built once, handed to every writer."""

    title: str
    """The text shown."""
    href: str
    """Where it points, relative to the book (``"a-0001.xhtml"``, ``"a-0001.xhtml#s"``)."""
    children: tuple["TocEntry", ...] = ()
    """Entries below it."""
