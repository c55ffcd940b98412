"""Page anchors and numbers: where anchors land, the stand-ins for page numbers, the overlay and the folio type.

Page numbers that the front and back matter print (contents, indexes) are laid
out as invisible stand-ins as wide as the real numbers can be (``Slot``); once
every part is rendered and every anchor has its page (``placements``), the real
numbers are rendered into an overlay at the stand-ins' places and in their fonts
(``render_overlay``), and laid over those pages when the book is merged. The
folios are stamped by the merge in the type ``render_folio`` measures.
"""

from __future__ import annotations

import html as html_module
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import weasyprint
from weasyprint.formatting_structure.boxes import LineBox, TextBox

from ...errors import WriteError
from ...themes import Theme
from .engine import PT_PER_PX, faces, font_config, stylesheets, write

#: The characters a folio is made of.
DIGITS = "0123456789"
#: CSS's generic font families: a keyword, not a name to quote.
GENERIC_FAMILIES = frozenset({"serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui", "math"})
#: The attribute that marks a page-number stand-in in a part's HTML.
SLOT_ATTRIBUTE = "data-page-of"


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
class Slot:
    """Where a part laid out the stand-in for a page number, and in what type."""

    anchor: str
    """The anchor whose page number goes here."""
    page: int
    """Page index within the part."""
    right: float
    """The stand-in's right edge, in CSS pixels from the page's right edge: numbers are set flush right."""
    top: float
    """The top of its line, in CSS pixels from the page's top."""
    digits: int
    """How many digits fit where the stand-in is."""
    style: str
    """CSS declarations (font, size, line height, colour) that set text as the stand-in was set."""
    page_size: tuple[float, float]
    """Width and height of its page, in CSS pixels."""
    theme: Theme | None = None
    """The theme whose fonts ``style`` may name (its ``@font-face`` rules); ``None``: the system's fonts."""


@dataclass(frozen=True, slots=True)
class Overlay:
    """Page numbers to print over pages of the book: one overlay page per page that has slots."""

    pages: tuple[tuple[tuple[float, float], tuple[tuple[Slot, str], ...]], ...]
    """Per overlay page: its size, and each slot with the number to print in it."""


@dataclass(frozen=True, slots=True)
class FolioType:
    """The folio the theme prints, as the merge stamps it on each page: glyphs, size, colour, place."""

    path: Path
    """A PDF whose first page sets the ten digits in the folio's font: the font the merge embeds."""
    font: str
    """That font's resource name on the page."""
    codes: tuple[bytes, ...]
    """Each digit's character code in that font, from 0 to 9."""
    widths: tuple[float, ...]
    """Each digit's advance, in points."""
    size: float
    """The font size, in points."""
    colour: tuple[float, float, float]
    """Red, green and blue, from 0 to 1."""
    offset: float
    """How far right of the page's middle the folio is centred, in points."""
    baseline: float
    """The height of its baseline above the page's bottom edge, in points."""


@dataclass(frozen=True, slots=True)
class Rendered:
    """A rendered part: where its PDF is, where each anchor landed, where page numbers go."""

    path: Path
    """The part's PDF file."""
    page_count: int
    """How many pages it has."""
    anchors: dict[str, tuple[int, float, float]]
    """Page index within the part and (x, y) from the page's top left, in points, per anchor."""
    slots: tuple[Slot, ...] = ()
    """The page-number stand-ins it laid out, in page order."""
    blank: tuple[int, ...] = ()
    """Pages WeasyPrint left blank to bring a page to the side the theme asks for."""
    recto: tuple[int, ...] = ()
    """Pages the theme opens on a right-hand page (``break-before: right``)."""


def book_pages(parts: list[Rendered]) -> list[tuple[int | None, ...]]:
    """Where each page of each part lands in the book: its index, ``None`` for a page it drops.

    A part is laid out alone, its first page a right-hand one, so the blank pages
    WeasyPrint put in it face the part's own sides. The book drops them and, where
    a page that opens on the right falls on a left-hand page, leaves a blank page
    before it: the indexes that no part's page takes. Index 0 is a right-hand page.
    """
    made: list[tuple[int | None, ...]] = []
    index = 0
    for part in parts:
        blank, recto = set(part.blank), set(part.recto)
        places: list[int | None] = []
        for page in range(part.page_count):
            if page in blank:
                places.append(None)
                continue
            index += page in recto and index % 2
            places.append(index)
            index += 1
        made.append(tuple(places))
    return made


