"""Walking a News Deeply mirror: its site folders, which files are articles, copies of a page, redirect stubs."""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import functools
import html
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from ... import inputs, sanitize
from ...cache import DISABLED, Cache
from ...errors import ReadError
from ...inputs import Limits, Refused
from ...log import logger
from ...model import Article
from .. import pool
from ..files import contained, through_cache
from ..report import Skip
from .links import BRIEFING_SECTION, OUTSIDE_FOLDERS
from .page import parse_page

_SECTIONS = ("articles", "community", "executive-summaries")
_STORY_SECTIONS = ("articles", "community")

_LISTING_FOLDERS = {
    "tag": "tag",
    "contributor": "contributor",
    "expert": "expert",
    "experts": "expert",
    "categories": "category",
    "series": "series",
    "topic": "topic",
    "rss": "RSS feed",
}

_STUB_TITLE = re.compile(r"<title>\s*Page has moved\s*</title>", re.IGNORECASE)
_REFRESH = re.compile(r"""<meta[^>]+http-equiv=["']?refresh["']?[^>]*content=["'][^"']*url=([^"'>]+)""", re.IGNORECASE)
_STUB_LINK = re.compile(r"""<a\s+href=["']([^"']+)["']""", re.IGNORECASE)
_STUB_LIMIT = 4096

_DATED_PART = re.compile(r"^\d{1,4}$")
_BRIEFING_FILE = re.compile(r"^(\d{1,2})\.html$")
# HTTrack's extra copies of a page: four hex digits added to the name ("slug-3f2a.html",
# "index4b2c.html", "083f2a.html") or a query string kept in it ("slug.html?p=123.html").
_HEX_COPY = re.compile(r"^(?P<base>.+?)-?(?P<hex>[0-9a-f]{4})\.html$")
_QUERY_COPY = re.compile(r"^(?P<base>[^?]+?)(?:\.html)?(?:\?|%3[fF]).*$")
_BRIEFING_COPY = re.compile(r"^(?P<day>\d{1,2})(?:-?[0-9a-f]{4}|\.html(?:\?|%3[fF]).*)\.html$|^(?P<qday>\d{1,2})\.html(?:\?|%3[fF]).*$")
_INDEX_COPY = re.compile(r"^index(?:-?[0-9a-f]{4})?\.html(?:(?:\?|%3[fF]).*)?$")


def read_folder(path: Path, report, *, cache: Cache | None = None, jobs: int | None = None,
                roots: tuple[str, ...] | None = None, limits: Limits | None = None) -> Iterator[Article]:
    """Every article and briefing of a mirror, oldest first, each page read once.

    Files passed over are recorded in ``report`` with the reason; a page that cannot be
    read is reported as failed and the others go on. Pages are parsed on ``jobs``
    processes (all cores by default); with a ``cache``, unchanged pages are not parsed.
    Only files under ``roots`` (the folder itself by default) are read, within ``limits``;
    a picture may also come from the mirror holding a site folder given alone, where
    HTTrack keeps the files the sites share.
    """
    folder = Path(path)
    roots = roots if roots is not None else inputs.roots_of([folder])
    limits = limits if limits is not None else Limits()
    if is_site_folder(folder):
        sites = [folder]
    else:
        sites = [child for child in subfolders(folder) if is_site_folder(child)]
        for entry in sorted(folder.iterdir()):
            if entry.is_file() and entry.suffix == ".html":
                report.skip(entry, "listing page (front page of the mirror)")
    groups: list[list[Path]] = []
    for site in sites:
        groups.extend(_site_groups(site, report, roots))
    candidates = frozenset(file for group in groups for file in group)
    pictures = roots + _mirror_of(folder)
    task = functools.partial(_read_group_task, candidates=candidates, cache=cache or DISABLED, roots=roots,
                             pictures=pictures, limits=limits)
    articles = _regulars_alone(list(pool.run(task, groups, report, jobs=jobs)))
    articles.sort(key=_reading_order)
    for article in articles:
        report.read += 1
        report.articles += 1
        yield article


def _read_group_task(group: list[Path], report, *, candidates: frozenset[Path], cache: Cache,
                     roots: tuple[str, ...], pictures: tuple[str, ...], limits: Limits) -> list[Article]:
    return list(_read_group(group, candidates, report, cache, roots, pictures, limits))


def _mirror_of(folder: Path) -> tuple[str, ...]:
    """The mirror root above a site folder given alone (HTTrack's ``NAME.html`` lies beside ``NAME/``), if any."""
    if is_site_folder(folder) and (folder.parent / f"{folder.name}.html").is_file():
        return inputs.roots_of([folder.parent])
    return ()


def is_site_folder(path: Path) -> bool:
    """True for a site folder of the mirror (``syria/``): it holds an article section."""
    return any((path / section).is_dir() for section in _SECTIONS)


