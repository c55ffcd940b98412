"""EPUB 3 writer: one XHTML file per article, nav and NCX contents, a cover, via ebooklib.

The package files (OPF, nav, NCX) are the writer's; the theme supplies the pages
(``templates/epub/*.xhtml``) and the CSS. ebooklib writes the container; we then
re-pack it with fixed timestamps so equal input gives byte-identical books.
"""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from pathlib import Path

from ebooklib import epub
from PIL import Image as PILImage, UnidentifiedImageError

from .. import indices
from .. import toc as toc_module
from ..cover import date_span, make_cover
from ..errors import WriteError
from ..log import logger, warn
from ..model import Article, Edition, Image, TocEntry
from ..output import atomic_path, build_time
from ..themes import Theme, load

#: MARC relator codes for the roles an edition file may name.
RELATORS = {"author": "aut", "editor": "edt", "compiler": "com", "translator": "trl", "contributor": "ctb"}
#: Longest side of an embedded picture, in pixels: sharp on a tablet, small in a book.
IMAGE_MAX_SIDE = 1400
#: Longest side of a cover; larger ones are scaled down (stores ask for about 2,560).
COVER_MAX_SIDE = 2560
_STYLESHEET = "style/book.css"


class _Page(epub.EpubHtml):
    """An XHTML page rendered whole by the theme; ebooklib must not re-parse it."""

    def get_content(self, default=None):
        return self.content


def write_epub(edition: Edition, path: str | os.PathLike[str], *, theme: str | Theme = "default",
               toc: tuple[TocEntry, ...] | None = None) -> Path:
    """Write ``edition`` as an EPUB 3 book at ``path`` and return the path."""
    theme = theme if isinstance(theme, Theme) else load(theme)
    env = theme.environment()
    toc = toc if toc is not None else toc_module.build(edition)
    built = build_time()
    articles = edition.articles
    if not articles:
        raise WriteError("the edition has no articles: nothing to write", path)

    book = epub.EpubBook()
    book.set_identifier(edition.identifier)
    book.set_title(edition.title)
    book.set_language(edition.language)
    _metadata(book, edition, articles, built)

    css = epub.EpubItem(uid="style", file_name=_STYLESHEET, media_type="text/css",
                        content=(theme.css("common.css") + "\n" + theme.css("epub.css")).encode())
    book.add_item(css)
    span = date_span(min((a.date for a in articles if a.date), default=None),
                     max((a.date for a in articles if a.date), default=None))
    cover_name, cover = _cover(edition, span)
    book.set_cover(cover_name, cover, create_page=False)

    images = _ImageShelf(book)
    base = {"edition": edition, "stylesheet": _STYLESHEET, "image_src": images.href,
            "article_link": lambda a: toc_module.article_href(a.slug)}

    def page(uid: str, name: str, label: str, template: str, **context) -> _Page:
        html = env.get_template(template).render(**base, **context)
        item = _Page(uid=uid, file_name=name, title=label, lang=edition.language)
        item.content = html.encode("utf-8")
        item.add_item(css)
        book.add_item(item)
        return item

    cover_page = page("cover", "cover.xhtml", edition.title, "epub/cover.xhtml", cover_src=cover_name)
    sites = sorted({a.site for a in articles if a.site})
    title_page = page("title-page", "title.xhtml", edition.title, "epub/title.xhtml",
                      span=span, articles_count=len(articles), sites=sites, built=built)
    nav = epub.EpubNav(title="Contents")
    nav.add_item(css)
    book.add_item(nav)
    spine: list = [cover_page, title_page, nav]
    if edition.foreword:
        spine.append(page(toc_module.FOREWORD, f"{toc_module.FOREWORD}.xhtml", "Foreword", "epub/matter.xhtml",
                          title="Foreword", include_name="foreword.html"))

    section_ids = toc_module.section_ids(edition)

    def add_sections(sections) -> None:
        for section in sections:
            if section.title:
                sid = section_ids[id(section)]
                spine.append(page(sid, f"{sid}.xhtml", section.title, "epub/section.xhtml",
                                  section=section, section_id=sid, count=sum(1 for _ in section.walk())))
            for article in section.articles:
                spine.append(page(f"a-{article.slug}", toc_module.article_href(article.slug), article.title,
                                  "epub/article.xhtml", article=article))
            add_sections(section.sections)

    add_sections(edition.sections)
    for kind in edition.back_matter:
        entries = getattr(indices, kind)(edition)
        name = indices.page_id(kind)
        spine.append(page(name, f"{name}.xhtml", indices.TITLES[kind], "epub/matter.xhtml", kind=kind,
                          title=indices.TITLES[kind], entries=entries, include_name="index.html"))
    book.toc = _ebooklib_toc(toc)
    book.add_item(epub.EpubNcx())
    book.spine = spine
    book.guide = []

    with atomic_path(path) as temp:
        raw = temp.with_suffix(".raw")
        try:
            epub.write_epub(str(raw), book, {"mtime": built.replace(tzinfo=None), "raise_exceptions": True,
                                              "epub3_landmark": False, "epub3_pages": False})
            _repack(raw, temp, built)
        finally:
            raw.unlink(missing_ok=True)
    logger.info("%s: EPUB written (%d articles)", path, len(articles))
    return Path(path)


