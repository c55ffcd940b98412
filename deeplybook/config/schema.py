"""The edition file's schema: its tables and keys, and the checked values as frozen dataclasses with their defaults."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import inputs
from ..model import Creator
from ..press import PrintOptions
from ..select import Selection

#: Roles a creator of the book may have.
ROLES = ("editor", "author", "compiler", "translator", "contributor")

#: Indexes that may follow the articles.
INDEXES = ("contributors", "topics", "sources")

#: Every table and the keys it takes.
SCHEMA: dict[str, tuple[str, ...]] = {
    "book": ("title", "subtitle", "creators", "publisher", "language", "identifier", "date", "rights",
             "description", "series", "series_position"),
    "sources": ("paths", "reader", "max_file_size", "allow_remote"),
    "select": ("from", "until", "topics", "authors", "kinds", "include", "exclude", "title", "text"),
    "group": ("by", "order"),
    "volumes": ("by", "max_articles"),
    "front": ("cover", "foreword", "imprint"),
    "front.imprint": ("source", "mirrored", "count", "built"),
    "back": ("indexes",),
    "output": ("folder", "stem", "formats", "theme", "chunk_size", "jobs", "pdf_tagged", "toc_depth", "css"),
    "print": ("trim", "bleed", "crop_marks", "paper", "cover_spread", "pdf_variant"),
    "run": ("scheduler",),
}


@dataclass(frozen=True, slots=True)
class Book:
    """The ``[book]`` table: the book's metadata."""

    title: str
    """The book's title (each volume adds its number or year to it)."""
    subtitle: str = ""
    """A line under the title."""
    creators: tuple[Creator, ...] = ()
    """Editors, compilers and others credited on the book."""
    publisher: str = ""
    """Who publishes the edition."""
    language: str = "en"
    """BCP 47 language tag."""
    identifier: str = ""
    """A stable unique identifier; derived from the content when empty."""
    date: dt.datetime | None = None
    """The edition's publication date; the build time when ``None``."""
    rights: str = ""
    """Copyright and licence statement."""
    description: str = ""
    """A paragraph about the book for catalogues."""
    series: str = ""
    """The collection the book belongs to; volumes default to the book's title."""
    series_position: int | None = None
    """The book's number in ``series`` when it is not split into volumes."""


@dataclass(frozen=True, slots=True)
class Sources:
    """The ``[sources]`` table: where the articles are."""

    paths: tuple[Path, ...]
    """Files and folders, globs expanded, in the order written."""
    reader: str | None = None
    """A reader to use for every file instead of choosing one by content."""
    limits: inputs.Limits = inputs.Limits()
    """How much is read: the size limit a file, and whether pictures may be fetched over http(s)."""


@dataclass(frozen=True, slots=True)
class Grouping:
    """The ``[group]`` table: sections and order."""

    by: tuple[str, ...] = ()
    """Grouping keys, outermost first (``("year", "month")``); empty for one section."""
    order: str = "date"
    """``"date"``, ``"date-desc"`` or ``"title"``."""


@dataclass(frozen=True, slots=True)
class Volumes:
    """The ``[volumes]`` table: how a long edition is cut into books."""

    by_year: bool = False
    """One volume a year (undated articles last)."""
    max_articles: int | None = None
    """At most this many articles a volume, in book order."""

    @property
    def split(self) -> bool:
        """Whether the edition is cut into volumes at all."""
        return self.by_year or self.max_articles is not None


@dataclass(frozen=True, slots=True)
class Imprint:
    """The ``[front.imprint]`` table: where the book's text comes from."""

    source: str = ""
    """The archive the articles were read from."""
    mirrored: dt.date | None = None
    """When that archive was copied."""
    count: bool = True
    """Print the number of articles in the book."""
    built: bool = True
    """Print the day the book was made."""


@dataclass(frozen=True, slots=True)
class Front:
    """The ``[front]`` table: cover, foreword and imprint."""

    cover: Path | None = None
    """A cover picture; a typographic cover is made when ``None``."""
    foreword: Path | None = None
    """The foreword's Markdown file; the build reads it."""
    imprint: Imprint | None = None
    """Provenance lines for the imprint page, when the file asks for them."""


@dataclass(frozen=True, slots=True)
class Output:
    """The ``[output]`` table: what is written where."""

    folder: Path
    """Where the books go."""
    stem: str
    """File name without suffix; volumes add ``-vol1``, ``-vol2``..."""
    formats: tuple[str, ...] = ("epub", "pdf")
    """Formats to write."""
    theme: str = "default"
    """A built-in theme name, or a theme folder."""
    chunk_size: int | None = None
    """Articles per PDF render chunk; the writer's default when ``None``."""
    jobs: int | None = None
    """Processes rendering the PDF; all cores when ``None``."""
    pdf_tagged: bool = False
    """A tagged PDF (PDF/UA-1), rendered as one document."""
    toc_depth: int | None = None
    """Levels of the contents tree the Contents page lists (1: the top level only); all when ``None``."""
    css: Path | None = None
    """A stylesheet added after the theme's in both formats (as ``--css``)."""

    @property
    def stem_path(self) -> Path:
        """The output path without suffix."""
        return self.folder / self.stem


@dataclass(frozen=True, slots=True)
class Run:
    """The ``[run]`` table: where the build's tasks run."""

    scheduler: str = ""
    """A Dask scheduler for reading and rendering: ``local:N`` (a cluster of N processes here) or an address like
    ``tcp://host:8786``; empty: this machine's processes, unless ``$DEEPLYBOOK_SCHEDULER`` names one."""


@dataclass(frozen=True, slots=True)
class EditionConfig:
    """A checked edition file."""

    path: Path | None
    """The edition file itself; ``None`` for one made in memory (the quick form)."""
    book: Book
    """Metadata."""
    sources: Sources
    """Where the articles are."""
    select: Selection = field(default_factory=Selection)
    """Which articles go in."""
    group: Grouping = field(default_factory=Grouping)
    """Sections and order."""
    volumes: Volumes = field(default_factory=Volumes)
    """How the edition is cut into books."""
    front: Front = field(default_factory=Front)
    """Cover, foreword and imprint."""
    back_matter: tuple[str, ...] = INDEXES
    """Indexes after the articles."""
    output: Output = field(default_factory=lambda: Output(Path("build"), "book"))
    """What is written where."""
    printing: PrintOptions = field(default_factory=PrintOptions)
    """How the PDF is printed: ``[print]``."""
    run: Run = field(default_factory=Run)
    """Where the build's tasks run: ``[run]``."""
    extra: dict[str, Any] = field(default_factory=dict)
    """``Edition`` fields an edition file has no key for, given through the Python API (``provenance``...)."""
