"""Writers turn an Edition into a book file; each is a ``Writer`` registered under ``deeplybook.writers``.

A writer has a format ``name`` (what ``--format`` and ``[output] formats`` say), the
file ``suffix`` it writes, and ``write(plan, path, *, theme, **options)``, which
writes the book of a ``deeplybook.bookplan.BookPlan`` (its pages in reading order,
its contents tree, its edition) whole at ``path`` (through ``output.atomic_path``,
so no book is ever half-written) and returns the path. Other packages add one by registering an
object like that (docs/extending.md); ``write_epub`` and ``write_pdf`` stay callable.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol, cast

from .. import extensions
from ..bookplan import BookPlan
from ..errors import DeeplybookError
from ..themes import Theme
from .epub import write_epub

__all__ = ["BUILTIN", "EPUB", "PDF", "Writer", "available", "get", "write_epub", "write_pdf"]

#: Built-in writers: entry-point name -> object (``module:attribute``).
BUILTIN = extensions.WRITERS


class Writer(Protocol):
    """What a writer provides (see the module docstring)."""

    name: str
    suffix: str

    def write(self, plan: BookPlan, path: Path, *, theme: Theme, **options) -> Path:
        """Write the book ``plan`` to ``path`` in ``theme`` and return the path written."""


def write_pdf(edition, path, **options):
    """Write ``edition`` as a PDF (imported lazily: WeasyPrint is slow to import)."""
    from .pdf import write_pdf as _write_pdf

    return _write_pdf(edition, path, **options)


@dataclass(frozen=True)
class FunctionWriter:
    """A ``Writer`` made of a function ``write(edition, path, *, theme, plan, **options)``."""

    name: str
    suffix: str
    function: Callable[..., Path]

    def write(self, plan: BookPlan, path: Path, *, theme: Theme, **options) -> Path:
        return self.function(plan.edition, path, theme=theme, plan=plan, **options)


EPUB = FunctionWriter("epub", ".epub", write_epub)
PDF = FunctionWriter("pdf", ".pdf", write_pdf)


def available() -> dict[str, Writer]:
    """All writers by format: the built-ins, then any registered by other packages, sorted by name."""
    # Cached: entry points are scanned once. ``extensions`` has checked that each has a suffix and write().
    return cast(dict[str, Writer], dict(extensions.writers()))


def get(name: str) -> Writer:
    """The writer of format ``name``; ``DeeplybookError`` listing the installed ones otherwise."""
    writers = available()
    if name not in writers:
        raise DeeplybookError(f"unknown format {name!r}; choose from {', '.join(writers)}")
    return writers[name]
