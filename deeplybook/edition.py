"""Articles to an Edition: de-duplicate, name, order, group, and make links point inside the book."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import uuid
from collections import defaultdict
from typing import Any, Callable, Iterable, Sequence

from . import duplicates
from .embeds import note
from .errors import DeeplybookError
from .log import logger, warn
from .model import Article, Block, Creator, Edition, Embed, Figure, Heading, Section, map_inline
from .slugs import slugify
from .toc import article_href

#: Grouping keys, each a function giving the group title(s) of an article, and a sort key.
GROUPS: dict[str, Callable[[Article], str]] = {
    "year": lambda a: str(a.date.year) if a.date else "Undated",
    "month": lambda a: a.date.strftime("%B %Y") if a.date else "Undated",
    "topic": lambda a: a.topics[0] if a.topics else "Other topics",
    "author": lambda a: a.authors[0] if a.authors else "Unsigned",
    "kind": lambda a: {"article": "Articles", "op-ed": "Op-eds", "q&a": "Interviews", "briefing": "Briefings"}[a.kind.value],
    "site": lambda a: a.site or "Other sources",
}

#: Orders: name -> (sort key, reverse).
ORDERS: dict[str, tuple[Callable[[Article], Any], bool]] = {
    "date": (lambda a: (a.date or dt.datetime.max.replace(tzinfo=dt.timezone.utc), a.title.casefold()), False),
    "date-desc": (lambda a: (a.date or dt.datetime.min.replace(tzinfo=dt.timezone.utc), a.title.casefold()), True),
    "title": (lambda a: (a.title.casefold(), a.date or dt.datetime.max.replace(tzinfo=dt.timezone.utc)), False),
}

_NAMESPACE = uuid.UUID("6f1c9a5e-3b8e-4c1a-9d0e-7a1b2c3d4e5f")


def make(
    articles: Iterable[Article],
    *,
    title: str,
    group_by: Sequence[str] = (),
    order: str = "date",
    **metadata,
) -> Edition:
    """Make an edition of ``articles``.

    ``group_by`` nests sections by the named keys in turn (``("year", "month")``);
    ``order`` is ``"date"``, ``"date-desc"`` or ``"title"``. ``metadata`` takes the
    other ``Edition`` fields (subtitle, language, identifier, creators...).
    """
    ordered = arrange(articles, group_by=group_by, order=order)
    return assemble(ordered, group(ordered, group_by), title=title, **metadata)


def assemble(articles: Sequence[Article], sections: tuple[Section, ...], *, title: str, **metadata) -> Edition:
    """The edition of ``sections``, whose articles are ``articles`` in sort order (see ``arrange``).

    Each article gets a unique slug (in sort order), links to articles of this book
    point inside it, pictures the archive lacks are dropped (their captions kept),
    embedded media name their service and point at its public page, and subheads are evened;
    ``metadata`` takes the other ``Edition`` fields.
    """
    named = _name(list(articles))
    linked = _link_inside(named)
    shown = _drop_missing_images(linked)
    leveled = [dataclasses.replace(a, body=even_headings(_note_embeds(a.body))) for a in shown]
    sections = _replace(sections, {id(old): new for old, new in zip(articles, leveled)})
    metadata["creators"] = tuple(
        c if isinstance(c, Creator) else Creator(str(c)) for c in metadata.get("creators", ())
    )
    metadata["foreword"] = even_headings(tuple(metadata.get("foreword", ())))
    if not metadata.get("identifier"):
        metadata["identifier"] = identifier_for(title, shown)
    return Edition(title=title, sections=sections, **metadata)


def identifier_for(title: str, articles: Sequence[Article]) -> str:
    """A stable ``urn:uuid`` derived from the title and the articles' addresses."""
    seed = "\n".join([title, *(a.url or a.slug for a in articles)])
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, seed)}"


def _identity(article: Article) -> str:
    return _canonical_url(article.url) if article.url else f"slug:{article.slug or article.title}"


def _dedupe(articles: Iterable[Article]) -> list[Article]:
    seen: dict[str, Article] = {}
    for article in articles:
        key = _identity(article)
        if key in seen:
            logger.debug("%s: duplicate of %s, left out", article.source, seen[key].source)
            continue
        seen[key] = article
    return list(seen.values())


def _merge_duplicates(articles: list[Article], found: list[duplicates.Merge] | None) -> list[Article]:
    """Each story once: republished and cross-site copies merged into the kept article, one info line each."""
    kept, merges = duplicates.merge(articles)
    if found is not None:
        found.extend(merges)
    for merged in merges:
        logger.info("%s: the same story as %s (%s, %.0f%% the same text); printed once",
                    merged.dropped.url or merged.dropped.source, merged.kept.url or merged.kept.source,
                    merged.reason, 100 * merged.similarity)
    if merges:
        logger.info("%d articles were copies of another story in the book and are printed once", len(merges))
    return kept


#: The files and anchors of the book's own pages (``deeplybook.bookplan``, the EPUB's
#: folders): an article whose slug would be one of them is named ``article-<slug>``.
RESERVED_SLUGS = frozenset({"cover", "title", "title-page", "imprint", "nav", "contents", "toc", "foreword",
                            "style", "images", "fonts"})
RESERVED_PREFIXES = ("section-", "index-")


def _name(articles: list[Article]) -> list[Article]:
    """Give every article a unique, safe slug (the slug names its file and anchor)."""
    taken: set[str] = set()
    named = []
    for article in articles:
        base = slugify(article.slug or article.title)
        if base in RESERVED_SLUGS or base.startswith(RESERVED_PREFIXES):
            base = f"article-{base}"
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        named.append(article if slug == article.slug else dataclasses.replace(article, slug=slug))
    return named


