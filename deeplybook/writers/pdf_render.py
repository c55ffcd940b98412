"""The PDF writer's rendering side: book parts to HTML through the theme, then to PDF with WeasyPrint.

Everything here runs in worker processes as well as in the main one, so the
inputs are plain frozen dataclasses and the results carry only numbers and a path.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jinja2
import weasyprint
from markupsafe import Markup
from weasyprint.text.fonts import FontConfiguration

from ..errors import ThemeError, WriteError
from ..model import Article, Edition, Image, TocEntry
from ..themes import Theme

#: Link scheme of in-book links in the parts of a chunked book; the merge turns each
#: such link annotation into a jump to the page where its anchor landed.
BOOK_SCHEME = "deeplybook"
#: The anchor of the title page; the chunked writer prints no folio on it.
TITLE_ANCHOR = "title-page"
#: Added after the theme's CSS when folios are stamped after merging: the theme keeps
#: its folio in the plain ``@page``'s ``@bottom-center`` (see ``pdf.css``).
NO_FOLIO_CSS = "@page { @bottom-center { content: none } }"
#: WeasyPrint measures in CSS pixels, PDF in points.
PT_PER_PX = 0.75

_BOOK_HREF = re.compile(r'href="([^":/#?]+)\.xhtml(?:#([^"]*))?"')


@dataclass(frozen=True, slots=True)
class Divider:
    """A section's divider page in book order."""

    anchor: str
    """The section's id (``section-001``), also its anchor in the PDF."""
    title: str
    """The section heading."""
    level: int
    """Its depth in the contents tree, 1 for a top-level section."""
    count: int
    """How many articles the section holds, subsections included."""


@dataclass(frozen=True, slots=True)
class Placed:
    """An article in book order, with its depth in the contents tree."""

    article: Article
    """The article."""
    level: int
    """Its depth in the contents tree (its bookmark level), 1 at the top."""


@dataclass(frozen=True, slots=True)
class Front:
    """What the title page and the contents need; the edition comes without its articles."""

    edition: Edition
    """The edition's metadata; ``sections`` is emptied to keep the part small to send."""
    toc: tuple[TocEntry, ...]
    """The contents tree."""
    numbers: dict[str, str] | None
    """Printed page number per anchor; ``None`` lets WeasyPrint count (one document)."""
    article_count: int
    """How many articles the book holds."""
    span: str
    """The years the book covers ('2013–2018'), or empty."""
    made: dt.datetime
    """The build time printed in the imprint."""


@dataclass(frozen=True, slots=True)
class Back:
    """The indexes after the articles, with the page each article starts on."""

    indexes: tuple[tuple[str, str, tuple], ...]
    """(kind, heading, entries) per index, entries as ``deeplybook.indices`` makes them
    but holding light copies of the articles (title, slug, date and address only)."""
    numbers: dict[str, str] | None
    """Printed page number per article slug; ``None`` prints none (one document)."""


@dataclass(frozen=True, slots=True)
class Part:
    """A piece of the book rendered as one WeasyPrint document."""

    theme: Theme
    """The theme whose templates and CSS render it."""
    edition: Edition
    """The edition's metadata (``sections`` emptied)."""
    items: tuple[Divider | Placed, ...]
    """Divider pages and articles, in book order."""
    front: Front | None
    """Title page and contents, when this part opens the book."""
    anchors: frozenset[str]
    """Every anchor of the whole book: in-book links to anything else are dropped."""
    one_document: bool
    """True when this part is the whole book: links are ``#anchor`` and WeasyPrint numbers pages."""
    meta: tuple[tuple[str, str], ...] = ()
    """``<meta name content>`` pairs for WeasyPrint's PDF metadata (one document only)."""
    back: Back | None = None
    """The indexes, when this part closes the book."""


@dataclass(frozen=True, slots=True)
class Rendered:
    """A rendered part: where its PDF is and where each anchor landed."""

    path: Path | None
    """The part's PDF file; ``None`` when it was only measured."""
    page_count: int
    """How many pages it has."""
    anchors: dict[str, tuple[int, float, float]]
    """Page index within the part and (x, y) from the page's top left, in points, per anchor."""


def book_href(anchor: str, one_document: bool) -> str:
    """The href an in-book link to ``anchor`` has in a rendered part."""
    return f"#{anchor}" if one_document else f"{BOOK_SCHEME}:{anchor}"


