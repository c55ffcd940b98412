"""An HTML page's tree for the readers, whatever its size or depth: nothing of the page is lost to the parser.

libxml2 (through lxml) stops reading a page at its 256th level of nesting, and
drops a text of more than 10 MB, each time with everything after it. Pages are
parsed without those limits (lxml's ``huge_tree``), and a page nested deeper than
``MAX_DEPTH`` is flattened first: below that depth its elements become paragraphs,
so that its text survives and the readers, which walk trees recursively, can
read it. Flattening is warned about (``nesting-flattened``).
"""

from __future__ import annotations

import functools
import html
import re
from html.parser import HTMLParser

import lxml.html
from lxml import etree

from ..errors import ReadError
from ..log import warn

#: The deepest a page's tree may be; deeper content is flattened to this depth.
MAX_DEPTH = 200

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
# Whether any element sits deeper than MAX_DEPTH: one step a level, so libxml2
# visits each element once.
_TOO_DEEP = etree.XPath("boolean(" + "/*" * (MAX_DEPTH + 1) + ")")

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
_RAW_TEXT = {"script", "style"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
# Tags that can be left out without gluing words together.
_INLINE = {
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "del", "dfn", "em", "font", "i", "ins", "kbd",
    "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var",
}
# An open element of the first kind ends where one of the second begins (HTML's implied end tags).
_CLOSED_BY = {"p": {"p", "div", "ul", "ol", "table", "blockquote", "section", "article", "figure", *_HEADINGS},
              "li": {"li"}, "dt": {"dt", "dd"}, "dd": {"dt", "dd"}, "tr": {"tr"}, "td": {"td", "th", "tr"},
              "th": {"td", "th", "tr"}, "option": {"option"}}


def parse_document(markup: str, source: object) -> etree._Element:
    """The tree of a whole HTML page; ``ReadError`` naming ``source`` when it is not one.

    A page deeper than ``MAX_DEPTH`` is flattened below that depth, with a
    ``nesting-flattened`` warning naming ``source``.
    """
    # lxml refuses text that still carries an XML declaration naming an encoding.
    markup = _XML_DECLARATION.sub("", markup, count=1)
    return _parsed(markup, source, lxml.html.document_fromstring)


def parse_fragment(markup: str, source: object) -> etree._Element:
    """A ``<div>`` holding the elements of an HTML fragment (a Markdown file's body), flattened as a page is."""
    return _parsed(markup, source, functools.partial(lxml.html.fragment_fromstring, create_parent="div"))


def _parsed(markup: str, source: object, parse) -> etree._Element:
    parser = lxml.html.HTMLParser(huge_tree=True)
    tree = _parse(parse, markup, parser, source)
    cut_short = any(error.type_name == "ERR_RESOURCE_LIMIT" for error in parser.error_log)
    if cut_short or _TOO_DEEP(tree):
        warn("nesting-flattened", f"nested more than {MAX_DEPTH} elements deep; the deeper part is read as "
             "plain paragraphs", source)
        # A few levels to spare: the parser adds <html> and <body> when a page lacks them.
        tree = _parse(parse, flatten(markup, MAX_DEPTH - 8), lxml.html.HTMLParser(huge_tree=True), source)
    return tree


def _parse(parse, markup: str, parser: etree.HTMLParser, source: object) -> etree._Element:
    try:
        return parse(markup, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise ReadError(f"not an HTML page: {exc}", source) from exc


def flatten(markup: str, depth: int) -> str:
    """``markup`` with no element nested deeper than about ``depth``: deeper elements are left out.

    Inline elements below the limit go quietly; any other element becomes a
    paragraph, so that the text keeps its paragraphs.
    Scripts and styles keep their tags, so that nothing of theirs becomes text.
    """
    flattener = _Flattener(depth)
    flattener.feed(markup)
    flattener.close()
    return "".join(flattener.out)


class _Flattener(HTMLParser):
    """Copies a page tag by tag, keeping count of the open elements."""

    def __init__(self, depth: int) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = depth
        self.out: list[str] = []
        self.open: list[tuple[str, bool]] = []
        """(tag, whether it was written) of each open element, outermost first."""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._close_implied(tag)
        if tag in _VOID:
            if len(self.open) < self.depth or tag in ("br", "img"):
                self.out.append(self._tag(tag, attrs))
            return
        written = len(self.open) < self.depth or tag in _RAW_TEXT
        if written:
            self.out.append(self._tag(tag, attrs))
        elif tag not in _INLINE:
            self.out.append("<p>")
        self.open.append((tag, written))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if not any(name == tag for name, _ in self.open):
            return  # an end tag with nothing to close: the parser would drop it too
        while self.open:
            name, written = self.open.pop()
            if written:
                self.out.append(f"</{name}>")
            elif name not in _INLINE:
                self.out.append("</p>")
            if name == tag:
                return

    def handle_data(self, data: str) -> None:
        raw = bool(self.open) and self.open[-1][0] in _RAW_TEXT
        self.out.append(data if raw else html.escape(data, quote=False))

    def handle_comment(self, data: str) -> None:
        self.out.append(f"<!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self.out.append(f"<!{decl}>")

    def handle_pi(self, data: str) -> None:
        self.out.append(f"<?{data}>")

    def unknown_decl(self, data: str) -> None:
        self.out.append(f"<![{data}]>")

    def _close_implied(self, tag: str) -> None:
        while self.open and tag in _CLOSED_BY.get(self.open[-1][0], ()):
            self.handle_endtag(self.open[-1][0])

    @staticmethod
    def _tag(tag: str, attrs: list[tuple[str, str | None]]) -> str:
        written = "".join(f" {name}" if value is None else f' {name}="{html.escape(value)}"' for name, value in attrs)
        return f"<{tag}{written}>"
