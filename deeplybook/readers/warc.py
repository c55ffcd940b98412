"""Web archives (WARC, WARC.gz): each archived HTML page read by the reader that suits it.

Every successful HTML response is written to a temporary file named after its URL
and handed to the reader that sniffs it best (a News Deeply page goes to the News
Deeply reader, any other page to the generic one), so a page reads the same from a
WARC as from a mirror. Revisits, requests, metadata, non-HTML payloads and error
responses are passed over with a debug line; a page that fails is warned about and
the others go on.
"""

from __future__ import annotations

import codecs
import dataclasses
import gzip
import re
import tempfile
import zlib
from pathlib import Path, PurePosixPath
from typing import Iterator
from urllib.parse import unquote, urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from .. import inputs
from ..errors import DeeplybookError, ReadError
from ..log import logger, warn
from ..model import Article, Image
from . import Skip, available

NAME = "warc"

_SUFFIXES = (".warc", ".warc.gz")
_HTML_TYPES = {"text/html", "application/xhtml+xml"}
_HEAD_BYTES = 64 * 1024
_GZIP_MAGIC = b"\x1f\x8b"
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def sniff(path: Path, head: bytes) -> int:
    """WARC files by their first bytes (``WARC/1.x``, plain or gzipped), else by name.

    The first bytes are conclusive, so they outrank any reader that finds a page it
    knows quoted inside an uncompressed archive.
    """
    if _starts_like_warc(head):
        return 99
    return 90 if Path(path).name.lower().endswith(_SUFFIXES) else 0


def _starts_like_warc(head: bytes) -> bool:
    if head.startswith(_GZIP_MAGIC):
        try:
            head = zlib.decompressobj(wbits=31).decompress(head, 16)
        except zlib.error:
            return False
    return head.startswith(b"WARC/1.")


def read(path: Path) -> list[Article]:
    """Every article archived in the file, in record order, one per URL."""
    path = Path(path)
    with open(path, "rb") as stream:
        head = stream.read(_HEAD_BYTES)
    if not head:
        raise ReadError("empty file: not a WARC archive", path)
    if not _starts_like_warc(head):
        what = "gzip data" if head.startswith(_GZIP_MAGIC) else "file"
        raise ReadError(f"not a WARC archive: the {what} does not start with a WARC/1.x record", path)
    damage = _gzip_damage(path) if head.startswith(_GZIP_MAGIC) else None
    if damage:
        warn("read-failed", f"truncated or corrupt archive ({damage}); only the pages before the damage are read", path)
    articles: list[Article] = []
    seen: set[str] = set()
    with open(path, "rb") as stream, tempfile.TemporaryDirectory(prefix="deeplybook-warc-") as scratch:
        for uri, payload in _html_pages(stream, path, damaged=damage is not None):
            if uri in seen:
                logger.debug("%s: %s: later capture of the same URL skipped", path, uri)
                continue
            seen.add(uri)
            articles.extend(_read_page(uri, payload, path, Path(scratch)))
    if not articles:
        raise Skip("no HTML article in the archive")
    return articles


def _html_pages(stream, path: Path, *, damaged: bool) -> Iterator[tuple[str, bytes]]:
    """(URL, HTML) of each archived page, in record order, up to any damage."""
    records = ArchiveIterator(stream)
    while True:
        try:
            record = next(records, None)
            if record is None:
                return
            page = _html_page(record, path)
        # warcio fails in varied ways on damaged bytes, not only with its own error.
        except (ArchiveLoadFailed, zlib.error, EOFError, ValueError, AttributeError, IndexError) as exc:
            if damaged:
                logger.debug("%s: reading stopped at the damage: %s", path, exc)
                return
            raise ReadError(f"corrupt WARC archive ({_first_line(exc)})", path) from exc
        if page is not None:
            yield page


def _gzip_damage(path: Path) -> str | None:
    """Why a gzipped archive cannot be read to its end, or ``None`` when it can.

    warcio stops quietly at a truncated gzip member; reading the file through once
    is how the loss gets noticed and reported.
    """
    try:
        with gzip.open(path, "rb") as stream:
            while stream.read(1 << 20):
                pass
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        return _first_line(exc)
    return None