def anchor_of(href: str) -> str:
    """The PDF anchor of a contents href: ``x.xhtml`` -> ``x``, ``x.xhtml#f`` -> ``f``."""
    page, _, fragment = href.partition("#")
    return fragment or page.removesuffix(".xhtml")


def render(part: Part, out: Path | None) -> Rendered:
    """Lay the part out with WeasyPrint; write its PDF to ``out`` unless ``out`` is ``None``."""
    pictures: set[str] = set()
    html = html_of(part, pictures)
    fonts = _font_config()
    document = weasyprint.HTML(string=html, url_fetcher=_PictureFetcher(pictures)).render(
        stylesheets=_stylesheets(part.theme, stamped=not part.one_document), font_config=fonts)
    wanted = part.anchors | {TITLE_ANCHOR}
    # WeasyPrint lists an anchor on every page its element runs over, as the box
    # (left, top, right, bottom) in CSS pixels: the first page is where it starts.
    anchors: dict[str, tuple[int, float, float]] = {}
    for index, page in enumerate(document.pages):
        for name, box in page.anchors.items():
            if name in wanted and name not in anchors:
                anchors[name] = (index, box[0] * PT_PER_PX, box[1] * PT_PER_PX)
    if out is not None:
        try:
            document.write_pdf(out)
        except OSError as exc:
            raise WriteError(f"cannot write a part of the book: {exc.strerror}", out) from exc
    return Rendered(out, len(document.pages), anchors)


def html_of(part: Part, pictures: set[str] | None = None) -> str:
    """The part as one HTML document through the theme's ``pdf/book.html``.

    File URIs of the pictures it shows are added to ``pictures``: the only files
    WeasyPrint may then read.
    """
    env = _environment(part.theme)
    seen = pictures if pictures is not None else set()

    def image_src(image: Image) -> str:
        if not image.path or not Path(image.path).is_file():
            return ""
        uri = Path(image.path).resolve().as_uri()
        seen.add(uri)
        return uri

    context = {
        "edition": part.edition,
        "items": part.items,
        "front": part.front,
        "meta": part.meta,
        "book_anchors": part.anchors,
        "one_document": part.one_document,
        "href": lambda anchor: book_href(anchor, part.one_document),
        "anchor_of": anchor_of,
        "image_src": image_src,
        "title_anchor": TITLE_ANCHOR,
        "back": part.back,
        "article_link": lambda article: book_href(article.slug, part.one_document),
        "page_of": lambda article: (part.back.numbers or {}).get(article.slug, "") if part.back else "",
    }
    try:
        return env.get_template("pdf/book.html").render(context)
    except jinja2.TemplateError as exc:
        where = getattr(exc, "filename", None) or getattr(exc, "name", None) or "pdf/book.html"
        raise ThemeError(f"theme {part.theme.name!r} cannot render the PDF: {exc}", where) from exc


@jinja2.pass_context
def _relink(context: jinja2.runtime.Context, inline: str) -> Markup:
    """Model inline text with links to other articles pointing inside this PDF.

    A link to an article that is not in the book loses its ``href`` and stays as text.
    """
    anchors = context["book_anchors"]
    one_document = context["one_document"]

    def replace(match: re.Match[str]) -> str:
        slug, fragment = match.group(1), match.group(2)
        anchor = fragment if fragment in anchors else slug
        if anchor not in anchors:
            return 'class="unresolved"'
        return f'href="{book_href(anchor, one_document)}"'

    return Markup(_BOOK_HREF.sub(replace, inline))


@lru_cache(maxsize=4)
def _environment(theme: Theme) -> jinja2.Environment:
    env = theme.environment()
    env.filters["inline"] = _relink
    return env


@lru_cache(maxsize=4)
def _stylesheets(theme: Theme, stamped: bool) -> list:
    sources = [theme.css("common.css"), theme.css("pdf.css")]
    if stamped:
        sources.append(NO_FOLIO_CSS)
    return [weasyprint.CSS(string=source, font_config=_font_config()) for source in sources]


@lru_cache(maxsize=1)
def _font_config() -> FontConfiguration:
    return FontConfiguration()


class _PictureFetcher(weasyprint.URLFetcher):
    """Lets WeasyPrint read the book's own pictures and nothing else: no network, no other file."""

    def __init__(self, allowed: set[str]) -> None:
        super().__init__(allowed_protocols={"file"})
        self.allowed = allowed

    def fetch(self, url, headers=None):
        if url not in self.allowed:
            raise ValueError(f"not a picture of this book: {url}")
        return super().fetch(url, headers)
