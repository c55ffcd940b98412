"""Merging the PDF: the pieces joined, page numbers laid over, folios stamped, links and bookmarks set.

Runs in the main process, after the render workers have ended, with pikepdf
(qpdf), which copies pages between files without turning every object into a
Python one: an 11,000-page book merges in about 8 s. Its memory still grows with
the book (about 40 KB a page here), which makes this the step to improve next.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name, OutlineItem, Pdf, String

from ...log import warn
from ...model import TocEntry
from ...output import GuardedFile
from .anchors import FolioType, Placement
from .render import BOOK_SCHEME, anchor_of

_FOLIO_RESOURCE = "/DeeplybookFolio"
_OVERLAY_RESOURCE = "/DeeplybookNumbers"
_PREFIX = f"{BOOK_SCHEME}:"


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
          toc: tuple[TocEntry, ...], metadata: Metadata,
          overlays: tuple[tuple[Path, tuple[int, ...]], ...] = (), folio: FolioType | None = None,
          places: list[tuple[int | None, ...]] | None = None) -> None:
    """Write the book made of ``parts`` (in order) to ``target``.

    ``places`` gives the book index of each page of each part, ``None`` for a page
    left out (``anchors.book_pages``); a blank page fills each index no page takes.
    Without it the parts' pages follow one another.
    Pages whose index is in ``bare``, and the blank pages put in, get no folio;
    every other page gets its index + 1, set as ``folio`` says (none without it).
    Links to ``deeplybook:ANCHOR`` become jumps to where ``ANCHOR`` landed. Each
    overlay PDF's pages are laid over the book pages listed with it.
    """
    book = Pdf.new()
    save_state = book.make_stream(b"q\n")
    # qpdf reads a copied page's streams from its source file when it writes the
    # book, so the sources stay open until then.
    sources: list[Pdf] = []
    try:
        for part in parts:
            sources.append(Pdf.open(part))
        blanks = _assemble(book, sources, places)
        bare = bare | blanks
        # Looking a page up by number is slow in a long book: list them once.
        pages = list(book.pages)
        for overlay, targets in overlays:
            over = Pdf.open(overlay)
            sources.append(over)
            for source_page, index in zip(over.pages, targets, strict=True):
                _lay_over(book, pages[index], source_page, f"{_OVERLAY_RESOURCE}{index}", save_state)
        stamp = None
        if folio is not None:
            sample = Pdf.open(folio.path)
            sources.append(sample)
            stamp = (folio, book.copy_foreign(sample.pages[0].Resources.Font[folio.font]))
        links = []
        for index, page in enumerate(pages):
            links.extend(_book_links(page))
            if stamp is not None and index not in bare:
                _stamp_folio(book, page, index + 1, *stamp, save_state)
        for annotation, anchor in links:
            _point_link(pages, annotation, anchor, anchors)
        _add_outline(book, pages, toc, anchors)
        _set_metadata(book, metadata)
        with open(target, "wb") as file:
            # Not pikepdf's own file: a Python write that raises inside qpdf aborts the process.
            sink: Any = GuardedFile(file)  # pikepdf's stubs say BinaryIO; any writable raw file does
            # Fixed settings and an /ID derived from the content: equal books are equal bytes.
            book.save(sink, deterministic_id=True, compress_streams=True,
                      object_stream_mode=pikepdf.ObjectStreamMode.generate)
            sink.check()
    finally:
        book.close()
        for source in sources:
            source.close()


def _assemble(book: Pdf, parts: list[Pdf], places: list[tuple[int | None, ...]] | None) -> set[int]:
    """Put the parts' pages in the book at their places; return the indexes of the blank pages put in between."""
    if places is None:
        places, first = [], 0
        for part in parts:
            places.append(tuple(range(first, first + len(part.pages))))
            first += len(part.pages)
    placed = {index: page for part, where in zip(parts, places, strict=True)
              for page, index in zip(part.pages, where, strict=True) if index is not None}
    blanks = set()
    for index in range(max(placed) + 1 if placed else 0):
        if index in placed:
            book.pages.append(placed[index])
        else:
            # A blank page opposite the page before it, with its boxes: the same size, trim and bleed.
            before = book.pages[-1]
            box = before.mediabox
            blank = book.add_blank_page(page_size=(float(box[2]) - float(box[0]), float(box[3]) - float(box[1])))
            for name in ("/MediaBox", "/TrimBox", "/BleedBox", "/CropBox", "/ArtBox"):
                if name in before.obj:
                    blank.obj[name] = pikepdf.Array(list(before.obj[name]))
            blanks.add(index)
    return blanks