def _html_page(record, path: Path) -> tuple[str, bytes] | None:
    """(URL, UTF-8 HTML) of a record holding a successfully archived page, else ``None``."""
    uri = record.rec_headers.get_header("WARC-Target-URI") or ""
    if record.rec_type not in ("response", "resource"):
        if record.rec_type == "revisit":
            logger.debug("%s: %s: revisit record skipped", path, uri)
        return None
    if record.http_headers is not None:
        status = record.http_headers.get_statuscode()
        if status != "200":
            logger.debug("%s: %s: HTTP %s response skipped", path, uri, status)
            return None
        content_type = record.http_headers.get_header("Content-Type") or ""
    else:
        content_type = record.rec_headers.get_header("Content-Type") or ""
    mime, _, parameters = content_type.partition(";")
    if mime.strip().lower() not in _HTML_TYPES:
        logger.debug("%s: %s: %s record skipped", path, uri, mime.strip() or "untyped")
        return None
    payload = record.content_stream().read()
    charset = re.search(r"charset=[\"']?([\w-]+)", parameters, re.IGNORECASE)
    if charset and _is_known_codec(charset.group(1)) and codecs.lookup(charset.group(1)).name != "utf-8":
        # The page's readers look for a charset in the page only; the HTTP header said it.
        payload = payload.decode(charset.group(1), errors="replace").encode("utf-8")
    return uri, payload


def _read_page(uri: str, payload: bytes, path: Path, scratch: Path) -> list[Article]:
    """The articles of one archived page, read by the reader that sniffs it best."""
    source = f"{path}#{uri}"
    inputs.next_page()  # the time limit is a page's, not the whole archive's
    page_file = scratch / _file_name(uri)
    page_file.write_bytes(payload)
    try:
        reader = _choose(page_file, payload[:_HEAD_BYTES])
        if reader is None:
            logger.debug("%s: no reader recognises this page", source)
            return []
        logger.debug("%s: read by %s", source, getattr(reader, "NAME", reader))
        articles = reader.read(page_file)
    except Skip as why:
        logger.debug("%s: skipped: %s", source, why)
        return []
    except (DeeplybookError, OSError, ValueError, UnicodeDecodeError) as exc:
        message = str(exc).replace(str(page_file), source)
        warn("read-failed", message.removeprefix(f"{source}: "), source)
        return []
    finally:
        page_file.unlink(missing_ok=True)
    return [_archived(article, uri, source) for article in articles]


def _choose(page_file: Path, head: bytes):
    """The reader (other than this one) most sure it can read the page."""
    best, best_score = None, 0
    for name, reader in available().items():
        if name == NAME:
            continue
        score = reader.sniff(page_file, head)
        if score > best_score:
            best, best_score = reader, score
    return best


def _archived(article: Article, uri: str, source: str) -> Article:
    """The article with the archive as its source; local picture files of the scratch copy dropped."""
    body = tuple(
        dataclasses.replace(block, image=_remote(block.image)) if getattr(block, "image", None) else block
        for block in article.body
    )
    lead = article.lead
    if lead is not None and lead.image is not None:
        lead = dataclasses.replace(lead, image=_remote(lead.image))
    return dataclasses.replace(article, body=body, lead=lead, url=article.url or uri, source=source)


def _remote(image: Image) -> Image:
    return dataclasses.replace(image, path=None)


def _file_name(uri: str) -> str:
    """A safe local file name for an archived URL, ending in ``.html``."""
    last = PurePosixPath(unquote(urlsplit(uri).path)).name
    name = _UNSAFE_NAME.sub("-", last).strip(".-") or "index"
    return name if name.lower().endswith((".html", ".htm")) else f"{name}.html"


def _is_known_codec(name: str) -> bool:
    try:
        codecs.lookup(name)
    except LookupError:
        return False
    return True


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
