"""A page's elements made fit to become blocks: leaked markup and shortcodes cut, hidden parts dropped, loose text wrapped."""

from __future__ import annotations

import collections
import copy
import html
import re

import lxml.html
from lxml import etree

from ... import sanitize
from ...log import logger
from . import promos
from .links import PageLocation

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
# Markdown reference definitions the old site printed under an article: "[]: http://...gif",
# "[1]: http://..." (the pictures they named are gone with the beta site).
_REFERENCE_DEFINITION = re.compile(r"\[[^\[\]\n]{0,40}\]:\s*(?:https?://|www\.|/)\S*\s*")
_TEXT_HOLDERS = ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "figcaption", "dt", "dd", "td", "th", "pre", "blockquote")

_HIDDEN_STYLE = re.compile(r"display\s*:\s*none", re.IGNORECASE)

DROPPED_TAGS = {
    "script", "style", "noscript", "template", "form", "button", "input", "select",
    "textarea", "nav", "svg", "canvas", "object", "embed", "link", "meta", "hr",
}
_BLOCK_TAGS = {
    "p", "div", "section", "article", "center", "figure", "aside", "blockquote", "ul", "ol",
    "dl", "table", "pre", "iframe", "h1", "h2", "h3", "h4", "h5", "h6", "header", "footer",
} | DROPPED_TAGS


class Tally(collections.Counter):
    """What the cleanup changed in one page, by kind ("promo", "aside-kept"...), each change logged at debug level.

    The reader puts the counts in ``Article.extra["cleanup"]`` ("aside-kept 1, promo 2"),
    where a caller (or a measurement over a whole mirror) can count them.
    """

    def __init__(self, source: object = "") -> None:
        super().__init__()
        self.source = source

    def note(self, kind: str, detail: str = "") -> None:
        """Count one change of ``kind`` and log it with what it was about."""
        self[kind] += 1
        logger.debug("%s: cleanup: %s%s", self.source, kind, f": {detail[:120]}" if detail else "")

    def summary(self) -> str:
        """The counts as one line, kinds in alphabetical order; empty when nothing changed."""
        return ", ".join(f"{kind} {count}" for kind, count in sorted(self.items()) if count)


def strip_reference_definitions(root: etree._Element, tally: Tally) -> None:
    """Cut leaked Markdown reference definitions ("[]: http://...gif") from every text holder."""
    for element in root.iter(*_TEXT_HOLDERS):
        text = element.text_content()
        if "]:" not in text:
            continue
        spans = [m.span() for m in _REFERENCE_DEFINITION.finditer(text)]
        for start, end in spans:
            tally.note("reference-definition", text[start:end].strip())
        drop_spans(element, spans)


def remove_promos(root: etree._Element, tally: Tally) -> None:
    """Cut the site's sign-up lines and its "Related Reads on X Deeply" link lists (``promos``)."""
    for element in list(root.iter(*_TEXT_HOLDERS)):
        text = element.text_content()
        spans = promos.sign_up_spans(text)
        if not spans:
            continue
        for start, end in spans:
            tally.note("promo", text[start:end].strip())
        drop_spans(element, spans)
        if not text_of(element) and not element.xpath(".//img|.//iframe"):
            remove_element(element)
    for element in list(root.iter("h2", "h3", "h4", "h5", "h6", "p")):
        if element.getparent() is None or not promos.is_related_heading(text_of(element)):
            continue
        if element.tag == "p" and not fully_inside(element, ("strong", "b", "em", "i")):
            continue
        links = 0
        following = element.getnext()
        while following is not None and _mostly_links(following):
            after = following.getnext()
            links += len(following.xpath(".//a"))
            remove_element(following)
            following = after
        if links:
            tally.note("related-reads", f"{text_of(element)} ({links} links)")
            remove_element(element)


