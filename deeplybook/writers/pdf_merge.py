"""The PDF writer's merging side: concatenate rendered parts, stamp folios, resolve links, add bookmarks.

Runs in the main process with pypdf. One part's reader is open at a time; what
stays in memory is the merged book's objects, which pypdf holds until it writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NullObject,
    Fit,
    TextStringObject,
)

from ..log import warn
from ..model import TocEntry
from .pdf_render import BOOK_SCHEME, anchor_of

#: Folios are set in Times, a font every PDF viewer has, so stamping embeds nothing.
FOLIO_FONT = "/Times-Roman"
#: Folio size in points.
FOLIO_SIZE = 9.0
#: Every Times digit is half an em wide: a folio's width is known without the font file.
FOLIO_DIGIT_WIDTH = 0.5
#: Height of the folio's baseline above the bottom edge, in points (about 10 mm to its middle).
FOLIO_BASELINE = 25.5
#: The folio's grey, as in the theme's ``@bottom-center``.
FOLIO_GREY = 0.2
_FOLIO_RESOURCE = NameObject("/DeeplybookFolio")
_PREFIX = f"{BOOK_SCHEME}:"


@dataclass(frozen=True, slots=True)
class Placement:
    """Where an anchor landed in the merged book."""

    page: int
    """Page index, 0 for the title page."""
    x: float
    """Distance from the page's left edge, in points."""
    y: float
    """Distance from the page's top edge, in points."""


@dataclass(frozen=True, slots=True)
class Metadata:
    """The document information the merged PDF carries."""

    title: str
    """The book's title."""
    author: str
    """Who made it, names joined with commas."""
    subject: str
    """A sentence about the book; may be empty."""
    language: str
    """BCP 47 language tag."""
    date: str
    """Creation and modification date in PDF form (``D:20231114221320Z``)."""
    producer: str
    """The software that wrote the file."""


def merge(parts: list[Path], target: Path, *, bare: set[int], anchors: dict[str, Placement],
          toc: tuple[TocEntry, ...], metadata: Metadata) -> None:
    """Write the book made of ``parts`` (in order) to ``target``.

    Pages whose index is in ``bare`` get no folio; every other page gets its index + 1.
    Links to ``deeplybook:ANCHOR`` become jumps to where ``ANCHOR`` landed.
    """
    writer = PdfWriter()
    folio_font = writer._add_object(DictionaryObject({
        NameObject("/Type"): NameObject("/Font"),
        NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject(FOLIO_FONT),
        NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
    }))
    save_state = writer._add_object(_stream(b"q\n"))
    links: list[tuple[DictionaryObject, str]] = []
    for part in parts:
        reader = PdfReader(part)
        for page in reader.pages:
            index = len(writer.pages)
            added = writer.add_page(page)
            links.extend(_book_links(added))
            if index not in bare:
                _stamp_folio(writer, added, index + 1, folio_font, save_state)
        del reader

    for annotation, anchor in links:
        _point_link(writer, annotation, anchor, anchors)
    _add_outline(writer, toc, anchors)
    info = {
        "/Title": metadata.title,
        "/Author": metadata.author,
        "/Subject": metadata.subject,
        "/Creator": "deeplybook",
        "/Producer": metadata.producer,
        "/CreationDate": metadata.date,
        "/ModDate": metadata.date,
    }
    writer.add_metadata({key: value for key, value in info.items() if value})
    writer.root_object[NameObject("/Lang")] = TextStringObject(metadata.language)
    writer.root_object[NameObject("/ViewerPreferences")] = DictionaryObject(
        {NameObject("/DisplayDocTitle"): BooleanObject(True)})
    writer.page_mode = "/UseOutlines"
    with open(target, "wb") as out:
        writer.write(out)


def _stream(data: bytes) -> DecodedStreamObject:
    stream = DecodedStreamObject()
    stream.set_data(data)
    return stream


def _book_links(page: DictionaryObject) -> list[tuple[DictionaryObject, str]]:
    """The page's link annotations that point into the book, with their anchors."""
    found = []
    for ref in page.get("/Annots", ()):
        annotation = ref.get_object()
        action = annotation.get("/A")
        if action is None:
            continue
        action = action.get_object()
        uri = action.get("/URI")
        if action.get("/S") == "/URI" and isinstance(uri, str) and uri.startswith(_PREFIX):
            found.append((annotation, uri[len(_PREFIX):]))
    return found


def _stamp_folio(writer: PdfWriter, page, folio: int, font, save_state) -> None:
    """Print ``folio`` centred at the foot of ``page``.

    The page's own content is wrapped in q/Q so that whatever graphics state it
    leaves does not move the folio; its resources are copied before the font is
    added, because a renderer may share one resource dictionary among pages.
    """
    text = str(folio)
    width = float(page.mediabox.width)
    x = width / 2 - FOLIO_SIZE * FOLIO_DIGIT_WIDTH * len(text) / 2
    folio_stream = writer._add_object(_stream(
        f"Q q {FOLIO_GREY} g BT {_FOLIO_RESOURCE} {FOLIO_SIZE:g} Tf {x:.2f} {FOLIO_BASELINE:.2f} Td ({text}) Tj ET Q\n"
        .encode("ascii")))
    contents = page.get(NameObject("/Contents"))
    existing = contents.get_object() if contents is not None else None
    if isinstance(existing, ArrayObject):
        streams = list(existing)
    elif contents is not None:
        streams = [contents]
    else:
        streams = []
    page[NameObject("/Contents")] = ArrayObject([save_state, *streams, folio_stream])
    resources = page.get(NameObject("/Resources"))
    copied = DictionaryObject(resources.get_object() if resources is not None else {})
    fonts = copied.get(NameObject("/Font"))
    fonts = DictionaryObject(fonts.get_object() if fonts is not None else {})
    fonts[_FOLIO_RESOURCE] = font
    copied[NameObject("/Font")] = fonts
    page[NameObject("/Resources")] = copied


def _destination(writer: PdfWriter, placement: Placement) -> ArrayObject:
    page = writer.pages[placement.page]
    top = float(page.mediabox.height) - placement.y
    return ArrayObject([page.indirect_reference, NameObject("/XYZ"),
                        FloatObject(round(placement.x, 2)), FloatObject(round(top, 2)), NullObject()])


def _point_link(writer: PdfWriter, annotation: DictionaryObject, anchor: str,
                anchors: dict[str, Placement]) -> None:
    placement = anchors.get(anchor)
    del annotation[NameObject("/A")]
    if placement is None:
        warn("link-unresolved", f"a link points at {anchor!r}, which is not in the book")
        return
    annotation[NameObject("/Dest")] = _destination(writer, placement)


def _add_outline(writer: PdfWriter, toc: tuple[TocEntry, ...], anchors: dict[str, Placement]) -> None:
    """Bookmarks nested as the contents tree, each jumping to its entry's anchor."""

    def add(entries: tuple[TocEntry, ...], parent) -> None:
        for entry in entries:
            placement = anchors.get(anchor_of(entry.href))
            if placement is None:
                warn("link-unresolved", f"the contents entry {entry.title!r} points at {entry.href!r}, "
                                        "which is not in the book")
                add(entry.children, parent)
                continue
            top = float(writer.pages[placement.page].mediabox.height) - placement.y
            item = writer.add_outline_item(title=entry.title, page_number=placement.page, parent=parent,
                                           fit=Fit.xyz(left=round(placement.x, 2), top=round(top, 2)))
            add(entry.children, item)

    add(toc, None)
