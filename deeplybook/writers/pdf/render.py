"""Rendering one piece of the PDF: its HTML through the theme, laid out and written by WeasyPrint.

Everything here runs in worker processes as well as in the main one, so the
inputs are plain frozen dataclasses and the results carry only numbers and a path.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote

import jinja2
import weasyprint
from markupsafe import Markup

from ...bookplan import TITLE_ANCHOR, is_book_href, link_target
from ...errors import ThemeError
from ...model import Image
from ...themes import Theme
from .anchors import SLOT_ATTRIBUTE, Rendered, landed, sides, slots_of
from .engine import TAGGED, font_config, stylesheets, write
from .plan import Piece

#: Link scheme of in-book links in the pieces of a chunked book; the merge turns each
#: such link annotation into a jump to the page where its anchor landed.
BOOK_SCHEME = "deeplybook"
#: Pictures sharper than this at the size they are printed are scaled down (by
#: WeasyPrint, with Pillow): print quality, and an archive's 4,000-pixel photos do
#: not make a book of hundreds of megabytes.
PICTURE_DPI = 300


def book_href(anchor: str, one_document: bool) -> str:
    """The href an in-book link to ``anchor`` has in a rendered piece."""
    return f"#{anchor}" if one_document else f"{BOOK_SCHEME}:{anchor}"


def anchor_of(href: str) -> str:
    """The PDF anchor of a contents href: ``x.xhtml`` -> ``x``, ``x.xhtml#f`` -> ``f``."""
    page, _, fragment = href.partition("#")
    return fragment or page.removesuffix(".xhtml")


def render(piece: Piece, out: Path) -> Rendered:
    """Lay the piece out with WeasyPrint and write its PDF to ``out``."""
    pictures: dict[str, Path] = {}
    html = html_of(piece, pictures)
    document = weasyprint.HTML(string=html, url_fetcher=PictureFetcher(pictures)).render(
        stylesheets=stylesheets(piece.theme, stamped=not piece.one_document), font_config=font_config(),
        dpi=PICTURE_DPI)
    _point_inside(document, piece)
    slots = tuple(slots_of(document, piece.theme)) if not piece.one_document and SLOT_ATTRIBUTE in html else ()
    anchors = landed(document, piece.anchors | {TITLE_ANCHOR})
    # One document's sides are the book's; a part's are set right when merging.
    blank, recto = ((), ()) if piece.one_document else sides(document)
    variant = {"pdf_variant": piece.variant} if piece.variant else TAGGED if piece.tagged else {}
    write(document, out, **variant)
    return Rendered(out, len(document.pages), anchors, slots, blank, recto)


def _point_inside(document, piece: Piece) -> None:
    """Links between the book's pages (``<slug>.xhtml`` in the model) jump inside the PDF.

    Done on the laid-out document's links, not on the text: the model's inline
    XHTML is final. In one document a link is WeasyPrint's own jump to the anchor;
    in a piece of a chunked book a ``deeplybook:`` address that the merge turns into
    a jump. A link to a page this book does not have is no link.
    """
    for page in document.pages:
        kept = []
        for kind, target, rectangle, box in page.links:
            if kind == "external" and is_book_href(unquote(target)):
                anchor = link_target(unquote(target), piece.anchors)
                if anchor is None:
                    continue
                kind, target = ("internal", anchor) if piece.one_document else ("external", book_href(anchor, False))
            kept.append((kind, target, rectangle, box))
        page.links = kept


def html_of(piece: Piece, pictures: dict[str, Path] | None = None) -> str:
    """The piece as one HTML document through the theme's ``pdf/book.html``.

    The pictures it shows are added to ``pictures``, by the address the page gives
    them (``picture_address``): the only files WeasyPrint may then read.
    """
    seen = pictures if pictures is not None else {}

    def image_src(image: Image) -> str:
        if not image.path or not Path(image.path).is_file():
            return ""
        path = Path(image.path).resolve()
        address = picture_address(path)
        seen[address] = path
        return address

    context = {
        "edition": piece.edition,
        "items": piece.pages,
        "front": piece.front,
        "meta": piece.meta,
        "book_anchors": piece.anchors,
        "one_document": piece.one_document,
        "href": lambda anchor: book_href(anchor, piece.one_document),
        "anchor_of": anchor_of,
        "image_src": image_src,
        "title_anchor": TITLE_ANCHOR,
        "back": piece.back,
        "article_link": lambda article: book_href(article.slug, piece.one_document),
        "page_number": lambda anchor: page_number(anchor, piece),
    }
    try:
        return _environment(piece.theme).get_template("pdf/book.html").render(context)
    except jinja2.TemplateError as exc:
        where = getattr(exc, "filename", None) or getattr(exc, "name", None) or "pdf/book.html"
        raise ThemeError(f"theme {piece.theme.name!r} cannot render the PDF: {exc}", where) from exc


def page_number(anchor: str, piece: Piece) -> Markup:
    """The page number of ``anchor`` as the writer prints it: a slot the theme styles as ``.page-number``.

    In one document WeasyPrint counts it; in a piece of a chunked book it is an
    invisible stand-in as wide as the widest number, printed over afterwards.
    """
    if anchor not in piece.anchors:
        return Markup("")
    if piece.one_document:
        slot = Markup('<span class="page-slot" data-page-target="#{}"></span>').format(anchor)
    else:
        slot = Markup('<span class="page-slot" {}="{}">{}</span>').format(SLOT_ATTRIBUTE, anchor, "8" * piece.digits)
    return Markup('<span class="page-number">{}</span>').format(slot)


@lru_cache(maxsize=4)
def _environment(theme: Theme) -> jinja2.Environment:
    return theme.environment()


#: The scheme of a picture's address in a rendered page (see ``picture_address``).
PICTURE_SCHEME = "deeplybook-picture"


@lru_cache(maxsize=4096)
def picture_address(path: Path) -> str:
    """The address a picture has in the pages: its content's hash, whatever folder the archive is in.

    WeasyPrint names each picture in the PDF after its address; a file URI would put
    the archive's place on this machine into the book's bytes.
    """
    return f"{PICTURE_SCHEME}:{hashlib.sha256(path.read_bytes()).hexdigest()}"


class PictureFetcher(weasyprint.URLFetcher):
    """Gives WeasyPrint the book's own pictures, by their addresses, and nothing else: no network, no other file."""

    def __init__(self, pictures: dict[str, Path]) -> None:
        super().__init__(allowed_protocols={PICTURE_SCHEME})
        self.pictures = pictures

    def fetch(self, url, headers=None):
        """The bytes of the picture at ``url``, if it is one of the book's; refuse anything else."""
        path = self.pictures.get(url)
        if path is None:
            raise ValueError(f"not a picture of this book: {url}")
        return weasyprint.urls.URLFetcherResponse(url, body=path.read_bytes())
