"""Which articles go in an edition: date range, topics, authors, kinds, named articles, a query.

Every rule is a pure function of an article. ``select`` applies a ``Selection``:
an article is chosen when it passes every filter that is set (date range, topics,
authors, kinds, title and text queries), or when ``include`` names it; an
``exclude`` entry leaves an article out whatever else says. When no filter is set,
``include`` alone picks the articles (and with no ``include`` either, all of them).
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass
from typing import Iterable

from .edition import canonical_url, slugify
from .log import warn
from .model import Article, Kind, inline_texts


@dataclass(frozen=True, slots=True)
class Selection:
    """The rules of an edition file's ``[select]`` table."""

    date_from: dt.date | None = None
    """First publication day included (UTC); articles without a date fail a date rule."""
    date_until: dt.date | None = None
    """Last publication day included (UTC)."""
    topics: tuple[str, ...] = ()
    """An article with any of these topics passes (case-insensitive)."""
    authors: tuple[str, ...] = ()
    """An article by any of these people passes (case-insensitive)."""
    kinds: tuple[Kind, ...] = ()
    """An article of any of these kinds passes."""
    include: tuple[str, ...] = ()
    """Slugs or URLs of articles that are in whatever the filters say."""
    exclude: tuple[str, ...] = ()
    """Slugs or URLs of articles that are out whatever else says."""
    title: str = ""
    """Words the title must contain (case-insensitive)."""
    text: str = ""
    """Words the title, dek or body must contain (case-insensitive)."""

    @property
    def filters(self) -> bool:
        """Whether any rule other than ``include`` and ``exclude`` is set."""
        return bool(self.date_from or self.date_until or self.topics or self.authors or self.kinds
                    or self.title or self.text)


def select(articles: Iterable[Article], rules: Selection, *, source: object | None = None) -> list[Article]:
    """The articles ``rules`` choose, in the order given.

    An ``include`` or ``exclude`` entry that names no article is warned about
    (``select-unmatched``), since it is most likely a typing mistake; ``source``
    names the edition file in that warning.
    """
    included, excluded = set(), set()
    chosen = []
    for article in articles:
        named_in = _named_by(article, rules.include)
        named_out = _named_by(article, rules.exclude)
        included.update(named_in)
        excluded.update(named_out)
        if named_out:
            continue
        if named_in or (rules.filters and passes_filters(article, rules)) or not (rules.filters or rules.include):
            chosen.append(article)
    for entry in rules.include:
        if entry not in included:
            warn("select-unmatched", f"include {entry!r} names no article in the sources", source)
    for entry in rules.exclude:
        if entry not in excluded:
            warn("select-unmatched", f"exclude {entry!r} names no article in the sources", source)
    return chosen


def passes_filters(article: Article, rules: Selection) -> bool:
    """Whether ``article`` passes every filter of ``rules`` that is set."""
    return (
        in_date_range(article, rules.date_from, rules.date_until)
        and (not rules.topics or has_topic(article, rules.topics))
        and (not rules.authors or has_author(article, rules.authors))
        and (not rules.kinds or article.kind in rules.kinds)
        and (not rules.title or contains(article.title, rules.title))
        and (not rules.text or contains(searchable_text(article), rules.text))
    )


def in_date_range(article: Article, first: dt.date | None, last: dt.date | None) -> bool:
    """Whether the article's publication day is within ``first``..``last``, both included."""
    if first is None and last is None:
        return True
    if article.date is None:
        return False
    day = article.date.date()  # the day where it was published: a page's offset is kept (issue 12), never moved to UTC
    return (first is None or day >= first) and (last is None or day <= last)


def has_topic(article: Article, topics: Iterable[str]) -> bool:
    """Whether any of the article's topics is one of ``topics`` (case-insensitive)."""
    wanted = {t.casefold() for t in topics}
    return any(topic.casefold() in wanted for topic in article.topics)


def has_author(article: Article, authors: Iterable[str]) -> bool:
    """Whether any of the article's authors is one of ``authors`` (case-insensitive)."""
    wanted = {_normal(a) for a in authors}
    return any(_normal(author) in wanted for author in article.authors)


def contains(text: str, query: str) -> bool:
    """Whether ``text`` holds ``query`` (case-insensitive, runs of spaces count as one)."""
    return _normal(query) in _normal(text)


def searchable_text(article: Article) -> str:
    """The plain text a text query searches: title, dek and body."""
    parts = [article.title, article.dek, *inline_texts(article.body)]
    return "\n".join(_plain(p) for p in parts)


def names(article: Article, entry: str) -> bool:
    """Whether ``entry`` (a slug or an address) names ``article``."""
    if "://" in entry:
        return bool(article.url) and canonical_url(article.url) == canonical_url(entry)
    return slugify(entry) == slugify(article.slug or article.title)


def _named_by(article: Article, entries: tuple[str, ...]) -> set[str]:
    return {entry for entry in entries if names(article, entry)}


_TAG = re.compile(r"<[^>]*>")


def _plain(inline: str) -> str:
    """Inline markup as the words a reader sees."""
    return html.unescape(_TAG.sub("", inline))


def _normal(text: str) -> str:
    return " ".join(text.casefold().split())
