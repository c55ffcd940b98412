"""Where a mirrored page lives: its live web address, and the local files its links and pictures lead to."""

from __future__ import annotations

import functools
import html
import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

#: Where the mirror's root folder lived on the web.
LIVE_SITE = "https://www.newsdeeply.com/"

#: The daily briefings' section, in the site's addresses and the mirror's folders.
BRIEFING_SECTION = "executive-summaries"
#: The folders where HTTrack keeps its copies of pages from other sites.
OUTSIDE_FOLDERS = ("_http_", "_https_")

_MIRRORED_FROM = re.compile(rb"<!-- Mirrored from (\S+)")


def https_address(url: str) -> str:
    """A newsdeeply.com address in its one spelling (https, www, no trailing slash); others as they are."""
    parts = urlsplit(url)
    if parts.netloc in ("www.newsdeeply.com", "newsdeeply.com"):
        return urlunsplit(("https", "www.newsdeeply.com", parts.path.rstrip("/"), parts.query, parts.fragment))
    return url


@dataclass(frozen=True, slots=True)
class PageLocation:
    """Where a page sits in the mirror and on the live site, to resolve its links."""

    file: Path
    """The page file as given."""
    base_url: str
    """The live address relative links in the page resolve against."""
    mirror_root: Path | None
    """The mirror folder holding the site folders, when the page sits inside one."""

    @classmethod
    def of(cls, file: Path, url: str) -> PageLocation:
        """Find the mirror root from the page's canonical URL: it has as many folders as the URL."""
        segments = [s for s in urlsplit(url).path.split("/") if s] if url else []
        if not segments:
            return cls(file, url, None)
        depth = len(segments) + (1 if file.name == "index.html" else 0)
        parents = file.absolute().parents
        if depth > len(parents):
            return cls(file, url, None)
        root = parents[depth - 1]
        if not (root / segments[0]).is_dir():
            return cls(file, url, None)
        relative = file.absolute().relative_to(root).as_posix()
        return cls(file, LIVE_SITE + relative, root)

    def link(self, href: str) -> str | None:
        """The live address for a link as written in the page; ``None`` when it leads nowhere."""
        href = href.strip()
        if not href or href.startswith("#"):
            return None
        scheme = urlsplit(href).scheme.lower()
        if scheme in ("http", "https"):
            return https_address(href)
        if scheme == "mailto":
            return href
        if scheme:
            return None
        if href.startswith("//"):
            return https_address("https:" + href)
        if not self.base_url:
            return None
        return self._live(urljoin(self.base_url, href))

    def resolve_resource(self, source: str) -> tuple[str | None, str | None]:
        """(live URL, local file or ``None``) for an image source."""
        url = self.link(source)
        if url is None or urlsplit(source).scheme or source.startswith("//"):
            return url, None
        return url, self._local_file(urljoin(self.base_url, source))

    def _local_file(self, joined: str) -> str | None:
        if self.mirror_root is None or not joined.startswith(LIVE_SITE):
            return None
        relative = unquote(urlsplit(joined).path).lstrip("/")
        candidate = (self.mirror_root / relative).resolve()
        root = self.mirror_root.resolve()
        if candidate.is_relative_to(root) and candidate.is_file():
            return str(candidate)
        return None

    def _live(self, joined: str) -> str:
        parts = urlsplit(joined)
        segments = parts.path.split("/")
        for marker in OUTSIDE_FOLDERS:
            if marker in segments:
                return self._outside(parts, segments.index(marker))
        path = parts.path
        if path.endswith("/index.html"):
            path = path[: -len("index.html")]
        path = path.removesuffix(".html")
        if path != "/":
            path = path.rstrip("/")
        return urlunsplit(("https", "www.newsdeeply.com", path, parts.query, parts.fragment))

    def _outside(self, parts, index: int) -> str:
        """The external address of an HTTrack copy (``_https_/host/path``)."""
        segments = parts.path.split("/")
        local = self._local_file(urlunsplit(("https", "www.newsdeeply.com", parts.path, "", "")))
        if local is not None:
            original = _mirrored_from(local)
            if original:
                return original
        scheme = segments[index].strip("_")
        rest = [s for s in segments[index + 1 :] if s]
        if not rest:
            return ""
        last = rest[-1].removesuffix(".html")
        if re.fullmatch(r"index[0-9a-f]{4}|index|_", last):
            rest = rest[:-1]
            tail = "/"
        else:
            rest[-1] = last.removesuffix("_")
            tail = ""
        return f"{scheme}://" + "/".join(rest) + tail


@functools.lru_cache(maxsize=4096)
def _mirrored_from(local: str) -> str:
    """The original address HTTrack wrote at the top of a copied page."""
    try:
        with open(local, "rb") as handle:
            head = handle.read(2048)
    except OSError:
        return ""
    match = _MIRRORED_FROM.search(head)
    if not match:
        return ""
    written = match.group(1).decode("utf-8", "replace")
    quoted = re.search(r'"(https?://[^"]+)', written)
    if quoted:
        return html.unescape(quoted.group(1)).removesuffix("%22")
    scheme = "https" if "/_https_/" in local.replace(os.sep, "/") else "http"
    return f"{scheme}://{written}"
