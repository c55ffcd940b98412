"""A book plan rendered in memory as the pages of a small website, by the theme's EPUB templates and stylesheet.

Every page keeps its book href (``nav.xhtml``, ``<slug>.xhtml``, ``section-001.xhtml``),
so the links between pages that the EPUB holds work unchanged in the browser. The
pages are the EPUB writer's own (``writers.epub.render_page``, ``contents_page``),
the stylesheet is the book's (``book_stylesheet``) and the fonts are the theme's.
What the site can answer is exactly what the book holds: its pages, its stylesheet,
the fonts that stylesheet names and the pictures the pages show. Nothing is looked
up on the disk by the name asked for; a name is a key in those tables or nothing.
"""

from __future__ import annotations

import hashlib
import io
import threading
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image as PILImage
from PIL import UnidentifiedImageError

from .. import inputs
from ..bookplan import CONTENTS, BookPlan
from ..inputs import Limits, Refused
from ..log import warn
from ..model import Image
from ..output import build_time
from ..themes import FONT_TYPES, Theme
from ..toc import article_href
from ..writers.epub import IMAGE_MAX_SIDE, book_stylesheet, contents_page, cover_alt, cover_picture, render_page

#: Where the book's stylesheet is, as in the EPUB.
STYLESHEET = "style/book.css"
#: Media types of what the site serves, by suffix.
MEDIA_TYPES = {".xhtml": "application/xhtml+xml; charset=utf-8", ".css": "text/css; charset=utf-8",
               ".jpg": "image/jpeg", ".png": "image/png", **FONT_TYPES}


@dataclass(frozen=True, slots=True)
class Resource:
    """One file of the site: its media type and bytes."""

    media_type: str
    """The ``Content-Type`` it is served with."""
    data: bytes
    """Its bytes."""


class Pictures:
    """The book's pictures encoded as the EPUB encodes them, once each, kept across rebuilds.

    A picture is read only when a page that shows it is asked for, and only if the
    build may read it (``inputs.admit`` under the edition's roots, the check the
    readers made): an article's picture path that has since become a symlink
    out of the edition's folders is refused, not served.
    """

    def __init__(self) -> None:
        self._encoded: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def get(self, path: Path, roots: tuple[str, ...], limits: Limits) -> bytes | None:
        """The picture at ``path`` as a JPEG no larger than the book's, or ``None`` if it may not or cannot be read."""
        try:
            data = inputs.read_bytes(path, roots, limits)
        except Refused as refused:
            warn(refused.code, refused.reason, refused.path)
            return None
        except OSError:
            return None
        # Known by content, so an edited picture is encoded again and an unchanged one is not.
        entry = hashlib.sha256(data).hexdigest()
        with self._lock:
            if entry in self._encoded:
                return self._encoded[entry]
        try:
            with PILImage.open(io.BytesIO(data)) as picture:
                picture.thumbnail((IMAGE_MAX_SIDE, IMAGE_MAX_SIDE))
                out = io.BytesIO()
                picture.convert("RGB").save(out, format="JPEG", quality=82)
        except (OSError, UnidentifiedImageError, ValueError) as exc:
            warn("image-missing", f"cannot be read as an image: {exc}", path)
            return None
        with self._lock:
            self._encoded[entry] = out.getvalue()
        return out.getvalue()


