"""Embedded media as a book can print it: the service that holds it, what it is, and its public page.

A page embeds a video or a post through a player address (``player.vimeo.com/video/1?color=``,
``youtube.com/embed/ID``, an Embedly or Facebook wrapper around another address). A book
cannot play it, so it prints a short note instead ("Video on Vimeo: <title>"), linked to
the page a reader can open in a browser (``vimeo.com/1``, ``youtube.com/watch?v=ID``)
where the service has one, and to nothing where it has none (a SoundCloud player knows
only the track's API address). An unknown service is named by its host.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Callable
from urllib.parse import parse_qs, quote, urlsplit

from .model import Embed


@dataclass(frozen=True, slots=True)
class Media:
    """What an embed address holds."""

    service: str
    """The service, as printed ("YouTube"), or the host name of an unknown one."""
    kind: str
    """"video", "audio", "tweet", "map" or "media"."""
    page: str
    """The public page of the media, or "" when the service has none for it."""


def describe(url: str, kind: str = "media") -> Media:
    """The service, kind and public page of the embed address ``url`` (``kind``: what the page said it is)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    wrapped = _wrapped(host, parts.path, parse_qs(parts.query))
    if wrapped and wrapped != url:
        return describe(wrapped, kind)
    if (host.startswith("maps.google.") or ".google." in f".{host}") and (
            host.startswith("maps.") or parts.path.startswith("/maps")):
        return Media("Google Maps", "map", _google_maps(url))
    if host.endswith("facebook.com"):
        return Media("Facebook", "video" if "/videos/" in parts.path else "tweet", url)
    for suffix, service, service_kind, page in _SERVICES:
        if host == suffix or host.endswith("." + suffix):
            return Media(service, service_kind or kind, page(url) if page else url)
    return Media(host.removeprefix("www.") or url, kind, url)


def note(embed: Embed) -> Embed:
    """``embed`` with its service named, its kind settled and its address turned to the public page."""
    media = describe(embed.url, embed.kind)
    title = embed.title.strip()
    if title.casefold() in {media.service.casefold(), f"{media.service} post".casefold()}:
        title = ""  # "Instagram post" says no more than the note itself
    return dataclasses.replace(embed, kind=media.kind, url=media.page, title=title, service=media.service)


def _wrapped(host: str, path: str, query: dict[str, list[str]]) -> str:
    """The address a wrapper player shows (Embedly, Facebook's video plugin), or ""."""
    if host.endswith("embedly.com"):
        return (query.get("url") or query.get("src") or [""])[0]
    if host.endswith("facebook.com") and path.startswith("/plugins/"):
        return (query.get("href") or [""])[0]
    return ""


def _segments(url: str) -> list[str]:
    return [s for s in urlsplit(url).path.split("/") if s]


def _youtube(url: str) -> str:
    parts = urlsplit(url)
    segments = _segments(url)
    video = ""
    if (parts.hostname or "").endswith("youtu.be") and segments:
        video = segments[0]
    elif len(segments) >= 2 and segments[0] in ("embed", "v", "shorts"):
        video = segments[1]
    elif segments[:1] == ["watch"]:
        video = (parse_qs(parts.query).get("v") or [""])[0]
    return f"https://www.youtube.com/watch?v={quote(video)}" if video else url


def _vimeo(url: str) -> str:
    numbers = [s for s in _segments(url) if s.isdigit()]
    return f"https://vimeo.com/{numbers[0]}" if numbers else url


def _soundcloud(url: str) -> str:
    parts = urlsplit(url)
    if (parts.hostname or "").startswith("w.") or parts.path.startswith("/player"):
        track = (parse_qs(parts.query).get("url") or [""])[0]
        return _soundcloud(track) if track else ""
    if (parts.hostname or "").startswith("api."):
        return ""  # an API address opens nothing a reader can use
    return url


def _dailymotion(url: str) -> str:
    segments = _segments(url)
    if "video" in segments and segments.index("video") + 1 < len(segments):
        return f"https://www.dailymotion.com/video/{segments[segments.index('video') + 1]}"
    return url


def _spotify(url: str) -> str:
    parts = urlsplit(url)
    path = parts.path.removeprefix("/embed")
    return f"https://open.spotify.com{path}" if path.strip("/") else ""


def _google_maps(url: str) -> str:
    parts = urlsplit(url)
    place = (parse_qs(parts.query).get("q") or [""])[0]
    if place:
        return f"https://www.google.com/maps?q={quote(place)}"
    return "" if "/embed" in parts.path else url


#: Known services by host suffix: the printed name, the kind (None: as the page said)
#: and the function giving the public page (None: the address is one already).
_SERVICES: tuple[tuple[str, str, str | None, Callable[[str], str] | None], ...] = (
    ("youtube.com", "YouTube", "video", _youtube),
    ("youtube-nocookie.com", "YouTube", "video", _youtube),
    ("youtu.be", "YouTube", "video", _youtube),
    ("vimeo.com", "Vimeo", "video", _vimeo),
    ("dailymotion.com", "Dailymotion", "video", _dailymotion),
    ("soundcloud.com", "SoundCloud", "audio", _soundcloud),
    ("audioboom.com", "Audioboom", "audio", None),
    ("spotify.com", "Spotify", "audio", _spotify),
    ("twitter.com", "Twitter/X", "tweet", None),
    ("x.com", "Twitter/X", "tweet", None),
    ("instagram.com", "Instagram", "tweet", None),
    ("batchgeo.com", "BatchGeo", "map", None),
)
