"""One mirrored page to an ``Article``: title, dek, authors, dates, kind, category, slug and lead figure."""

from __future__ import annotations

import copy
import datetime as dt
import html
import json
import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from lxml import etree

from ... import sanitize
from ...errors import DeeplybookError, ReadError
from ...log import logger
from ...model import Article, Figure, Kind
from .. import fields
from ..fields import parse_date
from ..htmlpage import parse_document
from ..people import split_byline
from ..report import Skip
from .body import Body, caption_and_credit, find_image
from .cleanup import Tally, strip_leaks, text_of
from .links import BRIEFING_SECTION, LIVE_SITE, PageLocation, https_address

# Labels a page prints in a.taxo.category that say nothing about the kind of piece.
_GENERIC_CATEGORIES = {"Articles", "Community", "General", "Forum", "ForumUncategorized", "Miscellaneous"}
_QA_CATEGORIES = {"Q&A"}
_OPED_CATEGORIES = {"Op-Eds"}

_READ_TIME = re.compile(r"(\d+)\s*min", re.IGNORECASE)
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
# "Executive Summary for June 8th": a briefing's title names the day without the year.
_BRIEFING_TITLE = re.compile(r"^(?P<lead>.*?\bfor)\s+(?P<month>[A-Z][a-z]+)\.?\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?$")


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
    page = PageLocation.of(Path(path), url)
    briefing = _is_briefing(url, linked, page)
    title = _title(element, linked, document)
    if not title:
        raise ReadError("article page without a title", path)
    labels = _category_labels(element)
    kind = _kind(element, labels, briefing)
    date_text, date = _published(element, linked, path)
    tally = Tally(path)
    if briefing:
        title = _briefing_title(title, date, tally)
    body_element = _body_element(element)
    if body_element is None:
        raise ReadError("article page without a body (div.body[itemprop=articleBody])", path)
    site = _site_name(document, url)
    body = Body(page, kind, site, tally).blocks(body_element)
    if not body:
        raise ReadError("article body is empty", path)
    authors, shared = _authors(element, linked, tally)
    lead = _lead_figure(element, page, tally)
    extra = {}
    if labels:
        extra["categories"] = "; ".join(labels)
    if date_text and date is None:
        extra["date_text"] = date_text
    if shared:
        extra["shared_surname"] = "; ".join(shared)
    if tally:
        extra["cleanup"] = tally.summary()
    return sanitize.article(Article(
        title=title,
        body=body,
        dek=_dek(element),
        authors=authors,
        date=date,
        modified=_modified(element, linked, path),
        read_time=_read_time(element),
        topics=tuple(text_of(a) for a in element.xpath(".//ul[contains(@class, 'categories')]//a[contains(@class, 'channel')]")),
        kind=kind,
        category=_category(labels, linked, briefing),
        url=url,
        site=site,
        lead=lead,
        slug=_briefing_slug(url) if briefing else _slug(url, Path(path)),
        source=str(path),
        extra=extra,
    ))


def _dek(element: etree._Element) -> str:
    ledes = element.xpath(".//p[contains(concat(' ', normalize-space(@class), ' '), ' lede ')]")
    if not ledes:
        return ""
    lede = copy.deepcopy(ledes[0])
    strip_leaks(lede)
    return text_of(lede)


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
            return https_address(absolute)
    return ""


def _is_briefing(url: str, linked: dict, page: PageLocation) -> bool:
    if f"/{BRIEFING_SECTION}/" in url or linked.get("articleSection") == "Executive Summaries":
        return True
    return BRIEFING_SECTION in page.file.parts


def _title(element: etree._Element, linked: dict, document: etree._Element) -> str:
    headings = element.xpath(".//h1[contains(concat(' ', normalize-space(@class), ' '), ' title ')]")
    if not headings:
        headings = element.xpath("./header//h1") or element.xpath(".//h1")
    if headings:
        return text_of(headings[0])
    for fallback in (linked.get("headline"), *document.xpath("//meta[@property='og:title']/@content")):
        if isinstance(fallback, str) and fallback.strip():
            return sanitize.normalize_space(html.unescape(fallback))
    return ""


def _category_labels(element: etree._Element) -> tuple[str, ...]:
    links = element.xpath(".//ul[contains(@class, 'categories')]//a[contains(@class, 'category')]")
    labels: list[str] = []
    for link in links:
        label = text_of(link)
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


def _authors(element: etree._Element, linked: dict, tally: Tally) -> tuple[tuple[str, ...], list[str]]:
    """(the authors, the bylines in which two people share a surname, as "A|B C")."""
    cells = element.xpath(".//table[contains(@class, 'meta')]//td[small[contains(., 'Written by')]]")
    texts = [text_of(link) for link in cells[0].xpath(".//a")] if cells else []
    if not any(texts):
        author = linked.get("author")
        people = author if isinstance(author, list) else [author]
        texts = [sanitize.normalize_space(html.unescape(person["name"])) for person in people
                 if isinstance(person, dict) and isinstance(person.get("name"), str)]
    names: list[str] = []
    shared: list[str] = []
    for text in texts:
        found = byline_names(text)
        if len(found) == 2 and found != byline_names_plain(text):
            tally.note("name-shared", f"{text} -> {found[0]}; {found[1]}")
            shared.append(f"{found[0]}|{found[1]}")
        names.extend(name for name in found if name not in names)
    return tuple(names), shared


#: "and" or "&" between two names in one byline link.
_JOINED = re.compile(r"\s(?:and|&)\s", re.IGNORECASE)
#: A full stop after a name, not after an initial ("Karen Leigh." but not "R.R.").
_TRAILING_STOP = re.compile(r"(?<=[^\W\d_]{2})\.$")


def byline_names(text: str) -> tuple[str, ...]:
    """The people one byline link names: the site often put two or three in one link.

    "A and B", "A & B" and "A, B and C" are several names; "A, Outlet" (a name and
    an affiliation, with no "and") stays one. "Connie and Peter Roop" is "Connie Roop"
    and "Peter Roop" (``people.split_byline``).
    """
    text = _TRAILING_STOP.sub("", text.strip())
    if not text:
        return ()
    return split_byline(text)[0] if _JOINED.search(text) else (text,)


def byline_names_plain(text: str) -> tuple[str, ...]:
    """The names of a byline link split as written, no surname shared."""
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
            text = sanitize.normalize_space(text_of(cells[0]).replace(text_of(small), "", 1))
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
    match = _READ_TIME.search(text_of(cells[0])) if cells else None
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


def _briefing_title(title: str, date: dt.datetime | None, tally: Tally) -> str:
    """"Executive Summary for June 8, 2017": the day the title names, with the year of the page's date.

    Only when the title's month and day are the date's: a title naming another day is left as it is.
    """
    match = _BRIEFING_TITLE.match(title)
    if match is None or date is None:
        return title
    month = _MONTHS[date.month - 1]
    if not month.casefold().startswith(match.group("month").casefold()) or int(match.group("day")) != date.day:
        return title
    dated = f"{match.group('lead')} {month} {date.day}, {date.year}"
    tally.note("briefing-dated", f"{title} -> {dated}")
    return dated


def _lead_figure(element: etree._Element, page: PageLocation, tally: Tally) -> Figure | None:
    figures = element.xpath(".//figure[contains(concat(' ', normalize-space(@class), ' '), ' article-feature ')]")
    if not figures:
        return None
    figure = copy.deepcopy(figures[0])
    image = find_image(figure, page)
    credit, caption = caption_and_credit(figure.find(".//figcaption"), page, tally)
    if image is None and not caption and not credit:
        return None
    return Figure(caption=caption, credit=credit, image=image)
