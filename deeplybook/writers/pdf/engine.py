"""WeasyPrint set up once per process: the font configuration, a theme's stylesheets, writing a document."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import weasyprint
from weasyprint.text.fonts import FontConfiguration

from ...themes import Theme

#: Added after the theme's CSS when folios are stamped after merging: the theme keeps
#: its folio in the plain ``@page``'s ``@bottom-center`` (see ``pdf.css``).
NO_FOLIO_CSS = "@page { @bottom-center { content: none } }"
#: The writer's own rules for the page-number slots that ``page_number()`` prints:
#: stand-ins hidden in a part of a chunked book, WeasyPrint's count in one document.
SLOT_CSS = {
    False: ".page-slot { visibility: hidden }",
    True: ".page-slot::after { content: target-counter(attr(data-page-target), page) }",
}
#: WeasyPrint measures in CSS pixels, PDF in points.
PT_PER_PX = 0.75
#: WeasyPrint's options for a tagged book: PDF/UA-1 tags the content (headings,
#: paragraphs, lists, figures with their alt text, links), keeps running heads out
#: of the structure, and states the language and the title.
TAGGED = {"pdf_variant": "pdf/ua-1"}


@lru_cache(maxsize=4)
def stylesheets(theme: Theme, stamped: bool) -> list:
    """The theme's PDF stylesheets, with the writer's rules for page-number slots and (``stamped``) folios."""
    sources = [theme.css("common.css"), theme.css("pdf.css"), SLOT_CSS[not stamped]]
    if stamped:
        sources.append(NO_FOLIO_CSS)
    return [weasyprint.CSS(string=source, font_config=font_config()) for source in sources]


@lru_cache(maxsize=1)
def font_config() -> FontConfiguration:
    """One font configuration per process: fontconfig's setup is paid once."""
    return FontConfiguration()


def write(document, out: Path, **options) -> None:
    """Write a laid-out document's PDF to ``out``."""
    # An OSError (a full disk) goes up as it is: the writer's atomic_path names the book, not the part.
    document.write_pdf(out, **options)
