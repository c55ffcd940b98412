"""Markdown or HTML files that open with YAML (``---``) or TOML (``+++``) front matter.

The front matter gives the metadata (title, dek or description, authors or author,
date, topics or tags, kind, url ...); the rest of the file is the body, Markdown
rendered by markdown-it-py or HTML as it is, made into blocks by the shared HTML
walker. Keys the model has no field for are kept in ``Article.extra``.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path

import yaml
from lxml import etree

from .. import sanitize
from ..errors import ReadError
from ..model import Article, Figure, Image, Kind
from ..slugs import slugify
from . import fields
from .htmlblocks import absolute_links, blocks_from_element, local_image
from .htmlpage import parse_fragment
from .markdown import markdown_fragment

NAME = "frontmatter"

_MARKDOWN_SUFFIXES = {".md", ".markdown", ".mdown", ".mkd"}
_HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
_FENCES = {"---": "YAML", "+++": "TOML"}
_YAML_CLOSERS = ("---", "...")
_TOML_LINE = re.compile(r"\(at line (\d+)")
#: Real front matter is a few hundred characters; a header longer than this is refused.
HEADER_LIMIT = 64 * 1024
_KINDS = {
    "article": Kind.ARTICLE, "news": Kind.ARTICLE,
    "op-ed": Kind.OPED, "oped": Kind.OPED, "opinion": Kind.OPED,
    "q&a": Kind.QA, "qa": Kind.QA, "interview": Kind.QA,
    "briefing": Kind.BRIEFING, "summary": Kind.BRIEFING,
}
_KNOWN_KEYS = {
    "title", "dek", "description", "subtitle", "authors", "author", "date", "modified", "updated",
    "lastmod", "topics", "tags", "kind", "category", "url", "site", "slug", "read_time",
    "image", "caption", "credit",
}


def sniff(path: Path, head: bytes) -> int:
    """Sure of any file opening with a front matter fence; fairly sure of Markdown files."""
    first_line = sanitize.head_text(head).split("\n", 1)[0].strip()
    suffix = Path(path).suffix.lower()
    if first_line in _FENCES and suffix in _MARKDOWN_SUFFIXES | _HTML_SUFFIXES:
        return 80
    return 40 if suffix in _MARKDOWN_SUFFIXES else 0


def read(path: Path) -> list[Article]:
    """The one article of a Markdown or HTML file with front matter."""
    path = Path(path)
    is_html = path.suffix.lower() in _HTML_SUFFIXES
    try:
        text = sanitize.decode(path.read_bytes(), path, markup=is_html)
    except UnicodeDecodeError as exc:
        raise ReadError(f"not UTF-8 text (byte {exc.start})", path) from exc
    if not text.strip():
        raise ReadError("empty file: no front matter or text to read", path)
    meta, body_text = split_front_matter(text, path)
    # Markdown written for static sites carries raw HTML (figures, asides) as part of the
    # article: it is read, and sanitised on the way as an archived page is.
    body = _html_fragment(body_text, path) if is_html else markdown_fragment(body_text, raw_html=True, source=path)
    title = _plain(meta.get("title"))
    if not title and body is not None:
        title = _take_leading_h1(body)
    if not title:
        raise ReadError("no title: give 'title' in the front matter or open the body with a level-1 heading", path)
    blocks = blocks_from_element(body, path.parent) if body is not None else ()
    return [sanitize.article(_article(meta, title, blocks, path))]


def _html_fragment(text: str, path: Path) -> etree._Element | None:
    return parse_fragment(text, path) if text.strip() else None


def split_front_matter(text: str, path: Path) -> tuple[dict, str]:
    """(front matter mapping, body text); an empty mapping when the file has none."""
    lines = text.splitlines(keepends=True)
    fence = lines[0].strip() if lines else ""
    if fence not in _FENCES:
        return {}, text
    closers = _YAML_CLOSERS if fence == "---" else (fence,)
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in closers), None)
    if end is None:
        raise ReadError(f"{_FENCES[fence]} front matter opened with '{fence}' on line 1 is never closed", path)
    header = "".join(lines[1:end])
    if len(header) > HEADER_LIMIT:
        raise ReadError(f"front matter is longer than {HEADER_LIMIT // 1024} KiB; it is not read", path)
    try:
        meta = _parse_yaml(header, path) if fence == "---" else _parse_toml(header, path)
    except RecursionError as exc:
        raise ReadError(f"{_FENCES[fence]} front matter is nested too deeply to read", path) from exc
    return meta, "".join(lines[end + 1 :])


class _FrontMatterLoader(yaml.SafeLoader):
    """YAML's safe loader without aliases: front matter needs none, and each can stand for
    a whole structure, so that a few hundred bytes ("billion laughs") unfold into billions."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            alias = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, f"aliases (*{alias.anchor}) are not allowed in front matter", alias.start_mark)
        return super().compose_node(parent, index)


