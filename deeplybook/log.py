"""The package logger, warning codes and the policy for what is logged at which level.

Levels:

* ``ERROR``   never used by the library: failures raise ``DeeplybookError``.
* ``WARNING`` a content problem the build survives (an article skipped, a date that
  does not parse, images missing). Every warning carries a stable ``code`` (see
  ``CODES``) in ``record.code`` so that ``--strict`` and tests can count them.
* ``INFO``    one line per stage of a build (articles read, book written).
* ``DEBUG``   per-file detail (which reader took a file, why a file was skipped).

The library never configures logging: the logger has a ``NullHandler`` and only the
command line attaches handlers.
"""

from __future__ import annotations

import logging
from collections import Counter
from contextlib import contextmanager
from typing import Iterator

logger = logging.getLogger("deeplybook")
logger.addHandler(logging.NullHandler())

#: Stable warning codes and what each means. Codes are part of the public interface.
CODES = {
    "read-failed": "a file could not be read; the other files go on",
    "not-an-article": "a file was passed over (listing page, redirect, duplicate)",
    "date-unparsed": "a date was present but could not be understood",
    "image-missing": "images referenced by articles are not in the archive",
    "link-unresolved": "a link into the archive could not be mapped",
    "config-unknown-key": "an edition file has a key deeplybook does not know",
    "empty-body": "an article has no body text",
    "short-article": "a page holds little text (under 20 words); it is kept as an article",
    "select-unmatched": "an include or exclude entry of an edition file names no article",
    "file-refused": "a file outside the edition's folders (through a symlink) or a special file was not read",
    "file-too-large": "a file over the size limit was not read",
    "read-timeout": "reading one page took longer than the time limit; it was left out",
    "nesting-flattened": "a page nested deeper than the parser keeps was flattened so its text survives",
    "text-cleaned": "characters that may not appear in a book (control characters) were removed",
    "remote-failed": "a remote file asked for with --allow-remote could not be fetched",
    "language-unknown": "the edition's language is unknown to Babel: dates and lists are printed in English",
    "css-dropped": "a user stylesheet's url() or @import was left out: it may fetch nothing",
    "theme-untrusted": "a theme from outside the built-ins is used; its templates run in the sandbox",
    "cache-damaged": "a cache entry failed its integrity check and was rebuilt",
    "extension-broken": "a reader, writer or theme another package registers cannot be loaded; it is left out",
}


def warn(code: str, message: str, path: object | None = None) -> None:
    """Log a content warning with a stable ``code``; ``path`` names the input file."""
    if code not in CODES:
        raise ValueError(f"unknown warning code {code!r}")
    text = f"{path}: {message}" if path is not None else message
    logger.warning("%s [%s]", text, code, extra={"code": code})


class WarningCounter(logging.Handler):
    """Counts warnings by code; the CLI uses it for ``--strict`` and its summary."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.counts: Counter[str] = Counter()
        self.messages: list[str] = []
        self.records: list[tuple[str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Count the record under its warning code and keep its message."""
        code = getattr(record, "code", "other")
        self.counts[code] += 1
        self.messages.append(record.getMessage())
        self.records.append((code, record.getMessage()))


@contextmanager
def counting_warnings() -> Iterator[WarningCounter]:
    """Collect the warnings logged inside the block (used by the CLI and tests)."""
    counter = WarningCounter()
    logger.addHandler(counter)
    try:
        yield counter
    finally:
        logger.removeHandler(counter)
