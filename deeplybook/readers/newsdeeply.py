"""Reader for News Deeply pages as HTTrack mirrored them: articles, op-eds, interviews, briefings.

One page becomes one ``Article``; a mirror (or one site folder of it, such as
``syria/``) is walked whole by ``read_folder``, which passes over listing pages,
follows HTTrack's redirect stubs and keeps one copy of pages mirrored twice.

Only the article region of a page is read: the archive banner, share buttons,
sidebar and dialogs around it never reach the model. Links into the mirror are
turned back into the live site's addresses, because a relative path into an
HTTrack folder means nothing inside a book.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import html
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator
from urllib.parse import parse_qs, unquote, urljoin, urlsplit, urlunsplit

import lxml.html
from lxml import etree

from .. import inputs, sanitize
from ..cache import DISABLED, Cache
from ..errors import DeeplybookError, ReadError
from ..inputs import Limits, Refused
from ..log import logger
from ..model import (
    Article,
    Block,
    Embed,
    Exchange,
    Figure,
    Heading,
    Image,
    ItemList,
    Kind,
    Paragraph,
    Quote,
)
from . import fields, pool
from .files import contained, through_cache
from .fields import parse_date
from .htmlpage import parse_document
from .report import Skip

NAME = "newsdeeply"

#: Where the mirror's root folder lived on the web.
LIVE_SITE = "https://www.newsdeeply.com/"

_SECTIONS = ("articles", "community", "executive-summaries")
_STORY_SECTIONS = ("articles", "community")
_BRIEFING_SECTION = "executive-summaries"
_OUTSIDE_FOLDERS = ("_http_", "_https_")
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

# Labels a page prints in a.taxo.category that say nothing about the kind of piece.
_GENERIC_CATEGORIES = {"Articles", "Community", "General", "Forum", "ForumUncategorized", "Miscellaneous"}
_QA_CATEGORIES = {"Q&A"}
_OPED_CATEGORIES = {"Op-Eds"}

_MIRRORED_FROM = re.compile(rb"<!-- Mirrored from (\S+)")
_STUB_TITLE = re.compile(r"<title>\s*Page has moved\s*</title>", re.IGNORECASE)
_REFRESH = re.compile(r"""<meta[^>]+http-equiv=["']?refresh["']?[^>]*content=["'][^"']*url=([^"'>]+)""", re.IGNORECASE)
_STUB_LINK = re.compile(r"""<a\s+href=["']([^"']+)["']""", re.IGNORECASE)
_STUB_LIMIT = 4096

_READ_TIME = re.compile(r"(\d+)\s*min", re.IGNORECASE)
_DATED_PART = re.compile(r"^\d{1,4}$")
_BRIEFING_FILE = re.compile(r"^(\d{1,2})\.html$")

# Markup that WordPress once printed as text: "<div source='picture' ... />", stray
# "</p>", "[caption ...]" shortcodes, "<!--more-->" and "{.small right}" class hints,
# and the remains of Markdown the old site converted by halves: "[![alt][2]][2]",
# reference links "[words][2]" (the words stay), "**" and lone ">" quote markers.
_LEAKED_TAG = re.compile(
    r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>|&lt;/?[a-zA-Z][a-zA-Z0-9]*(?:\s.*?)?/?&gt;"
    r"|<!\S*?-(?:-|–)?>|<!\[CDATA\[|(?://\s*)?\]\]>"
)
_SHORTCODE = re.compile(
    r"\[easyrotator\].*?\[/easyrotator\]"
    r"|\[/?(?:caption|embed|gallery|video|audio|youtube|soundcloud|tweet|iframe|playlist)\b[^\]]*\]",
    re.IGNORECASE,
)
_CLASS_HINT = re.compile(r"\{\.[a-z][\w -]*\}")
_MARKDOWN = re.compile(
    r"\[!\[[^\[\]]*\]\[\d{1,3}\]\]\[\d{1,3}\]|!\[[^\[\]]*\]\[\d{1,3}\]"
    r"|\[(?=[^\[\]\n]{1,300}\]\[\d{1,3}\])|(?<=[^\[\]])\]\[\d{1,3}\]|\*\*|^\s*>(?=\s|$)",
    re.MULTILINE,
)
_LEAKS = (_LEAKED_TAG, _SHORTCODE, _CLASS_HINT, _MARKDOWN)
_TEXT_HOLDERS = ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "figcaption", "dt", "dd", "td", "th", "pre", "blockquote")

_DATELINE = re.compile(
    r"^\s*(?P<place>[A-Z][A-Z’'.\-–/ ]*[A-Z.]"
    r"(?:,\s*[A-Z][A-Za-z.]*(?:\s+[A-Z][A-Za-z.]*)*)?"
    r"(?:\s*\([A-Z][A-Za-z]*\))?)"
    r"\s*[–—-]+\s*"
)
_DATELINE_LIMIT = 60

# "Syria Deeply: question" or "Fabrice Balanche: answer": a short label and a colon.
_LABEL = re.compile(r"^\s*(?P<label>[^:?!\n]{1,50}?)\s*:\s*(?=\S)")
_ASKER_SUFFIX = re.compile(r"\bDeeply$", re.IGNORECASE)
_QUESTION_LABELS = {"q", "question"}
_MAX_LABEL_WORDS = 6
_NAME_PARTICLES = {"al", "el", "de", "del", "der", "van", "von", "bin", "ibn", "da", "di", "du", "la", "le", "and"}