def placements(parts: list[Rendered]) -> dict[str, Placement]:
    """Where every anchor of ``parts``, the whole book in order, lands in it (the first place wins)."""
    found: dict[str, Placement] = {}
    for part, places in zip(parts, book_pages(parts), strict=True):
        for anchor, (page, x, y) in part.anchors.items():
            index = places[page]
            if index is not None:
                found.setdefault(anchor, Placement(index, x, y))
    return found


def sides(document) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """A laid-out part's blank pages, and its pages that open on the right (see ``Rendered``).

    A page opens on the right when the first box at its top starts an element
    whose break before is ``right`` or ``recto`` (the element's continuation on
    later pages does not).
    """
    blank, recto = [], []
    for index, page in enumerate(document.pages):
        box = page._page_box
        if box.page_type.blank:
            blank.append(index)
            continue
        top = box.children[0] if box.children else None
        while top is not None and not isinstance(top, LineBox):
            if top.element is not None and top.style["break_before"] in ("right", "recto") and \
                    (index == 0 or not _holds(document.pages[index - 1], top.element)):
                recto.append(index)
                break
            top = top.children[0] if getattr(top, "children", None) else None
    return tuple(blank), tuple(recto)


def _holds(page, element) -> bool:
    """Whether a laid-out page shows part of ``element``."""
    return any(box.element is element for box in page._page_box.descendants())


def landed(document, wanted: frozenset[str]) -> dict[str, tuple[int, float, float]]:
    """The page and place, in points, where each ``wanted`` anchor of a laid-out document starts."""
    # WeasyPrint lists an anchor on every page its element runs over, as the box
    # (left, top, right, bottom) in CSS pixels: the first page is where it starts.
    found: dict[str, tuple[int, float, float]] = {}
    for index, page in enumerate(document.pages):
        for name, box in page.anchors.items():
            if name in wanted and name not in found:
                found[name] = (index, box[0] * PT_PER_PX, box[1] * PT_PER_PX)
    return found


def slots_of(document, theme: Theme | None = None) -> list[Slot]:
    """The page-number stand-ins of a laid-out part: their text boxes' places and type (in ``theme``'s fonts)."""
    found = []
    for index, page in enumerate(document.pages):
        for box in page._page_box.descendants():
            if isinstance(box, TextBox) and box.element is not None and box.element.get(SLOT_ATTRIBUTE):
                found.append(Slot(box.element.get(SLOT_ATTRIBUTE), index, page.width - box.position_x - box.width,
                                  box.position_y, len(box.text), type_of(box.style), (page.width, page.height), theme))
    return found


def render_overlay(overlay: Overlay, out: Path) -> Rendered:
    """Print each slot's number flush right at its place, one page per overlay page.

    Each number is an absolutely placed line in the type its stand-in had, so it
    lands where the stand-in was laid out, to the hundredth of a point.
    """
    sizes = {size: f"size-{n}" for n, size in enumerate(dict.fromkeys(size for size, _ in overlay.pages))}
    rules = "".join(f"@page {name} {{ size: {width:.4f}px {height:.4f}px; margin: 0 }} "
                    for (width, height), name in sizes.items())
    # A class per type, not a long style attribute per number: WeasyPrint parses each attribute alone.
    types = {style: f"type-{n}" for n, style in enumerate(dict.fromkeys(
        slot.style for _, numbers in overlay.pages for slot, _ in numbers))}
    rules += "".join(f".{name} {{ position: absolute; {style} }} " for style, name in types.items())
    themes = dict.fromkeys(slot.theme for _, numbers in overlay.pages for slot, _ in numbers if slot.theme)
    pages = []
    for size, numbers in overlay.pages:
        lines = "".join(
            f'<div class="{types[slot.style]}" style="right: {slot.right:.4f}px; top: {slot.top:.4f}px">'
            f"{html_module.escape(number)}</div>" for slot, number in numbers)
        pages.append(f'<div class="overlay" style="page: {sizes[size]}; width: {size[0]:.4f}px; '
                     f'height: {size[1]:.4f}px">{lines}</div>')
    document = weasyprint.HTML(string=(
        f"<!DOCTYPE html><html><head><meta charset='utf-8'/><style>{rules}body {{ margin: 0 }} "
        ".overlay { position: relative; overflow: hidden; break-after: page; white-space: nowrap }"
        f"</style></head><body>{''.join(pages)}</body></html>")).render(
        stylesheets=[faces(theme) for theme in themes], font_config=font_config())
    write(document, out)
    return Rendered(out, len(document.pages), {})


