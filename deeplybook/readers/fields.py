"""Metadata helpers the readers share: author lists and dates."""

from __future__ import annotations

import datetime as dt
import re

from dateutil import parser as date_parser

from ..log import warn
from ..sanitize import normalize_space

_AUTHOR_SEPARATORS = re.compile(r"\s*,\s*(?:and\s+|&\s*)?|\s+and\s+|\s*&\s*", re.IGNORECASE)
_YEAR = re.compile(r"\b\d{4}\b")


def split_authors(byline: str) -> tuple[str, ...]:
    """Names from "A", "A and B", "A, B and C" or "A & B", in byline order."""
    names = (normalize_space(part) for part in _AUTHOR_SEPARATORS.split(normalize_space(byline)))
    return tuple(name for name in names if name)


def parse_date(value: str, path: object | None = None, *, local: bool = False) -> dt.datetime | None:
    """A date as an aware UTC datetime; ``None`` (and a warning) when it does not parse.

    A date without a time zone is taken as UTC. A text without a four-digit year is
    refused rather than completed with today's year. With ``local``, a date that
    names its offset keeps it: "2020-01-01T00:30+02:00" stays on the 1st of January,
    where UTC would move it to the 31st of December.
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
    if local:  # a fixed offset of the standard library: dateutil's own zone objects do not enter the cache
        return parsed.replace(tzinfo=dt.timezone(parsed.utcoffset() or dt.timedelta(0)))
    return parsed.astimezone(dt.timezone.utc)
