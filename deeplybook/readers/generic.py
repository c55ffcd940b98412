"""Any news or blog article page: main content by trafilatura, metadata from the page.

trafilatura finds the article text and drops navigation, sidebars and footers; its
XML output (headings, lists, quotes, pictures, emphasis, links) is renamed to the
HTML it stands for and made into blocks by the shared HTML walker. A page with
more paragraphs than trafilatura handles in good time is read from its largest
article region instead. Title, authors,
dates, description, topics and address come from the page's JSON-LD first, then
its meta tags, then trafilatura's own guesses. Nothing is fetched.
"""

from __future__ import annotations

import copy
import html
import json
import re
from pathlib import Path

import lxml.html
import trafilatura
from lxml import etree

from .. import sanitize
from ..errors import ReadError
from ..log import logger
from ..model import Article, Kind
from ..slugs import slugify
from . import fields
from .htmlblocks import blocks_from_element
from .htmlpage import parse_document
from .report import Skip

NAME = "generic"

_HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml"}
_HTML_MARKERS = ("<!doctype html", "<html", "<head", "<body")
_MIN_WORDS = 20
_TEXT_BLOCKS = ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "td", "th", "dt", "dd",
                "figcaption", "div")
# The marks that tell copies of a repeated block apart (see _mark_repeats): symbols
# for legacy computers, which no article uses, and which trafilatura keeps as text.
_MARK_OPEN, _MARK_CLOSE = "\U0001FB00", "\U0001FB01"
_MARK_DIGITS = "".join(chr(code) for code in range(0x1FB02, 0x1FB1C))
_MARK = re.compile(f"{_MARK_OPEN}[{_MARK_DIGITS}]*{_MARK_CLOSE}")
#: Pages with more paragraphs than this are not given to trafilatura (see ``_largest_region``).
TRAFILATURA_PARAGRAPHS = 5_000
_INLINE = {"a", "abbr", "b", "cite", "code", "em", "i", "q", "small", "span", "strong", "sub", "sup", "time", "u"}
_ARTICLE_TYPES = {"Article", "NewsArticle", "BlogPosting", "Report", "OpinionNewsArticle", "AnalysisNewsArticle"}

# trafilatura's XML vocabulary, renamed to the HTML the block walker knows.
_TAGS = {"main": "div", "quote": "blockquote", "item": "li", "lb": "br", "ref": "a",
         "row": "tr", "cell": "td", "code": "pre", "graphic": "img"}
_EMPHASIS = {"#b": "strong", "#i": "em", "#u": "em", "#sub": "sub", "#sup": "sup"}


def sniff(path: Path, head: bytes) -> int:
    """Any HTML page, with a low score so that site-specific readers win."""
    lowered = sanitize.head_text(head)[:4096].lower()
    if Path(path).suffix.lower() in _HTML_SUFFIXES or any(marker in lowered for marker in _HTML_MARKERS):
        return 30
    return 0


def read(path: Path) -> list[Article]:
    """The article of an HTML page; ``Skip`` when the page has no article text."""
    path = Path(path)
    raw = path.read_bytes()
    if not raw.strip():
        raise ReadError("empty file: no HTML to read", path)
    return [article_from_html(sanitize.decode(raw, path), str(path), base=path.parent)]


def article_from_html(markup: str, source: str, *, url: str = "", base: Path | None = None) -> Article:
    """An article from an HTML page; ``url`` is where it was published, when known.

    Raises ``Skip`` when trafilatura finds no main text.
    """
    page = parse_document(markup, source)
    if int(page.xpath("count(//p)")) > TRAFILATURA_PARAGRAPHS:
        logger.debug("%s: too many paragraphs for trafilatura; the largest article region is read", source)
        main, doc = _largest_region(page), etree.Element("doc", title=_page_title(page))
    else:
        main, doc = _extracted(page, url)
        if main is None:
            raise Skip("no article text found")
    meta = _PageMeta(page, doc)
    title = meta.title()
    if not title:
        raise ReadError("no title found", source)
    _drop_title_heading(main, title)
    words = len(" ".join(main.itertext()).split())
    if words < _MIN_WORDS:
        raise Skip(f"too little text for an article ({words} words)")
    body = blocks_from_element(main, base)
    return sanitize.article(Article(
        title=title,
        body=body,
        dek=meta.description(),
        authors=meta.authors(),
        date=fields.parse_date(meta.first("datePublished", "article:published_time", "date"), source),
        modified=fields.parse_date(meta.first("dateModified", "article:modified_time"), source),
        topics=meta.topics(),
        kind=Kind.OPED if "OpinionNewsArticle" in meta.types else Kind.ARTICLE,
        url=url or meta.first("url", "og:url", "canonical"),
        site=meta.first("publisher", "og:site_name", "sitename"),
        slug=slugify(title),
        source=source,
    ))


