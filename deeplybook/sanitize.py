"""Make untrusted archived HTML safe: the one place markup from a page enters the model."""

from __future__ import annotations

import html
import re

import nh3

#: The only inline elements a book ever receives from an archived page.
INLINE_TAGS = {"em", "strong", "b", "i", "a", "sub", "sup", "abbr", "br"}
_ATTRIBUTES = {"a": {"href"}, "abbr": {"title"}}
_SCHEMES = {"http", "https", "mailto"}

_SPACES = re.compile(r"[ \t\r\n\u00a0\u2009\u200a\u202f]+")
# nh3 writes HTML; a book needs XHTML. These are the only differences its output has
# with the tag set above: b/i (mapped to their semantic twins), void <br>, and
# named entities that XML does not know.
_RENAMES = (("<b>", "<strong>"), ("</b>", "</strong>"), ("<i>", "<em>"), ("</i>", "</em>"), ("<br>", "<br/>"))
_ENTITY = re.compile(r"&([a-zA-Z][a-zA-Z0-9]*);")
_XML_ENTITIES = {"amp", "lt", "gt", "quot", "apos"}
# Emphasis left empty (a label cut out of "<strong>LS:</strong>") would only add noise.
_EMPTY = re.compile(r"<(strong|em|sub|sup|abbr)>(\s*)</\1>")
# A link left without text (it held a picture) is a stop with no name for screen readers.
_EMPTY_LINK = re.compile(r"<a\b[^>]*>(\s*)</a>")


def _xml_entity(match: re.Match[str]) -> str:
    name = match.group(1)
    if name in _XML_ENTITIES:
        return match.group(0)
    return html.escape(html.unescape(match.group(0)), quote=False)


def inline(fragment: str) -> str:
    """Sanitise an HTML fragment to the model's inline XHTML (see ``deeplybook.model``).

    Scripts, styles, event handlers, unknown elements and non-web link schemes are
    removed; the text inside unknown elements is kept. Runs of white space, including
    the archive's ``&nbsp;`` between words, become one space.
    """
    cleaned = nh3.clean(
        fragment,
        tags=INLINE_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_SCHEMES,
        link_rel=None,
        strip_comments=True,
    )
    cleaned = cleaned.replace("&nbsp;", " ")
    for old, new in _RENAMES:
        cleaned = cleaned.replace(old, new)
    cleaned = _ENTITY.sub(_xml_entity, cleaned)
    cleaned = _EMPTY.sub(r"\2", cleaned)
    cleaned = _EMPTY_LINK.sub(r"\1", cleaned)
    return _SPACES.sub(" ", cleaned).strip()


def text(value: str) -> str:
    """Plain text as inline XHTML: escaped, white space folded."""
    return html.escape(normalize_space(value), quote=False)


def normalize_space(value: str) -> str:
    """Fold white space (non-breaking spaces included) to single spaces and trim."""
    return _SPACES.sub(" ", value).strip()