_HIDDEN_STYLE = re.compile(r"display\s*:\s*none", re.IGNORECASE)
_HEADING_LEVELS = {"h1": 2, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_DROPPED_TAGS = {
    "script", "style", "noscript", "template", "form", "button", "input", "select",
    "textarea", "nav", "svg", "canvas", "object", "embed", "link", "meta", "hr",
}
_BLOCK_TAGS = {
    "p", "div", "section", "article", "center", "figure", "aside", "blockquote", "ul", "ol",
    "dl", "table", "pre", "iframe", "h1", "h2", "h3", "h4", "h5", "h6", "header", "footer",
} | _DROPPED_TAGS
_AUDIO_HOSTS = ("soundcloud.com", "audioboom.com", "spotify.com", "speakbridge.io")
_VIDEO_HOSTS = ("youtube.com", "youtu.be", "vimeo.com", "newsinc.com", "dailymotion.com", "facebook.com")


# --- the reader protocol -------------------------------------------------------------


def sniff(path: Path, head: bytes) -> int:
    """Certain for pages HTTrack mirrored from newsdeeply.com, unsure for other pages naming it."""
    text = sanitize.head_text(head)
    if "Mirrored from www.newsdeeply.com" in text:
        return 95
    if "newsdeeply" in text and "<html" in text.lower():
        return 40
    return 0


def read(path: Path) -> list[Article]:
    """The one article of a mirrored page; ``Skip`` for listing pages and redirect stubs."""
    path = Path(path)
    data = _read_bytes(path)
    target = _redirect_target(data)
    if target is not None:
        raise Skip(f"redirect to {target}")
    return [parse_page(data, path)]


def claims_folder(path: Path) -> bool:
    """True for a mirror root holding site folders, or for one site folder."""
    path = Path(path)
    if not path.is_dir():
        return False
    return _is_site_folder(path) or any(_is_site_folder(child) for child in _subfolders(path))


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
    if _is_site_folder(folder):
        sites = [folder]
    else:
        sites = [child for child in _subfolders(folder) if _is_site_folder(child)]
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
    articles = list(pool.run(task, groups, report, jobs=jobs))
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
    if _is_site_folder(folder) and (folder.parent / f"{folder.name}.html").is_file():
        return inputs.roots_of([folder.parent])
    return ()


# --- one page ------------------------------------------------------------------------


def parse_page(data: bytes, path: Path) -> Article:
    """The article in a mirrored page's bytes; ``path`` is where they came from.

    Whatever else the parsing fails with on a malformed page is a ``ReadError``
    naming it: one page never ends the walk of a mirror.
    """
    try:
        return _parse_page(data, path)
    except (Skip, DeeplybookError):
        raise
    except Exception as exc:  # noqa: BLE001 - the page's failure, not the walk's
        logger.debug("%s: parsing failed", path, exc_info=True)
        raise ReadError(f"cannot be read ({type(exc).__name__}: {exc})", path) from exc


def _parse_page(data: bytes, path: Path) -> Article:
    if not data.strip():
        raise Skip("empty file (HTTrack saved nothing)")
    document = parse_document(sanitize.decode(data, path), path)
    found = document.xpath("//article[contains(concat(' ', normalize-space(@class), ' '), ' detail ')]")
    if not found:
        raise Skip("listing page (no article in it)")
    element = found[0]
    linked = _json_ld(element)
    url = _canonical_url(element, linked, document)
    page = _PageLocation.of(Path(path), url)
    briefing = _is_briefing(url, linked, page)
    title = _title(element, linked, document)
    if not title:
        raise ReadError("article page without a title", path)
    labels = _category_labels(element)
    kind = _kind(element, labels, briefing)
    date_text, date = _published(element, linked, path)
    body_element = _body_element(element)
    if body_element is None:
        raise ReadError("article page without a body (div.body[itemprop=articleBody])", path)
    body = _Body(page, kind).blocks(body_element)
    if not body:
        raise ReadError("article body is empty", path)
    extra = {}
    if labels:
        extra["categories"] = "; ".join(labels)
    if date_text and date is None:
        extra["date_text"] = date_text
    return sanitize.article(Article(
        title=title,
        body=body,
        dek=_dek(element),
        authors=_authors(element, linked),
        date=date,
        modified=_modified(element, linked, path),
        read_time=_read_time(element),
        topics=tuple(_text(a) for a in element.xpath(".//ul[contains(@class, 'categories')]//a[contains(@class, 'channel')]")),
        kind=kind,
        category=_category(labels, linked, briefing),
        url=url,
        site=_site_name(document, url),
        lead=_lead_figure(element, page),
        slug=_briefing_slug(url) if briefing else _slug(url, Path(path)),
        source=str(path),
        extra=extra,
    ))


def _dek(element: etree._Element) -> str:
    ledes = element.xpath(".//p[contains(concat(' ', normalize-space(@class), ' '), ' lede ')]")
    if not ledes:
        return ""
    lede = copy.deepcopy(ledes[0])
    _strip_leaks(lede)
    return _text(lede)


def _body_element(element: etree._Element) -> etree._Element | None:
    bodies = element.xpath(".//div[@itemprop='articleBody']")
    return bodies[0] if bodies else None


def _json_ld(element: etree._Element) -> dict:
    """The page's NewsArticle JSON-LD; many pages break it, so fields are also pulled by hand."""
    for script in element.xpath(".//script[@type='application/ld+json']"):
        source = script.text or ""
        try:
            value = json.loads(source)
        except ValueError:
            value = _loose_json_fields(source)
        if isinstance(value, dict):
            return value
    return {}


def _loose_json_fields(source: str) -> dict:
    # The broken blocks hold unescaped quotes in the description; the fields needed
    # here are simple strings that a pattern finds on their own lines.
    fields: dict = {}
    for key in ("headline", "url", "datePublished", "dateModified", "articleSection"):
        match = re.search(rf'"{key}"\s*:\s*"([^"\n]*)"', source)
        if match:
            fields[key] = match.group(1)
    authors = re.findall(r'"@type"\s*:\s*"Person"\s*,\s*"name"\s*:\s*"([^"\n]*)"', source)
    if authors:
        fields["author"] = [{"name": name} for name in authors]
    return fields


def _canonical_url(element: etree._Element, linked: dict, document: etree._Element) -> str:
    candidates = [element.get("data-uri"), linked.get("url")]
    candidates += document.xpath("//meta[@itemprop='mainEntityOfPage']/@itemid")
    for candidate in candidates:
        if not candidate or not isinstance(candidate, str):
            continue
        absolute = urljoin(LIVE_SITE, candidate.strip())
        if absolute.startswith(("https://", "http://")) and urlsplit(absolute).path.strip("/"):
            return _https(absolute)
    return ""


def _https(url: str) -> str:
    parts = urlsplit(url)
    if parts.netloc in ("www.newsdeeply.com", "newsdeeply.com"):
        return urlunsplit(("https", "www.newsdeeply.com", parts.path.rstrip("/"), parts.query, parts.fragment))
    return url


def _is_briefing(url: str, linked: dict, page: "_PageLocation") -> bool:
    if f"/{_BRIEFING_SECTION}/" in url or linked.get("articleSection") == "Executive Summaries":
        return True
    return _BRIEFING_SECTION in page.file.parts


def _title(element: etree._Element, linked: dict, document: etree._Element) -> str:
    headings = element.xpath(".//h1[contains(concat(' ', normalize-space(@class), ' '), ' title ')]")
    if not headings:
        headings = element.xpath("./header//h1") or element.xpath(".//h1")
    if headings:
        return _text(headings[0])
    for fallback in (linked.get("headline"), *document.xpath("//meta[@property='og:title']/@content")):
        if isinstance(fallback, str) and fallback.strip():
            return sanitize.normalize_space(html.unescape(fallback))
    return ""


def _category_labels(element: etree._Element) -> tuple[str, ...]:
    links = element.xpath(".//ul[contains(@class, 'categories')]//a[contains(@class, 'category')]")
    labels: list[str] = []
    for link in links:
        label = _text(link)
        if label and label not in labels:
            labels.append(label)
    return tuple(labels)


def _kind(element: etree._Element, labels: tuple[str, ...], briefing: bool) -> Kind:
    if briefing:
        return Kind.BRIEFING
    if _QA_CATEGORIES & set(labels):
        return Kind.QA
    if "type-oped" in (element.get("class") or "").split():
        return Kind.OPED
    return Kind.ARTICLE


def _category(labels: tuple[str, ...], linked: dict, briefing: bool) -> str:
    """The site's label for the piece: the most specific of the labels it prints."""
    if briefing:
        section = linked.get("articleSection")
        return section if isinstance(section, str) and section else "Executive Summaries"
    for wanted in (_QA_CATEGORIES, _OPED_CATEGORIES):
        for label in labels:
            if label in wanted:
                return label
    specific = [label for label in labels if label not in _GENERIC_CATEGORIES]
    if specific:
        return specific[-1]
    return labels[0] if labels else ""


def _authors(element: etree._Element, linked: dict) -> tuple[str, ...]:
    cells = element.xpath(".//table[contains(@class, 'meta')]//td[small[contains(., 'Written by')]]")
    names: list[str] = []
    if cells:
        for link in cells[0].xpath(".//a"):
            names.extend(name for name in byline_names(_text(link)) if name not in names)
    if names:
        return tuple(names)
    author = linked.get("author")
    people = author if isinstance(author, list) else [author]
    for person in people:
        if isinstance(person, dict) and isinstance(person.get("name"), str):
            found = byline_names(sanitize.normalize_space(html.unescape(person["name"])))
            names.extend(name for name in found if name not in names)
    return tuple(names)


#: "and" or "&" between two names in one byline link.
_JOINED = re.compile(r"\s(?:and|&)\s", re.IGNORECASE)
#: A full stop after a name, not after an initial ("Karen Leigh." but not "R.R.").
_TRAILING_STOP = re.compile(r"(?<=[^\W\d_]{2})\.$")


def byline_names(text: str) -> tuple[str, ...]:
    """The people one byline link names: the site often put two or three in one link.

    "A and B", "A & B" and "A, B and C" are several names; "A, Outlet" (a name and
    an affiliation, with no "and") stays one.
    """
    text = _TRAILING_STOP.sub("", text.strip())
    if not text:
        return ()
    return fields.split_authors(text) if _JOINED.search(text) else (text,)


def _published(element: etree._Element, linked: dict, path: Path) -> tuple[str, dt.datetime | None]:
    """The publication date as printed and as a UTC datetime (``None`` when it does not parse)."""
    stamps = element.xpath(".//time/@datetime")
    text = str(stamps[0]) if stamps else linked.get("datePublished")  # a plain str: lxml's keeps its tree alive
    if not isinstance(text, str) or not text.strip():
        cells = element.xpath(".//table[contains(@class, 'meta')]//td[small[contains(., 'Published')]]")
        text = ""
        if cells:
            small = cells[0].xpath("./small")[0]
            text = sanitize.normalize_space(_text(cells[0]).replace(_text(small), "", 1))
    if not text:
        return "", None
    return text, parse_date(text, path)


def _modified(element: etree._Element, linked: dict, path: Path) -> dt.datetime | None:
    value = linked.get("dateModified")
    if not isinstance(value, str) or not value.strip():
        stamps = element.xpath(".//meta[@itemprop='dateModified']/@content")
        value = stamps[0] if stamps else ""
    return parse_date(value, path) if value else None


def _read_time(element: etree._Element) -> int | None:
    cells = element.xpath(".//table[contains(@class, 'meta')]//td[small[contains(., 'Read time')]]")
    match = _READ_TIME.search(_text(cells[0])) if cells else None
    return int(match.group(1)) if match else None


def _site_name(document: etree._Element, url: str) -> str:
    """"Syria Deeply" from og:site_name "Syria", or from the site folder in the URL."""
    names = document.xpath("//meta[@property='og:site_name']/@content")
    name = sanitize.normalize_space(names[0]) if names else ""
    if not name and url:
        segments = [s for s in urlsplit(url).path.split("/") if s]
        name = segments[0].replace("-", " ").title() if segments else ""
    if not name:
        return ""
    return name if name.endswith("Deeply") else f"{name} Deeply"


def _slug(url: str, path: Path) -> str:
    segments = [s for s in urlsplit(url).path.split("/") if s] if url else []
    if segments:
        return segments[-1].removesuffix(".html")
    if path.name == "index.html":
        return path.parent.name
    return path.stem


def _briefing_slug(url: str) -> str:
    """"executive-summary-2017-11-01": a briefing's URL ends in the bare day ("01")."""
    segments = [s for s in urlsplit(url).path.split("/") if s]
    dated = [s.removesuffix(".html").zfill(2) for s in segments[-3:]]
    return "executive-summary-" + "-".join(dated)


def _lead_figure(element: etree._Element, page: "_PageLocation") -> Figure | None:
    figures = element.xpath(".//figure[contains(concat(' ', normalize-space(@class), ' '), ' article-feature ')]")
    if not figures:
        return None
    figure = copy.deepcopy(figures[0])
    image = _image(figure, page)
    credit, caption = _caption_and_credit(figure.find(".//figcaption"), page)
    if image is None and not caption and not credit:
        return None
    return Figure(caption=caption, credit=credit, image=image)


def _caption_and_credit(caption: etree._Element | None, page: "_PageLocation") -> tuple[str, str]:
    if caption is None:
        return "", ""
    credit = ""
    for cite in caption.xpath(".//cite"):
        credit = credit or _text(cite)
        _remove(cite)
    _clean_tree(caption, page)
    return credit, _inline(caption)


def _image(container: etree._Element, page: "_PageLocation") -> Image | None:
    images = [container] if container.tag == "img" else container.xpath(".//img")
    for img in images:
        source = img.get("src") or img.get("data-original") or img.get("data-orig-file") or ""
        source = source.strip()
        if not source or source.startswith("data:"):
            continue
        url, local = page.resolve_resource(source)
        if url:
            return Image(url=url, path=local, alt=sanitize.normalize_space(img.get("alt") or ""))
    return None


# --- where a page lives: turning mirror paths back into web addresses -----------------


@dataclass(frozen=True, slots=True)
class _PageLocation:
    """Where a page sits in the mirror and on the live site, to resolve its links."""

    file: Path
    """The page file as given."""
    base_url: str
    """The live address relative links in the page resolve against."""
    mirror_root: Path | None
    """The mirror folder holding the site folders, when the page sits inside one."""

    @classmethod
    def of(cls, file: Path, url: str) -> "_PageLocation":
        """Find the mirror root from the page's canonical URL: it has as many folders as the URL."""
        segments = [s for s in urlsplit(url).path.split("/") if s] if url else []
        if not segments:
            return cls(file, url, None)
        depth = len(segments) + (1 if file.name == "index.html" else 0)
        parents = file.absolute().parents
        if depth > len(parents):
            return cls(file, url, None)
        root = parents[depth - 1]
        if not (root / segments[0]).is_dir():
            return cls(file, url, None)
        relative = file.absolute().relative_to(root).as_posix()
        return cls(file, LIVE_SITE + relative, root)

    def link(self, href: str) -> str | None:
        """The live address for a link as written in the page; ``None`` when it leads nowhere."""
        href = href.strip()
        if not href or href.startswith("#"):
            return None
        scheme = urlsplit(href).scheme.lower()
        if scheme in ("http", "https"):
            return _https(href)
        if scheme == "mailto":
            return href
        if scheme:
            return None
        if href.startswith("//"):
            return _https("https:" + href)
        if not self.base_url:
            return None
        return self._live(urljoin(self.base_url, href))

    def resolve_resource(self, source: str) -> tuple[str | None, str | None]:
        """(live URL, local file or ``None``) for an image source."""
        url = self.link(source)
        if url is None or urlsplit(source).scheme or source.startswith("//"):
            return url, None
        return url, self._local_file(urljoin(self.base_url, source))

    def _local_file(self, joined: str) -> str | None:
        if self.mirror_root is None or not joined.startswith(LIVE_SITE):
            return None
        relative = unquote(urlsplit(joined).path).lstrip("/")
        candidate = (self.mirror_root / relative).resolve()
        root = self.mirror_root.resolve()
        if candidate.is_relative_to(root) and candidate.is_file():
            return str(candidate)
        return None

    def _live(self, joined: str) -> str:
        parts = urlsplit(joined)
        segments = parts.path.split("/")
        for marker in _OUTSIDE_FOLDERS:
            if marker in segments:
                return self._outside(parts, segments.index(marker))
        path = parts.path
        if path.endswith("/index.html"):
            path = path[: -len("index.html")]
        path = path.removesuffix(".html")
        if path != "/":
            path = path.rstrip("/")
        return urlunsplit(("https", "www.newsdeeply.com", path, parts.query, parts.fragment))

    def _outside(self, parts, index: int) -> str:
        """The external address of an HTTrack copy (``_https_/host/path``)."""
        segments = parts.path.split("/")
        local = self._local_file(urlunsplit(("https", "www.newsdeeply.com", parts.path, "", "")))
        if local is not None:
            original = _mirrored_from(local)
            if original:
                return original
        scheme = segments[index].strip("_")
        rest = [s for s in segments[index + 1 :] if s]
        if not rest:
            return ""
        last = rest[-1].removesuffix(".html")
        if re.fullmatch(r"index[0-9a-f]{4}|index|_", last):
            rest = rest[:-1]
            tail = "/"
        else:
            rest[-1] = last.removesuffix("_")
            tail = ""
        return f"{scheme}://" + "/".join(rest) + tail


@functools.lru_cache(maxsize=4096)
def _mirrored_from(local: str) -> str:
    """The original address HTTrack wrote at the top of a copied page."""
    try:
        with open(local, "rb") as handle:
            head = handle.read(2048)
    except OSError:
        return ""
    match = _MIRRORED_FROM.search(head)
    if not match:
        return ""
    written = match.group(1).decode("utf-8", "replace")
    quoted = re.search(r'"(https?://[^"]+)', written)
    if quoted:
        return html.unescape(quoted.group(1)).removesuffix("%22")
    scheme = "https" if "/_https_/" in local.replace(os.sep, "/") else "http"
    return f"{scheme}://{written}"


# --- the body ------------------------------------------------------------------------


class _Body:
    """Turns div.body into typed blocks: paragraphs, figures, interview exchanges..."""

    def __init__(self, page: _PageLocation, kind: Kind) -> None:
        self.page = page
        self.kind = kind

    def blocks(self, body: etree._Element) -> tuple[Block, ...]:
        body = copy.deepcopy(body)
        _clean_tree(body, self.page)
        _wrap_loose_inline(body)
        children = [child for child in body if isinstance(child.tag, str)]
        if self.kind is not Kind.BRIEFING:
            _mark_dateline(children)
        return tuple(_Interview(self, children, self.kind is Kind.QA).blocks())

    def block(self, element: etree._Element) -> list[Block]:
        """The blocks one element of the body makes."""
        tag = element.tag
        classes = set((element.get("class") or "").split())
        if tag in _HEADING_LEVELS:
            text = _inline(element)
            return [Heading(text, _HEADING_LEVELS[tag])] if text else []
        if tag == "p" and self.kind is Kind.BRIEFING and _fully(element, ("strong", "b")):
            text = _unwrap(_inline(element), "strong")
            return [Heading(text, 2)] if text else []  # older briefings set their items in bold
        if tag == "p":
            return self._paragraph(element)
        if tag == "div" and "wp-caption" in classes:
            return self._figure(element)
        if tag == "div" and "left-side-quote-block" in classes:
            return []  # a pull quote repeats the text around it
        if tag == "figure":
            return self._figure(element)
        if tag == "aside":
            return self._aside(element)
        if tag == "blockquote":
            return self._blockquote(element)
        if tag in ("ul", "ol"):
            return self._list(element)
        if tag == "iframe":
            return self._embeds(element)
        if tag == "img":
            return self._figure(element)
        if tag == "dl":
            return [Paragraph(text) for text in map(_inline, element.xpath("./dt|./dd")) if text]
        if tag == "table":
            rows = (" – ".join(filter(None, map(_inline, row.xpath("./td|./th")))) for row in element.iter("tr"))
            return [Paragraph(row) for row in rows if row]
        if tag == "pre":
            text = _inline(element)
            return [Paragraph(text)] if text else []
        if tag in _DROPPED_TAGS:
            return []
        if element.xpath(".//iframe") and not element.xpath(".//p"):
            return self._embeds(element)
        _wrap_loose_inline(element)
        blocks: list[Block] = []
        for child in element:
            if isinstance(child.tag, str):
                blocks.extend(self.block(child))
        return blocks

    def _paragraph(self, element: etree._Element) -> list[Block]:
        if element.xpath(".//iframe"):
            return self._embeds(element) + self._paragraph(_without(element, "iframe"))
        if element.xpath(".//img") and not _text(element):
            return self._figure(element)
        if "wp-caption-text" in (element.get("class") or ""):
            text = _inline(element)
            return [Figure(caption=text)] if text else []
        text = _inline(element)
        if not text:
            return []
        return [Paragraph(text, dateline=element.get("data-dateline"))]

    def _figure(self, element: etree._Element) -> list[Block]:
        if element.xpath(".//iframe"):
            title = _plain(element.xpath(".//figcaption|.//p[contains(@class, 'wp-caption-text')]"))
            return self._embeds(element, title)
        image = _image(element, self.page)
        captions = element.xpath(".//figcaption|.//*[contains(concat(' ', normalize-space(@class), ' '), ' wp-caption-text ')]")
        credit, caption = _caption_and_credit(captions[0], self.page) if captions else ("", "")
        if image is None and not caption and not credit:
            return []
        return [Figure(caption=caption, credit=credit, image=image)]

    def _aside(self, element: etree._Element) -> list[Block]:
        if element.xpath(".//iframe"):
            return self._figure(element)
        if element.xpath(".//img|.//figure"):
            return self._figure(element)
        return []  # asides without a picture are pull quotes: the text is in the body already

    def _blockquote(self, element: etree._Element) -> list[Block]:
        classes = (element.get("class") or "").split()
        if any(c.startswith("twitter-") for c in classes):
            return self._tweet(element)
        if "instagram-media" in classes:
            links = [a.get("href") for a in element.iter("a") if a.get("href")]
            url = self.page.link(links[0]) if links else None
            return [Embed("media", url, "Instagram post")] if url else []
        paragraphs = [text for text in map(_inline, element.xpath(".//p")) if text]
        if not paragraphs:
            text = _inline(element)
            paragraphs = [text] if text else []
        cite = _plain(element.xpath(".//cite"))
        return [Quote(tuple(paragraphs), cite)] if paragraphs else []

    def _tweet(self, element: etree._Element) -> list[Block]:
        links = [a.get("href") for a in element.iter("a") if a.get("href")]
        statuses = [link for link in links if "/status/" in link]
        chosen = statuses[-1] if statuses else (links[-1] if links else None)
        url = self.page.link(chosen) if chosen else None
        if not url:
            return []
        return [Embed("tweet", url, _plain(element.xpath(".//p")[:1]))]

    def _list(self, element: etree._Element) -> list[Block]:
        items = element.xpath("./li")
        exchanges = _numbered_exchanges(items)
        if exchanges:
            return exchanges
        texts = tuple(text for text in map(_inline, items) if text)
        return [ItemList(texts, ordered=element.tag == "ol")] if texts else []

    def _embeds(self, element: etree._Element, title: str = "") -> list[Block]:
        frames = [element] if element.tag == "iframe" else element.xpath(".//iframe")
        embeds: list[Block] = []
        for frame in frames:
            source = frame.get("src") or frame.get("data-src") or ""
            url = self.page.link(source) if source.strip() else None
            if url:
                url = _watchable(url)
                embeds.append(Embed(_media_kind(url), url, title or sanitize.normalize_space(frame.get("title") or "")))
        return embeds


class _Interview:
    """Finds the exchanges of an interview among the body's top-level elements.

    A question is a paragraph or subhead that opens with the asker's label
    ("Syria Deeply: ...", "Q: ..."); in a page of the Q&A category a wholly bold
    paragraph or subhead with a label also counts. Once an interview has begun, bold
    paragraphs and subheads that ask something ("...?") are questions too. The answer
    runs until the next question; its first paragraph may name the speaker.
    """

    def __init__(self, body: _Body, children: list[etree._Element], qa_page: bool) -> None:
        self.body = body
        self.children = children
        self.qa_page = qa_page

    def blocks(self) -> Iterator[Block]:
        questions = self._questions()
        if not questions:
            for child in self.children:
                yield from self.body.block(child)
            return
        first = min(questions)
        for child in self.children[:first]:
            yield from self.body.block(child)
        index = first
        while index < len(self.children):
            asker, question = questions[index]
            end = index + 1
            while end < len(self.children) and end not in questions:
                end += 1
            yield from self._exchange(asker, question, self.children[index + 1 : end])
            index = end

    def _questions(self) -> dict[int, tuple[str, str]]:
        found: dict[int, tuple[str, str]] = {}
        started = False
        for index, child in enumerate(self.children):
            if child.tag not in ("p", "h2", "h3", "h4"):
                continue
            emphatic = child.tag != "p" or _fully(child, ("strong", "b"))
            label = _label(child)
            if label and self._is_asker(label, emphatic):
                _drop_leading(child, label[1])
                found[index] = (label[0], _unwrap(_inline(child), "strong"))
                started = True
            elif emphatic and (started or self.qa_page) and "?" in _text(child) and self._answered(index):
                found[index] = ("", _unwrap(_inline(child), "strong"))
                started = True
        if not found:
            found = self._transcript()
        return {index: value for index, value in found.items() if value[1]}

    def _transcript(self) -> dict[int, tuple[str, str]]:
        """Questions of a transcript: "<b>LS:</b> ..." and "<b>GS:</b> ..." taking turns.

        Early interviews name neither side as an asker; the one who speaks first asks.
        It takes two bold labels alternating at least twice each, and nothing else
        labelled, so that an article quoting several people is left alone.
        """
        turns = [(index, _bold_label(child)) for index, child in enumerate(self.children) if child.tag == "p"]
        turns = [(index, label) for index, label in turns if label]
        names = {label[0] for _, label in turns}
        if len(names) != 2 or len(turns) < 4 or not all(_looks_like_name(name) for name in names):
            return {}
        asker = turns[0][1][0]
        switches = sum(1 for a, b in zip(turns, turns[1:]) if a[1][0] != b[1][0])
        if switches < 3:
            return {}
        found = {}
        for index, label in turns:
            if label[0] == asker:
                child = self.children[index]
                _drop_leading(child, label[1])
                found[index] = (asker, _inline(child))
        return found

    def _is_asker(self, label: tuple[str, int], emphatic: bool) -> bool:
        name = label[0]
        if _ASKER_SUFFIX.search(name) or name.lower() in _QUESTION_LABELS:
            return True
        return self.qa_page and emphatic and _looks_like_name(name)

    def _answered(self, index: int) -> bool:
        """An unlabelled question is only one when plain text follows it."""
        following = self.children[index + 1 : index + 2]
        return bool(following) and following[0].tag == "p" and not _fully(following[0], ("strong", "b"))

    def _exchange(self, asker: str, question: str, elements: list[etree._Element]) -> Iterator[Block]:
        answer: list[str] = []
        speaker = ""
        before: list[Block] = []
        after: list[Block] = []
        for element in elements:
            if after or (element.tag == "p" and _fully(element, ("em", "i")) and answer):
                after.extend(self.body.block(element))
                continue
            if not answer and element.tag == "p" and not speaker:
                label = _label(element)
                if label and _looks_like_name(label[0]):
                    speaker = label[0]
                    _drop_leading(element, label[1])
            blocks = self.body.block(element)
            if all(isinstance(block, Paragraph) for block in blocks):
                answer.extend(block.text for block in blocks)
            elif not answer:
                # A picture set between the question and its answer: it goes before
                # the exchange, which keeps the answer with its question.
                before.extend(blocks)
            else:
                after.extend(blocks)
        yield from before
        yield Exchange(question, tuple(answer), asker, speaker)
        yield from after


def _numbered_exchanges(items: list[etree._Element]) -> list[Block]:
    """Exchanges from ``<li><p><strong>question</strong></p><p>answer</p></li>`` items."""
    if len(items) < 2:
        return []
    exchanges: list[Block] = []
    for item in items:
        paragraphs = item.xpath("./p")
        if len(paragraphs) < 2 or not _fully(paragraphs[0], ("strong", "b")):
            return []
        asker = ""
        label = _label(paragraphs[0])
        if label and (_ASKER_SUFFIX.search(label[0]) or label[0].lower() in _QUESTION_LABELS):
            asker = label[0]
            _drop_leading(paragraphs[0], label[1])
        question = _unwrap(_inline(paragraphs[0]), "strong")
        speaker = ""
        label = _label(paragraphs[1])
        if label and _looks_like_name(label[0]):
            speaker = label[0]
            _drop_leading(paragraphs[1], label[1])
        answer = tuple(text for text in map(_inline, paragraphs[1:]) if text)
        if not question or not answer:
            return []
        exchanges.append(Exchange(question, answer, asker, speaker))
    return exchanges


def _label(element: etree._Element) -> tuple[str, int] | None:
    """(label, characters to drop) when the element's text opens with "Label: "."""
    match = _LABEL.match(element.text_content())
    if not match:
        return None
    name = sanitize.normalize_space(match.group("label"))
    return (name, match.end()) if name else None


def _bold_label(element: etree._Element) -> tuple[str, int] | None:
    """The element's opening label when it is set in bold ("<strong>LS:</strong> ...")."""
    if (element.text or "").strip() or not len(element) or element[0].tag not in ("strong", "b"):
        return None
    label = _label(element)
    if label is None or len(element[0].text_content().strip()) < len(label[0]):
        return None
    return label


def _looks_like_name(label: str) -> bool:
    """"Fabrice Balanche", "Dr. Anna Neistat", "Haian al-Dukhan", "MEE"; not "The report says"."""
    words = label.split()
    if not 0 < len(words) <= _MAX_LABEL_WORDS or any(ch.isdigit() for ch in label):
        return False
    if not words[0][0].isupper():
        return False
    return all(word[0].isupper() or word.lower() in _NAME_PARTICLES or word.startswith(("al-", "el-")) for word in words)


def _mark_dateline(children: list[etree._Element]) -> None:
    """Take "BEIRUT –" off the start of the first paragraph, remembering the place."""
    for child in children:
        if child.tag != "p" or not _text(child):
            if child.tag in ("p", "div", "figure", "aside"):
                continue
            return
        match = _DATELINE.match(child.text_content())
        place = sanitize.normalize_space(match.group("place")) if match else ""
        if match and 3 <= len(place) <= _DATELINE_LIMIT and sum(ch.isalpha() for ch in place) >= 3:
            _drop_leading(child, match.end())
            child.set("data-dateline", place)
        return


# --- element helpers -----------------------------------------------------------------


def _clean_tree(root: etree._Element, page: _PageLocation) -> None:
    """Drop scripts, hidden and leaked markup; point every link at its live address."""
    for element in list(root.iter()):
        if element is root:
            continue
        if not isinstance(element.tag, str):
            _remove(element)
            continue
        if element.tag in _DROPPED_TAGS or _HIDDEN_STYLE.search(element.get("style") or ""):
            _remove(element)
    for element in root.iter(*_TEXT_HOLDERS):
        _strip_leaks(element)
    for element in root.iter():
        if element.tag == "a":
            href = element.get("href")
            target = page.link(href) if href else None
            for name in list(element.attrib):
                del element.attrib[name]
            if target:
                element.set("href", target)


def _strip_leaks(element: etree._Element) -> None:
    """Cut markup printed as text, even when the page's own tags split it in pieces."""
    text = element.text_content()
    if not any(sign in text for sign in ("<", "&lt;", "[", "{", "]]>", "**", ">")):
        return
    spans = sorted(m.span() for pattern in _LEAKS for m in pattern.finditer(text))
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    _drop_spans(element, merged)


def _wrap_loose_inline(container: etree._Element) -> None:
    """Put runs of text and inline elements that sit between blocks into paragraphs."""
    children = list(container)
    if not (container.text or "").strip() and all(
        isinstance(c.tag, str) and c.tag in _BLOCK_TAGS and not (c.tail or "").strip() for c in children
    ):
        return
    run: list[etree._Element] = []
    leading = container.text
    container.text = None
    new_children: list[etree._Element] = []
    pending_text = leading or ""

    def flush() -> None:
        nonlocal pending_text, run
        if pending_text.strip() or run:
            paragraph = etree.Element("p")
            paragraph.text = pending_text
            for item in run:
                paragraph.append(item)
            new_children.append(paragraph)
        pending_text, run = "", []

    for child in children:
        container.remove(child)
        tail, child.tail = child.tail, None
        if isinstance(child.tag, str) and child.tag in _BLOCK_TAGS:
            flush()
            new_children.append(child)
        elif isinstance(child.tag, str):
            run.append(child)
        if tail:
            if run:
                run[-1].tail = (run[-1].tail or "") + tail
            else:
                pending_text += tail
    flush()
    for child in new_children:
        container.append(child)


def _drop_leading(element: etree._Element, count: int) -> None:
    """Remove the first ``count`` characters of an element's text, wherever they sit."""
    _drop_spans(element, [(0, count)])


def _drop_spans(element: etree._Element, spans: list[tuple[int, int]]) -> None:
    """Remove characters ``start:end`` of ``element.text_content()`` from the tree, for each of ``spans``.

    The spans are in order and apart. One walk cuts them all: a paragraph full of
    leaked markup costs no more than its length (a walk per span took minutes).
    """
    if not spans:
        return
    offset = 0
    current = 0  # the first span not yet cut to its end

    def cut(value: str | None) -> str | None:
        nonlocal offset, current
        if not value:
            return value
        begin, stop = offset, offset + len(value)
        offset = stop
        kept: list[str] = []
        position = begin
        while current < len(spans) and spans[current][0] < stop:
            start, end = spans[current]
            if start > position:
                kept.append(value[position - begin : start - begin])
            position = max(position, min(end, stop))
            if end > stop:
                break  # the span goes on in the next piece of text
            current += 1
        if position == begin and not kept:
            return value
        kept.append(value[position - begin :])
        return "".join(kept)

    def visit(node: etree._Element) -> None:
        node.text = cut(node.text)
        for child in node:
            if current >= len(spans):
                return
            if isinstance(child.tag, str):
                visit(child)
            child.tail = cut(child.tail)

    visit(element)
    for child in list(element.iter()):
        if child is not element and child.tag not in ("br", "img") and not len(child) and not (child.text or "").strip():
            if child.text and child.tail is not None:
                child.tail = child.text + child.tail
            _remove(child)


def _without(element: etree._Element, tag: str) -> etree._Element:
    trimmed = copy.deepcopy(element)
    for found in list(trimmed.iter(tag)):
        _remove(found)
    return trimmed


def _remove(element: etree._Element) -> None:
    """Take an element out of the tree, keeping the text that follows it."""
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    previous = element.getprevious()
    if tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


def _fully(element: etree._Element, tags: tuple[str, ...]) -> bool:
    """True when all the element's text sits inside one of ``tags``."""
    if not _text(element):
        return False
    if (element.text or "").strip():
        return False
    for child in element:
        if not isinstance(child.tag, str):
            continue
        if (child.tail or "").strip():
            return False
        if child.tag not in tags and _text(child) and not (child.tag in ("span", "a") and _fully(child, tags)):
            return False
    return True


def _inline(element: etree._Element) -> str:
    parts = [html.escape(element.text or "", quote=False)]
    for child in element:
        if isinstance(child.tag, str):
            parts.append(lxml.html.tostring(child, encoding="unicode", with_tail=False))
        parts.append(html.escape(child.tail or "", quote=False))
    return sanitize.inline("".join(parts))


def _unwrap(inline: str, tag: str) -> str:
    """Strip one tag from inline markup (a question needs no bold of its own)."""
    return sanitize.normalize_space(inline.replace(f"<{tag}>", "").replace(f"</{tag}>", ""))


def _text(element: etree._Element) -> str:
    return sanitize.normalize_space(element.text_content())


def _plain(elements: list[etree._Element]) -> str:
    return _text(elements[0]) if elements else ""


def _media_kind(url: str) -> str:
    host = urlsplit(url).netloc.lower()
    if any(host.endswith(name) for name in _AUDIO_HOSTS):
        return "audio"
    if any(host.endswith(name) for name in _VIDEO_HOSTS):
        return "video"
    return "media"


def _watchable(url: str) -> str:
    """A YouTube player address as the page a reader can open; others as they are."""
    parts = urlsplit(url)
    if parts.netloc.endswith("youtube.com") and parts.path.startswith("/embed/"):
        video = parts.path.removeprefix("/embed/").strip("/")
        if video:
            return f"https://www.youtube.com/watch?v={video}"
    if parts.netloc.endswith("soundcloud.com") and parts.path.startswith("/player"):
        tracks = parse_qs(parts.query).get("url")
        if tracks:
            return tracks[0]
    return url


# --- walking a mirror ----------------------------------------------------------------


def _is_site_folder(path: Path) -> bool:
    return any((path / section).is_dir() for section in _SECTIONS)


def _subfolders(path: Path) -> list[Path]:
    return sorted(child for child in path.iterdir() if child.is_dir() and not child.name.startswith("."))


def _site_groups(site: Path, report, roots: tuple[str, ...]) -> Iterator[list[Path]]:
    """The article pages of one site folder, copies of a page grouped (by slug or day), best first."""
    copies: dict[tuple, list[tuple[tuple, Path]]] = {}
    for file in _site_files(site, report, roots):
        classified = _classify(file.relative_to(site).parts)
        if isinstance(classified, str):
            report.skip(file, classified)
            continue
        copies.setdefault(classified.key, []).append((classified.preference, file))
    for key in sorted(copies, key=str):
        yield [file for _, file in sorted(copies[key])]


@dataclass(frozen=True, slots=True)
class _Classified:
    """What a page's place in the mirror says it is."""

    key: tuple
    """("story", slug) or ("briefing", year, month, day)."""
    preference: tuple
    """Sort key among copies of the same page."""


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
            if len(parts) == 5:
                slug = name.removesuffix(".html")
            elif len(parts) == 6 and name == "index.html":
                slug = parts[4]
            else:
                return "not an article page (unexpected place in the mirror)"
            padded = all(len(p) >= 2 for p in dated[1:])
            return _Classified(("story", slug), (not padded, section != "community", "/".join(parts)))
        if name == "rss.html":
            return "listing page (RSS feed)"
        return "not an article page (unexpected place in the mirror)"
    if section == _BRIEFING_SECTION:
        day = _BRIEFING_FILE.match(name)
        if len(parts) == 4 and day and all(_DATED_PART.match(p) for p in parts[1:3]):
            key = ("briefing", int(parts[1]), int(parts[2]), int(day.group(1)))
            padded = len(parts[2]) == 2 and len(day.group(1)) == 2
            return _Classified(key, (not padded, "/".join(parts)))
        return "not a briefing page (unexpected place in the mirror)"
    if section == "background":
        return "background page (an explainer, not an article)"
    return "listing page"


def _site_files(site: Path, report, roots: tuple[str, ...]) -> Iterator[Path]:
    """Every file of a site folder in sorted order; HTTrack's copies of other sites are skipped."""
    for dirpath, dirnames, filenames in inputs.walk(site, roots, report.refuse):
        for outside in [d for d in dirnames if d in _OUTSIDE_FOLDERS]:
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
        target = _redirect_target(data)
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


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ReadError(f"cannot be read: {exc.strerror or exc}", path) from exc


def _redirect_target(data: bytes) -> str | None:
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