def render_folio(theme: Theme, out: Path) -> FolioType | None:
    """The folio the theme's ``@bottom-center`` prints, each digit set once, for the merge to stamp with.

    The merge prints the folios (a chunk does not know its first page's number);
    with these glyphs they are in the theme's type (its own fonts too), in a font embedded like any
    other, and where one WeasyPrint document sets them. ``None``: the theme prints none.
    """
    page = weasyprint.HTML(string="<p></p>").render(
        stylesheets=stylesheets(theme, stamped=False), font_config=font_config()).pages[0]
    margin = next((box for box in page._page_box.children if getattr(box, "at_keyword", "") == "@bottom-center"), None)
    text = next((box for box in margin.descendants() if isinstance(box, TextBox)), None) if margin else None
    if text is None:
        return None
    digits = "".join(f'<div class="digit">{digit}</div>' for digit in DIGITS)
    sample = weasyprint.HTML(string=(
        "<!DOCTYPE html><html><head><meta charset='utf-8'/><style>@page { size: 400px 400px; margin: 0 } "
        f"body {{ margin: 0 }} .digit {{ {type_of(text.style)}; white-space: nowrap }}</style></head>"
        f"<body>{digits}</body></html>")).render(stylesheets=[faces(theme)], font_config=font_config())
    widths = tuple(box.width * PT_PER_PX for box in sample.pages[0]._page_box.descendants() if isinstance(box, TextBox))
    write(sample, out)
    font, codes = _digit_codes(out)
    return FolioType(out, font, codes, widths, text.style["font_size"] * PT_PER_PX,
                     tuple(text.style["color"].coordinates[:3]),
                     (text.position_x + text.width / 2 - page.width / 2) * PT_PER_PX,
                     (page.height - text.position_y - text.baseline) * PT_PER_PX)


def _digit_codes(sample: Path) -> tuple[str, tuple[bytes, ...]]:
    """The font that sets the sample's digits, and each digit's code in it, read from its page's content."""
    fonts, codes = set(), []
    with pikepdf.open(sample) as pdf:
        for instruction in pikepdf.parse_content_stream(pdf.pages[0]):
            operands, operator = instruction.operands, instruction.operator
            if operator == pikepdf.Operator("Tf"):
                fonts.add(str(operands[0]))
            elif operator in (pikepdf.Operator("Tj"), pikepdf.Operator("TJ")):
                strings = operands[0] if operator == pikepdf.Operator("TJ") else operands
                codes.append(b"".join(bytes(item) for item in strings if isinstance(item, pikepdf.String)))
    if len(fonts) != 1 or len(codes) != len(DIGITS) or not all(codes):
        raise WriteError(f"the folio's digits were not set in one font: fonts {sorted(fonts)}, {len(codes)} digits",
                         sample)
    return fonts.pop(), tuple(codes)


def type_of(style) -> str:
    """CSS declarations that set text in the type of a computed ``style``."""
    families = ", ".join(name if name in GENERIC_FAMILIES else _css_string(name) for name in style["font_family"])
    line_height = style["line_height"]
    if line_height != "normal":
        line_height = f"{line_height.value}{line_height.unit}" if hasattr(line_height, "unit") else f"{line_height}"
    red, green, blue = (round(channel * 255, 3) for channel in style["color"].coordinates)
    numeric = style["font_variant_numeric"]
    numeric = numeric if isinstance(numeric, str) else " ".join(numeric)
    return (f"font-family: {families}; font-size: {style['font_size']}px; font-weight: {style['font_weight']}; "
            f"font-style: {style['font_style']}; font-stretch: {style['font_stretch']}; "
            f"font-variant-numeric: {numeric}; line-height: {line_height}; "
            f"color: rgba({red}, {green}, {blue}, {style['color'].alpha})")


def _css_string(text: str) -> str:
    """``text`` as a CSS string that cannot end a ``<style>`` element or the declaration it is in."""
    return '"' + "".join(ch if ch.isalnum() or ch in " -_." else f"\\{ord(ch):x} " for ch in text) + '"'