def _metadata(book: epub.EpubBook, edition: Edition, articles: tuple[Article, ...], built) -> None:
    creators = edition.creators
    if creators:
        for n, creator in enumerate(creators, 1):
            book.add_author(creator.name, role=RELATORS.get(creator.role, "ctb"), uid=f"creator{n}")
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


def _cover(edition: Edition, span: str) -> tuple[str, bytes]:
    """The cover's file name and bytes: the edition's own picture, or a generated one."""
    if not edition.cover:
        return "images/cover.png", make_cover(edition.title, edition.subtitle, span, edition.publisher)
    try:
        data = Path(edition.cover).read_bytes()
        with PILImage.open(io.BytesIO(data)) as picture:
            kind = picture.format
            if kind in ("JPEG", "PNG") and max(picture.size) <= COVER_MAX_SIDE:
                return f"images/cover.{'jpg' if kind == 'JPEG' else 'png'}", data
            picture.thumbnail((COVER_MAX_SIDE, COVER_MAX_SIDE))
            out = io.BytesIO()
            picture.convert("RGB").save(out, format="JPEG", quality=88, optimize=True)
            return "images/cover.jpg", out.getvalue()
    except (OSError, UnidentifiedImageError) as exc:
        raise WriteError(f"the cover image cannot be read: {exc}", edition.cover) from exc


def _ebooklib_toc(entries: tuple[TocEntry, ...]) -> list:
    out = []
    for n, entry in enumerate(entries):
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
        if image.path in self.hrefs:
            return self.hrefs[image.path]
        try:
            with PILImage.open(image.path) as picture:
                picture.thumbnail((IMAGE_MAX_SIDE, IMAGE_MAX_SIDE))
                out = io.BytesIO()
                picture.convert("RGB").save(out, format="JPEG", quality=82, optimize=True)
        except (OSError, UnidentifiedImageError) as exc:
            warn("image-missing", f"cannot be read as an image: {exc}", image.path)
            self.hrefs[image.path] = ""
            return ""
        data = out.getvalue()
        name = f"images/{hashlib.sha256(data).hexdigest()[:16]}.jpg"
        # Two files with the same picture share one entry in the book.
        if name not in self.hrefs.values():
            self.book.add_item(epub.EpubItem(uid=name.replace("/", "-").replace(".", "-"),
                                             file_name=name, media_type="image/jpeg", content=data))
        self.hrefs[image.path] = name
        return name


def _repack(source: Path, target: Path, when) -> None:
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
