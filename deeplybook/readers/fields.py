"""Metadata helpers the readers share: slugs from titles, author lists, dates."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from dateutil import parser as date_parser

from ..log import warn
from ..sanitize import normalize_space

_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_SLUG_LIMIT = 80
_AUTHOR_SEPARATORS = re.compile(r"\s*,\s*(?:and\s+|&\s*)?|\s+and\s+|\s*&\s*", re.IGNORECASE)
_YEAR = re.compile(r"\b\d{4}\b")


def slugify(title: str) -> str:
    """A short lowercase ASCII name made from a title ("what-an-isis-retreat...")."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    slug = _NOT_SLUG.sub("-", ascii_title.lower()).strip("-")
    if len(slug) > _SLUG_LIMIT:
        # Cut at a word boundary so the slug never ends in half a word.
        slug = slug[:_SLUG_LIMIT].rsplit("-", 1)[0]
    return slug or "article"


def split_authors(byline: str) -> tuple[str, ...]:
    """Names from "A", "A and B", "A, B and C" or "A & B", in byline order."""
    names = (normalize_space(part) for part in _AUTHOR_SEPARATORS.split(normalize_space(byline)))
    return tuple(name for name in names if name)


def parse_date(value: str, path: object | None = None) -> dt.datetime | None:
    """A date as an aware UTC datetime; ``None`` (and a warning) when it does not parse.

    A date without a time zone is taken as UTC. A text without a four-digit year is
    refused rather than completed with today's year.
    """
    text = normalize_space(value)
    if not text:
        return None
    try:
        parsed = date_parser.isoparse(text)
    except ValueError:
        parsed = None
    if parsed is None:
        if not _YEAR.search(text):
            warn("date-unparsed", f"date {text!r} has no year", path)
            return None
        try:
            parsed = date_parser.parse(text, default=dt.datetime(2000, 1, 1))
        except (ValueError, OverflowError):
            warn("date-unparsed", f"date {text!r} is not understood", path)
            return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=dt.timezone.utc)
    return parsed.astimezone(dt.timezone.utc)
