"""EPUB 3 writer: one XHTML file per article, nav and NCX contents, a cover, via ebooklib.

The package files (OPF, nav, NCX) are the writer's; the theme supplies the pages
(``templates/epub/*.xhtml``) and the CSS. ebooklib writes the container; we then
re-pack it with fixed timestamps so equal input gives byte-identical books.

Accessibility (EPUB Accessibility 1.1): the package and every page name the
language; the nav holds the contents (``doc-toc``) and hidden landmarks; the OPF
carries schema.org metadata that says only what is true of this book: which
pictures are in it and described, which were not preserved, and no conformance
claim, because nobody has reviewed archived pages against WCAG.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ebooklib import epub
from lxml import etree
from PIL import Image as PILImage
from PIL import UnidentifiedImageError

from .. import indices
from .. import toc as toc_module
from ..bookplan import ARTICLE, CONTENTS, COVER, FOREWORD, IMPRINT, INDEX, SECTION, TITLE, BookPlan, Page
from ..bookplan import plan as plan_book
from ..cover import faces_from_css, make_cover
from ..errors import WriteError
from ..log import logger, warn
from ..model import Article, Edition, Figure, Image, TocEntry
from ..output import atomic_path, build_time
from ..themes import FONT_TYPES, Theme, load

#: MARC relator codes for the roles an edition file may name.
RELATORS = {"author": "aut", "editor": "edt", "compiler": "com", "translator": "trl", "contributor": "ctb"}
#: Longest side of an embedded picture, in pixels: sharp on a tablet, small in a book.
IMAGE_MAX_SIDE = 1400
#: Longest side of a cover; larger ones are scaled down (stores ask for about 2,560).
COVER_MAX_SIDE = 2560
_STYLESHEET = "style/book.css"
_XHTML = "http://www.w3.org/1999/xhtml"
_OPS = "http://www.idpf.org/2007/ops"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
#: CSS that moves on its own; a theme using it makes the flashing hazard unknown.
_MOTION = re.compile(r"animation|@keyframes", re.IGNORECASE)


class _Page(epub.EpubHtml):
    """An XHTML page rendered whole by the theme; ebooklib must not re-parse it."""

    def get_content(self, default=None):
        return self.content


class _Writer(epub.EpubWriter):
    """ebooklib's writer, with the book's language on the OPF's ``<package>`` (Ace and WCAG 3.1.1 ask for it)."""

    def _write_opf_file(self, root):
        root.set(_XML_LANG, self.book.language)
        super()._write_opf_file(root)


def write_epub(edition: Edition, path: str | os.PathLike[str], *, theme: str | Theme = "default",
               plan: BookPlan | None = None) -> Path:
    """Write ``edition`` as an EPUB 3 book at ``path`` and return the path.

    ``plan`` is the edition's book plan when the caller has made it already.
    """
    theme = theme if isinstance(theme, Theme) else load(theme)
    env = theme.environment()
    plan = plan if plan is not None else plan_book(edition, say=theme.words(edition.language))
    built = build_time()
    articles = plan.articles
    if not articles:
        raise WriteError("the edition has no articles: nothing to write", path)

    book = epub.EpubBook()
    book.set_identifier(edition.identifier)
    book.set_title(edition.title)
    book.set_language(edition.language)
    _metadata(book, edition, articles, built)

    # The theme's fonts travel in the book: each one its stylesheet names, once.
    stylesheet = book_stylesheet(theme, _FontShelf(book).href)
    css = epub.EpubItem(uid="style", file_name=_STYLESHEET, media_type="text/css", content=stylesheet.encode())
    book.add_item(css)
    cover_name, cover = cover_picture(edition, plan.span, theme)
    book.set_cover(cover_name, cover, create_page=False)

    images = _ImageShelf(book)
    base = {"edition": edition, "plan": plan, "stylesheet": _STYLESHEET, "image_src": images.href,
            "article_link": lambda a: toc_module.article_href(a.slug)}
    say = theme.words(edition.language)
    heading = plan.having(CONTENTS)[0].title
    nav = _Page(uid="nav", file_name="nav.xhtml", title=heading, lang=edition.language)
    nav.properties.append("nav")
    nav.add_item(css)

    alt = cover_alt(edition, plan.span, say)
    spine: list = []
    for planned in plan.pages:
        if planned.role == CONTENTS:
            book.add_item(nav)
            spine.append(nav)
            continue
        item = _Page(uid=_uid(planned), file_name=planned.href, title=planned.title, lang=edition.language)
        item.content = render_page(env, base, planned, cover_src=cover_name, cover_alt=alt,
                                   built=built).encode("utf-8")
        item.add_item(css)
        book.add_item(item)
        spine.append(item)
    # The contents page and the reading system's contents menu are one document: both follow toc_depth.
    nav.content = contents_page(plan, say)
    _accessibility(book, edition, _census(edition, images), hazards_known=not _MOTION.search(stylesheet))
    book.toc = _ebooklib_toc(plan.contents)
    book.add_item(epub.EpubNcx())
    book.spine = spine
    book.guide = []

    # ebooklib's zip is made in memory (a whole archive's book is some megabytes):
    # only the repacked book goes to disk, whole or not at all.
    raw = io.BytesIO()
    _Writer(raw, book, {"mtime": built.replace(tzinfo=None), "raise_exceptions": True,
                        "epub3_landmark": False, "epub3_pages": False}).write()
    with atomic_path(path) as temp:
        _repack(raw, temp, built)
    logger.info("%s: EPUB written (%d articles)", path, len(articles))
    return Path(path)


