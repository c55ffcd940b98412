"""A typographic cover image for editions that bring none: title, subtitle, dates, publisher."""

from __future__ import annotations

import io
import textwrap
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

#: Cover size in pixels: the 1.6 ratio ebook stores ask for.
SIZE = (1600, 2560)
_INK = (245, 240, 230)
_PAPER = (32, 44, 58)
_ACCENT = (196, 80, 56)


@lru_cache(maxsize=None)
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    # DejaVu ships with the Pango stack WeasyPrint needs, so it is there wherever
    # PDFs can be made; Pillow's own scalable face stands in otherwise.
    for name in ("DejaVuSerif-Bold.ttf" if bold else "DejaVuSerif.ttf", "DejaVuSans.ttf"):
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size)


def _block(draw: ImageDraw.ImageDraw, text: str, top: int, size: int, width: int, bold: bool = False) -> int:
    """Draw ``text`` centred, wrapped to ``width`` characters; return the y below it."""
    font = _font(size, bold)
    for line in textwrap.wrap(text, width) or [""]:
        left, _, right, bottom = draw.textbbox((0, 0), line, font=font)
        draw.text(((SIZE[0] - (right - left)) / 2, top), line, font=font, fill=_INK)
        top += int(size * 1.25)
    return top


def make_cover(title: str, subtitle: str = "", span: str = "", publisher: str = "") -> bytes:
    """A PNG cover; the same words always give the same bytes."""
    image = Image.new("RGB", SIZE, _PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle((120, 300, SIZE[0] - 120, 316), fill=_ACCENT)
    y = _block(draw, title, 420, 150, 14, bold=True)
    if subtitle:
        y = _block(draw, subtitle, y + 80, 80, 28)
    if span:
        _block(draw, span, y + 120, 70, 30)
    draw.rectangle((120, SIZE[1] - 420, SIZE[0] - 120, SIZE[1] - 404), fill=_ACCENT)
    if publisher:
        _block(draw, publisher, SIZE[1] - 330, 64, 34)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def date_span(first, last) -> str:
    """'2013–2018', '2017' or '' for the years an edition covers."""
    if first is None or last is None:
        return ""
    return str(first.year) if first.year == last.year else f"{first.year}–{last.year}"
