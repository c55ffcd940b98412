"""Body blocks from HTML: paragraphs, subheads, lists, quotes, tables and figures.

Readers that hold article bodies as ordinary HTML (Markdown rendered by
``readers.markdown``, the main content trafilatura keeps) share this walker.
Every piece of text goes through ``deeplybook.sanitize``; scripts, styles, forms
and embedded frames never become blocks.
"""

from __future__ import annotations

import html
import re
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urljoin, urlsplit

import lxml.html
from lxml import etree

from .. import sanitize
from ..model import Block, Figure, Heading, Image, ItemList, Paragraph, Quote, Table, map_inline
from .htmlpage import parse_fragment

_DROPPED = {
    "script", "style", "noscript", "template", "iframe", "object", "embed", "form",
    "button", "input", "select", "textarea", "nav", "svg", "canvas", "head", "title", "meta", "link",
}
_HEADINGS = {"h1": 2, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_INLINE_TAGS = {
    "a", "abbr", "b", "br", "cite", "code", "em", "i", "kbd", "mark", "q", "s", "small", "span",
    "strong", "sub", "sup", "time", "u", "var", "del", "ins",
}
_IMAGE_SCHEMES = {"", "http", "https"}
_CREDIT_CLASS = re.compile(r"\b(?:credit|byline|photographer)\b")
def blocks_from_html(markup: str, base: Path | None = None, *, source: object = None) -> tuple[Block, ...]:
    """The blocks of an HTML fragment or document; ``source`` names it in warnings and errors.

    ``base`` is the folder relative image sources are resolved in; a picture is given
    a local ``path`` only when the file exists inside that folder.
    """
    if not markup.strip():
        return ()
    return blocks_from_element(parse_fragment(markup, source), base)


def blocks_from_element(root: etree._Element, base: Path | None = None) -> tuple[Block, ...]:
    """The blocks under an HTML element (the element's own tag is not a block)."""
    for dropped in list(root.iter(*_DROPPED)):
        if dropped is not root:
            _remove_keeping_tail(dropped)
    walker = _Walker(base)
    walker.children(root)
    return tuple(walker.blocks)


def inline_html(element: etree._Element) -> str:
    """The sanitised inline content of an element (its text and children, not its tail)."""
    parts = [html.escape(element.text or "", quote=False)]
    for child in element:
        if isinstance(child.tag, str) and child.tag not in _DROPPED:
            parts.append(lxml.html.tostring(child, encoding="unicode", with_tail=False))
        parts.append(html.escape(child.tail or "", quote=False))
    return sanitize.inline("".join(parts))


class _Walker:
    """Collects blocks in document order; loose inline content becomes paragraphs."""

    def __init__(self, base: Path | None) -> None:
        self.base = base
        self.blocks: list[Block] = []
        self.loose: list[str] = []

    def children(self, element: etree._Element) -> None:
        self.loose_text(element.text)
        for child in element:
            if isinstance(child.tag, str):
                self.element(child)
            self.loose_text(child.tail)
        self.flush()

    def loose_text(self, text: str | None) -> None:
        if text and text.strip():
            self.loose.append(html.escape(text, quote=False))

    def flush(self) -> None:
        """Close the paragraph made of loose text and inline elements, if any."""
        if not self.loose:
            return
        text = sanitize.inline("".join(self.loose))
        self.loose = []
        if text:
            self.blocks.append(Paragraph(text))

    def add(self, block: Block | None) -> None:
        self.flush()
        if block is not None:
            self.blocks.append(block)

    def element(self, element: etree._Element) -> None:
        tag = element.tag.lower()
        if tag in _DROPPED:
            return
        if tag in _INLINE_TAGS and not _has_block_child(element):
            self.loose.append(lxml.html.tostring(element, encoding="unicode", with_tail=False))
        elif tag == "p":
            self.paragraph(element)
        elif tag in _HEADINGS:
            text = inline_html(element)
            self.add(Heading(text, _HEADINGS[tag]) if text else None)
        elif tag in ("ul", "ol"):
            items = tuple(text for text in (_item_text(li) for li in element if li.tag == "li") if text)
            self.add(ItemList(items, ordered=tag == "ol") if items else None)
        elif tag == "blockquote":
            self.add(self.quote(element))
        elif tag == "figure":
            self.add(self.figure(element))
        elif tag == "img":
            image = self.image(element)
            self.add(Figure(image=image) if image else None)
        elif tag == "pre":
            text = sanitize.text(_text(element))
            self.add(Paragraph(text) if text else None)
        elif tag == "table" and not _is_layout(element):
            self.add(_table(element))
        else:
            self.flush()
            self.children(element)

    def paragraph(self, element: etree._Element) -> None:
        images = list(element.iter("img"))
        text = inline_html(element)
        self.add(Paragraph(text) if text else None)
        for img in images:
            image = self.image(img)
            self.add(Figure(image=image) if image else None)

    def quote(self, element: etree._Element) -> Quote | None:
        cite = ""
        source = next((e for e in element.iter("footer", "cite") if e is not element), None)
        if source is not None:
            cite = sanitize.normalize_space(_text(source)).lstrip("—–- ")
            _remove_keeping_tail(source)
        inner = blocks_from_element(element, self.base)
        paragraphs = tuple(block.text for block in inner if isinstance(block, (Paragraph, Heading)))
        return Quote(paragraphs, cite=cite) if paragraphs else None

    def figure(self, element: etree._Element) -> Figure | None:
        img = next(element.iter("img"), None)
        image = self.image(img) if img is not None else None
        caption, credit = "", ""
        figcaption = next(element.iter("figcaption"), None)
        if figcaption is not None:
            credit_element = next(
                (e for e in figcaption.iter(etree.Element) if e.tag == "cite" or _CREDIT_CLASS.search(e.get("class", ""))),
                None,
            )
            if credit_element is not None and credit_element is not figcaption:
                credit = sanitize.normalize_space(_text(credit_element))
                _remove_keeping_tail(credit_element)
            caption = inline_html(figcaption)
        if image is None and not caption:
            return None
        return Figure(caption=caption, credit=credit, image=image)

    def image(self, img: etree._Element) -> Image | None:
        src = (img.get("src") or "").strip()
        if not src or urlsplit(src).scheme.lower() not in _IMAGE_SCHEMES:
            return None
        alt = sanitize.normalize_space(img.get("alt") or "")
        return Image(url=src, path=local_image(src, self.base), alt=alt)


_LINK = re.compile(r'<a href="([^"]*)"([^>]*)>(.*?)</a>', re.DOTALL)


def absolute_links(blocks: tuple[Block, ...], address: str) -> tuple[Block, ...]:
    """``blocks`` with every relative link made absolute against ``address``; one that cannot be is unwrapped.

    A relative link left in a book names a file the book lacks (EPUBCheck's RSC-007,
    and RSC-026 for a site-relative one), and a ``#fragment`` a place of the page the
    book does not keep: with no ``address`` to start from, or pointing within the
    page, a link becomes its text. A link to an article of the book is turned into
    one inside it later, by its absolute address (``deeplybook.edition``).
    """

    def absolute(match: re.Match[str]) -> str:
        href = html.unescape(match.group(1))
        try:
            scheme = urlsplit(href).scheme.lower()
            joined = sanitize.address(urljoin(address, href)) if address and not href.startswith("#") else ""
        except ValueError:  # an unclosed [IPv6] host
            scheme, joined = "", ""
        if scheme:
            return match.group(0)
        if not joined:
            return match.group(3)
        return f'<a href="{html.escape(joined)}"{match.group(2)}>{match.group(3)}</a>'

    return map_inline(blocks, lambda text: _LINK.sub(absolute, text) if "<a " in text else text)


def local_image(src: str, base: Path | None) -> str | None:
    """The file a relative image source names inside ``base``, when it exists there."""
    parts = urlsplit(src)
    if base is None or parts.scheme or parts.netloc or not parts.path:
        return None
    relative = PurePosixPath(unquote(parts.path))
    if relative.is_absolute() or ".." in relative.parts:
        return None
    candidate = Path(base, *relative.parts)
    return str(candidate) if candidate.is_file() else None


def _text(element: etree._Element) -> str:
    """All the text inside an element (for XML elements too, which lack ``text_content``)."""
    return "".join(element.itertext())


def _has_block_child(element: etree._Element) -> bool:
    return any(isinstance(e.tag, str) and e.tag not in _INLINE_TAGS for e in element.iterdescendants())


def _item_text(li: etree._Element) -> str:
    """A list item as one inline string; nested lists and paragraphs are run together."""
    if not _has_block_child(li):
        return inline_html(li)
    pieces: list[str] = []
    loose = [html.escape(li.text or "", quote=False)]
    for child in li:
        if not isinstance(child.tag, str):
            pass
        elif child.tag in _INLINE_TAGS and not _has_block_child(child):
            loose.append(lxml.html.tostring(child, encoding="unicode", with_tail=False))
        else:
            pieces.append(sanitize.inline("".join(loose)))
            loose = []
            if child.tag in ("ul", "ol"):
                pieces.append("; ".join(_item_text(sub) for sub in child if sub.tag == "li"))
            else:
                pieces.append(_item_text(child))
        loose.append(html.escape(child.tail or "", quote=False))
    pieces.append(sanitize.inline("".join(loose)))
    return " ".join(piece for piece in pieces if piece)


def _own_rows(table: etree._Element) -> list[etree._Element]:
    """The rows of ``table`` itself, not those of a table inside one of its cells."""
    return [row for row in table.iter("tr") if next(row.iterancestors("table"), None) is table]


def _cells(row: etree._Element) -> list[etree._Element]:
    return [cell for cell in row if isinstance(cell.tag, str) and cell.tag in ("td", "th")]


def _is_layout(table: etree._Element) -> bool:
    """Whether a table lays out a page rather than holding data: a cell holds blocks, or it is one cell.

    Old pages put their whole article inside a layout table's cell; its text is walked
    as any container's, while a data table becomes a ``Table``.
    """
    cells = [cell for row in _own_rows(table) for cell in _cells(row)]
    if len(cells) < 2:
        return True
    return any(_has_block_child(cell) for cell in cells)


def _table(table: etree._Element) -> Table | None:
    """A data table as a ``Table``: rows of inline cells, the leading rows of headings counted."""
    rows = [[inline_html(cell) for cell in _cells(row)] for row in _own_rows(table)]
    heads = [all(cell.tag == "th" or cell.getparent().getparent().tag == "thead" for cell in _cells(row))
             for row in _own_rows(table)]
    kept = [(row, head) for row, head in zip(rows, heads) if any(row)]
    if not kept:
        return None
    columns = max(len(row) for row, _ in kept)
    head_rows = next((number for number, (_, head) in enumerate(kept) if not head), len(kept))
    cells = tuple(cell for row, _ in kept for cell in row + [""] * (columns - len(row)))
    return Table(cells, columns, head_rows)


def _remove_keeping_tail(element: etree._Element) -> None:
    parent = element.getparent()
    tail = element.tail or ""
    previous = element.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(element)