def _mostly_links(element: etree._Element) -> bool:
    """A list or paragraph that is links and little else: an end-of-article reading list."""
    if not isinstance(element.tag, str) or element.tag not in ("ul", "ol", "p", "div"):
        return False
    text = len(text_of(element))
    linked = sum(len(text_of(a)) for a in element.xpath(".//a"))
    return text > 0 and linked >= 0.6 * text


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def repeats(passage: str, text: str) -> bool:
    """True when ``passage`` (a pull quote) says what ``text`` (the body) already says.

    Case, punctuation and spacing aside: the same words in order; or half of its
    three-word runs found in the body (a quote shortened or mended with "[...]"); or
    nine in ten of its words in the body and a fifth of its runs (a quote the editor
    paraphrased from a sentence of the body). A quote with words and facts of its own
    is not a repeat.
    """
    words, body = _words(passage), _words(text)
    if not words:
        return True
    if f" {' '.join(words)} " in f" {' '.join(body)} ":
        return True
    if len(words) < 4:
        return False
    runs = {tuple(words[i : i + 3]) for i in range(len(words) - 2)}
    known = {tuple(body[i : i + 3]) for i in range(len(body) - 2)}
    shared_runs = len(runs & known) / len(runs)
    shared_words = len(set(words) & set(body)) / len(set(words))
    return shared_runs >= 0.5 or (shared_words >= 0.9 and shared_runs >= 0.2)


def clean_tree(root: etree._Element, page: PageLocation) -> None:
    """Drop scripts, hidden and leaked markup; point every link at its live address."""
    for element in list(root.iter()):
        if element is root:
            continue
        if not isinstance(element.tag, str):
            remove_element(element)
            continue
        if element.tag in DROPPED_TAGS or _HIDDEN_STYLE.search(element.get("style") or ""):
            remove_element(element)
    for element in root.iter(*_TEXT_HOLDERS):
        strip_leaks(element)
    for element in root.iter():
        if element.tag == "a":
            href = element.get("href")
            target = page.link(href) if href else None
            for name in list(element.attrib):
                del element.attrib[name]
            if target:
                element.set("href", target)


def strip_leaks(element: etree._Element) -> None:
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
    drop_spans(element, merged)


def wrap_loose_inline(container: etree._Element) -> None:
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


def drop_leading(element: etree._Element, count: int) -> None:
    """Remove the first ``count`` characters of an element's text, wherever they sit."""
    drop_spans(element, [(0, count)])


def drop_spans(element: etree._Element, spans: list[tuple[int, int]]) -> None:
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
            remove_element(child)


def without_tag(element: etree._Element, tag: str) -> etree._Element:
    """A copy of ``element`` with every ``tag`` element taken out."""
    trimmed = copy.deepcopy(element)
    for found in list(trimmed.iter(tag)):
        remove_element(found)
    return trimmed


def remove_element(element: etree._Element) -> None:
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


def fully_inside(element: etree._Element, tags: tuple[str, ...]) -> bool:
    """True when all the element's text sits inside one of ``tags``."""
    if not text_of(element):
        return False
    if (element.text or "").strip():
        return False
    for child in element:
        if not isinstance(child.tag, str):
            continue
        if (child.tail or "").strip():
            return False
        if child.tag not in tags and text_of(child) and not (child.tag in ("span", "a") and fully_inside(child, tags)):
            return False
    return True


def inline_markup(element: etree._Element) -> str:
    """The element's content as the model's inline markup (sanitised)."""
    parts = [html.escape(element.text or "", quote=False)]
    for child in element:
        if isinstance(child.tag, str):
            parts.append(lxml.html.tostring(child, encoding="unicode", with_tail=False))
        parts.append(html.escape(child.tail or "", quote=False))
    return sanitize.inline("".join(parts))


def unwrap_tag(inline: str, tag: str) -> str:
    """Strip one tag from inline markup (a question needs no bold of its own)."""
    return sanitize.normalize_space(inline.replace(f"<{tag}>", "").replace(f"</{tag}>", ""))


def text_of(element: etree._Element) -> str:
    """The element's text, spaces normalised."""
    return sanitize.normalize_space(element.text_content())


def first_text(elements: list[etree._Element]) -> str:
    """The text of the first of ``elements``, or an empty string."""
    return text_of(elements[0]) if elements else ""