def subfolders(path: Path) -> list[Path]:
    """The folders in ``path``, sorted, hidden ones left out."""
    return sorted(child for child in path.iterdir() if child.is_dir() and not child.name.startswith("."))


def _site_groups(site: Path, report, roots: tuple[str, ...]) -> Iterator[list[Path]]:
    """The article pages of one site folder, copies of a page grouped (by slug or day), best first.

    A name with four hex digits added ("slug-3f2a.html") is HTTrack's copy of the page
    named without them when that page is in the site too; otherwise it is a page of its
    own ("syria-in-2018.html" ends in four hex digits as well).
    """
    copies: dict[tuple, list[tuple[tuple, Path]]] = {}
    maybe: list[tuple[_Classified, Path]] = []
    for file in _site_files(site, report, roots):
        classified = _classify(file.relative_to(site).parts)
        if isinstance(classified, str):
            report.skip(file, classified)
            continue
        if classified.base is not None:
            maybe.append((classified, file))
            continue
        copies.setdefault(classified.key, []).append((classified.preference, file))
    maybe_keys = {classified.key for classified, _ in maybe}
    for classified, file in maybe:
        if classified.base in copies or classified.base in maybe_keys:
            copies.setdefault(classified.base, []).append(((True, *classified.preference[1:]), file))
        else:
            copies.setdefault(classified.key, []).append((classified.preference, file))
    for key in sorted(copies, key=str):
        yield [file for _, file in sorted(copies[key])]


@dataclass(frozen=True, slots=True)
class _Classified:
    """What a page's place in the mirror says it is."""

    key: tuple
    """("story", slug) or ("briefing", year, month, day)."""
    preference: tuple
    """Sort key among copies of the same page: the page under its own name first."""
    base: tuple | None = None
    """For a name that may be HTTrack's hex-suffixed copy, the key of the page it would copy."""


def _classify(parts: tuple[str, ...]) -> _Classified | str:
    """A candidate for an article, or the reason the file is not one."""
    name = parts[-1]
    if name == "rss":
        return "listing page (RSS feed)"
    if not name.endswith(".html"):
        return "not an HTML page"
    section = parts[0]
    if len(parts) == 1:
        return "listing page (site front, topic or section page)"
    if section in _LISTING_FOLDERS:
        return f"listing page ({_LISTING_FOLDERS[section]})"
    if "page" in parts[1:-1]:
        return "listing page (pagination)"
    if section in _STORY_SECTIONS:
        dated = parts[1:4]
        if len(parts) >= 5 and all(_DATED_PART.match(p) for p in dated):
            base = None
            copy = False
            if len(parts) == 5:
                query = _QUERY_COPY.match(name)
                hexed = _HEX_COPY.match(name)
                if query:
                    slug, copy = query.group("base"), True
                else:
                    slug = name.removesuffix(".html")
                    if hexed:
                        base = ("story", hexed.group("base"))
            elif len(parts) == 6 and _INDEX_COPY.match(name):
                slug, copy = parts[4], name != "index.html"
            else:
                return "not an article page (unexpected place in the mirror)"
            padded = all(len(p) >= 2 for p in dated[1:])
            return _Classified(("story", slug), (copy, not padded, section != "community", "/".join(parts)), base)
        if name == "rss.html":
            return "listing page (RSS feed)"
        return "not an article page (unexpected place in the mirror)"
    if section == BRIEFING_SECTION:
        day = _BRIEFING_FILE.match(name)
        copied = _BRIEFING_COPY.match(name) if day is None else None
        if len(parts) == 4 and (day or copied) and all(_DATED_PART.match(p) for p in parts[1:3]):
            number = day.group(1) if day else (copied.group("day") or copied.group("qday")) if copied else ""
            key = ("briefing", int(parts[1]), int(parts[2]), int(number))
            padded = len(parts[2]) == 2 and len(number) == 2
            return _Classified(key, (copied is not None, not padded, "/".join(parts)))
        return "not a briefing page (unexpected place in the mirror)"
    if section == "background":
        return "background page (an explainer, not an article)"
    return "listing page"


def _site_files(site: Path, report, roots: tuple[str, ...]) -> Iterator[Path]:
    """Every file of a site folder in sorted order; HTTrack's copies of other sites are skipped."""
    for dirpath, dirnames, filenames in inputs.walk(site, roots, report.refuse):
        for outside in [d for d in dirnames if d in OUTSIDE_FOLDERS]:
            dirnames.remove(outside)
            for inner_path, inner_dirs, inner_files in os.walk(dirpath / outside):
                inner_dirs.sort()
                for name in sorted(inner_files):
                    report.skip(Path(inner_path) / name, "outside page (HTTrack's copy of another site)")
        for name in filenames:
            if not name.startswith("."):
                yield dirpath / name


