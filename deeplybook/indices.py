"""Back-matter indexes computed from an edition: contributors, topics and original sources."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from .model import Article, Edition

#: The indexes an edition may ask for, with the heading each is printed under.
TITLES = {"contributors": "Contributors", "topics": "Topics", "sources": "Sources"}


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """One heading of an index and the articles filed under it."""

    name: str
    """The contributor or topic, as printed."""
    articles: tuple[Article, ...]
    """Its articles in book order."""


def _surname_key(name: str) -> tuple[str, str]:
    parts = name.split()
    return (parts[-1].casefold() if parts else "", name.casefold())


def contributors(edition: Edition) -> tuple[IndexEntry, ...]:
    """Every author with their articles, by surname."""
    filed: dict[str, list[Article]] = defaultdict(list)
    for article in edition.articles:
        for author in article.authors:
            filed[author].append(article)
    return tuple(IndexEntry(n, tuple(filed[n])) for n in sorted(filed, key=_surname_key))


def topics(edition: Edition) -> tuple[IndexEntry, ...]:
    """Every topic with its articles, alphabetically."""
    filed: dict[str, list[Article]] = defaultdict(list)
    for article in edition.articles:
        for topic in article.topics:
            filed[topic].append(article)
    return tuple(IndexEntry(t, tuple(filed[t])) for t in sorted(filed, key=str.casefold))


def sources(edition: Edition) -> tuple[Article, ...]:
    """The articles that have an original address, in book order.

    An article printed once for a story published at several addresses lists the
    others in ``also_at``; the index prints them under its own.
    """
    return tuple(a for a in edition.articles if a.url)


def page_id(kind: str) -> str:
    """The file stem and anchor of an index page ("index-topics")."""
    return f"index-{kind}"
