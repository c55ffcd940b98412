"""Make untrusted archived text safe: the one place text and markup from a file enter the model."""

from __future__ import annotations

import codecs
import dataclasses
import html
import re
from urllib.parse import quote, urlsplit

import nh3

from .log import warn

#: The only inline elements a book ever receives from an archived page.
INLINE_TAGS = {"em", "strong", "b", "i", "a", "sub", "sup", "abbr", "br"}
# "*": none on every element; nh3 would keep title and lang anywhere, and <b title> then escapes the rename to <strong>.
_ATTRIBUTES = {"*": set(), "a": {"href"}, "abbr": {"title"}}
_SCHEMES = {"http", "https", "mailto"}

_SPACES = re.compile(r"[ \t\r\n\u00a0\u2009\u200a\u202f]+")
# What XML 1.0 forbids in a document: C0 controls but tab, LF and CR, lone surrogates,
# U+FFFE and U+FFFF. One of them in a chapter makes the whole EPUB unreadable.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# The same characters written as character references, which the HTML parser resolves.
_CHARACTER_REFERENCE = re.compile(r"&#(?:[xX]0*([0-9a-fA-F]{1,6})|0*([0-9]{1,7}));?")
# Byte order marks, longest first: UTF-32's little-endian mark begins with UTF-16's.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_DECLARED = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w.:-]+)|<\?xml[^>]*encoding\s*=\s*["']([\w.:-]+)""",
                       re.IGNORECASE)
_DECLARED_WITHIN = 4096
# Fields that name files on this machine rather than carry text for the book.
_FILE_FIELDS = {"path", "source"}
# Fields holding the web address a book links to ("Originally published at"): see ``address``.
_ADDRESS_FIELDS = {("Article", "url"), ("Embed", "url")}
# What a URL may hold as it is (RFC 3986's reserved characters, and % for escapes already made).
_URL_SAFE = "!#$%&'()*+,/:;=?@[]~"
_LONE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
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
    return _SPACES.sub(" ", xml_chars(cleaned)).strip()


def text(value: str) -> str:
    """Plain text as inline XHTML: escaped, white space folded."""
    return html.escape(normalize_space(value), quote=False)


def normalize_space(value: str) -> str:
    """Fold white space (non-breaking spaces included) to single spaces and trim."""
    return _SPACES.sub(" ", xml_chars(value)).strip()


def decode(raw: bytes, source: object = None, *, markup: bool = True) -> str:
    """A file's text, rid of the characters XML forbids (``clean_source``, which warns).

    A byte order mark (UTF-8, UTF-16, UTF-32) decides the encoding; without one the
    text is UTF-8. Markup that is not UTF-8 is read in the charset it declares
    (``<meta charset>``, an XML declaration), else as Windows-1252, the usual charset
    of old pages; plain text that is not UTF-8 raises ``UnicodeDecodeError``.
    """
    encoding, bom = _bom(raw)
    if encoding:
        text = raw[len(bom):].decode(encoding, errors="replace")
    elif not markup:
        text = raw.decode("utf-8")
    else:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode(_declared(raw) or "cp1252", errors="replace")
    return clean_source(text, source, markup=markup)


def head_text(head: bytes) -> str:
    """The first bytes of a file as text, for a reader's ``sniff``: its BOM honoured, broken bytes replaced."""
    encoding, bom = _bom(head)
    return head[len(bom):].decode(encoding or "utf-8", errors="replace")


def _bom(raw: bytes) -> tuple[str, bytes]:
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            return encoding, bom
    return "", b""


def _declared(raw: bytes) -> str | None:
    """The charset a page declares near its top, if Python knows it and it reads ASCII as ASCII."""
    match = _DECLARED.search(raw[:_DECLARED_WITHIN])
    if not match:
        return None
    name = (match.group(1) or match.group(2)).decode("ascii")
    try:
        codec = codecs.lookup(name)
    except LookupError:
        return None
    # A page that declares UTF-16 in bytes readable as ASCII is not UTF-16 (the HTML standard says so too).
    return None if codec.name.startswith(("utf-16", "utf-32")) else codec.name


def xml_chars(value: str) -> str:
    """``value`` without the characters XML 1.0 forbids (see ``_FORBIDDEN``)."""
    return _FORBIDDEN.sub("", value)


def clean_source(value: str, source: object, *, markup: bool) -> str:
    """A file's decoded text without the characters XML forbids, warning ``text-cleaned`` when any were there.

    With ``markup``, character references to them (``&#21;``) go too: the parser would
    turn them into the characters themselves.
    """
    value, removed = _FORBIDDEN.subn("", value)
    if markup and "&#" in value:
        references = sum(1 for match in _CHARACTER_REFERENCE.finditer(value) if _forbidden_reference(match))
        if references:
            value = _CHARACTER_REFERENCE.sub(lambda m: "" if _forbidden_reference(m) else m.group(0), value)
            removed += references
    if removed:
        warn("text-cleaned", f"{removed} character{'s' if removed > 1 else ''} that XML forbids removed", source)
    return value


def _forbidden_reference(match: re.Match[str]) -> bool:
    code = int(match.group(1), 16) if match.group(1) else int(match.group(2))
    return code <= 0x10FFFF and _FORBIDDEN.match(chr(code)) is not None


def address(value: str) -> str:
    """A web address fit to be a book's link: http(s) only, what a URL may not hold percent-encoded; else "".

    An archived page may name any address (``javascript:``, ``data:``, a relative path
    that would point inside the book, characters no URL may hold).
    """
    value = xml_chars(value).strip()
    try:
        scheme = urlsplit(value).scheme.lower()
    except ValueError:  # an unclosed [IPv6] host
        return ""
    if scheme not in ("http", "https"):
        return ""
    return quote(_LONE_PERCENT.sub("%25", value), safe=_URL_SAFE)


def article(value):
    """An article (or any of the model's dataclasses) with every text it holds rid of the characters XML forbids.

    The last door of every reader: titles, bylines, captions, links and ``extra``
    values alike. Paths of files on this machine are left as they are.
    """
    if type(value) is str:  # not a str enum such as ``Kind``: its members are fixed names
        return xml_chars(value)
    if isinstance(value, tuple):
        cleaned = tuple(article(item) for item in value)
        return value if all(new is old for new, old in zip(cleaned, value)) else cleaned
    if isinstance(value, dict):
        entries = {article(key): article(item) for key, item in value.items()}
        return value if entries == value else entries
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for name in (f.name for f in dataclasses.fields(value) if f.name not in _FILE_FIELDS):
            old = getattr(value, name)
            new = address(old) if (type(value).__name__, name) in _ADDRESS_FIELDS else article(old)
            if new is not old:
                changes[name] = new
        return dataclasses.replace(value, **changes) if changes else value
    return value
