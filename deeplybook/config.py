"""Edition files (TOML): their schema, and ``load()`` that reports every problem at once.

An edition file describes one book (or a series of volumes) made from an archive::

    [book]      title, subtitle, creators, publisher, language, identifier, date,
                rights, description, series, series_position
    [sources]   paths (files, folders, globs), reader, max_file_size, allow_remote
    [select]    from, until, topics, authors, kinds, include, exclude, title, text
    [group]     by, order
    [volumes]   by = "year" | max_articles = N
    [front]     cover, foreword; [front.imprint] source, mirrored, count, built
    [back]      indexes
    [output]    folder, stem, formats, theme, chunk_size, jobs, pdf_tagged

Every path is relative to the edition file's folder, and nothing is read but what
the file names: the cover and foreword must lie in the edition file's folder or a
source folder, symlinks resolved, or they are left out with a ``file-refused``
warning. ``load`` checks the whole file before it gives up, so one
``ConfigError`` lists every problem with its key and line; keys it does not know
are warnings (``config-unknown-key``) that suggest the key that was likely meant.
"""

from __future__ import annotations

import datetime as dt
import difflib
import glob
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from . import inputs, readers, themes
from .edition import GROUPS, ORDERS, slugify
from .errors import ConfigError, DeeplybookError
from .log import warn
from .model import Creator, Kind
from .output import FORMATS, atomic_path
from .select import Selection

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
    "output": ("folder", "stem", "formats", "theme", "chunk_size", "jobs", "pdf_tagged"),
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

    @property
    def stem_path(self) -> Path:
        """The output path without suffix."""
        return self.folder / self.stem


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
    extra: dict[str, Any] = field(default_factory=dict)
    """``Edition`` fields an edition file has no key for, given through the Python API (``provenance``...)."""


def load(path: str | Path) -> EditionConfig:
    """Read and check the edition file at ``path``.

    Raises ``ConfigError`` listing every problem (each with its key and line) when
    the file is not a valid edition file.
    """
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise ConfigError([f"cannot be read: {exc.strerror or exc}"], path) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError([f"not UTF-8 text (byte {exc.start})"], path) from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"invalid TOML: {exc}"], path) from exc
    checker = _Checker(data, key_lines(text), path)
    config = checker.config()
    if checker.problems:
        raise ConfigError(checker.problems, path)
    return config


def key_lines(text: str) -> dict[str, int]:
    """The line (from 1) where each table and key of a TOML text is first written.

    Keys are dotted from their table (``"select.from"``). It reads the usual layout
    (headers on their own lines, one key a line); keys inside inline tables or
    multi-line values are not seen, and their table's or parent key's line stands in.
    """
    lines: dict[str, int] = {}
    table = ""
    in_multiline = None
    for number, line in enumerate(text.splitlines(), start=1):
        if in_multiline:
            if line.count(in_multiline) % 2:
                in_multiline = None
            continue
        header = _HEADER.match(line)
        if header:
            table = _dotted(header.group("name"))
            lines.setdefault(table, number)
            continue
        assignment = _ASSIGNMENT.match(line)
        if assignment:
            key = _dotted(assignment.group("key"))
            lines.setdefault(f"{table}.{key}" if table else key, number)
            rest = line[assignment.end():]
            for quotes in ('"""', "'''"):
                if rest.count(quotes) % 2:
                    in_multiline = quotes
    return lines


_KEY_PART = r'(?:[A-Za-z0-9_-]+|"[^"]*"|\'[^\']*\')'
_HEADER = re.compile(rf"^\s*\[\[?\s*(?P<name>{_KEY_PART}(?:\s*\.\s*{_KEY_PART})*)\s*\]\]?\s*(?:#.*)?$")
_ASSIGNMENT = re.compile(rf"^\s*(?P<key>{_KEY_PART}(?:\s*\.\s*{_KEY_PART})*)\s*=")


def _dotted(name: str) -> str:
    parts = re.findall(_KEY_PART, name)
    return ".".join(p.strip("\"'") for p in parts)


