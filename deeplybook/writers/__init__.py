"""Writers turn an Edition into a book file; each is a ``Writer`` registered under ``deeplybook.writers``.

A writer has a format ``name`` (what ``--format`` and ``[output] formats`` say), the
file ``suffix`` it writes, and ``write(edition, path, *, theme, toc, **options)``,
which writes the whole file at ``path`` (through ``output.atomic_path``, so no book
is ever half-written) and returns the path. Other packages add one by registering an
object like that (docs/extending.md); ``write_epub`` and ``write_pdf`` stay callable.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol

from .. import extensions
from ..errors import DeeplybookError
from .epub import write_epub

__all__ = ["BUILTIN", "EPUB", "PDF", "Writer", "available", "get", "write_epub", "write_pdf"]

#: Built-in writers: entry-point name -> object (``module:attribute``).
BUILTIN = extensions.WRITERS


class Writer(Protocol):
    """What a writer provides (see the module docstring)."""

    name: str
    suffix: str

    def write(self, edition, path: Path, *, theme, toc, **options) -> Path: ...


def write_pdf(edition, path, **options):
    """Write ``edition`` as a PDF (imported lazily: WeasyPrint is slow to import)."""
    from .pdf import write_pdf as _write_pdf

    return _write_pdf(edition, path, **options)


@dataclass(frozen=True)
class FunctionWriter:
    """A ``Writer`` made of a function ``write(edition, path, **options)``."""

    name: str
    suffix: str
    function: Callable[..., Path]

    def write(self, edition, path: Path, *, theme, toc, **options) -> Path:
        return self.function(edition, path, theme=theme, toc=toc, **options)


EPUB = FunctionWriter("epub", ".epub", write_epub)
PDF = FunctionWriter("pdf", ".pdf", write_pdf)


def available() -> dict[str, Writer]:
    """All writers by format: the built-ins, then any registered by other packages, sorted by name."""
    return dict(extensions.writers())  # cached: entry points are scanned once


def get(name: str) -> Writer:
    """The writer of format ``name``; ``DeeplybookError`` listing the installed ones otherwise."""
    writers = available()
    if name not in writers:
        raise DeeplybookError(f"unknown format {name!r}; choose from {', '.join(writers)}")
    return writers[name]
