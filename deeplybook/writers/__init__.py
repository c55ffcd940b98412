"""Writers turn an Edition into a book file; each is a function ``write_X(edition, path, **options)``."""

from __future__ import annotations

from .epub import write_epub

__all__ = ["write_epub", "write_pdf"]


def write_pdf(edition, path, **options):
    """Write ``edition`` as a PDF (imported lazily: WeasyPrint is slow to import)."""
    from .pdf import write_pdf as _write_pdf

    return _write_pdf(edition, path, **options)