_MISSING = object()


class _Checker:
    """Walks the parsed file, collecting problems instead of stopping at the first."""

    def __init__(self, data: dict[str, Any], lines: dict[str, int], path: Path) -> None:
        self.data = data
        self.lines = lines
        self.path = path
        self.base = path.parent
        self.problems: list[str] = []
        self.roots: tuple[str, ...] = inputs.roots_of([self.base])
        self.limits = inputs.Limits()

    def line_of(self, key: str) -> int | None:
        """The line of ``key``, or of the nearest enclosing key or table that was found."""
        parts = key.split(".")
        while parts:
            found = self.lines.get(".".join(parts))
            if found is not None:
                return found
            parts.pop()
        return None

    def problem(self, key: str, message: str) -> None:
        line = self.line_of(key)
        where = f"line {line}: " if line else ""
        self.problems.append(f"{where}{key}: {message}")

    def table(self, name: str) -> dict[str, Any]:
        """The table ``name`` (dotted), warning about keys it does not know."""
        value: Any = self.data
        for part in name.split("."):
            value = value.get(part, {}) if isinstance(value, dict) else {}
        if not isinstance(value, dict):
            self.problem(name, f"must be a table, not {_type_name(value)}")
            return {}
        known = SCHEMA[name]
        subtables = {key.rsplit(".", 1)[1] for key in SCHEMA if key.startswith(f"{name}.")}
        for key in value:
            if key not in known and key not in subtables:
                self.unknown(f"{name}.{key}", key, known)
        return value

    def unknown(self, dotted: str, key: str, known: tuple[str, ...] | list[str]) -> None:
        guess = difflib.get_close_matches(key, known, n=1)
        hint = f" (did you mean {guess[0]!r}?)" if guess else f" (known keys: {', '.join(known)})"
        line = self.line_of(dotted)
        where = f"line {line}: " if line else ""
        warn("config-unknown-key", f"{where}unknown key {dotted!r}{hint}; it is ignored", self.path)

    def get(self, table: dict[str, Any], name: str, check: Callable[[Any], Any], default: Any = None,
            *, required: bool = False) -> Any:
        """The checked value of ``name``; ``default`` (and a problem) when it is wrong."""
        table_name, key = name.rsplit(".", 1)
        value = table.get(key, _MISSING)
        if value is _MISSING:
            if required:
                self.problem(name, "is required")
            return default
        try:
            return check(value)
        except _Wrong as why:
            self.problem(name, str(why))
            return default

    def config(self) -> EditionConfig:
        for name in self.data:
            if name not in SCHEMA:
                self.unknown(name, name, [key for key in SCHEMA if "." not in key])
        book = self.book()
        sources = self.sources()
        selection = self.selection()
        group = self.grouping()
        volumes = self.volumes()
        front = self.front()
        back = self.table("back")
        indexes = self.get(back, "back.indexes", _choices(INDEXES), INDEXES)
        output = self.output(book.title)
        return EditionConfig(self.path, book, sources, selection, group, volumes, front, indexes, output)

    def book(self) -> Book:
        t = self.table("book")
        g = self.get
        return Book(
            title=g(t, "book.title", _nonempty, "Untitled", required=True),
            subtitle=g(t, "book.subtitle", _string, ""),
            creators=g(t, "book.creators", _creators, ()),
            publisher=g(t, "book.publisher", _string, ""),
            language=g(t, "book.language", _language, "en"),
            identifier=g(t, "book.identifier", _string, ""),
            date=g(t, "book.date", _datetime),
            rights=g(t, "book.rights", _string, ""),
            description=g(t, "book.description", _string, ""),
            series=g(t, "book.series", _string, ""),
            series_position=g(t, "book.series_position", _positive),
        )

    def sources(self) -> Sources:
        t = self.table("sources")
        patterns = self.get(t, "sources.paths", _strings, (), required=True)
        paths: list[Path] = []
        for pattern in patterns:
            found = self.expand(pattern)
            if not found:
                what = "matches no file" if glob.has_magic(pattern) else "no such file or folder"
                self.problem("sources.paths", f"{pattern!r}: {what} (paths are relative to the edition file)")
            paths.extend(found)
        self.roots = inputs.roots_of([self.base, *paths])
        reader = self.get(t, "sources.reader", _string)
        if reader:
            try:
                readers.get(reader)
            except DeeplybookError as exc:
                self.problem("sources.reader", str(exc))
        self.limits = inputs.Limits(
            max_file_bytes=self.get(t, "sources.max_file_size", _size, inputs.DEFAULT_MAX_FILE_BYTES),
            allow_remote=self.get(t, "sources.allow_remote", _bool, False),
        )
        return Sources(tuple(paths), reader or None, self.limits)

    def at(self, name: str) -> Path:
        """``name`` relative to the edition file's folder, with ``a/../`` steps taken out."""
        return Path(os.path.normpath(self.base / name))

    def expand(self, pattern: str) -> list[Path]:
        if not glob.has_magic(pattern):
            path = self.at(pattern)
            return [path] if path.exists() else []
        return [self.at(match) for match in sorted(glob.glob(pattern, root_dir=self.base, recursive=True))]

    def selection(self) -> Selection:
        t = self.table("select")
        g = self.get
        first = g(t, "select.from", _date)
        last = g(t, "select.until", _date)
        if first and last and first > last:
            self.problem("select.until", f"{last} is before select.from ({first})")
        return Selection(
            date_from=first,
            date_until=last,
            topics=g(t, "select.topics", _strings, ()),
            authors=g(t, "select.authors", _strings, ()),
            kinds=g(t, "select.kinds", _kinds, ()),
            include=g(t, "select.include", _strings, ()),
            exclude=g(t, "select.exclude", _strings, ()),
            title=g(t, "select.title", _string, ""),
            text=g(t, "select.text", _string, ""),
        )

    def grouping(self) -> Grouping:
        t = self.table("group")
        by = self.get(t, "group.by", _choices(("none", *GROUPS)), ())
        return Grouping(
            by=tuple(key for key in by if key != "none"),
            order=self.get(t, "group.order", _choice(tuple(ORDERS)), "date"),
        )

    def volumes(self) -> Volumes:
        t = self.table("volumes")
        by = self.get(t, "volumes.by", _choice(("year",)))
        most = self.get(t, "volumes.max_articles", _positive)
        if by and most:
            self.problem("volumes.max_articles", 'choose one of by = "year" and max_articles, not both')
        return Volumes(by_year=by == "year", max_articles=most)

    def front(self) -> Front:
        t = self.table("front")
        cover = self.get(t, "front.cover", self.existing_file)
        foreword = self.get(t, "front.foreword", self.existing_file)
        imprint = None
        if "imprint" in t:
            i = self.table("front.imprint")
            imprint = Imprint(
                source=self.get(i, "front.imprint.source", _string, ""),
                mirrored=self.get(i, "front.imprint.mirrored", _date),
                count=self.get(i, "front.imprint.count", _bool, True),
                built=self.get(i, "front.imprint.built", _bool, True),
            )
        return Front(cover, foreword, imprint)

    def existing_file(self, value: Any) -> Path | None:
        """The file ``value`` names; ``None`` with a warning when it may not be read (see the module)."""
        name = _nonempty(value)
        path = self.at(name)
        if not os.path.lexists(path) or path.is_dir():
            raise _Wrong(f"{name!r}: no such file (paths are relative to the edition file)")
        try:
            inputs.admit(path, self.roots, self.limits)
        except inputs.Refused as refused:
            warn(refused.code, refused.reason, refused.path)
            return None
        return path

    def output(self, title: str) -> Output:
        t = self.table("output")
        g = self.get
        folder = self.at(g(t, "output.folder", _nonempty, "build"))
        stem = g(t, "output.stem", _file_stem, "") or slugify(title)
        formats = g(t, "output.formats", _choices(tuple(FORMATS)), ()) or ("epub", "pdf")
        theme = g(t, "output.theme", _nonempty, "default")
        if self.at(theme).is_dir():
            theme = str(self.at(theme))
        try:
            themes.resolve(theme)
        except DeeplybookError as exc:
            self.problem("output.theme", str(exc))
        chunk_size = g(t, "output.chunk_size", _positive)
        jobs = g(t, "output.jobs", _positive)
        pdf_tagged = g(t, "output.pdf_tagged", _bool, False)
        return Output(folder, stem, formats, theme, chunk_size, jobs, pdf_tagged)


