"""An HTML page's metadata and title: JSON-LD, microdata and meta tags, read for the generic reader.

What a page says of itself is looked up in its JSON-LD first, then its microdata
and meta tags, then what trafilatura guessed; its title is freed of the site's
name, and its own address is found for its links to be resolved against.
"""

from __future__ import annotations

import html
import json
import re
from urllib.parse import urljoin, urlsplit

from lxml import etree

from .. import sanitize
from ..log import logger
from . import fields

_ARTICLE_TYPES = {"Article", "NewsArticle", "BlogPosting", "Report", "OpinionNewsArticle", "AnalysisNewsArticle"}


def text_of(element: etree._Element | None) -> str:
    """All the text of ``element``, white space folded; "" for ``None``."""
    return sanitize.normalize_space("".join(element.itertext())) if element is not None else ""


def title_of(page: etree._Element, meta: PageMeta, name: str) -> str:
    """The article's title without the site's name.

    JSON-LD's headline; else, on a page with a ``<title>``, its ``og:title`` or that
    title; on a page without one, its first heading or its ``og:title``; else the
    file's name ("allotment-minutes" is "Allotment minutes").
    """
    headline = meta.first("headline")
    if headline:
        return headline
    heading = next((text for text in map(text_of, page.iter(*_TITLE_HEADINGS)) if text), "")
    own = text_of(page.find(".//title"))
    candidates = (meta.first("og:title"), own) if own else (heading, meta.first("og:title"))
    for candidate in candidates:
        if candidate:
            return _without_site(candidate, meta.site(), page)
    return sanitize.normalize_space(re.sub(r"[-_]+", " ", name)).capitalize()


_TITLE_HEADINGS = ("h1", "h2", "h3")
# What parts a title and a site's name: " | ", " - ", " – ", " — ", " :: ", " · ", " » ", and "Site: Title".
_TITLE_SEPARATOR = re.compile(r"\s+(?:[|\-–—·•»]|::)\s+|(?<=\w):\s+")


def _without_site(title: str, site: str, page: etree._Element) -> str:
    """``title`` without the site's name around it ("Title | Site", "Site - Title", "Site: Title").

    Of the title's parts, the one that is also a heading of the page is the article's,
    else one that is the whole text of some other element of the page (not a link:
    the site's name is often its logo's); else the parts naming the site are dropped.
    """
    parts = [part.strip() for part in _TITLE_SEPARATOR.split(title) if part.strip()]
    if len(parts) < 2:
        return title
    # Every run of neighbouring parts, as the title writes it: "Analysis: What Comes Next" of
    # "Analysis: What Comes Next | Site" may be the headline.
    runs = (_joined(title, parts[start:end]) for start in range(len(parts)) for end in range(start + 1, len(parts) + 1))
    wanted = {run.casefold(): run for run in runs if run.casefold() != site.casefold()}
    headings = {text_of(element).casefold() for element in page.iter(*_TITLE_HEADINGS, "h4", "h5", "h6")}
    if title.casefold() in headings:
        return title
    found = [part for key, part in wanted.items() if key in headings]
    if not found:
        # A text of the page, outside links, the head and the title: looked up node by node, in linear time.
        for element in page.iter(etree.Element):
            if len(element) or element.tag in ("title", "a", "head") or not element.text:
                continue
            text = sanitize.normalize_space(element.text).casefold()
            if text in wanted and next(element.iterancestors("a", "head"), None) is None:
                found.append(wanted[text])
    if found:  # the longest: a kicker ("Analysis") or a section's name is shorter than a headline
        return max(found, key=len)
    if site:
        kept = [part for part in parts if part.casefold() != site.casefold()]
        if kept and len(kept) < len(parts):
            return title if len(kept) == len(parts) else _joined(title, kept)
    return title


def _joined(title: str, kept: list[str]) -> str:
    """The stretch of ``title`` from the first kept part to the end of the last (its own separators inside)."""
    start = title.find(kept[0])
    end = title.rfind(kept[-1]) + len(kept[-1])
    return title[start:end].strip() if 0 <= start < end else " ".join(kept)


def page_address(page: etree._Element, meta: PageMeta, url: str) -> str:
    """The page's own absolute address: ``url``, else its ``<base href>``, canonical link or ``og:url``."""
    base = next((element.get("href", "") for element in page.iter("base") if element.get("href")), "")
    for candidate in (url, base, meta.first("canonical"), meta.first("og:url"), meta.first("url")):
        address = absolute(candidate, url)
        if address:
            return address
    return ""


def absolute(href: str, address: str) -> str:
    """``href`` as an absolute http(s) address, resolved against ``address``; "" when it cannot be made one."""
    href = href.strip()
    if not href:
        return ""
    try:
        if href.startswith("//"):
            href = "https:" + href
        joined = urljoin(address, href) if address else href
        scheme = urlsplit(joined).scheme.lower()
    except ValueError:  # an unclosed [IPv6] host
        return ""
    return joined if scheme in ("http", "https") and urlsplit(joined).netloc else ""


