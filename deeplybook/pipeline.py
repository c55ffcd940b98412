"""The whole pipeline in one place: read sources, make the edition, write each format."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from . import edition as edition_module
from . import readers, toc
from .errors import DeeplybookError
from .log import logger
from .model import Article, Edition
from .themes import load as load_theme

#: Output formats and the file suffix each writes.
FORMATS = {"epub": ".epub", "pdf": ".pdf"}


@dataclass
class BuildResult:
    """What a build made."""

    edition: Edition
    """The edition that was written."""
    outputs: dict[str, Path] = field(default_factory=dict)
    """Format name -> file written."""
    report: readers.ReadReport = field(default_factory=readers.ReadReport)
    """What the readers found, read and skipped."""


def read(paths: Iterable[str | os.PathLike[str]], *, reader: str | None = None,
         report: readers.ReadReport | None = None) -> list[Article]:
    """Read files and folders (a site mirror too) into articles, in the order found."""
    return list(readers.read(paths, reader=reader, report=report))


def output_paths(output: str | os.PathLike[str], formats: Sequence[str]) -> dict[str, Path]:
    """Where each format goes: ``book.epub`` as given, else ``OUTPUT`` + the suffix.

    ``OUTPUT`` may be an existing folder (the books are named ``book.*`` inside it).
    """
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise DeeplybookError(f"unknown format {unknown[0]!r}; choose from {', '.join(FORMATS)}")
    out = Path(output)
    if out.is_dir():
        out = out / "book"
    if out.suffix in FORMATS.values() and len(formats) == 1 and FORMATS[formats[0]] == out.suffix:
        return {formats[0]: out}
    stem = out.with_suffix("") if out.suffix in FORMATS.values() else out
    return {f: stem.with_name(stem.name + FORMATS[f]) for f in formats}


def build(
    paths: Iterable[str | os.PathLike[str]],
    output: str | os.PathLike[str],
    *,
    title: str,
    formats: Sequence[str] = ("epub", "pdf"),
    reader: str | None = None,
    theme: str = "default",
    group_by: Sequence[str] = (),
    order: str = "date",
    pdf_options: dict | None = None,
    **metadata,
) -> BuildResult:
    """Read ``paths``, make an edition titled ``title`` and write it in ``formats``."""
    targets = output_paths(output, formats)
    report = readers.ReadReport()
    articles = read(paths, reader=reader, report=report)
    if not articles:
        raise DeeplybookError("no articles found in the input (see the skipped files with --verbose)")
    edition = edition_module.make(articles, title=title, group_by=group_by, order=order, **metadata)
    logger.info("edition %r: %d articles", edition.title, len(edition.articles))
    return write(edition, targets, theme=theme, report=report, pdf_options=pdf_options)


def write(edition: Edition, targets: dict[str, Path], *, theme: str = "default",
          report: readers.ReadReport | None = None, pdf_options: dict | None = None) -> BuildResult:
    """Write an edition to each ``format -> path`` in ``targets``."""
    from .writers import write_epub, write_pdf

    resolved = load_theme(theme)
    contents = toc.build(edition)
    result = BuildResult(edition, report=report or readers.ReadReport())
    for fmt, path in targets.items():
        if fmt == "epub":
            result.outputs[fmt] = write_epub(edition, path, theme=resolved, toc=contents)
        else:
            result.outputs[fmt] = write_pdf(edition, path, theme=resolved, toc=contents, **(pdf_options or {}))
    return result
