"""Loading an edition file: its keys' lines, and a check of every table that reports every problem at once."""

from __future__ import annotations

import difflib
import glob
import os
import re
import tomllib
from pathlib import Path
from typing import Any, Callable

from .. import executors, inputs, readers, themes
from ..edition import GROUPS, ORDERS, slugify
from ..errors import ConfigError, DeeplybookError
from ..log import warn
from ..output import FORMATS
from ..press import MAX_BLEED_MM, TRIMS, VARIANTS, PrintOptions
from ..select import Selection
from .schema import INDEXES, SCHEMA, Book, EditionConfig, Front, Grouping, Imprint, Output, Run, Sources, Volumes
from .values import (
    Wrong,
    boolean,
    choice,
    choices,
    creators,
    date,
    datetime,
    file_stem,
    kinds,
    language,
    millimetres,
    nonempty,
    positive,
    size,
    string,
    strings,
    type_name,
)


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
            self.problem(name, f"must be a table, not {type_name(value)}")
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
        except Wrong as why:
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
        indexes = self.get(back, "back.indexes", choices(INDEXES), INDEXES)
        output = self.output(book.title)
        return EditionConfig(self.path, book, sources, selection, group, volumes, front, indexes, output,
                             printing=self.printing(), run=self.run())

    def book(self) -> Book:
        t = self.table("book")
        g = self.get
        return Book(
            title=g(t, "book.title", nonempty, "Untitled", required=True),
            subtitle=g(t, "book.subtitle", string, ""),
            creators=g(t, "book.creators", creators, ()),
            publisher=g(t, "book.publisher", string, ""),
            language=g(t, "book.language", language, "en"),
            identifier=g(t, "book.identifier", string, ""),
            date=g(t, "book.date", datetime),
            rights=g(t, "book.rights", string, ""),
            description=g(t, "book.description", string, ""),
            series=g(t, "book.series", string, ""),
            series_position=g(t, "book.series_position", positive),
        )

    def sources(self) -> Sources:
        t = self.table("sources")
        patterns = self.get(t, "sources.paths", strings, (), required=True)
        paths: list[Path] = []
        for pattern in patterns:
            found = self.expand(pattern)
            if not found:
                what = "matches no file" if glob.has_magic(pattern) else "no such file or folder"
                self.problem("sources.paths", f"{pattern!r}: {what} (paths are relative to the edition file)")
            paths.extend(found)
        self.roots = inputs.roots_of([self.base, *paths])
        reader = self.get(t, "sources.reader", string)
        if reader:
            try:
                readers.get(reader)
            except DeeplybookError as exc:
                self.problem("sources.reader", str(exc))
        self.limits = inputs.Limits(
            max_file_bytes=self.get(t, "sources.max_file_size", size, inputs.DEFAULT_MAX_FILE_BYTES),
            allow_remote=self.get(t, "sources.allow_remote", boolean, False),
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
        first = g(t, "select.from", date)
        last = g(t, "select.until", date)
        if first and last and first > last:
            self.problem("select.until", f"{last} is before select.from ({first})")
        return Selection(
            date_from=first,
            date_until=last,
            topics=g(t, "select.topics", strings, ()),
            authors=g(t, "select.authors", strings, ()),
            kinds=g(t, "select.kinds", kinds, ()),
            include=g(t, "select.include", strings, ()),
            exclude=g(t, "select.exclude", strings, ()),
            title=g(t, "select.title", string, ""),
            text=g(t, "select.text", string, ""),
        )

    def grouping(self) -> Grouping:
        t = self.table("group")
        by = self.get(t, "group.by", choices(("none", *GROUPS)), ())
        return Grouping(
            by=tuple(key for key in by if key != "none"),
            order=self.get(t, "group.order", choice(tuple(ORDERS)), "date"),
        )

    def volumes(self) -> Volumes:
        t = self.table("volumes")
        by = self.get(t, "volumes.by", choice(("year",)))
        most = self.get(t, "volumes.max_articles", positive)
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
                source=self.get(i, "front.imprint.source", string, ""),
                mirrored=self.get(i, "front.imprint.mirrored", date),
                count=self.get(i, "front.imprint.count", boolean, True),
                built=self.get(i, "front.imprint.built", boolean, True),
            )
        return Front(cover, foreword, imprint)

    def existing_file(self, value: Any) -> Path | None:
        """The file ``value`` names; ``None`` with a warning when it may not be read (see the module)."""
        name = nonempty(value)
        path = self.at(name)
        if not os.path.lexists(path) or path.is_dir():
            raise Wrong(f"{name!r}: no such file (paths are relative to the edition file)")
        try:
            inputs.admit(path, self.roots, self.limits)
        except inputs.Refused as refused:
            warn(refused.code, refused.reason, refused.path)
            return None
        return path

    def printing(self) -> PrintOptions:
        t = self.table("print")
        g = self.get
        return PrintOptions(
            trim=g(t, "print.trim", choice(tuple(TRIMS)), ""),
            bleed_mm=g(t, "print.bleed", millimetres(0, MAX_BLEED_MM), 0.0),
            crop_marks=g(t, "print.crop_marks", boolean, False),
            paper_mm=g(t, "print.paper", millimetres(0.02, 1.0), 0.1),
            cover_spread=g(t, "print.cover_spread", boolean, False),
            variant=g(t, "print.pdf_variant", choice(VARIANTS), ""),
        )

    def run(self) -> Run:
        """The ``[run]`` table."""
        return Run(scheduler=self.get(self.table("run"), "run.scheduler", scheduler, ""))

    def output(self, title: str) -> Output:
        t = self.table("output")
        g = self.get
        folder = self.at(g(t, "output.folder", nonempty, "build"))
        stem = g(t, "output.stem", file_stem, "") or slugify(title)
        formats = g(t, "output.formats", choices(tuple(FORMATS)), ()) or ("epub", "pdf")
        theme = g(t, "output.theme", nonempty, "default")
        if self.at(theme).is_dir():
            theme = str(self.at(theme))
        try:
            themes.resolve(theme)
        except DeeplybookError as exc:
            self.problem("output.theme", str(exc))
        chunk_size = g(t, "output.chunk_size", positive)
        jobs = g(t, "output.jobs", positive)
        pdf_tagged = g(t, "output.pdf_tagged", boolean, False)
        toc_depth = g(t, "output.toc_depth", positive)
        css = g(t, "output.css", self.existing_file)
        return Output(folder, stem, formats, theme, chunk_size, jobs, pdf_tagged, toc_depth, css)


def scheduler(value: Any) -> str:
    """A Dask scheduler: ``local``, ``local:N`` or an address (``executors.check_scheduler``)."""
    try:
        return executors.check_scheduler(string(value))
    except ValueError as exc:
        raise Wrong(str(exc)) from None