class PageMeta:
    """The page's metadata, looked up in JSON-LD, then meta tags, then trafilatura."""

    def __init__(self, page: etree._Element, doc: etree._Element) -> None:
        self.values: dict[str, object] = {}
        self.types: set[str] = set()
        for key, value in doc.attrib.items():
            if value:
                self.values.setdefault(key, value)
        ld = _json_ld_article(page)
        if ld:
            self.types = _types(ld)
            for key in ("headline", "description", "datePublished", "dateModified", "url", "keywords", "author"):
                if ld.get(key):
                    self.values[key] = ld[key]
            publisher = ld.get("publisher")
            if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
                self.values["publisher"] = publisher["name"]
        for tag in page.iter("meta"):
            name = tag.get("property") or tag.get("name") or ""
            content = tag.get("content") or ""
            if name and content.strip():
                self.values.setdefault(f"meta:{name.lower()}", content)
        for link in page.iter("link"):
            if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
                self.values.setdefault("canonical", link.get("href"))
        for element in page.xpath("//*[@itemprop]"):
            prop = (element.get("itemprop") or "").strip()
            if prop in ("headline", "datePublished", "dateModified"):
                value = element.get("datetime") or element.get("content") or text_of(element)
                if value:
                    self.values.setdefault(prop, value)
            elif prop == "author":
                named = element.find(".//*[@itemprop='name']")
                self.values.setdefault("micro:author", text_of(named if named is not None else element))

    def first(self, *keys: str) -> str:
        """The first value found under these keys (JSON-LD, trafilatura or meta names)."""
        for key in keys:
            for candidate in (key, f"meta:{key}"):
                value = self.values.get(candidate)
                if isinstance(value, str) and value.strip():
                    return _plain(value)
        return ""

    def site(self) -> str:
        """The publication's name."""
        return self.first("publisher", "og:site_name", "sitename")

    def description(self) -> str:
        """The standfirst: ``description`` or ``og:description``."""
        return self.first("description", "og:description")

    def authors(self) -> tuple[str, ...]:
        """The people who wrote the article: from JSON-LD, microdata, trafilatura, then meta tags.

        The first of these that names a person wins; words of the page's interface
        ("Share", "Follow", "By clicking...") are never taken for a name.
        """
        ld_author = self.values.get("author")
        if ld_author and not isinstance(ld_author, str):
            people = ld_author if isinstance(ld_author, list) else [ld_author]
            names = [p.get("name", "") if isinstance(p, dict) else p for p in people]
            split = [person for n in names if isinstance(n, str) for person in fields.split_authors(_plain(n))]
            found = tuple(dict.fromkeys(filter(None, map(_person, split))))
            if found:
                return found
        for key in ("author", "micro:author", "meta:author"):
            text = self.values.get(key)
            if not isinstance(text, str):
                continue
            # trafilatura joins the authors it finds with semicolons.
            split = [name for part in _plain(text).split(";") for name in fields.split_authors(part)]
            found = tuple(dict.fromkeys(filter(None, map(_person, split))))
            if found:
                return found
        return ()

    def topics(self) -> tuple[str, ...]:
        """Subject tags: ``keywords``, ``news_keywords``, ``tags`` or ``categories``."""
        keywords = self.values.get("keywords")
        if isinstance(keywords, list):
            items = [str(k) for k in keywords]
        else:
            items = (self.first("keywords", "news_keywords", "tags", "categories")).split(",")
        topics = (_plain(item) for item in items)
        return tuple(dict.fromkeys(topic for topic in topics if topic))


_INTERFACE_WORDS = {
    "share", "shares", "follow", "following", "subscribe", "sign up", "sign in", "log in", "login", "register",
    "email", "e-mail", "print", "comment", "comments", "reply", "tweet", "facebook", "twitter", "linkedin",
    "whatsapp", "menu", "search", "more", "read more", "advertisement", "home", "close", "save", "like", "admin",
    "staff", "copy link", "newsletter", "author", "authors", "by",
}
_INTERFACE_OPENINGS = ("by clicking", "by signing", "by continuing", "by subscribing", "by using", "by registering",
                       "click ", "sign up", "follow ", "share ")


def _person(name: str) -> str:
    """``name`` as a byline name ("By Ann Lee" is "Ann Lee"); "" for the interface's words or a sentence."""
    lowered = name.casefold()
    if lowered.startswith(_INTERFACE_OPENINGS):
        return ""
    name = re.sub(r"^by\s+", "", name, flags=re.IGNORECASE).strip(" ,;|·:-")
    if (not name or name.casefold() in _INTERFACE_WORDS or len(name.split()) > 6
            or re.search(r"[@<>/\\]|https?:|\d", name)):
        return ""
    return name


def _plain(value: str) -> str:
    """A metadata value as plain text: pages often HTML-escape their JSON-LD strings."""
    return sanitize.normalize_space(html.unescape(value))


def _types(item: dict) -> set[str]:
    """The ``@type`` names of a JSON-LD object (a page may give a name, a list, or anything)."""
    kinds = item.get("@type", [])
    return {kind for kind in (kinds if isinstance(kinds, list) else [kinds]) if isinstance(kind, str)}


def _json_ld_article(page: etree._Element) -> dict:
    """The page's JSON-LD object for the article, or an empty dict."""
    for script in page.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text)
        except json.JSONDecodeError:
            logger.debug("unreadable JSON-LD block skipped")
            continue
        candidates = data if isinstance(data, list) else [data]
        for candidate in list(candidates):
            if isinstance(candidate, dict) and isinstance(candidate.get("@graph"), list):
                candidates.extend(candidate["@graph"])
        for candidate in candidates:
            if not isinstance(candidate, dict):
                continue
            if _types(candidate) & _ARTICLE_TYPES:
                return candidate
    return {}
