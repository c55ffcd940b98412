"""A book written before, taken from the cache while nothing it is made from has changed.

An EPUB of thousands of articles costs seconds to render, compress and pack again
even when the edition is the one written last time. Its file is stored (namespace
``books``) under a key of everything it is made from: the edition itself (its
``repr``: every article, block and imprint line), the format, the file's name, the
contents depth, the theme's files (``Theme.fingerprint``), what ``stat`` says of
every picture file and of the cover it embeds, and deeplybook's code. A rebuild
with the same key copies the stored bytes into place (atomically, as a writer
does) and gives again the warnings the writing gave.

The build time is part of the key only when ``SOURCE_DATE_EPOCH`` sets it: a
rebuild without it, of an edition that did not change, keeps the book written
before with the time it was built then, as ``make`` keeps a target that is up to
date. ``--no-cache`` writes the book again.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from . import cache as cache_module
from .log import counting_warnings, logger
from .model import Edition, Figure
from .output import atomic_path, build_time
from .readers.manifest import file_signature
from .themes import Theme

#: The cache namespace of written books.
NAMESPACE = "books"


def written(cache: cache_module.Cache, edition: Edition, fmt: str, path: Path, theme: Theme,
            write: Callable[[], Path], *, toc_depth: int | None = None) -> Path:
    """``write()``'s book at ``path``, or the same book copied from the cache when its key is stored."""
    if not cache.enabled:
        return write()
    entry = book_key(edition, fmt, path, theme, toc_depth)
    stored = cache.get_object(NAMESPACE, entry)
    if isinstance(stored, tuple) and len(stored) == 2 and isinstance(stored[0], bytes):
        data, warnings = stored
        with atomic_path(path) as temporary:
            temporary.write_bytes(data)
        for code, message in warnings:
            logger.warning("%s", message, extra={"code": code})
        return Path(path)
    with counting_warnings() as warned:
        made = write()
    cache.put_object(NAMESPACE, entry, (Path(made).read_bytes(), tuple(warned.records)))
    return made


def book_key(edition: Edition, fmt: str, path: Path, theme: Theme, toc_depth: int | None) -> str:
    """The cache key of ``edition`` written as ``fmt`` to a file named as ``path`` in ``theme``."""
    clock = build_time().isoformat() if os.environ.get("SOURCE_DATE_EPOCH") else ""
    return cache_module.key("book", fmt, Path(path).name, repr(toc_depth), clock, theme.fingerprint(),
                            "\n".join(f"{picture}\0{file_signature(picture)}" for picture in _pictures(edition)),
                            repr(edition))


def _pictures(edition: Edition) -> list[str]:
    """The picture files the book may embed: the cover, and the figures of the foreword and of each article."""
    figures = [block for block in edition.foreword if isinstance(block, Figure)]
    figures += [f for article in edition.articles for f in (article.lead, *article.body) if isinstance(f, Figure)]
    found = [edition.cover] if edition.cover else []
    found += [f.image.path for f in figures if f.image is not None and f.image.path]
    return found
