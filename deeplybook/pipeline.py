"""The whole pipeline in one place: read sources, make the edition, write each format."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

from . import edition as edition_module
from . import readers, remote, select, toc, volumes
from .cache import Cache
from .config import EditionConfig, load
from .errors import DeeplybookError
from .inputs import Limits
from .log import logger
from .model import Article, Edition
from .output import FORMATS, output_paths
from .themes import Theme, load as load_theme

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
         report: readers.ReadReport | None = None, cache: Cache | bool = False,
         limits: Limits | None = None) -> list[Article]:
    """Read files and folders (a site mirror too) into articles, in the order found.

    ``cache=True`` uses the user's cache folder, or pass a ``Cache``. Only files under
    ``paths`` are read, within ``limits`` (size and time; see ``deeplybook.inputs``).
    """
    return list(readers.read(paths, reader=reader, report=report, cache=as_cache(cache), limits=limits))


def as_cache(cache: Cache | bool) -> Cache:
    """``True`` means the default cache folder, ``False`` no cache."""
    if isinstance(cache, Cache):
        return cache
    return Cache(enabled=bool(cache))


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
    cache: Cache | bool = True,
    limits: Limits | None = None,
    **metadata,
) -> BuildResult:
    """Read ``paths``, make an edition titled ``title`` and write it in ``formats``.

    The cache is on by default: a rebuild re-reads only pages that changed. A PDF is
    rendered by worker processes, which import the calling script again: a script
    that calls this at its top level must do so under ``if __name__ == "__main__":``.
    """
    targets = output_paths(output, formats)
    report = readers.ReadReport()
    _start_pdf_workers(formats, pdf_options)
    articles = read(paths, reader=reader, report=report, cache=cache, limits=limits)
    if not articles:
        raise DeeplybookError("no articles found in the input (see the skipped files with --verbose)")
    with remote.fetcher(limits or Limits(), as_cache(cache)) as fetch:
        articles = fetch.pictures(articles) if fetch else articles
        edition = edition_module.make(articles, title=title, group_by=group_by, order=order, **metadata)
        logger.info("edition %r: %d articles", edition.title, len(edition.articles))
        return write(edition, targets, theme=theme, report=report, pdf_options=pdf_options, cache=cache)


def write(edition: Edition, targets: dict[str, Path], *, theme: str | Theme = "default",
          report: readers.ReadReport | None = None, pdf_options: dict | None = None,
          cache: Cache | bool = False) -> BuildResult:
    """Write an edition to each ``format -> path`` in ``targets``; the PDF reuses cached chunks."""
    from .writers import write_epub, write_pdf

    resolved = theme if isinstance(theme, Theme) else load_theme(theme)
    contents = toc.build(edition)
    result = BuildResult(edition, report=report or readers.ReadReport())
    for fmt, path in targets.items():
        if fmt == "epub":
            result.outputs[fmt] = write_epub(edition, path, theme=resolved, toc=contents)
        else:
            result.outputs[fmt] = write_pdf(edition, path, theme=resolved, toc=contents, cache=as_cache(cache),
                                            **(pdf_options or {}))
    return result


#: Called as ``progress(stage, done, total)`` while a build goes on; stage is "read" or "write".
Progress = Callable[[str, int, int], None]


def plan_edition(config, *, output: str | os.PathLike[str] | None = None, formats: Sequence[str] | None = None,
                 report: readers.ReadReport | None = None, cache: Cache | bool = True,
                 progress: Progress | None = None, fetch: remote.Fetcher | None = None) -> list:
    """Read an edition file's sources, select its articles and make its volumes, writing nothing.

    ``config`` is a loaded ``EditionConfig``; the result is a list of ``volumes.Volume``.
    With a ``fetch``, the chosen articles' remote pictures are fetched.
    """
    report = report if report is not None else readers.ReadReport()
    sources = config.sources
    total = _count_files(sources.paths)
    articles = []
    for article in readers.read(sources.paths, reader=sources.reader, report=report, cache=as_cache(cache),
                                limits=sources.limits):
        articles.append(article)
        if progress:
            progress("read", min(report.read + len(report.skipped) + len(report.failed), total), total)
    if progress:
        progress("read", total, total)
    chosen = select.select(articles, config.select, source=config.path)
    if not chosen:
        raise DeeplybookError(f"none of the {len(articles)} articles read matches [select]", config.path)
    logger.info("%s: %d of %d articles selected", config.path, len(chosen), len(articles))
    if fetch is not None:
        chosen = fetch.pictures(chosen)
    return volumes.make(config, chosen, output=output, formats=formats)


def build_edition(edition_file, *, output: str | os.PathLike[str] | None = None,
                  formats: Sequence[str] | None = None, pdf_options: dict | None = None,
                  cache: Cache | bool = True, progress: Progress | None = None) -> list[BuildResult]:
    """Build the books an edition file describes (a path, or a loaded ``EditionConfig``).

    ``output``, ``formats`` and ``pdf_options`` override the file's ``[output]`` table.
    One ``BuildResult`` is returned per volume.
    """
    config = edition_file if isinstance(edition_file, EditionConfig) else load(edition_file)
    report = readers.ReadReport()
    options = {k: v for k, v in (("jobs", config.output.jobs), ("chunk_size", config.output.chunk_size),
                                 ("tagged", config.output.pdf_tagged)) if v}
    options.update(pdf_options or {})
    _start_pdf_workers(formats or config.output.formats, options)
    with remote.fetcher(config.sources.limits, as_cache(cache)) as fetch:
        planned = plan_edition(config, output=output, formats=formats, report=report, cache=cache, progress=progress,
                               fetch=fetch)
        return _write_volumes(planned, config, report, options, cache, progress)


def _write_volumes(planned: list, config, report: readers.ReadReport, options: dict, cache: Cache | bool,
                   progress: Progress | None) -> list[BuildResult]:
    """Write each planned volume in each of its formats."""
    theme = load_theme(config.output.theme)  # once: its warnings are the build's, not each volume's
    files = [(volume, fmt, path) for volume in planned for fmt, path in volume.targets.items()]
    results = {id(volume): BuildResult(volume.edition, report=report) for volume in planned}
    for done, (volume, fmt, path) in enumerate(files, start=1):
        written = write(volume.edition, {fmt: path}, theme=theme, report=report, pdf_options=options,
                        cache=cache)
        results[id(volume)].outputs.update(written.outputs)
        if progress:
            progress("write", done, len(files))
    return [results[id(volume)] for volume in planned]


def _start_pdf_workers(formats: Sequence[str], pdf_options: dict | None) -> None:
    """When a PDF will be rendered on several cores, let its workers' server import WeasyPrint during the read."""
    options = pdf_options or {}
    if "pdf" in formats and options.get("jobs") != 1 and not (options.get("one_document") or options.get("tagged")):
        from .writers.pdf import start_workers

        start_workers()


def _count_files(paths: Iterable[str | os.PathLike[str]]) -> int:
    """How many files the paths hold (for progress: a folder counts its files)."""
    count = 0
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            count += sum(len(names) for _, _, names in os.walk(path))
        elif path.exists():
            count += 1
    return count
