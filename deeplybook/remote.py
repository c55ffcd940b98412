"""Pictures fetched over http(s) for a build, only when the user allows it (``--allow-remote``).

Nothing else in deeplybook reaches the network: WeasyPrint's fetcher reads the
book's own picture files only, and the parsers load no DTD or external entity.
With ``Limits.allow_remote``, a picture whose file the archive lacks but whose URL
is http(s) is fetched, within the size limit and ``REMOTE_SECONDS``, checked to be
a picture, and written to a folder that lives as long as the build; the article's
``Image`` then points at it, so the writers embed it like any other. With the cache
on, the bytes are kept there (signed, as every entry) and not fetched again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

from PIL import Image as PILImage
from PIL import UnidentifiedImageError

from .cache import Cache
from .inputs import Limits, format_size
from .log import warn
from .model import Article, Figure, Image

#: How long one picture may take to arrive, all of it.
REMOTE_SECONDS = 30.0
#: Pictures fetched at once.
CONNECTIONS = 8

_SCHEMES = ("http", "https")
_SUFFIXES = {"JPEG": ".jpg", "PNG": ".png", "GIF": ".gif", "WEBP": ".webp"}
_USER_AGENT = "deeplybook (pictures for an e-book; --allow-remote)"


class _Failed(Exception):
    """A picture that could not be fetched; the message says why."""


@contextmanager
def fetcher(limits: Limits, cache: Cache) -> Iterator[Fetcher | None]:
    """A ``Fetcher`` for one build, or ``None`` when remote pictures are not allowed; its files go at the end."""
    if not limits.allow_remote:
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="deeplybook-remote-") as folder:
        yield Fetcher(limits, cache, Path(folder))


class Fetcher:
    """Fetches the remote pictures of articles into one folder, each URL once."""

    def __init__(self, limits: Limits, cache: Cache, folder: Path) -> None:
        self.limits = limits
        self.cache = cache
        self.folder = folder
        self.files: dict[str, str | None] = {}

    def pictures(self, articles: list[Article]) -> list[Article]:
        """``articles`` with each picture that has no file but an http(s) URL pointing at a fetched file."""
        wanted = sorted({image.url for article in articles for image in _images(article)
                         if image.path is None and _remote(image.url) and image.url not in self.files})
        with ThreadPoolExecutor(max_workers=CONNECTIONS) as pool:
            outcomes = list(pool.map(self._one, wanted))
        for url, outcome in zip(wanted, outcomes):  # warned in URL order: the same log every run
            if isinstance(outcome, _Failed):
                warn("remote-failed", f"{outcome}; the picture is left out", url)
                self.files[url] = None
            else:
                self.files[url] = outcome
        return [self._with_files(article) for article in articles]

    def _one(self, url: str) -> str | _Failed:
        entry = hashlib.sha256(url.encode("utf-8")).hexdigest()
        try:
            data = self.cache.get("remote-pictures", entry) if self.cache.enabled else None
            if data is None:
                data = _download(url, self.limits.max_file_bytes)
                suffix = _picture_suffix(data)
                if self.cache.enabled:
                    self.cache.put("remote-pictures", entry, data)
            else:
                suffix = _picture_suffix(data)
        except _Failed as exc:
            return exc
        path = self.folder / f"{entry[:32]}{suffix}"
        path.write_bytes(data)
        return str(path)

    def _with_files(self, article: Article) -> Article:
        def figure(block: Figure) -> Figure:
            image = block.image
            if image is None or image.path is not None or not self.files.get(image.url):
                return block
            return dataclasses.replace(block, image=dataclasses.replace(image, path=self.files[image.url]))

        lead = figure(article.lead) if article.lead is not None else None
        body = tuple(figure(block) if isinstance(block, Figure) else block for block in article.body)
        return dataclasses.replace(article, lead=lead, body=body)


def _images(article: Article) -> Iterator[Image]:
    figures = [article.lead, *article.body]
    for block in figures:
        if isinstance(block, Figure) and block.image is not None:
            yield block.image


def _remote(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme.lower() in _SCHEMES and bool(parts.netloc)


class _HttpRedirects(urllib.request.HTTPRedirectHandler):
    """Redirects followed only to http(s): never to ``file:`` or ``ftp:``."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urlsplit(newurl).scheme.lower() not in _SCHEMES:
            raise urllib.error.HTTPError(newurl, code, f"redirect to {newurl} refused (http and https only)",
                                         headers, fp)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _opener() -> urllib.request.OpenerDirector:
    # Built by hand: the default opener also reads file:, ftp: and data: URLs.
    opener = urllib.request.OpenerDirector()
    for handler in (urllib.request.ProxyHandler(), urllib.request.HTTPHandler(), urllib.request.HTTPSHandler(),
                    _HttpRedirects(), urllib.request.HTTPDefaultErrorHandler(), urllib.request.HTTPErrorProcessor()):
        opener.add_handler(handler)
    return opener


def _download(url: str, most: int) -> bytes:
    """The body at ``url``: at most ``most`` bytes, within ``REMOTE_SECONDS``; ``_Failed`` otherwise."""
    request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
    deadline = time.monotonic() + REMOTE_SECONDS
    try:
        with _opener().open(request, timeout=REMOTE_SECONDS) as response:
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > most:
                raise _Failed(f"is {format_size(int(declared))}, over the {format_size(most)} limit")
            data = bytearray()
            while chunk := response.read(64 * 1024):
                data += chunk
                if len(data) > most:
                    raise _Failed(f"is over the {format_size(most)} limit")
                if time.monotonic() > deadline:
                    raise _Failed(f"took longer than {REMOTE_SECONDS:g} s")
    except urllib.error.HTTPError as exc:
        raise _Failed(f"could not be fetched: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise _Failed(f"could not be fetched: {reason}") from None
    return bytes(data)


def _picture_suffix(data: bytes) -> str:
    """The file suffix for picture bytes; ``_Failed`` when they are not a picture a book can hold."""
    try:
        with PILImage.open(io.BytesIO(data)) as picture:
            kind = picture.format
            picture.verify()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise _Failed(f"is not a picture ({exc})") from None
    if kind not in _SUFFIXES:
        raise _Failed(f"is a {kind} picture, which a book cannot hold")
    return _SUFFIXES[kind]
