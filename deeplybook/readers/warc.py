"""Web archives (WARC, WARC.gz): each archived HTML page read by the reader that suits it.

Every successful HTML response is written to a temporary file named after its URL
and handed to the reader that sniffs it best (a News Deeply page goes to the News
Deeply reader, any other page to the generic one), so a page reads the same from a
WARC as from a mirror. Every capture that gives no article (a revisit, a picture,
an error response, a page no reader takes or one that fails) is accounted for with
its reason in what ``read`` returns (``ArchiveContents``), named by its place in
the archive (``crawl.warc.gz#record-7 https://...``); requests, warcinfo and
metadata records are bookkeeping and pass quietly. A broken record is warned about
and reading goes on at the next record, so one bad record never loses the others.

A page keeps the address it was archived under (``WARC-Target-URI``) as its ``url``:
a reader that offers ``read_at(path, url)`` (the generic one) is handed it, so that
site-relative links resolve against it, and any link still relative in an article
is made absolute here. A link to another page of the book then becomes a link
inside the book (``deeplybook.edition``), any other one stays a web address.
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

from .. import inputs, sanitize
from ..errors import DeeplybookError, ReadError
from ..log import logger, warn
from ..model import Article, Figure, Image
from . import Reader, available
from .htmlblocks import absolute_links
from .report import Skip

NAME = "warc"

_SUFFIXES = (".warc", ".warc.gz")
_HTML_TYPES = {"text/html", "application/xhtml+xml"}
_HEAD_BYTES = 64 * 1024
_GZIP_MAGIC = b"\x1f\x8b"
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
# Records that describe the crawl rather than capture anything.
_BOOKKEEPING = {"warcinfo", "request", "metadata"}
# How a record begins: a gzip member (deflate), or the version line.
_SIGNATURE = {True: b"\x1f\x8b\x08", False: b"WARC/1."}
_SCAN_BYTES = 1 << 20
_BROKEN = "broken record"
_MESSAGE_LIMIT = 100


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


class ArchiveContents(list):
    """The articles of an archive, with the records that gave none.

    ``skipped`` and ``failed`` hold (record, reason) pairs, a record named
    ``ARCHIVE#record-N URL`` (N counts the archive's records from 1). The registry
    adds them to its ``ReadReport``, so that a summary counts what an archive held.
    """

    def __init__(self) -> None:
        super().__init__()
        self.skipped: list[tuple[str, str]] = []
        self.failed: list[tuple[str, str]] = []

    def fail(self, record: str, reason: str, path: Path) -> None:
        """Record and warn about a record that could not be read."""
        self.failed.append((record, reason))
        warn("read-failed", f"{record.removeprefix(f'{path}#')}: {reason}", path)


@dataclasses.dataclass(frozen=True, slots=True)
class _Record:
    """What the reader needs of one WARC record, read in full while warcio is at it."""

    number: int
    """Place in the archive, from 1."""
    kind: str
    """The WARC-Type: response, resource, revisit, request..."""
    uri: str
    """WARC-Target-URI, or ""."""
    passed_over: str
    """Why the record gives no page ("" for a page)."""
    payload: bytes = b""
    """The page, in UTF-8 unless it says otherwise, for a page."""


def read(path: Path) -> ArchiveContents:
    """Every article archived in the file, in record order, one per URL, with the records that gave none."""
    path = Path(path)
    with open(path, "rb") as stream:
        head = stream.read(_HEAD_BYTES)
    if not head:
        raise ReadError("empty file: not a WARC archive", path)
    if not _starts_like_warc(head):
        what = "gzip data" if head.startswith(_GZIP_MAGIC) else "file"
        raise ReadError(f"not a WARC archive: the {what} does not start with a WARC/1.x record", path)
    gzipped = head.startswith(_GZIP_MAGIC)
    contents = ArchiveContents()
    seen: set[str] = set()
    last = 0
    with open(path, "rb") as stream, tempfile.TemporaryDirectory(prefix="deeplybook-warc-") as scratch:
        for record in _records(stream, path, gzipped, contents):
            last = record.number
            name = f"{path}#record-{record.number} {record.uri}".rstrip()
            if record.kind in _BOOKKEEPING:
                continue
            if record.passed_over:
                contents.skipped.append((name, record.passed_over))
            elif record.uri in seen:
                contents.skipped.append((name, "a later capture of an address read already"))
            else:
                seen.add(record.uri)
                _read_page(record, name, path, Path(scratch), contents)
    broken = any(reason.startswith(_BROKEN) for _, reason in contents.failed)
    damage = _gzip_damage(path) if gzipped and not broken else None
    if damage:  # warcio stops quietly at a truncated record; nothing else said so
        contents.fail(f"{path}#record-{last + 1}", f"truncated or corrupt archive ({damage}); the records "
                      "before it are read", path)
    if not contents:
        counts = f"{_records_count(len(contents.skipped))} passed over, {len(contents.failed)} failed"
        if contents.failed:
            raise ReadError(f"no article could be read from the archive ({counts})", path)
        raise Skip(f"no HTML article in the archive ({counts})")
    return contents


def _records(stream, path: Path, gzipped: bool, contents: ArchiveContents) -> Iterator[_Record]:
    """Every record of the archive in order; a broken one is reported and reading goes on at the next.

    Each record is read by an iterator of its own, started where the record begins,
    so that a failure belongs to the record at hand and the next one is found by
    looking for where a record begins (``_next_record``).
    """
    number = 0
    start: int | None = 0  # None once nothing after a damaged record is a record
    while start is not None:
        stream.seek(start)
        records = ArchiveIterator(stream)
        number += 1
        try:
            record = next(records, None)
            if record is None:
                return
            read = _record(record, number)
            records.read_to_end()
        # warcio fails in varied ways on damaged bytes, not only with its own errors.
        except Exception as exc:  # noqa: BLE001 - any failure is this record's, and the next may be fine
            if number > 1 and gzipped and not _member_begins(stream, start):
                number -= 1  # inside a gzip member: the record before ended early, in damaged bytes
            broken, start = start, _next_record(stream, start + 1, gzipped)
            went_on = f"reading went on at byte {start}" if start is not None else "nothing after it is a record"
            contents.fail(f"{path}#record-{number}", f"{_BROKEN} at byte {broken} ({type(exc).__name__}: "
                          f"{_first_line(exc)}); {went_on}", path)
            continue
        start = records.offset  # where the next record begins
        yield read


def _record(record, number: int) -> _Record:
    """The record's kind, address, and its page when it holds one, else why it does not."""
    uri = record.rec_headers.get_header("WARC-Target-URI") or ""
    kind = record.rec_type
    if kind in _BOOKKEEPING:
        return _Record(number, kind, uri, kind)
    if kind == "revisit":
        return _Record(number, kind, uri, "a revisit record (a later capture that repeats an earlier one)")
    if kind not in ("response", "resource"):
        return _Record(number, kind, uri, f"a {kind} record")
    if record.http_headers is not None:
        status = record.http_headers.get_statuscode()
        if status != "200":
            return _Record(number, kind, uri, f"an HTTP {status} response")
        content_type = record.http_headers.get_header("Content-Type") or ""
    else:
        content_type = record.rec_headers.get_header("Content-Type") or ""
    mime, _, parameters = content_type.partition(";")
    if mime.strip().lower() not in _HTML_TYPES:
        return _Record(number, kind, uri, f"not a page ({mime.strip() or 'no content type'})")
    payload = record.content_stream().read()
    charset = re.search(r"charset=[\"']?([\w-]+)", parameters, re.IGNORECASE)
    if charset and _is_known_codec(charset.group(1)) and codecs.lookup(charset.group(1)).name != "utf-8":
        # The page's readers look for a charset in the page only; the HTTP header said it.
        payload = payload.decode(charset.group(1), errors="replace").encode("utf-8")
    return _Record(number, kind, uri, "", payload)