def book_stylesheet(theme: Theme, place_font: Callable[[Path], str]) -> str:
    """The book's one stylesheet: the theme's ``common.css`` then ``epub.css``, each font at ``place_font(file)``."""
    return theme.placed_fonts(theme.css("common.css") + "\n" + theme.css("epub.css"), place_font)


def render_page(env, base: dict, planned: Page, *, cover_src: str, cover_alt: str, built) -> str:
    """The XHTML of one page of the plan, the contents excepted, rendered by the theme's ``epub/`` template.

    ``base`` is what every page is given (``edition``, ``plan``, ``stylesheet``,
    ``image_src``, ``article_link``); the live preview renders its pages here too,
    so that it shows what the book holds.
    """
    plan = base["plan"]
    context: dict[str, object]
    if planned.role == COVER:
        template, context = "epub/cover.xhtml", {"cover_src": cover_src, "cover_alt": cover_alt}
    elif planned.role == TITLE:
        template, context = "epub/title.xhtml", {"span": plan.span}
    elif planned.role == IMPRINT:
        template, context = "epub/imprint.xhtml", {"span": plan.span, "articles_count": len(plan.articles),
                                                   "sites": list(plan.sites), "built": built}
    elif planned.role == FOREWORD:
        template, context = "epub/matter.xhtml", {"title": planned.title, "include_name": "foreword.html"}
    elif planned.role == SECTION:
        template, context = "epub/section.xhtml", {"section": planned, "section_id": planned.anchor,
                                                   "count": planned.count}
    elif planned.role == ARTICLE:
        template, context = "epub/article.xhtml", {"article": planned.article}
    elif planned.role == INDEX:
        template, context = "epub/matter.xhtml", {"kind": planned.index, "title": planned.title,
                                                  "entries": planned.entries, "include_name": "index.html"}
    else:
        raise WriteError(f"no EPUB template renders a page of role {planned.role!r}")
    return env.get_template(template).render(**base, page=planned, **context)


def contents_page(plan: BookPlan, say: Callable[..., str]) -> bytes:
    """The navigation document: the plan's contents as the book's Contents page, and its landmarks."""
    edition = plan.edition
    return _nav(edition, plan.contents, {p.href for p in plan.having(SECTION)},
                _landmarks(edition, plan.body_start.href, say), plan.having(CONTENTS)[0].title)


def _uid(page: Page) -> str:
    """The page's id in the package: its anchor, an article's prefixed (a slug may start with a digit)."""
    return {ARTICLE: f"a-{page.anchor}", TITLE: "title-page"}.get(page.role, page.anchor)


