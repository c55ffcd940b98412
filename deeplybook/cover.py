"""A typographic cover image for editions that bring none: title, subtitle, dates, publisher."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable

from PIL import Image, ImageDraw, ImageFont

#: Cover size in pixels: the 1.6 ratio ebook stores ask for.
SIZE = (1600, 2560)
#: An A5 page at 300 dpi: the PDF's cover, which fills its first page.
A5_SIZE = (1748, 2480)
_INK = (245, 240, 230)
_PAPER = (32, 44, 58)
_ACCENT = (196, 80, 56)
#: The smallest title size, as a share of the cover's width: a title never shrinks below it, it wraps.
_MIN_TITLE = 0.045
#: A ``@font-face`` rule and the descriptors the cover reads from it.
_FONT_FACE = re.compile(r"@font-face\s*\{([^{}]*)\}", re.IGNORECASE)
_DESCRIPTOR = re.compile(r"(font-family|font-weight|font-style|src)\s*:\s*([^;]+)", re.IGNORECASE)
_URL = re.compile(r"""url\(\s*["']?([^"')]+)["']?\s*\)""", re.IGNORECASE)

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@dataclass(frozen=True, slots=True)
class Faces:
    """The font files a cover is set in; DejaVu stands in for any not given."""

    title: str | None = None
    """The title's face: the theme's bold serif."""
    text: str | None = None
    """The subtitle's and dates' face: the theme's text face."""
    label: str | None = None
    """The publisher's face: the theme's sans, or its text face."""


def make_cover(title: str, subtitle: str = "", span: str = "", publisher: str = "", *,
               faces: Faces = Faces(), size: tuple[int, int] = SIZE) -> bytes:
    """A PNG cover of ``size`` pixels; the same words, faces and size always give the same bytes.

    Every line is wrapped by its measured width, so a title in a wide face or of long
    words stays inside the margins; a word too long for a line shrinks the title.
    """
    width, height = size
    image = Image.new("RGB", size, _PAPER)
    draw = ImageDraw.Draw(image)
    margin = round(width * 0.075)
    measure = width - 2 * margin
    rule = max(4, round(width / 100))
    top, foot = round(height * 0.117), round(height * 0.836)
    draw.rectangle((margin, top, width - margin, top + rule), fill=_ACCENT)
    draw.rectangle((margin, foot, width - margin, foot + rule), fill=_ACCENT)
    font = _title_font(draw, title, faces.title, measure, width, room=foot - top - round(height * 0.12))
    y = _block(draw, _wrap(draw, title, font, measure), top + round(height * 0.04), font, width)
    if subtitle:
        y = _block(draw, _wrap(draw, subtitle, _font(faces.text, round(width * 0.05)), measure),
                   y + round(height * 0.03), _font(faces.text, round(width * 0.05)), width)
    if span:
        _block(draw, [span], y + round(height * 0.045), _font(faces.text, round(width * 0.044)), width)
    if publisher:
        label = _font(faces.label, round(width * 0.04))
        _block(draw, _wrap(draw, publisher, label, measure), foot + rule + round(height * 0.03), label, width)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _title_font(draw: ImageDraw.ImageDraw, title: str, face: str | None, measure: int, width: int, room: int) -> Font:
    """The largest title size (from 9% of the width down) at which every word fits a line and the title ``room``."""
    size = round(width * 0.094)
    while size > width * _MIN_TITLE:
        font = _font(face, size, bold=True)
        lines = _wrap(draw, title, font, measure)
        if all(draw.textlength(line, font=font) <= measure for line in lines) and len(lines) * size * 1.25 <= room:
            return font
        size = round(size * 0.9)
    return _font(face, round(width * _MIN_TITLE), bold=True)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: Font, measure: int) -> list[str]:
    """``text`` cut into lines no wider than ``measure`` pixels as ``font`` sets them (a longer word stands alone)."""
    lines: list[str] = []
    for word in text.split():
        if lines and draw.textlength(f"{lines[-1]} {word}", font=font) <= measure:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]


def _block(draw: ImageDraw.ImageDraw, lines: list[str], top: int, font: Font, width: int) -> int:
    """Draw ``lines`` centred from ``top``; return the y below them."""
    step = round(_size(font) * 1.25)
    for line in lines:
        draw.text(((width - draw.textlength(line, font=font)) / 2, top), line, font=font, fill=_INK)
        top += step
    return top


def _size(font: Font) -> float:
    return float(getattr(font, "size", 10))


@lru_cache(maxsize=None)
def _font(path: str | None, size: int, bold: bool = False) -> Font:
    # DejaVu ships with the Pango stack WeasyPrint needs, so it is there wherever
    # PDFs can be made; Pillow's own scalable face stands in otherwise.
    names = [path] if path else []
    names += ["DejaVuSerif-Bold.ttf" if bold else "DejaVuSerif.ttf", "DejaVuSans.ttf"]
    for name in names:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size)


def faces_from_css(css: str, locate: Callable[[str], Path | None]) -> Faces:
    """The cover's faces from a theme's ``@font-face`` rules; ``locate`` finds the file a rule's url names.

    The first family declared is taken as the text face (its bold sets the title),
    the next one as the sans for the publisher. Nothing is located that the cover
    does not use; a theme that declares no fonts gives ``Faces()`` (DejaVu).
    """
    rules: dict[tuple[str, bool, bool], str] = {}
    for match in _FONT_FACE.finditer(css):
        found = {name.lower(): value.strip() for name, value in _DESCRIPTOR.findall(match[1])}
        url = _URL.search(found.get("src", ""))
        if "font-family" in found and url:
            family = found["font-family"].strip("\"' ")
            bold = found.get("font-weight", "normal").lower() in ("bold", "bolder", "600", "700", "800", "900")
            italic = found.get("font-style", "normal").lower() in ("italic", "oblique")
            rules.setdefault((family, bold, italic), url[1])
    families = list(dict.fromkeys(family for family, _, _ in rules))
    if not families:
        return Faces()
    serif, sans = families[0], (families[1:] or families)[0]

    def face(family: str, bold: bool) -> str | None:
        url = rules.get((family, bold, False)) or rules.get((family, False, False))
        path = locate(url) if url else None
        return str(path) if path else None

    return Faces(face(serif, True), face(serif, False), face(sans, False))


def date_span(first, last) -> str:
    """'2013–2018', '2017' or '' for the years an edition covers."""
    if first is None or last is None:
        return ""
    return str(first.year) if first.year == last.year else f"{first.year}–{last.year}"