def _read_group(group: list[Path], candidates: frozenset[Path], report, cache: Cache, roots: tuple[str, ...],
                pictures: tuple[str, ...], limits: Limits) -> Iterator[Article]:
    """The one article among copies of a page, best copy first; every other copy is reported.

    A redirect stub's target is read where it lies in the mirror, as a page of its own.
    """
    winner: Path | None = None
    passed: list[tuple[Path, str]] = []
    for path in group:
        if winner is not None and not _small(path):
            passed.append((path, f"duplicate of {winner}"))
            continue
        try:
            with inputs.reading(path, limits):
                data = inputs.read_bytes(path, roots, limits)
        except Refused as refused:
            report.refuse(refused)
            continue
        target = redirect_target(data)
        if target is not None:
            shown = Path(os.path.normpath(path.parent / target))
            if not shown.is_file():
                passed.append((path, f"redirect to {shown}, which is not in the mirror"))
                continue
            if shown not in candidates:
                passed.append((path, f"redirect to {shown}, which is not an article page"))
                continue
            passed.append((path, f"redirect to {shown}"))
            continue
        if winner is not None:
            passed.append((path, f"duplicate of {winner}"))
            continue
        article = _parse_reporting(data, path, report, cache, pictures, limits)
        if article is not None:
            winner = path
            yield article
    for path, reason in passed:
        report.skip(path, reason)


def _regulars_alone(articles: list[Article]) -> list[Article]:
    """Undo a shared surname where the second person is a regular who signs alone.

    "Wessam and Karen Leigh" reads like "Connie and Peter Roop", but Karen Leigh signs
    articles of the mirror alone and nobody else is called "Wessam Leigh": Wessam is a
    source with one name, not her relative. Only a whole mirror can tell.
    """
    alone = collections.Counter(article.authors[0] for article in articles if len(article.authors) == 1)
    mended: list[Article] = []
    for article in articles:
        shared = article.extra.get("shared_surname")
        if not shared:
            mended.append(article)
            continue
        authors = list(article.authors)
        kept: list[str] = []
        for pair in shared.split("; "):
            joined, second = pair.split("|", 1)
            if alone[second] >= 2 and not alone[joined] and joined in authors:
                authors[authors.index(joined)] = joined.split()[0]
                logger.debug("%s: cleanup: name-shared undone: %s signs alone elsewhere", article.source, second)
            else:
                kept.append(pair)
        extra = {key: value for key, value in article.extra.items() if key != "shared_surname"}
        if kept:
            extra["shared_surname"] = "; ".join(kept)
        undone = shared.count("|") - len(kept)
        if undone:
            extra["cleanup"] = _recount(extra.get("cleanup", ""), "name-shared", -undone)
        mended.append(dataclasses.replace(article, authors=tuple(authors), extra=extra))
    return mended


def _recount(summary: str, kind: str, change: int) -> str:
    """A cleanup summary ("name-shared 1, promo 2") with the count of ``kind`` changed by ``change``."""
    counts = collections.Counter({part.rsplit(" ", 1)[0]: int(part.rsplit(" ", 1)[1])
                                  for part in summary.split(", ") if part})
    counts[kind] += change
    return ", ".join(f"{name} {count}" for name, count in sorted(counts.items()) if count > 0)


def _small(path: Path) -> bool:
    try:
        return path.stat().st_size <= _STUB_LIMIT
    except OSError:
        return False


def _parse_reporting(data: bytes, path: Path, report, cache: Cache, pictures: tuple[str, ...],
                     limits: Limits) -> Article | None:
    try:
        with inputs.reading(path, limits):
            if cache.enabled:
                (article,) = through_cache(cache, ("newsdeeply", str(path), data), lambda: [parse_page(data, path)])
            else:
                article = parse_page(data, path)
            return contained(article, pictures, limits)
    except Refused as refused:
        report.refuse(refused)
    except Skip as why:
        report.skip(path, str(why))
    except ReadError as exc:
        report.fail(path, str(exc).removeprefix(f"{path}: "))
    return None


def read_page_bytes(path: Path) -> bytes:
    """The file's bytes; ``ReadError`` naming it when it cannot be read."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ReadError(f"cannot be read: {exc.strerror or exc}", path) from exc


def redirect_target(data: bytes) -> str | None:
    """Where an HTTrack "Page has moved" stub points, or ``None`` for a real page."""
    if len(data) > _STUB_LIMIT:
        return None
    text = sanitize.head_text(data)
    if not _STUB_TITLE.search(text) and not _REFRESH.search(text):
        return None
    match = _REFRESH.search(text) or _STUB_LINK.search(text)
    return html.unescape(match.group(1).strip()) if match else ""


_LATEST = dt.datetime.max.replace(tzinfo=dt.timezone.utc)


def _reading_order(article: Article) -> tuple:
    return (article.date or _LATEST, article.slug, article.source)