def _parse_yaml(header: str, path: Path) -> dict:
    try:
        meta = yaml.load(header, Loader=_FrontMatterLoader)  # noqa: S506 - a SafeLoader, aliases refused
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" on line {mark.line + 2}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ReadError(f"invalid YAML front matter{where}: {problem}", path) from exc
    if meta is None:
        return {}
    if not isinstance(meta, dict):
        raise ReadError(f"YAML front matter is a {type(meta).__name__}, not a mapping of keys", path)
    return meta


def _parse_toml(header: str, path: Path) -> dict:
    try:
        return tomllib.loads(header)
    except tomllib.TOMLDecodeError as exc:
        # Line numbers count from the file's first line, the '+++' fence.
        message = _TOML_LINE.sub(lambda m: f"(at line {int(m.group(1)) + 1}", str(exc))
        raise ReadError(f"invalid TOML front matter: {message}", path) from exc


def _take_leading_h1(body: etree._Element) -> str:
    """The text of the level-1 heading the body opens with, taken out of it; "" when it opens otherwise."""
    first = body[0] if len(body) else None
    if first is None or first.tag != "h1" or (body.text or "").strip():
        return ""
    title = sanitize.normalize_space(first.text_content())
    body.text = (body.text or "") + (first.tail or "")
    body.remove(first)
    return title


def _article(meta: dict, title: str, body: tuple, path: Path) -> Article:
    kind_label = _plain(meta.get("kind"))
    kind = _KINDS.get(kind_label.lower(), Kind.ARTICLE)
    category = _plain(meta.get("category")) or (kind_label if kind_label.lower() not in _KINDS else "")
    read_time = meta.get("read_time")
    return Article(
        title=title,
        body=absolute_links(body, sanitize.address(_plain(meta.get("url")))),
        dek=_plain(_first(meta, "dek", "description", "subtitle")),
        authors=_people(_first(meta, "authors", "author")),
        date=_date(meta.get("date"), path),
        modified=_date(_first(meta, "modified", "updated", "lastmod"), path),
        read_time=read_time if isinstance(read_time, int) and not isinstance(read_time, bool) else None,
        topics=_labels(_first(meta, "topics", "tags")),
        kind=kind,
        category=category,
        url=_plain(meta.get("url")),
        site=_plain(meta.get("site")),
        lead=_lead(meta, path),
        slug=slugify(_plain(meta.get("slug")) or title),
        source=str(path),
        extra={str(k): _plain(v) for k, v in meta.items() if k not in _KNOWN_KEYS and _plain(v)},
    )


def _first(meta: dict, *keys: str):
    return next((meta[key] for key in keys if meta.get(key) not in (None, "", [])), None)


def _plain(value) -> str:
    """A front matter scalar as plain text; lists are joined with commas."""
    if value is None or isinstance(value, dict):
        return ""
    if isinstance(value, list):
        return ", ".join(_plain(item) for item in value if _plain(item))
    return sanitize.normalize_space(str(value))


def _people(value) -> tuple[str, ...]:
    """Authors from a string ("A and B"), a list of names, or mappings with a ``name``."""
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items:
        if isinstance(item, dict):
            names.append(_plain(item.get("name")))
        elif isinstance(value, list):
            names.append(_plain(item))
        else:
            names.extend(fields.split_authors(_plain(item)))
    return tuple(name for name in names if name)


def _labels(value) -> tuple[str, ...]:
    items = value if isinstance(value, list) else _plain(value).split(",")
    labels = (_plain(item) for item in items)
    return tuple(dict.fromkeys(label for label in labels if label))


def _date(value, path: Path) -> dt.datetime | None:
    """YAML and TOML give dates and datetimes as objects; other values are parsed as text."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        # The offset the file gives is kept: in UTC the day could change.
        return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.timezone.utc)
    return fields.parse_date(str(value), path, local=True)


def _lead(meta: dict, path: Path) -> Figure | None:
    """The lead picture given as ``image`` (with ``caption`` and ``credit``)."""
    source = _plain(meta.get("image"))
    if not source:
        return None
    image = Image(url=source, path=local_image(source, path.parent), alt=_plain(meta.get("caption")))
    return Figure(caption=sanitize.text(_plain(meta.get("caption"))), credit=_plain(meta.get("credit")), image=image)
