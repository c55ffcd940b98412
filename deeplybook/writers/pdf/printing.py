"""Print-on-demand: the pages' trim size, bleed and crop marks, and the cover spread (back, spine, front).

A printer takes the book block as one PDF and the cover as another: one sheet
holding the back cover, the spine and the front cover side by side, with bleed
around it. The spine is as thick as the book: half the page count (each leaf is two
pages) times the thickness of one leaf of the paper. So the spread is made after
the book, from the book's own PDF: its page count and trim size.
"""

from __future__ import annotations

import base64
import html
import os
from pathlib import Path

import pikepdf
import weasyprint
from weasyprint.formatting_structure.boxes import TextBox

from ...bookplan import BookPlan
from ...cover import make_cover
from ...errors import WriteError
from ...output import atomic_path
from ...press import PrintOptions, spine_mm
from ...themes import Theme
from .anchors import type_of
from .engine import faces, font_config, stylesheets, write

#: Points in a millimetre.
PT_PER_MM = 72 / 25.4
#: The thinnest spine that gets its title: thinner ones are left blank, as printers ask.
MIN_SPINE_TEXT_MM = 6.0


def write_spread(plan: BookPlan, theme: Theme, book: str | os.PathLike[str], path: str | os.PathLike[str],
                 options: PrintOptions) -> Path:
    """Write the cover spread of the printed ``book`` (its PDF, already written) at ``path``.

    Back cover left (the book's description and publisher), spine in the middle
    (title and publisher, read from the head down as English-language printers set them, when the spine is wide enough),
    front cover right (the edition's cover picture, or the generated one), each
    panel the book's trim size, with the bleed and marks ``options`` ask for.
    """
    try:
        with pikepdf.open(Path(book)) as pdf:
            pages = len(pdf.pages)
            box = pdf.pages[0].obj.get("/TrimBox", pdf.pages[0].mediabox)
            width_pt, height_pt = float(box[2]) - float(box[0]), float(box[3]) - float(box[1])
    except (OSError, pikepdf.PdfError) as exc:
        raise WriteError(f"the book's PDF cannot be read for its cover spread: {exc}", book) from exc
    spine = spine_mm(pages, options.paper_mm)
    width_mm, height_mm = width_pt / PT_PER_MM, height_pt / PT_PER_MM
    html_text = _spread_html(plan, _cover_uri(plan), width_mm, height_mm, spine, options, _text_type(theme))
    fetcher = weasyprint.URLFetcher(allowed_protocols={"data"})  # the cover travels inside the page
    document = weasyprint.HTML(string=html_text, url_fetcher=fetcher).render(
        stylesheets=[faces(theme)], font_config=font_config())
    with atomic_path(path) as temp:
        write(document, temp)
    return Path(path)


def _text_type(theme: Theme) -> str:
    """The type of the theme's running text (family, colour...), measured on a probe paragraph."""
    probe = weasyprint.HTML(string='<div class="article-body"><p>x</p></div>').render(
        stylesheets=stylesheets(theme, stamped=False), font_config=font_config())
    text = next(box for box in probe.pages[0]._page_box.descendants() if isinstance(box, TextBox))
    return type_of(text.style)


def _cover_uri(plan: BookPlan) -> str:
    """The front cover as a data URI: the edition's picture or the generated cover."""
    edition = plan.edition
    if edition.cover:
        try:
            data = Path(edition.cover).read_bytes()
        except OSError as exc:
            raise WriteError(f"the cover image cannot be read: {exc}", edition.cover) from exc
        kind = "jpeg" if data[:3] == b"\xff\xd8\xff" else "png"
    else:
        data, kind = make_cover(edition.title, edition.subtitle, plan.span, edition.publisher), "png"
    return f"data:image/{kind};base64,{base64.b64encode(data).decode('ascii')}"


def _spread_html(plan: BookPlan, cover: str, width: float, height: float, spine: float,
                 options: PrintOptions, text_type: str) -> str:
    """One page: back, spine and front side by side, every length in millimetres."""
    edition = plan.edition
    page = [f"size: {2 * width + spine:.3f}mm {height:.3f}mm", "margin: 0"]
    if options.bleed_mm:
        page.append(f"bleed: {options.bleed_mm:g}mm")
    if options.crop_marks:
        page.append("marks: crop")
    say = html.escape
    spine_text = ""
    if spine >= MIN_SPINE_TEXT_MM:
        spine_text = (f'<div class="spine-text"><span class="spine-title">{say(edition.title)}</span>'
                      f'<span class="spine-publisher">{say(edition.publisher)}</span></div>')
    blurb = "".join(f"<p>{say(line)}</p>" for line in (edition.description,) if line)
    return f"""<!DOCTYPE html>
<html lang="{say(edition.language)}"><head><meta charset="utf-8"/><title>{say(edition.title)}</title>
<style>
@page {{ {'; '.join(page)} }}
body {{ margin: 0; }}
.back, .spine {{ {text_type}; }}
.spread {{ position: relative; width: {2 * width + spine:.3f}mm; height: {height:.3f}mm; }}
.back, .spine, .front {{ position: absolute; top: 0; height: {height:.3f}mm; box-sizing: border-box; }}
.back {{ left: 0; width: {width:.3f}mm; padding: 25mm 18mm; }}
.back h1 {{ font-size: 16pt; margin: 0 0 8mm; }}
.back p {{ font-size: 10.5pt; line-height: 1.45; }}
.back .publisher {{ position: absolute; bottom: 18mm; left: 18mm; font-size: 9pt; }}
.spine {{ left: {width:.3f}mm; width: {spine:.3f}mm; overflow: hidden; }}
.spine-text {{ position: absolute; left: 50%; top: 50%; width: {height - 30:.3f}mm;
  transform: translate(-50%, -50%) rotate(90deg); display: flex; justify-content: space-between;
  font-size: {min(10.0, spine * 2.2):.2f}pt; white-space: nowrap; }}
.front {{ left: {width + spine:.3f}mm; width: {width:.3f}mm; }}
.front img {{ width: 100%; height: 100%; object-fit: cover; display: block; }}
</style></head>
<body><div class="spread">
<div class="back"><h1>{say(edition.title)}</h1>{blurb}<p class="publisher">{say(edition.publisher)}</p></div>
<div class="spine">{spine_text}</div>
<div class="front"><img src="{cover}" alt="{say(edition.title)}"/></div>
</div></body></html>"""
