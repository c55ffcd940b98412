"""Reader for News Deeply pages as HTTrack mirrored them: articles, op-eds, interviews, briefings.

One page becomes one ``Article``; a mirror (or one site folder of it, such as
``syria/``) is walked whole by ``read_folder``, which passes over listing pages,
follows HTTrack's redirect stubs and keeps one copy of pages mirrored twice.

Only the article region of a page is read: the archive banner, share buttons,
sidebar and dialogs around it never reach the model. Links into the mirror are
turned back into the live site's addresses, because a relative path into an
HTTrack folder means nothing inside a book.

The reader is cut along the way a page goes: ``mirror`` walks the folders and
chooses the pages, ``page`` reads one page's fields, ``body`` turns its body into
blocks (interviews into exchanges), ``cleanup`` mends the markup first, and
``links`` turns mirror paths back into web addresses. ``promos`` and ``credits``
hold the patterns of the sites' promotions and of credits written into captions;
``docs/cleanup.md`` lists everything the reader removes and mends.
"""

from __future__ import annotations

from pathlib import Path

from ... import sanitize
from ...model import Article
from ..report import Skip
from .links import LIVE_SITE
from .mirror import is_site_folder, read_folder, read_page_bytes, redirect_target, subfolders
from .page import byline_names, parse_page

__all__ = ["LIVE_SITE", "NAME", "byline_names", "claims_folder", "parse_page", "read", "read_folder", "sniff"]

NAME = "newsdeeply"


def sniff(path: Path, head: bytes) -> int:
    """Certain for pages HTTrack mirrored from newsdeeply.com, unsure for other pages naming it."""
    text = sanitize.head_text(head)
    if "Mirrored from www.newsdeeply.com" in text:
        return 95
    if "newsdeeply" in text and "<html" in text.lower():
        return 40
    return 0


def read(path: Path) -> list[Article]:
    """The one article of a mirrored page; ``Skip`` for listing pages and redirect stubs."""
    path = Path(path)
    data = read_page_bytes(path)
    target = redirect_target(data)
    if target is not None:
        raise Skip(f"redirect to {target}")
    return [parse_page(data, path)]


def claims_folder(path: Path) -> bool:
    """True for a mirror root holding site folders, or for one site folder."""
    path = Path(path)
    if not path.is_dir():
        return False
    return is_site_folder(path) or any(is_site_folder(child) for child in subfolders(path))
