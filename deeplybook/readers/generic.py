"""Any news or blog article page: main content by trafilatura, metadata from the page.

trafilatura finds the article text and drops navigation, sidebars and footers; its
XML output (headings, lists, quotes, pictures, emphasis, links) is renamed to the
HTML it stands for and made into blocks by the shared HTML walker. A page with
more paragraphs than trafilatura handles in good time, or one where it finds no
text, is read from its largest article region instead. Title, authors,
dates, description, topics and address come from the page's JSON-LD first, then
its microdata and meta tags, then trafilatura's own guesses. Nothing is fetched.

A page without a title is named by its first heading, its ``og:title``, else its
file name; a title loses the site's name ("Title | Site"). A page with little text
is kept with a ``short-article`` warning. Dates keep the offset the page gives
(the page's own day). Links are made absolute against the page's address (the
address it was archived under, ``<base href>``, its canonical link or ``og:url``);
a link that cannot be, having no address to start from, is unwrapped to its text.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from pathlib import Path
from urllib.parse import urlsplit

import lxml.html
import trafilatura
from lxml import etree

from .. import sanitize
from ..errors import ReadError
from ..log import logger, warn
from ..model import Article, Block, Kind, Paragraph, Quote, map_inline
from ..slugs import slugify
from . import fields, pagemeta
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
# Where two line breaks in a row part paragraphs (see _mark_breaks): trafilatura keeps only one of them.
_BREAK = "\U0001FB1C"
_BREAKS = re.compile(f"(?:<br\\s*/?>\\s*)*{_BREAK}\\s*")
_QUOTE_WORDS = re.compile(r"\w+")
#: Pages with more paragraphs than this are not given to trafilatura (see ``_largest_region``).
TRAFILATURA_PARAGRAPHS = 5_000
_INLINE = {"a", "abbr", "b", "cite", "code", "em", "i", "q", "small", "span", "strong", "sub", "sup", "time", "u"}

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
    return read_at(path, "")


def read_at(path: Path, url: str, *, source: str = "") -> list[Article]:
    """The article of an HTML page published at ``url`` (a WARC record's address), against which its links resolve.

    ``source`` names the page in warnings and in the article, when ``path`` is a copy
    (an archived page written to a scratch file).
    """
    path = Path(path)
    raw = path.read_bytes()
    if not raw.strip():
        raise ReadError("empty file: no HTML to read", path)
    return [article_from_html(sanitize.decode(raw, path), source or str(path), url=url, base=path.parent,
                              name=path.stem)]


def article_from_html(markup: str, source: str, *, url: str = "", base: Path | None = None, name: str = "") -> Article:
    """An article from an HTML page; ``url`` is where it was published, when known.

    ``name`` (the file's name without suffix) titles a page that has no other title.
    Raises ``Skip`` when the page holds no text at all.
    """
    page = parse_document(markup, source)
    _mark_breaks(page)
    cites = _quote_cites(page)
    main, doc = None, None
    if int(page.xpath("count(//p)")) > TRAFILATURA_PARAGRAPHS:
        logger.debug("%s: too many paragraphs for trafilatura; the largest article region is read", source)
    else:
        main, doc = _extracted(page)
        _unmark(page)
    if main is None or _words(main) < _MIN_WORDS:
        # trafilatura finds nothing in a page of a few words, or takes its menus along:
        # the page's own article region, when it marks one, is the better guess.
        marked = bool(page.xpath("//article|//main|//*[@role='main']"))
        if main is None or (marked and _words(main) < _MIN_WORDS):
            logger.debug("%s: little or no main text by trafilatura; the largest article region is read", source)
            main = _largest_region(page)
    meta = pagemeta.PageMeta(page, doc if doc is not None else etree.Element("doc"))
    title = pagemeta.title_of(page, meta, name)
    if not title:
        raise ReadError("no title found", source)
    _drop_title_heading(main, title)
    words = _words(main)
    if not words:
        raise Skip("no article text found")
    if words < _MIN_WORDS and not _words_outside_links(main):
        raise Skip(f"too little text for an article ({words} words, all of them links: a menu or listing)")
    if words < _MIN_WORDS:
        warn("short-article", f"only {words} words of article text; kept", source)
    address = pagemeta.page_address(page, meta, url)
    _resolve_links(main, address)
    body = _with_cites(_split_at_breaks(blocks_from_element(main, base)), cites)
    title = title.replace(_BREAK, "")
    return sanitize.article(Article(
        title=title,
        body=body,
        dek=meta.description(),
        authors=tuple(name.replace(_BREAK, "") for name in meta.authors()),
        date=fields.parse_date(meta.first("datePublished", "article:published_time", "date"), source, local=True),
        modified=fields.parse_date(meta.first("dateModified", "article:modified_time"), source, local=True),
        topics=meta.topics(),
        kind=Kind.OPED if "OpinionNewsArticle" in meta.types else Kind.ARTICLE,
        url=url or pagemeta.absolute(meta.first("url", "canonical", "og:url"), address),
        site=meta.site(),
        slug=slugify(title),
        source=source,
    ))


def _words(element: etree._Element) -> int:
    return len(" ".join(element.itertext()).split())


def _words_outside_links(element: etree._Element) -> int:
    """The words of ``element`` that are not the text of a link."""
    texts = [element.text or ""]
    for inner in element.iterdescendants():
        if next(inner.iterancestors("a", "ref"), None) is None and inner.tag not in ("a", "ref"):
            texts.append(inner.text or "")
        texts.append(inner.tail or "" if next(inner.iterancestors("a", "ref"), None) is None else "")
    return len(" ".join(texts).split())


def _extracted(page: etree._Element) -> tuple[etree._Element | None, etree._Element | None]:
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
        # No url: trafilatura would resolve links against the site's root, not the page
        # ("notes.html" on /code/2013/ became /notes.html); ``_resolve_links`` does it right.
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


def _mark_breaks(page: etree._Element) -> None:
    """Mark where two ``<br>`` in a row part the paragraphs of a page written without ``<p>``.

    trafilatura turns the pair into one line break, and a line break is no new
    paragraph; the mark (``_BREAK``) after the pair survives it, and
    ``_split_at_breaks`` makes paragraphs there.
    """
    for br in list(page.iter("br")):
        previous = br.getprevious()
        if previous is not None and previous.tag == "br" and not (previous.tail or "").strip():
            br.tail = _BREAK + (br.tail or "")


def _split_at_breaks(body: tuple[Block, ...]) -> tuple[Block, ...]:
    """``body`` with each paragraph cut where ``_mark_breaks`` marked a pair of line breaks; no mark left anywhere."""
    blocks: list[Block] = []
    for block in body:
        if isinstance(block, Paragraph) and _BREAK in block.text:
            parts = [text for text in (sanitize.inline(part) for part in _BREAKS.split(block.text)) if text]
            blocks += [dataclasses.replace(block, text=text) if not number else Paragraph(text)
                       for number, text in enumerate(parts)]
        else:
            blocks.append(block)
    return map_inline(tuple(blocks), lambda text: text.replace(_BREAK, "") if _BREAK in text else text)


def _quote_key(text: str) -> str:
    return " ".join(_QUOTE_WORDS.findall(re.sub(r"<[^>]+>", " ", text).casefold()))


def _quote_cites(page: etree._Element) -> dict[str, str]:
    """The source of each block quote that names one (its ``footer`` or ``cite``), by the quote's words.

    trafilatura keeps a quotation but drops the footer that says who said it.
    """
    cites: dict[str, str] = {}
    for quote in page.iter("blockquote"):
        source = next((e for e in quote.iter("footer", "cite") if e is not quote), None)
        if source is None:
            continue
        said, cite = pagemeta.text_of(quote), pagemeta.text_of(source)
        cite = cite.lstrip("—–- ").replace(_BREAK, "")
        if cite:
            cites.setdefault(_quote_key(said.replace(pagemeta.text_of(source), "", 1)), cite)
    return cites


def _with_cites(body: tuple[Block, ...], cites: dict[str, str]) -> tuple[Block, ...]:
    """``body`` with each quote that lost its source given it again (see ``_quote_cites``)."""
    if not cites:
        return body
    return tuple(dataclasses.replace(block, cite=cites.get(_quote_key(" ".join(block.paragraphs)), ""))
                 if isinstance(block, Quote) and not block.cite else block for block in body)


def _unmark(page: etree._Element) -> None:
    """Take the marks of ``_mark_repeats`` out of the page again (its tree is read after trafilatura)."""
    for element in page.iter():
        if element.text and _MARK_OPEN in element.text:
            element.text = _MARK.sub("", element.text)
        if element.tail and _MARK_OPEN in element.tail:
            element.tail = _MARK.sub("", element.tail)


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


def _resolve_links(main: etree._Element, address: str) -> None:
    """Make every link absolute against ``address``; unwrap one that cannot be, or points within the page.

    A relative link left in a book points at a file the book lacks (EPUBCheck's
    RSC-007, and RSC-026 for a site-relative one); a ``#fragment`` names a place
    of the page the book does not keep.
    """
    for link in list(main.iter("a")):
        href = (link.get("href") or "").strip()
        try:
            scheme = urlsplit(href).scheme.lower()
        except ValueError:
            scheme, href = "", ""
        if scheme in ("http", "https", "mailto"):
            continue
        resolved = "" if scheme or href.startswith("#") else pagemeta.absolute(href, address)
        if resolved:
            link.set("href", resolved)
        else:
            link.attrib.clear()
            link.tag = "span"  # the walker keeps its text; sanitising drops the element


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
        elif tag == "cell" and element.attrib.pop("role", "") == "head":
            element.tag = "th"
        elif tag in _TAGS:
            element.tag = _TAGS[tag]


def _drop_title_heading(main: etree._Element, title: str) -> None:
    """Remove the headline trafilatura keeps at the top: the article has it already."""
    first = main[0] if len(main) else None
    if first is not None and first.tag in ("h1", "h2"):
        if sanitize.normalize_space("".join(first.itertext())) == title:
            main.remove(first)