def _extracted(page: etree._Element, url: str) -> tuple[etree._Element | None, etree._Element | None]:
    """(main text as HTML, trafilatura's document with its metadata) of a page, by trafilatura."""
    captions = _figure_captions(page)
    _keep_spaces_between_inlines(page)
    _mark_repeats(page)
    extracted = trafilatura.extract(
        lxml.html.tostring(page, encoding="unicode"),
        output_format="xml",
        include_formatting=True,
        include_links=True,
        include_images=True,
        include_tables=True,
        include_comments=False,
        with_metadata=True,
        url=url or None,
    )
    if not extracted:
        return None, None
    doc = etree.fromstring(_MARK.sub("", extracted).encode("utf-8"))
    main = doc.find("main")
    if main is not None:
        _to_html(main, captions)
    return main, doc


def _mark_repeats(page: etree._Element) -> None:
    """Make each copy of a repeated paragraph (or other block) differ by a mark at its start.

    trafilatura drops a block that repeats the one before it, or one it has already
    kept, to undo its own double extractions; an author's deliberate repetition
    would go with them. The marks (``_MARK``) are taken out of its output.
    """
    copies: dict[str, list[etree._Element]] = {}
    for block in page.iter(*_TEXT_BLOCKS):
        text = " ".join("".join(block.itertext()).split())
        if text:
            copies.setdefault(text, []).append(block)
    repeated = (block for blocks in copies.values() if len(blocks) > 1 for block in blocks)
    for number, block in enumerate(repeated):
        _prefix_text(block, _mark(number))


def _prefix_text(block: etree._Element, prefix: str) -> None:
    """Put ``prefix`` before the first text inside ``block`` (a mark before a link would count as text around it)."""
    for element in block.iter(etree.Element):
        if (element.text or "").strip():
            element.text = prefix + element.text
            return
    for element in block.iterdescendants():
        if (element.tail or "").strip():
            element.tail = prefix + element.tail
            return


def _mark(number: int) -> str:
    """The mark of the ``number``-th copy: its digits in the base of ``_MARK_DIGITS``, between the brackets."""
    digits = ""
    while True:
        number, digit = divmod(number, len(_MARK_DIGITS))
        digits = _MARK_DIGITS[digit] + digits
        if not number:
            return _MARK_OPEN + digits + _MARK_CLOSE


def _largest_region(page: etree._Element) -> etree._Element:
    """The page's article region without trafilatura: the ``<article>`` or ``<main>`` holding the most text.

    For pages with more paragraphs than ``TRAFILATURA_PARAGRAPHS``: some of
    trafilatura's searches take time in the square of the paragraphs (a 20 MB page
    took minutes), and such a page is nearly all article anyway. The region's own
    header, footer, asides and navigation are left out.
    """
    regions = page.xpath("//article|//main|//*[@role='main']") or page.xpath("//body") or [page]
    # The innermost of equals (white space aside): an <article> alone inside <main> wins over it.
    region = max(reversed(regions), key=lambda element: sum(map(len, element.text_content().split())))
    for chrome in list(region.iter("header", "footer", "aside", "nav")):
        if chrome is not region:
            chrome.drop_tree()
    return region


def _page_title(page: etree._Element) -> str:
    """The page's ``<title>``, else its first level-1 heading (what trafilatura would have found)."""
    for found in (page.find(".//title"), page.find(".//h1")):
        if found is not None and found.text_content().strip():
            return sanitize.normalize_space(found.text_content())
    return ""