def _metadata(book: epub.EpubBook, edition: Edition, articles: tuple[Article, ...], built) -> None:
    creators = edition.creators
    if creators:
        for n, creator in enumerate(creators, 1):
            book.add_author(creator.name, role=RELATORS.get(creator.role, "ctb"), uid=f"creator{n}")
    elif edition.publisher:
        # A book of many hands is the publisher's: a store lists it under that name,
        # never under whichever article authors came first.
        book.add_author(edition.publisher, role="pbl", uid="creator1")
    if edition.publisher:
        book.add_metadata("DC", "publisher", edition.publisher)
    book.add_metadata("DC", "date", (edition.date or built).strftime("%Y-%m-%dT%H:%M:%SZ"))
    if edition.description:
        book.add_metadata("DC", "description", edition.description)
    if edition.rights:
        book.add_metadata("DC", "rights", edition.rights)
    if edition.subtitle:
        book.add_metadata("DC", "title", edition.subtitle, {"id": "subtitle"})
        book.add_metadata(None, "meta", "subtitle", {"refines": "#subtitle", "property": "title-type"})
    if edition.series:
        book.add_metadata(None, "meta", edition.series, {"property": "belongs-to-collection", "id": "series"})
        book.add_metadata(None, "meta", "series", {"refines": "#series", "property": "collection-type"})
        if edition.series_position:
            book.add_metadata(None, "meta", str(edition.series_position),
                              {"refines": "#series", "property": "group-position"})
    topics = sorted({t for a in articles for t in a.topics})
    for topic in topics[:30]:
        book.add_metadata("DC", "subject", topic)


@dataclass(frozen=True)
class _Pictures:
    """What became of an edition's pictures in the book."""

    embedded: int
    """Pictures in the book."""
    described: int
    """Embedded pictures whose page gave alt text or a caption."""
    absent: int
    """Pictures of the original pages not in the book (the archive lacks them): captions kept."""


def _census(edition: Edition, images: "_ImageShelf") -> _Pictures:
    """Count the edition's pictures once the pages are rendered and the shelf knows which it embedded."""
    figures = [b for b in edition.foreword if isinstance(b, Figure)]
    figures += [f for a in edition.articles for f in (a.lead, *a.body) if isinstance(f, Figure)]
    embedded = [f for f in figures if f.image and images.hrefs.get(f.image.path or "")]
    # The theme's figure macro falls back to "Picture: <credit>", which is no description.
    described = sum(1 for f in embedded if f.image and (f.image.alt or f.caption))
    return _Pictures(len(embedded), described, len(figures) - len(embedded))


def _accessibility(book: epub.EpubBook, edition: Edition, pictures: _Pictures, *, hazards_known: bool) -> None:
    """schema.org accessibility metadata (EPUB Accessibility 1.1), each value true of this book."""
    all_described = pictures.described == pictures.embedded
    modes = ["textual", "visual"] if pictures.embedded else ["textual"]
    sufficient = (["textual"] if all_described else []) + (["textual,visual"] if pictures.embedded else [])
    features = ["tableOfContents", "readingOrder", "structuralNavigation"]
    if edition.back_matter:
        features.append("index")
    # The cover always has a text alternative; the other pictures when every one is described.
    if all_described:
        features.append("alternativeText")
    # Embedded media are links, pictures are re-encoded as still JPEGs: nothing plays or flashes.
    hazards = ["none"] if hazards_known else ["noSoundHazard", "unknownFlashingHazard", "noMotionSimulationHazard"]
    for name, values in (("accessMode", modes), ("accessModeSufficient", sufficient),
                         ("accessibilityFeature", features), ("accessibilityHazard", hazards)):
        for value in values:
            book.add_metadata(None, "meta", value, {"property": f"schema:{name}"})
    book.add_metadata(None, "meta", _summary(edition, pictures), {"property": "schema:accessibilitySummary"})


def _summary(edition: Edition, pictures: _Pictures) -> str:
    count = len(edition.articles)
    parts = [f"A reflowable text book of {count} article{'s' if count != 1 else ''} with a table of contents, "
             "landmarks and headings in order" + (", and indexes." if edition.back_matter else ".")]
    if pictures.embedded:
        parts.append("Every picture has a text alternative from the page's alt text or its caption."
                     if pictures.described == pictures.embedded else
                     f"{pictures.described} of {pictures.embedded} pictures have a text alternative from the "
                     "page's alt text or caption; the others are named by their credit only.")
    if pictures.absent == 1:
        parts.append("1 picture of the original pages is not in this book; its caption and credit are kept as text.")
    elif pictures.absent:
        parts.append(f"{pictures.absent} pictures of the original pages are not in this book; "
                     "their captions and credits are kept as text.")
    parts.append("The text comes from archived web pages that no person has reviewed against WCAG, "
                 "so no conformance is claimed.")
    return " ".join(parts)