def _next_record(stream, position: int, gzipped: bool) -> int | None:
    """Where the first record starting at or after ``position`` begins, or ``None``.

    A record of a gzipped archive is a gzip member whose text opens with
    ``WARC/1.``; one of a plain archive is a line that does.
    """
    signature = _SIGNATURE[gzipped]
    while True:
        stream.seek(position)
        chunk = stream.read(_SCAN_BYTES)
        at = chunk.find(signature)
        while at != -1:
            if _record_begins(stream, position + at, gzipped):
                return position + at
            at = chunk.find(signature, at + 1)
        if len(chunk) < _SCAN_BYTES:
            return None
        position += _SCAN_BYTES - len(signature) + 1  # a signature cut by the chunk's end is in the next


def _record_begins(stream, at: int, gzipped: bool) -> bool:
    stream.seek(at)
    head = stream.read(_HEAD_BYTES)
    if gzipped:
        return _starts_like_warc(head)
    return head.startswith(b"WARC/1.") and (at == 0 or _preceded_by_newline(stream, at))


def _member_begins(stream, at: int) -> bool:
    stream.seek(at)
    return stream.read(len(_GZIP_MAGIC)) == _GZIP_MAGIC


def _preceded_by_newline(stream, at: int) -> bool:
    stream.seek(at - 1)
    return stream.read(1) == b"\n"


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