class _PageMeta:
    """The page's metadata, looked up in JSON-LD, then meta tags, then trafilatura."""

    def __init__(self, page: etree._Element, doc: etree._Element) -> None:
        self.values: dict[str, object] = {}
        self.types: set[str] = set()
        for key, value in doc.attrib.items():
            if value:
                self.values.setdefault(key, value)
        ld = _json_ld_article(page)
        if ld:
            kinds = ld.get("@type", [])
            self.types = set(kinds if isinstance(kinds, list) else [kinds])
            for key in ("headline", "description", "datePublished", "dateModified", "url", "keywords", "author"):
                if ld.get(key):
                    self.values[key] = ld[key]
            publisher = ld.get("publisher")
            if isinstance(publisher, dict) and publisher.get("name"):
                self.values["publisher"] = publisher["name"]
        for tag in page.iter("meta"):
            name = tag.get("property") or tag.get("name") or ""
            content = tag.get("content") or ""
            if name and content.strip():
                self.values.setdefault(f"meta:{name.lower()}", content)
        for link in page.iter("link"):
            if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
                self.values.setdefault("canonical", link.get("href"))

    def first(self, *keys: str) -> str:
        """The first value found under these keys (JSON-LD, trafilatura or meta names)."""
        for key in keys:
            for candidate in (key, f"meta:{key}"):
                value = self.values.get(candidate)
                if isinstance(value, str) and value.strip():
                    return _plain(value)
        return ""

    def title(self) -> str:
        return self.first("headline", "og:title", "title")

    def description(self) -> str:
        return self.first("description", "og:description")

    def authors(self) -> tuple[str, ...]:
        ld_author = self.values.get("author")
        if ld_author and not isinstance(ld_author, str):
            people = ld_author if isinstance(ld_author, list) else [ld_author]
            names = [p.get("name", "") if isinstance(p, dict) else str(p) for p in people]
            return tuple(_plain(n) for n in names if n and n.strip())
        text = self.first("author")
        # trafilatura joins the authors it finds with semicolons.
        return tuple(name for part in text.split(";") for name in fields.split_authors(part))

    def topics(self) -> tuple[str, ...]:
        keywords = self.values.get("keywords")
        if isinstance(keywords, list):
            items = [str(k) for k in keywords]
        else:
            items = (self.first("keywords", "news_keywords", "tags", "categories")).split(",")
        topics = (_plain(item) for item in items)
        return tuple(dict.fromkeys(topic for topic in topics if topic))


def _plain(value: str) -> str:
    """A metadata value as plain text: pages often HTML-escape their JSON-LD strings."""
    return sanitize.normalize_space(html.unescape(value))


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
            kinds = candidate.get("@type", [])
            kinds = set(kinds if isinstance(kinds, list) else [kinds])
            if kinds & _ARTICLE_TYPES:
                return candidate
    return {}


def _figure_captions(page: etree._Element) -> dict[str, etree._Element]:
    """Figure captions by image source: trafilatura keeps pictures but drops captions."""
    captions: dict[str, etree._Element] = {}
    for figure in page.iter("figure"):
        img = next(figure.iter("img"), None)
        caption = next(figure.iter("figcaption"), None)
        if img is not None and caption is not None and img.get("src"):
            captions.setdefault(img.get("src"), copy.deepcopy(caption))
    return captions


def _keep_spaces_between_inlines(page: etree._Element) -> None:
    """Move the space between two inline elements inside the first one.

    trafilatura drops white-space-only text between elements, which would glue
    "<a>two</a> <a>three</a>" into "twothree"; a space inside an element survives.
    """
    for element in page.iter(*_INLINE):
        following = element.getnext()
        if following is None or following.tag not in _INLINE:
            continue
        if not element.tail or element.tail.strip():
            continue
        element.tail = None
        # The space goes after the last text inside the element, however deep (a
        # comment holds no text of the page: the space goes after it, not into it).
        target = element
        while len(target) and isinstance(target[-1].tag, str) and not (target[-1].tail or "").strip():
            target = target[-1]
        if len(target):
            target[-1].tail = (target[-1].tail or "") + " "
        else:
            target.text = (target.text or "") + " "


def _to_html(main: etree._Element, captions: dict[str, etree._Element]) -> None:
    """Rename trafilatura's XML elements in place to their HTML equivalents."""
    for element in list(main.iter(etree.Element)):
        tag = element.tag
        rend = element.attrib.pop("rend", "")
        if tag == "head":
            element.tag = rend if rend in ("h1", "h2", "h3", "h4", "h5", "h6") else "h2"
        elif tag == "hi":
            element.tag = _EMPHASIS.get(rend, "span")
        elif tag == "list":
            element.tag = "ol" if rend == "ol" else "ul"
        elif tag == "ref":
            element.tag = "a"
            target = element.attrib.pop("target", "")
            if target:
                element.attrib["href"] = target
        elif tag == "graphic":
            element.tag = "img"
            caption = captions.get(element.get("src", ""))
            if caption is not None:
                figure = etree.Element("figure")
                element.addprevious(figure)
                figure.tail, element.tail = element.tail, None
                figure.append(element)
                figure.append(copy.deepcopy(caption))
        elif tag in _TAGS:
            element.tag = _TAGS[tag]


def _drop_title_heading(main: etree._Element, title: str) -> None:
    """Remove the headline trafilatura keeps at the top: the article has it already."""
    first = main[0] if len(main) else None
    if first is not None and first.tag in ("h1", "h2"):
        if sanitize.normalize_space("".join(first.itertext())) == title:
            main.remove(first)
