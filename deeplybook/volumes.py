"""Cutting an edition's arranged articles into volumes: one a year, or a number of articles each.

A volume is a book of its own (the pipeline gives it its title, place in the
series and files); an edition that is not cut is one part without a number.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from .config import Volumes
from .edition import GROUPS
from .model import Article, Section


@dataclass(frozen=True, slots=True)
class Part:
    """The articles of one volume, before it is made into an Edition."""

    number: int | None
    """The volume's number from 1; ``None`` when the edition is not cut."""
    label: str
    """What the title adds: ``"Vol. 2"``, ``"2017"``; empty when not cut."""
    articles: tuple[Article, ...]
    """The volume's articles in sort order (the order their slugs are given in)."""
    sections: tuple[Section, ...]
    """The edition's sections holding only this volume's articles, in book order."""


def split(articles: Sequence[Article], sections: tuple[Section, ...], rule: Volumes) -> list[Part]:
    """Cut the arranged ``articles`` and their ``sections`` into parts by ``rule``.

    By year, parts run from the earliest year to the latest, undated articles last;
    by size, each part holds ``rule.max_articles`` articles in book order (the
    sections' order), the last one the rest.
    """
    in_book = [a for section in sections for a in section.walk()]
    if rule.by_year:
        years: dict[str, set[int]] = {}
        for article in in_book:
            years.setdefault(GROUPS["year"](article), set()).add(id(article))
        ordered = sorted(years, key=lambda year: (not year.isdigit(), year))
        return [_part(n, year, years[year], articles, sections) for n, year in enumerate(ordered, start=1)]
    if rule.max_articles:
        size = rule.max_articles
        chunks = [{id(a) for a in in_book[i:i + size]} for i in range(0, len(in_book), size)]
        return [_part(n, f"Vol. {n}", chunk, articles, sections) for n, chunk in enumerate(chunks, start=1)]
    return [Part(None, "", tuple(articles), tuple(sections))]


def _part(number: int, label: str, members: set[int], articles: Sequence[Article],
          sections: tuple[Section, ...]) -> Part:
    return Part(number, label, tuple(a for a in articles if id(a) in members), _only(sections, members))


def _only(sections: tuple[Section, ...], members: set[int]) -> tuple[Section, ...]:
    """``sections`` holding only the articles in ``members`` (by ``id``); empty sections left out."""
    kept = []
    for section in sections:
        articles = tuple(a for a in section.articles if id(a) in members)
        subsections = _only(section.sections, members)
        if articles or subsections:
            kept.append(Section(section.title, articles, subsections))
    return tuple(kept)
