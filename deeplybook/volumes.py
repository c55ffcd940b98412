"""Cutting an edition into volumes, and making each volume a complete Edition with its own files.

A volume is a book of its own: its title carries its year or "Vol. N", its
metadata names the series and its place in it, and it is written to
``STEM-volN.epub`` (and ``.pdf``). An edition that is not cut is one volume
without a number, written to ``STEM.epub``.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from . import edition as edition_module
from .config import EditionConfig, Volumes
from .model import Article, Edition
from .output import build_time, output_paths
from .themes import long_date

_VOLUME_NAMESPACE = uuid.UUID("0b7f3d52-5a8e-4f0e-a1c4-2d9e6b8c7f10")


@dataclass(frozen=True, slots=True)
class Part:
    """The articles of one volume, before it is made into an Edition."""

    number: int | None
    """The volume's number from 1; ``None`` when the edition is not cut."""
    label: str
    """What the title adds: ``"Vol. 2"``, ``"2017"``; empty when not cut."""
    articles: tuple[Article, ...]
    """The volume's articles in book order."""


@dataclass(frozen=True, slots=True)
class Volume:
    """One book of an edition, ready to write."""

    number: int | None
    """The volume's number from 1; ``None`` when the edition is not cut."""
    edition: Edition
    """The book itself."""
    targets: dict[str, Path]
    """Format name -> the file it is written to."""


def split(articles: Sequence[Article], rule: Volumes, *, group_by: Sequence[str] = (),
          order: str = "date") -> list[Part]:
    """Cut ``articles`` into parts by ``rule``, in book order (duplicates left out first).

    By year, parts run from the earliest year to the latest, undated articles last;
    by size, each part holds ``rule.max_articles`` articles, the last one the rest.
    """
    arranged = edition_module.arrange(articles, group_by=group_by, order=order)
    if rule.by_year:
        years: dict[str, list[Article]] = {}
        for article in arranged:
            years.setdefault(edition_module.GROUPS["year"](article), []).append(article)
        ordered = sorted(years, key=lambda year: (not year.isdigit(), year))
        return [Part(n, year, tuple(years[year])) for n, year in enumerate(ordered, start=1)]
    if rule.max_articles:
        size = rule.max_articles
        chunks = [arranged[i:i + size] for i in range(0, len(arranged), size)]
        return [Part(n, f"Vol. {n}", tuple(chunk)) for n, chunk in enumerate(chunks, start=1)]
    return [Part(None, "", tuple(arranged))]


def make(config: EditionConfig, articles: Sequence[Article], *,
         output: str | os.PathLike[str] | None = None, formats: Sequence[str] | None = None) -> list[Volume]:
    """The volumes of the edition ``config`` describes, made of the chosen ``articles``.

    ``output`` (a path without suffix, or a folder) and ``formats`` override the
    file's ``[output]`` table.
    """
    parts = split(articles, config.volumes, group_by=config.group.by, order=config.group.order)
    stem = _stem(config, output)
    chosen_formats = tuple(formats or config.output.formats)
    volumes = []
    for part in parts:
        book = volume_edition(config, part)
        name = stem if part.number is None else stem.with_name(f"{stem.name}-vol{part.number}")
        volumes.append(Volume(part.number, book, output_paths(name, chosen_formats)))
    return volumes


def volume_edition(config: EditionConfig, part: Part) -> Edition:
    """The Edition of one part: the book's metadata, with the volume's title and place."""
    book = config.book
    title, series, position, identifier = book.title, book.series, book.series_position, book.identifier
    if part.number is not None:
        title = f"{book.title}, {part.label}"
        series = book.series or book.title
        position = part.number
        if identifier:
            identifier = f"urn:uuid:{uuid.uuid5(_VOLUME_NAMESPACE, f'{identifier}#{part.number}')}"
    return edition_module.make(
        part.articles,
        title=title,
        group_by=config.group.by,
        order=config.group.order,
        subtitle=book.subtitle,
        language=book.language,
        identifier=identifier,
        date=book.date,
        publisher=book.publisher,
        creators=book.creators,
        description=book.description,
        rights=book.rights,
        cover=str(config.front.cover) if config.front.cover else None,
        series=series,
        series_position=position,
        foreword=config.front.foreword,
        provenance=provenance(config, len(part.articles)),
        back_matter=config.back_matter,
    )


def provenance(config: EditionConfig, count: int) -> tuple[tuple[str, str], ...]:
    """The imprint lines the edition file asks for, for a book of ``count`` articles."""
    imprint = config.front.imprint
    if imprint is None:
        return ()
    lines = []
    if imprint.source:
        lines.append(("Source archive", imprint.source))
    if imprint.mirrored:
        lines.append(("Mirrored", long_date(imprint.mirrored)))
    if imprint.count:
        lines.append(("Articles", f"{count:,}"))
    if imprint.built:
        lines.append(("Built", long_date(build_time())))
    return tuple(lines)


def _stem(config: EditionConfig, output: str | os.PathLike[str] | None) -> Path:
    if output is None:
        return config.output.stem_path
    path = Path(output)
    if path.is_dir():
        return path / config.output.stem
    suffixes = {".epub", ".pdf"}
    return path.with_suffix("") if path.suffix in suffixes else path