class _Wrong(Exception):
    """A value of the wrong type or form; the message says what was expected."""


def _type_name(value: Any) -> str:
    return {str: "a string", int: "a number", float: "a number", bool: "true/false", list: "a list",
            dict: "a table", dt.date: "a date", dt.datetime: "a date and time"}.get(type(value), type(value).__name__)


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise _Wrong(f"must be a string, not {_type_name(value)}")
    return value.strip()


def _nonempty(value: Any) -> str:
    text = _string(value)
    if not text:
        raise _Wrong("must not be empty")
    return text


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _Wrong(f"must be a string or a list of strings, not {_type_name(value)}")
    return tuple(v.strip() for v in value if v.strip())


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _Wrong(f"must be true or false, not {_type_name(value)}")
    return value


def _positive(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise _Wrong(f"must be a whole number from 1, not {value!r}")
    return value


def _size(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise _Wrong(f'must be a size like "200MB", not {_type_name(value)}')
    try:
        return inputs.parse_size(value)
    except ValueError as exc:
        raise _Wrong(str(exc)) from None


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise _Wrong(f"must be a date like 2017-11-10, not {value!r}")


def _datetime(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value.strip())
        except ValueError as exc:
            raise _Wrong(f"must be a date like 2017-11-10, not {value!r}") from exc
    else:
        day = _date(value)
        moment = dt.datetime(day.year, day.month, day.day)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")


def _language(value: Any) -> str:
    text = _nonempty(value)
    if not _LANGUAGE.match(text):
        raise _Wrong(f"must be a language tag like 'en' or 'ar-SY', not {text!r}")
    return text


def _file_stem(value: Any) -> str:
    text = _nonempty(value)
    if "/" in text or "\\" in text or text.startswith("."):
        raise _Wrong(f"must be a file name without folders, not {text!r} (the folder is output.folder)")
    return text


def _choice(allowed: tuple[str, ...]) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        text = _string(value)
        if text not in allowed:
            raise _Wrong(f"{text!r} is not one of {', '.join(allowed)}{_did_you_mean(text, allowed)}")
        return text

    return check


def _choices(allowed: tuple[str, ...]) -> Callable[[Any], tuple[str, ...]]:
    def check(value: Any) -> tuple[str, ...]:
        items = _strings(value)
        wrong = [item for item in items if item not in allowed]
        if wrong:
            raise _Wrong(f"{wrong[0]!r} is not one of {', '.join(allowed)}{_did_you_mean(wrong[0], allowed)}")
        return items

    return check


def _kinds(value: Any) -> tuple[Kind, ...]:
    return tuple(Kind(name) for name in _choices(tuple(k.value for k in Kind))(value))


def _creators(value: Any) -> tuple[Creator, ...]:
    if isinstance(value, (str, dict)):
        value = [value]
    if not isinstance(value, list):
        raise _Wrong(f'must be a list like [{{name = "...", role = "editor"}}], not {_type_name(value)}')
    creators = []
    for item in value:
        if isinstance(item, str):
            creators.append(Creator(_nonempty(item)))
            continue
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"].strip():
            raise _Wrong('each creator needs a name: {name = "...", role = "editor"}')
        extra = set(item) - {"name", "role"}
        if extra:
            raise _Wrong(f"a creator has only name and role, not {', '.join(sorted(extra))}")
        role = _choice(ROLES)(item.get("role", "editor"))
        creators.append(Creator(item["name"].strip(), role))
    return tuple(creators)


def _did_you_mean(text: str, allowed: tuple[str, ...]) -> str:
    guess = difflib.get_close_matches(text, allowed, n=1)
    return f" (did you mean {guess[0]!r}?)" if guess else ""


#: What ``make-ebook new`` writes: every table, commented, valid once the sources exist.
STARTER = '''\
# An edition file for make-ebook: `make-ebook list edition.toml` shows what would be
# in the book, `make-ebook build edition.toml` makes it. Paths are relative to this file.

[book]
title = "{title}"
# subtitle = "Reporting from the archive"
# creators = [{{name = "Your Name", role = "editor"}}]   # editor, author, compiler, translator, contributor
# publisher = ""
language = "en"
# date = 2024-01-31
# rights = "Articles are the work of their authors."
# description = "A paragraph for catalogues."
# series = "Collected Editions"
# series_position = 1

[sources]
# Files, folders (a whole News Deeply mirror too) and globs such as "pages/**/*.html".
paths = [{paths}]
# reader = "newsdeeply"          # force a reader instead of choosing one by content
# max_file_size = "200MB"        # larger files are left out (default 64MiB)
# allow_remote = true            # fetch over http(s) the pictures the archive lacks

[select]
# Leave a rule out to let every article through it.
# from = 2017-01-01              # inclusive
# until = 2017-12-31             # inclusive
# topics = ["ISIS"]
# authors = ["Hashem Osseiran"]
# kinds = ["article", "op-ed", "q&a", "briefing"]
# title = "Raqqa"                # words the title contains (any case)
# text = "Deir Ezzor"            # words the title, dek or body contain (any case)
# include = []                   # slugs or URLs always in
# exclude = []                   # slugs or URLs always out

[group]
by = ["year", "month"]           # none, year, month, topic, author, kind, site; a list nests
order = "date"                   # date, date-desc, title

# [volumes]
# by = "year"                    # one book a year...
# max_articles = 300             # ...or at most this many articles a book

[front]
# cover = "cover.jpg"            # a typographic cover is made when there is none
# foreword = "foreword.md"       # Markdown

# [front.imprint]
# source = "newsdeeply.com, as mirrored by The New Humanitarian"
# mirrored = 2020-09-09
# count = true                   # print the number of articles
# built = true                   # print the day the book was made

[back]
indexes = ["contributors", "topics", "sources"]

[output]
folder = "build"
# stem = "my-edition"            # default: made from the title
formats = ["epub", "pdf"]
theme = "default"
# chunk_size = 200               # articles per PDF render chunk
# pdf_tagged = true              # a tagged PDF (PDF/UA-1) for screen readers, rendered in one piece
'''


def starter(title: str = "Collected Articles", paths: tuple[str, ...] = ("articles",)) -> str:
    """The text of a commented starter edition file."""
    quoted = ", ".join(_toml_string(p) for p in paths)
    return STARTER.format(title=_toml_string(title)[1:-1], paths=quoted)


def write_starter(path: str | Path, text: str) -> Path:
    """Write ``text`` to ``path`` whole, refusing to replace a file that is there."""
    path = Path(path)
    if path.exists():
        raise DeeplybookError("already exists; not overwritten", path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(path.with_name(f".{path.name}.new")) as temp:
            temp.write_text(text, "utf-8")
        # A hard link fails when the name is taken, so a file made meanwhile survives too.
        os.link(path.with_name(f".{path.name}.new"), path)
    except FileExistsError as exc:
        raise DeeplybookError("already exists; not overwritten", path) from exc
    except OSError as exc:
        raise DeeplybookError(f"cannot be written: {exc.strerror or exc}", path) from exc
    finally:
        path.with_name(f".{path.name}.new").unlink(missing_ok=True)
    return path


def _toml_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