def canonical_url(url: str) -> str:
    """The form of an article address that duplicates share (scheme, ``www.``, ``.html`` ignored)."""
    return _canonical_url(url)


def arrange(articles: Iterable[Article], *, group_by: Sequence[str] = (), order: str = "date",
            merged: list[duplicates.Merge] | None = None) -> list[Article]:
    """The articles de-duplicated and sorted, after checking the grouping and order asked for.

    Copies of one address are one article; a story republished or printed on two
    sites is printed once (``deeplybook.duplicates``), with the other addresses in
    its ``also_at`` and an info line for each merge; the merges are also added to
    ``merged`` when it is given, for a build's report.

    Done once a build, before the edition is cut into volumes; ``group`` then makes
    the sections.
    """
    for key in group_by:
        if key not in GROUPS:
            raise DeeplybookError(f"cannot group by {key!r}; choose from {', '.join(GROUPS)}")
    if order not in ORDERS:
        raise DeeplybookError(f"cannot order by {order!r}; choose from {', '.join(ORDERS)}")
    unique = _merge_duplicates(_dedupe(articles), merged)
    sort_key, reverse = ORDERS[order]
    unique.sort(key=sort_key, reverse=reverse)
    return unique


def group(articles: Sequence[Article], group_by: Sequence[str] = ()) -> tuple[Section, ...]:
    """The sections of the arranged ``articles``, nested by the keys of ``group_by`` in turn."""
    return _group(list(articles), tuple(group_by))


def _replace(sections: tuple[Section, ...], new: dict[int, Article]) -> tuple[Section, ...]:
    """``sections`` with each article replaced by ``new[id(article)]``."""
    return tuple(dataclasses.replace(s, articles=tuple(new[id(a)] for a in s.articles),
                                     sections=_replace(s.sections, new)) for s in sections)


def _canonical_url(url: str) -> str:
    url = re.sub(r"^https?://(www\.)?", "https://www.", url.strip())
    return re.sub(r"(/index)?(\.html?)?/?$", "", url)


_HREF = re.compile(r'href="([^"#]+)(#[^"]*)?"')


def _link_inside(articles: list[Article]) -> list[Article]:
    """Links to an article that is in the book become links inside the book."""
    targets = {_canonical_url(a.url): a.slug for a in articles if a.url}
    if not targets:
        return articles

    def fix(inline: str) -> str:
        if "href" not in inline:
            return inline

        def replace(match: re.Match[str]) -> str:
            slug = targets.get(_canonical_url(match.group(1)))
            if slug is None:
                return match.group(0)
            return f'href="{article_href(slug)}"'

        return _HREF.sub(replace, inline)

    linked = []
    for article in articles:
        body = map_inline(article.body, fix)
        linked.append(article if body is article.body else dataclasses.replace(article, body=body))
    return linked


def _drop_missing_images(articles: list[Article]) -> list[Article]:
    """Keep captions and credits of pictures the archive lacks; warn once with the count."""
    missing = 0

    def strip(figure: Figure) -> Figure:
        nonlocal missing
        if figure.image is None or figure.image.path:
            return figure
        missing += 1
        return dataclasses.replace(figure, image=None)

    out = []
    for article in articles:
        body = tuple(strip(b) if isinstance(b, Figure) else b for b in article.body)
        lead = strip(article.lead) if article.lead is not None else None
        if lead is not article.lead or body != article.body:
            article = dataclasses.replace(article, lead=lead, body=body)
        out.append(article)
    if missing:
        warn("image-missing", f"{missing} images are not in the archive; their captions and credits are kept")
    return out


def _note_embeds(body: tuple[Block, ...]) -> tuple[Block, ...]:
    """Embedded media with their service named and a public page for an address, never a player's."""
    if not any(isinstance(b, Embed) for b in body):
        return body
    return tuple(note(b) if isinstance(b, Embed) and not b.service else b for b in body)


def even_headings(body: tuple[Block, ...]) -> tuple[Block, ...]:
    """Subheads renumbered so that none skips a level below the title (h1) or the subhead before it.

    Pages use whatever levels their site's layout did (an article may open with an
    h4); readers of the book, and screen readers moving by heading, need h2, h3...
    in order. The levels used keep their rank, then each is lifted to at most one
    below the heading before it.
    """
    levels = sorted({b.level for b in body if isinstance(b, Heading)})
    rank = {level: min(n, 6) for n, level in enumerate(levels, 2)}
    out, previous = [], 1
    for block in body:
        if isinstance(block, Heading):
            level = min(rank[block.level], previous + 1)
            previous = level
            if level != block.level:
                block = dataclasses.replace(block, level=level)
        out.append(block)
    return body if out == list(body) else tuple(out)


def _group(articles: list[Article], keys: tuple[str, ...]) -> tuple[Section, ...]:
    if not keys:
        return (Section("", tuple(articles)),)
    return _nest(articles, keys)


def _nest(articles: list[Article], keys: tuple[str, ...]) -> tuple[Section, ...]:
    if not keys:
        raise AssertionError("unreachable: _nest needs a key")
    key, rest = keys[0], keys[1:]
    groups: dict[str, list[Article]] = defaultdict(list)
    for article in articles:
        groups[GROUPS[key](article)].append(article)
    # Groups keep the order in which their first article appears, so a date order
    # gives chronological years and months, and a title order alphabetical topics.
    sections = []
    for title, members in groups.items():
        if rest:
            sections.append(Section(title, (), _nest(members, rest)))
        else:
            sections.append(Section(title, tuple(members)))
    if key in ("topic", "author", "kind", "site"):
        sections.sort(key=lambda s: s.title.casefold())
    return tuple(sections)