def _set_metadata(book: Pdf, metadata: Metadata) -> None:
    info = {
        "/Title": metadata.title,
        "/Author": metadata.author,
        "/Subject": metadata.subject,
        "/Creator": "deeplybook",
        "/Producer": metadata.producer,
        "/CreationDate": metadata.date,
        "/ModDate": metadata.date,
    }
    for key, value in info.items():
        if value:
            book.docinfo[Name(key)] = String(value)
    book.Root.Lang = String(metadata.language)
    book.Root.ViewerPreferences = Dictionary(DisplayDocTitle=True)
    book.Root.PageMode = Name.UseOutlines


def _book_links(page: pikepdf.Page) -> list[tuple[pikepdf.Object, str]]:
    """The page's link annotations that point into the book, with their anchors."""
    found = []
    for annotation in page.obj.get("/Annots", ()):
        action = annotation.get("/A")
        if action is None or action.get("/S") != Name.URI:
            continue
        uri = str(action.get("/URI", ""))
        if uri.startswith(_PREFIX):
            found.append((annotation, uri[len(_PREFIX):]))
    return found


def _lay_over(book: Pdf, page: pikepdf.Page, over: pikepdf.Page, name: str, save_state) -> None:
    """Draw the page ``over`` (of the same size) on top of ``page``, as a form named ``name``.

    pikepdf's own ``add_overlay`` names the form at random, and equal books must be
    equal bytes; the name holds the page index, unique even where pages share resources.
    """
    _add_resource(page, "/XObject", name, book.copy_foreign(over.as_form_xobject()))
    _draw_after(book, page, f"Q q {name} Do Q\n".encode("ascii"), save_state)


def _draw_after(book: Pdf, page: pikepdf.Page, operators: bytes, save_state) -> None:
    """Append ``operators`` to the page, after its own content wrapped in q/Q.

    Whatever graphics state the page's content leaves then cannot move what is drawn after it.
    """
    contents = page.obj.get("/Contents")
    streams = list(contents) if isinstance(contents, Array) else ([contents] if contents is not None else [])
    page.obj.Contents = Array([save_state, *streams, book.make_stream(operators)])


def _stamp_folio(book: Pdf, page: pikepdf.Page, number: int, folio: FolioType, font: pikepdf.Object,
                 save_state) -> None:
    """Print ``number`` at the foot of ``page``, centred where and set as the theme's folio.

    The font goes into the page's font resources under one name for the whole
    book, so a resource dictionary that the renderer shares among pages can take
    it as well.
    """
    digits = [int(digit) for digit in str(number)]
    middle = (float(page.mediabox[0]) + float(page.mediabox[2])) / 2
    x = middle + folio.offset - sum(folio.widths[digit] for digit in digits) / 2
    codes = b"".join(folio.codes[digit] for digit in digits).hex()
    red, green, blue = folio.colour
    _draw_after(book, page, f"Q q {red:.4f} {green:.4f} {blue:.4f} rg BT {_FOLIO_RESOURCE} {folio.size:.4f} Tf "
                            f"{x:.2f} {folio.baseline:.2f} Td <{codes}> Tj ET Q\n".encode("ascii"), save_state)
    _add_resource(page, "/Font", _FOLIO_RESOURCE, font)


def _add_resource(page: pikepdf.Page, kind: str, name: str, value) -> None:
    """Put ``value`` in the page's ``kind`` resources (``/Font``, ``/XObject``) as ``name``."""
    if "/Resources" not in page.obj:
        page.obj.Resources = Dictionary()
    if kind not in page.obj.Resources:
        page.obj.Resources[kind] = Dictionary()
    page.obj.Resources[kind][name] = value


def _destination(pages: list[pikepdf.Page], placement: Placement) -> Array:
    """A jump to the anchor's page, scrolled to the anchor."""
    page = pages[placement.page]
    top = float(page.mediabox[3]) - placement.y
    return Array([page.obj, Name.XYZ, round(placement.x, 2), round(top, 2), None])


def _point_link(pages: list[pikepdf.Page], annotation: pikepdf.Object, anchor: str,
                anchors: dict[str, Placement]) -> None:
    placement = anchors.get(anchor)
    del annotation["/A"]
    if placement is None:
        warn("link-unresolved", f"a link points at {anchor!r}, which is not in the book")
        return
    annotation.Dest = _destination(pages, placement)


def _add_outline(book: Pdf, pages: list[pikepdf.Page], toc: tuple[TocEntry, ...],
                 anchors: dict[str, Placement]) -> None:
    """Bookmarks nested as the contents tree, each jumping to its entry's anchor."""

    def items(entries: tuple[TocEntry, ...]) -> list[OutlineItem]:
        made: list[OutlineItem] = []
        for entry in entries:
            placement = anchors.get(anchor_of(entry.href))
            if placement is None:
                warn("link-unresolved", f"the contents entry {entry.title!r} points at {entry.href!r}, "
                                        "which is not in the book")
                made.extend(items(entry.children))
                continue
            item = OutlineItem(entry.title, _destination(pages, placement))
            item.children.extend(items(entry.children))
            made.append(item)
        return made

    with book.open_outline() as outline:
        outline.root.extend(items(toc))