def cover_alt(edition: Edition, span: str, say: Callable[..., str]) -> str:
    """The cover's text alternative: the words a generated cover prints, or the title of a given one."""
    if edition.cover:
        return say("Cover: {title}", title=edition.title)
    return say("Cover: {title}", title=". ".join(p for p in (edition.title, edition.subtitle, span, edition.publisher)
                                                 if p))


def _landmarks(edition: Edition, body_start: str, say: Callable[..., str]) -> list[tuple[str, str, str]]:
    """(epub:type, href, label) of the book's landmarks, labelled in its language."""
    marks = [("cover", "cover.xhtml", say("Cover")), ("titlepage", "title.xhtml", say("Title page")),
             ("toc", "nav.xhtml#toc", say("Contents")), ("bodymatter", body_start, say("Start of the articles"))]
    for kind in edition.back_matter:
        semantics = "bibliography" if kind == "sources" else "index"
        if all(semantics != m[0] for m in marks):
            marks.append((semantics, f"{indices.page_id(kind)}.xhtml", say(indices.TITLES[kind])))
    return marks


def _nav(edition: Edition, toc: tuple[TocEntry, ...], sections: set[str],
         landmarks: list[tuple[str, str, str]], heading: str = "Contents") -> bytes:
    """The navigation document: the contents as the book's Contents page, and hidden landmarks.

    The entries carry the classes the theme styles the PDF's contents by (``toc-list``,
    ``toc-depth-N``, ``toc-entry``, ``toc-group`` for an entry with others under it,
    ``toc-section`` for a section's title, which ``sections`` holds the hrefs of).
    """
    x = lambda tag: f"{{{_XHTML}}}{tag}"  # noqa: E731
    html = etree.Element(x("html"), nsmap={None: _XHTML, "epub": _OPS})
    html.set("lang", edition.language)
    html.set(_XML_LANG, edition.language)
    head = etree.SubElement(html, x("head"))
    etree.SubElement(head, x("title")).text = heading
    etree.SubElement(head, x("link"), rel="stylesheet", type="text/css", href=_STYLESHEET)
    body = etree.SubElement(html, x("body"))
    contents = etree.SubElement(body, x("nav"), {f"{{{_OPS}}}type": "toc", "id": "toc", "role": "doc-toc",
                                                 "class": "contents"})
    etree.SubElement(contents, x("h1"), {"class": "matter-title contents-title"}).text = heading

    def entries(parent: etree._Element, items: tuple[TocEntry, ...], depth: int) -> None:
        ol = etree.SubElement(parent, x("ol"), {"class": f"toc-list toc-depth-{depth}"})
        for entry in items:
            kinds = ["toc-entry"] + ["toc-group"] * bool(entry.children) + ["toc-section"] * (entry.href in sections)
            li = etree.SubElement(ol, x("li"), {"class": " ".join(kinds)})
            etree.SubElement(li, x("a"), {"class": "toc-line", "href": entry.href}).text = entry.title
            if entry.children:
                entries(li, entry.children, depth + 1)

    entries(contents, toc, 1)
    marks = etree.SubElement(body, x("nav"), {f"{{{_OPS}}}type": "landmarks", "hidden": "hidden",
                                              "aria-labelledby": "landmarks-title"})
    etree.SubElement(marks, x("h2"), id="landmarks-title").text = "Landmarks"
    ol = etree.SubElement(marks, x("ol"))
    for kind, href, label in landmarks:
        etree.SubElement(etree.SubElement(ol, x("li")), x("a"), {f"{{{_OPS}}}type": kind, "href": href}).text = label
    return etree.tostring(html, xml_declaration=True, encoding="utf-8", doctype="<!DOCTYPE html>", pretty_print=True)


