"""WeasyPrint set up once per process: the font configuration, a theme's stylesheets and fonts, writing a document."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import weasyprint
from weasyprint.text.fonts import FontConfiguration

from ...themes import FONT_FACE, Theme

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
    """The theme's PDF stylesheets, with the writer's rules for page-number slots and (``stamped``) folios.

    The theme's ``@font-face`` rules come first, alone (``faces``): the others are read without them.
    """
    sources = [FONT_FACE.sub("", theme.css(name)) for name in ("common.css", "pdf.css")]
    sources.append(SLOT_CSS[not stamped])
    if stamped:
        sources.append(NO_FOLIO_CSS)
    return [faces(theme), *(weasyprint.CSS(string=source, font_config=font_config()) for source in sources)]


@lru_cache(maxsize=4)
def faces(theme: Theme) -> weasyprint.CSS:
    """The theme's ``@font-face`` rules as one stylesheet whose fonts WeasyPrint may read, and no other file.

    Every document that sets text in the theme's type takes it: the pages, and the
    folio sample and page-number overlay, which have their own small HTML.
    """
    allowed: set[str] = set()

    def place(font: Path) -> str:
        uri = font.resolve().as_uri()
        allowed.add(uri)
        return uri

    rules = [theme.placed_fonts("\n".join(FONT_FACE.findall(theme.css(name))), place)
             for name in ("common.css", "pdf.css")]
    return weasyprint.CSS(string="\n".join(rules), font_config=font_config(),
                          url_fetcher=FileFetcher(frozenset(allowed), "a font of the theme"))


class FileFetcher(weasyprint.URLFetcher):
    """Lets WeasyPrint read the given files (by file URI) and nothing else: no network, no other file."""

    def __init__(self, allowed: frozenset[str] | set[str], what: str) -> None:
        super().__init__(allowed_protocols={"file"})
        self.allowed, self.what = allowed, what

    def fetch(self, url, headers=None):
        """Fetch ``url`` if it is one of the allowed files; refuse anything else."""
        if url not in self.allowed:
            raise ValueError(f"not {self.what}: {url}")
        return super().fetch(url, headers)


@lru_cache(maxsize=1)
def font_config() -> FontConfiguration:
    """One font configuration per process: fontconfig's setup is paid once."""
    return FontConfiguration()


def write(document, out: Path, **options) -> None:
    """Write a laid-out document's PDF to ``out``."""
    # An OSError (a full disk) goes up as it is: the writer's atomic_path names the book, not the part.
    document.write_pdf(out, **options)