def _read_page(record: _Record, name: str, path: Path, scratch: Path, contents: ArchiveContents) -> None:
    """The articles of one archived page, read by the reader that sniffs it best, into ``contents``."""
    source = f"{path}#{record.uri}"
    inputs.next_page()  # the time limit is a page's, not the whole archive's
    page_file = scratch / _file_name(record.uri)
    page_file.write_bytes(record.payload)
    try:
        reader, score = _choose(page_file, record.payload[:_HEAD_BYTES])
        if reader is None:
            contents.skipped.append((name, "no reader recognises this page"))
            return
        logger.debug("%s: read by the %s reader (sniff score %d)", source, getattr(reader, "NAME", reader), score)
        read_at = getattr(reader, "read_at", None)
        articles = read_at(page_file, record.uri, source=source) if callable(read_at) else reader.read(page_file)
    except Skip as why:
        contents.skipped.append((name, str(why)))
        return
    # A page is other people's bytes: whatever its reader fails with is this page's failure.
    except Exception as exc:  # noqa: BLE001 - the other pages go on
        message = str(exc).replace(str(page_file), source).removeprefix(f"{source}: ")
        if not isinstance(exc, (DeeplybookError, OSError, ValueError, UnicodeDecodeError)):
            message = f"cannot be read ({type(exc).__name__}: {message})"
        contents.failed.append((name, message))
        warn("read-failed", message, source)
        return
    finally:
        page_file.unlink(missing_ok=True)
    contents.extend(_archived(article, record.uri, source) for article in articles)


def _choose(page_file: Path, head: bytes) -> tuple[Reader | None, int]:
    """The reader (other than this one) most sure it can read the page, and its sniff score."""
    best: Reader | None = None
    best_score = 0
    for name, reader in available().items():
        if name == NAME:
            continue
        score = reader.sniff(page_file, head)
        if score > best_score:
            best, best_score = reader, score
    return best, best_score


def _archived(article: Article, uri: str, source: str) -> Article:
    """The article with the archive as its source; local picture files of the scratch copy dropped."""
    body = tuple(
        dataclasses.replace(block, image=_remote(block.image)) if isinstance(block, Figure) and block.image else block
        for block in article.body
    )
    lead = article.lead
    if lead is not None and lead.image is not None:
        lead = dataclasses.replace(lead, image=_remote(lead.image))
    # The record's address may hold anything, characters XML forbids too: it passes the readers' last door.
    url = article.url or sanitize.address(uri)
    body = absolute_links(body, url)
    return dataclasses.replace(article, body=body, lead=lead, url=url, source=source)



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


def _records_count(count: int) -> str:
    return f"{count} record" if count == 1 else f"{count} records"


def _first_line(exc: Exception) -> str:
    """The start of an error's message, fit for one line of a log (warcio quotes the damaged bytes)."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    text = text.encode("ascii", "backslashreplace").decode("ascii")
    return text if len(text) <= _MESSAGE_LIMIT else text[: _MESSAGE_LIMIT - 1] + "…"