@dataclass
class Site:
    """One build of the preview: the book's pages, stylesheet, fonts and pictures by their names in the book."""

    plan: BookPlan
    """The book plan the pages were rendered from."""
    pages: dict[str, bytes]
    """Book href -> the page's XHTML, in reading order."""
    stylesheet: bytes
    """The book's stylesheet, served at ``STYLESHEET``."""
    fonts: dict[str, Path] = field(default_factory=dict)
    """``fonts/NAME`` -> the theme's font file the stylesheet names."""
    pictures: dict[str, Path] = field(default_factory=dict)
    """``images/NAME.jpg`` -> the picture file a page shows."""
    cover: tuple[str, bytes] = ("", b"")
    """The cover picture's name and bytes, as in the EPUB."""
    roots: tuple[str, ...] = ()
    """The folders and files the build may read pictures from."""
    limits: Limits = field(default_factory=Limits)
    """The build's size limits, which pictures are read within."""
    shelf: Pictures = field(default_factory=Pictures)
    """The encoded pictures, shared with the builds before and after this one."""

    @property
    def contents_href(self) -> str:
        """The contents page's href: where the site opens."""
        return self.plan.having(CONTENTS)[0].href

    def title(self, href: str) -> str:
        """The title of the page at ``href`` (empty for no page)."""
        return next((page.title for page in self.plan.pages if page.href == href), "")

    def neighbours(self, href: str) -> tuple[str | None, str | None]:
        """The hrefs of the pages before and after ``href`` in reading order (``None`` at either end)."""
        order = list(self.pages)
        if href not in self.pages:
            return None, None
        at = order.index(href)
        return (order[at - 1] if at > 0 else None), (order[at + 1] if at + 1 < len(order) else None)

    def get(self, name: str) -> Resource | None:
        """The file the book holds under ``name`` (``nav.xhtml``, ``style/book.css``, ``images/...``), or ``None``."""
        media_type = MEDIA_TYPES.get(Path(name).suffix.lower())
        if media_type is None:
            return None
        if name in self.pages:
            return Resource(media_type, self.pages[name])
        if name == STYLESHEET:
            return Resource(media_type, self.stylesheet)
        if name == self.cover[0]:
            return Resource(media_type, self.cover[1])
        if name in self.fonts:
            try:
                return Resource(media_type, self.fonts[name].read_bytes())
            except OSError:
                return None
        if name in self.pictures:
            data = self.shelf.get(self.pictures[name], self.roots, self.limits)
            return Resource(media_type, data) if data is not None else None
        return None


def render(plan: BookPlan, theme: Theme, *, roots: tuple[str, ...] = (), limits: Limits | None = None,
           shelf: Pictures | None = None) -> Site:
    """Render every page of ``plan`` with ``theme`` as the EPUB writer does, into a ``Site`` held in memory.

    Pictures are named here and encoded when first asked for; ``roots`` and
    ``limits`` say which picture files may be read.
    """
    edition = plan.edition
    env = theme.environment()
    say = theme.words(edition.language)
    fonts: dict[str, Path] = {}
    pictures: dict[str, Path] = {}

    def place_font(font: Path) -> str:
        font = font.resolve()
        name = f"fonts/{font.name}"
        if fonts.get(name, font) != font:  # two folders' fonts of one name
            name = f"fonts/{font.stem}-{hashlib.sha256(str(font).encode()).hexdigest()[:8]}{font.suffix}"
        fonts[name] = font
        return "../" + name

    def image_src(image: Image) -> str:
        if not image.path:
            return ""
        name = f"images/{hashlib.sha256(image.path.encode()).hexdigest()[:16]}.jpg"
        pictures[name] = Path(image.path)
        return name

    stylesheet = book_stylesheet(theme, place_font)
    cover = cover_picture(edition, plan.span, theme)
    base = {"edition": edition, "plan": plan, "stylesheet": STYLESHEET, "image_src": image_src,
            "article_link": lambda article: article_href(article.slug)}
    alt = cover_alt(edition, plan.span, say)
    built = build_time()
    pages: dict[str, bytes] = {}
    for planned in plan.pages:
        if planned.role == CONTENTS:
            pages[planned.href] = contents_page(plan, say)
        else:
            pages[planned.href] = render_page(env, base, planned, cover_src=cover[0], cover_alt=alt,
                                              built=built).encode("utf-8")
    return Site(plan, pages, stylesheet.encode("utf-8"), fonts, pictures, cover, roots, limits or Limits(),
                shelf or Pictures())
