"""Which input files a build may read, and how much of them: folders, special files, size and time limits.

Archived files are other people's: a symlink may point anywhere, a FIFO never ends,
a page may be a gigabyte. Every file a build reads (pages, pictures, stylesheets,
fonts, theme files) is resolved, symlinks included, and read only when it lies
under one of the folders the build was given and is a regular file.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from .errors import DeeplybookError

#: Files larger than this are not read unless the limit is raised.
DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024
#: A page whose reading takes longer than this many seconds is left out.
DEFAULT_PAGE_SECONDS = 120.0


class Refused(DeeplybookError):
    """A file that may not be read: outside the allowed folders, special, or too large.

    ``code`` is the warning code the refusal is reported under.
    """

    def __init__(self, message: str, path: object | None = None, *, code: str = "file-refused") -> None:
        self.code = code
        super().__init__(message, path)


@dataclass(frozen=True, slots=True)
class Limits:
    """How much a build reads: the limits every reader honours. Picklable, for worker processes."""

    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    """A file larger than this is refused (``file-too-large``)."""
    page_seconds: float = DEFAULT_PAGE_SECONDS
    """Reading one file may take this long before it is abandoned (``read-timeout``)."""
    allow_remote: bool = False
    """Whether anything may be fetched over http(s); off unless the user asks."""


def within(path: str | os.PathLike[str], roots: Iterable[str | os.PathLike[str]]) -> Path:
    """``path`` resolved (symlinks followed), if it lies under one of ``roots``; ``Refused`` otherwise.

    Each root is resolved too, so a root reached through a symlink is still its own
    folder. A root may be a file: then only that file is allowed.
    """
    resolved = Path(path).resolve()
    for root in roots:
        base = Path(root).resolve()
        if resolved == base or resolved.is_relative_to(base):
            return resolved
    raise Refused("lies outside the edition's folders (a symlink?); not read", path)


def regular(path: str | os.PathLike[str]) -> os.stat_result:
    """The ``stat`` of ``path`` if it is a regular file; ``Refused`` for FIFOs, devices, sockets, folders."""
    try:
        info = os.stat(path)
    except FileNotFoundError as exc:
        raise Refused("is a broken link or has gone; not read", path) from exc
    except OSError as exc:
        raise Refused(f"cannot be opened: {exc.strerror}", path) from exc
    if not stat.S_ISREG(info.st_mode):
        raise Refused("is not a regular file (a FIFO, device or socket); not read", path)
    return info