def cover_picture(edition: Edition, span: str, theme: Theme) -> tuple[str, bytes]:
    """The cover's file name in the book and its bytes: the edition's own picture, or one made in the theme's fonts."""
    if not edition.cover:
        faces = faces_from_css(theme.css("common.css") + "\n" + theme.css("epub.css"), theme.font)
        return "images/cover.png", make_cover(edition.title, edition.subtitle, span, edition.publisher, faces=faces)
    try:
        data = Path(edition.cover).read_bytes()
        with PILImage.open(io.BytesIO(data)) as picture:
            kind = picture.format
            # An animated PNG becomes its first frame: the book declares no flashing hazard.
            still = not getattr(picture, "is_animated", False)
            if kind in ("JPEG", "PNG") and max(picture.size) <= COVER_MAX_SIDE and still:
                return f"images/cover.{'jpg' if kind == 'JPEG' else 'png'}", data
            picture.thumbnail((COVER_MAX_SIDE, COVER_MAX_SIDE))
            out = io.BytesIO()
            picture.convert("RGB").save(out, format="JPEG", quality=88, optimize=True)
            return "images/cover.jpg", out.getvalue()
    except (OSError, UnidentifiedImageError) as exc:
        raise WriteError(f"the cover image cannot be read: {exc}", edition.cover) from exc


def _ebooklib_toc(entries: tuple[TocEntry, ...]) -> list:
    out = []
    for entry in entries:
        if entry.children:
            out.append((epub.Section(entry.title, entry.href), _ebooklib_toc(entry.children)))
        else:
            out.append(epub.Link(entry.href, entry.title, f"toc-{entry.href.removesuffix('.xhtml')}"))
    return out


class _ImageShelf:
    """Pictures embedded in the book, resized once each and named by their content."""

    def __init__(self, book: epub.EpubBook) -> None:
        self.book = book
        self.hrefs: dict[str, str] = {}

    def href(self, image: Image) -> str:
        """The picture's name in the book, embedding it the first time; empty when it cannot be read."""
        path = image.path
        if not path:  # the edition keeps no picture the archive lacks; a hand-made one may
            return ""
        if path in self.hrefs:
            return self.hrefs[path]
        try:
            with PILImage.open(path) as picture:
                picture.thumbnail((IMAGE_MAX_SIDE, IMAGE_MAX_SIDE))
                out = io.BytesIO()
                picture.convert("RGB").save(out, format="JPEG", quality=82, optimize=True)
        except (OSError, UnidentifiedImageError) as exc:
            warn("image-missing", f"cannot be read as an image: {exc}", path)
            self.hrefs[path] = ""
            return ""
        data = out.getvalue()
        name = f"images/{hashlib.sha256(data).hexdigest()[:16]}.jpg"
        # Two files with the same picture share one entry in the book.
        if name not in self.hrefs.values():
            self.book.add_item(epub.EpubItem(uid=name.replace("/", "-").replace(".", "-"),
                                             file_name=name, media_type="image/jpeg", content=data))
        self.hrefs[path] = name
        return name


class _FontShelf:
    """The theme's font files in the book, under ``fonts/``, each once."""

    def __init__(self, book: epub.EpubBook) -> None:
        self.book = book
        self.names: dict[Path, str] = {}

    def href(self, font: Path) -> str:
        """The font's address from the stylesheet, embedding it the first time."""
        font = font.resolve()
        if font not in self.names:
            data = font.read_bytes()
            name = f"fonts/{font.name}"
            if name in self.names.values():  # two folders' fonts of one name: the content tells them apart
                name = f"fonts/{font.stem}-{hashlib.sha256(data).hexdigest()[:8]}{font.suffix}"
            self.book.add_item(epub.EpubItem(uid="font-" + re.sub(r"[^A-Za-z0-9]", "-", name[6:]), file_name=name,
                                             media_type=FONT_TYPES[font.suffix.lower()], content=data))
            self.names[font] = name
        return "../" + self.names[font]


def _repack(source: io.BytesIO, target: Path, when) -> None:
    """Copy the zip with every entry stamped ``when``: the mimetype first and stored."""
    stamp = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w") as dst:
        names = src.namelist()
        names.sort(key=lambda n: (n != "mimetype", n != "META-INF/container.xml", 0))
        for name in names:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.external_attr = 0o644 << 16
            if name == "mimetype":
                info.compress_type = zipfile.ZIP_STORED
                dst.writestr(info, src.read(name))
            else:
                info.compress_type = zipfile.ZIP_DEFLATED
                dst.writestr(info, src.read(name), compresslevel=9)
