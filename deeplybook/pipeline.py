"""The whole pipeline in one place: load, read, select, split into volumes, make each edition, write each format.

There is one road: ``build`` (the quick form, ``make-ebook PATH...``) makes an
edition file in memory (``quick_edition``) and goes the way an edition file goes,
through ``build_edition``.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Callable, Iterable, Sequence

from . import bookcache, bookplan, duplicates, engines, executors, inputs, readers, remote, select, volumes
from . import edition as edition_module
from .cache import Cache
from .config import Book, EditionConfig, Grouping, Output, Sources, load
from .errors import DeeplybookError
from .inputs import Limits
from .log import logger, warn
from .model import Article, Block, Creator, Edition
from .output import book_paths, build_time, check_formats, stem
from .press import PrintOptions
from .slugs import slugify
from .themes import Theme, long_date, user_stylesheet
from .themes import load as load_theme

_VOLUME_NAMESPACE = uuid.UUID("0b7f3d52-5a8e-4f0e-a1c4-2d9e6b8c7f10")

#: The fields of ``[book]``: the quick form's metadata that go there.
_BOOK_FIELDS = ("subtitle", "creators", "publisher", "language", "identifier", "date", "rights", "description",
                "series", "series_position")

#: The quick form's title for articles from several sites, or from none that names itself.
GENERAL_TITLE = "Collected Articles"

#: Called as ``progress(stage, done, total)`` while a build goes on; stage is "read" or "write".
Progress = Callable[[str, int, int], None]


@dataclass
class BuildResult:
    """What a build made."""

    edition: Edition
    """The edition that was written."""
    outputs: dict[str, Path] = field(default_factory=dict)
    """Format name -> file written."""
    report: readers.ReadReport = field(default_factory=readers.ReadReport)
    """What the readers found, read and skipped."""


@dataclass(frozen=True, slots=True)
class Volume:
    """One book of an edition, ready to write."""

    number: int | None
    """The volume's number from 1; ``None`` when the edition is not cut."""
    edition: Edition
    """The book itself."""
    targets: dict[str, Path]
    """Format name -> the file it is written to."""


def build(
    paths: Iterable[str | os.PathLike[str]],
    output: str | os.PathLike[str] | None = None,
    *,
    title: str = "",
    formats: Sequence[str] = ("epub", "pdf"),
    reader: str | None = None,
    theme: str = "default",
    group_by: Sequence[str] = (),
    order: str = "date",
    pdf_options: dict | None = None,
    cache: Cache | bool = True,
    limits: Limits | None = None,
    css: str | os.PathLike[str] | None = None,
    progress: Progress | None = None,
    **metadata,
) -> BuildResult:
    """Read ``paths``, make an edition titled ``title`` and write it in ``formats``.

    Without a ``title`` the book is named for its articles' site when they all come
    from one, else ``GENERAL_TITLE``; without an ``output``, it goes to
    ``build/<the title's slug>``.

    The cache is on by default: a rebuild re-reads only pages that changed. A PDF is
    rendered by worker processes, which import the calling script again: a script
    that calls this at its top level must do so under ``if __name__ == "__main__":``.
    """
    edition_file = quick_edition(paths, output, title=title, formats=formats, reader=reader, theme=theme,
                                 group_by=group_by, order=order, limits=limits, **metadata)
    [result] = build_edition(edition_file, pdf_options=pdf_options, cache=cache, css=css, progress=progress)
    return result


def quick_edition(paths: Iterable[str | os.PathLike[str]], output: str | os.PathLike[str] | None = None, *,
                  title: str = "",
                  formats: Sequence[str] = ("epub", "pdf"), reader: str | None = None, theme: str = "default",
                  group_by: Sequence[str] = (), order: str = "date", limits: Limits | None = None,
                  **metadata) -> EditionConfig:
    """The edition file the quick form's arguments describe, made in memory: no selection, one volume, no indexes.

    ``metadata`` takes the other ``Edition`` fields; those an edition file has no
    key for (``cover``, ``foreword`` as blocks, ``provenance``...) go to ``extra``.
    An empty ``title``, and the file name when there is no ``output``, are settled
    once the articles are read (``named``).
    """
    where = stem(output) if output is not None else None
    book = {key: metadata.pop(key) for key in _BOOK_FIELDS if key in metadata}
    book["creators"] = tuple(c if isinstance(c, Creator) else Creator(str(c)) for c in book.get("creators", ()))
    return EditionConfig(
        path=None,
        book=Book(title=title, **book),
        sources=Sources(tuple(Path(p) for p in paths), reader, limits or Limits()),
        group=Grouping(tuple(group_by), order),
        back_matter=tuple(metadata.pop("back_matter", ())),
        output=Output(where.parent if where else Path("build"), where.name if where else "", tuple(formats), theme),
        extra=metadata,
    )


def build_edition(edition_file, *, output: str | os.PathLike[str] | None = None,
                  formats: Sequence[str] | None = None, pdf_options: dict | None = None,
                  cache: Cache | bool = True, progress: Progress | None = None,
                  css: str | os.PathLike[str] | None = None, scheduler: str | None = None) -> list[BuildResult]:
    """Build the books an edition file describes (a path, or a loaded ``EditionConfig``).

    ``output``, ``formats`` and ``pdf_options`` override the file's ``[output]`` table;
    ``css`` is a user stylesheet added after the theme's. ``scheduler`` sends the
    reading and rendering to a Dask cluster (``local:N``, ``tcp://host:8786``), before
    the file's ``[run] scheduler`` and ``$DEEPLYBOOK_SCHEDULER``; without any, the
    work runs in this machine's processes (``deeplybook.executors``).
    One ``BuildResult`` is returned per volume.
    """
    config = edition_file if isinstance(edition_file, EditionConfig) else load(edition_file)
    cache = as_cache(cache)
    options = _pdf_options(config.output, pdf_options, config.printing)
    _destination(config, output, formats)  # a wrong format fails before anything is read
    scheduler = executors.chosen_scheduler(scheduler, config.run.scheduler)
    if scheduler is None:
        _start_pdf_workers(formats or config.output.formats, options)
    # Once: its warnings are the build's, not each volume's. --css wins over [output] css.
    theme = _theme(config.output.theme, css if css is not None else config.output.css)
    report = readers.ReadReport()
    with engines.engine(scheduler, progress=progress, cache=cache), \
            remote.fetcher(config.sources.limits, cache) as fetch:
        planned = plan_edition(config, output=output, formats=formats, report=report, cache=cache,
                               progress=progress, fetch=fetch)
        return write_volumes(planned, theme, report=report, pdf_options=options, cache=cache, progress=progress,
                             toc_depth=config.output.toc_depth)


def plan_edition(config: EditionConfig, *, output: str | os.PathLike[str] | None = None,
                 formats: Sequence[str] | None = None, report: readers.ReadReport | None = None,
                 cache: Cache | bool = True, progress: Progress | None = None,
                 fetch: remote.Fetcher | None = None) -> list[Volume]:
    """Read an edition's sources, select its articles and make its volumes, writing nothing.

    With a ``fetch``, the chosen articles' remote pictures are fetched.
    """
    report = report if report is not None else readers.ReadReport()
    articles = _read_sources(config.sources, report, as_cache(cache), progress)
    if not articles:
        raise _nothing_read(config.sources, report, config.path)
    config = named(config, articles)
    chosen = select.select(articles, config.select, source=config.path)
    if not chosen:
        raise DeeplybookError(f"none of the {len(articles)} articles read matches [select]", config.path)
    if config.path is not None:
        logger.info("%s: %d of %d articles selected", config.path, len(chosen), len(articles))
    if fetch is not None:
        chosen = fetch.pictures(chosen)
    return make_volumes(config, chosen, output=output, formats=formats, report=report)


def named(config: EditionConfig, articles: Sequence[Article]) -> EditionConfig:
    """``config`` with a title and a file name if it lacks them (a quick edition may).

    The title is the articles' site when they all come from one, else
    ``GENERAL_TITLE``; the file name is the title's slug.
    """
    if config.book.title and config.output.stem:
        return config
    sites = {article.site for article in articles}
    title = config.book.title or (sites.pop() if len(sites) == 1 and "" not in sites else GENERAL_TITLE)
    return replace(config, book=replace(config.book, title=title),
                   output=replace(config.output, stem=config.output.stem or slugify(title)))


def _nothing_read(sources: Sources, report: readers.ReadReport, edition: Path | None) -> DeeplybookError:
    """The error for sources that gave no article: naming them, and what their files were instead."""
    files = len(report.skipped) + len(report.failed)
    if files:
        found = (f"{files:,} file{'s' if files != 1 else ''}, none of them an article: {len(report.skipped):,} "
                 f"passed over, {len(report.failed):,} failed; -vv names each")
    else:
        found = "no files in it" if len(sources.paths) == 1 else "no files in them"
    if len(sources.paths) == 1:
        return DeeplybookError(f"holds no articles ({found})", sources.paths[0])
    return DeeplybookError(f"the {len(sources.paths)} sources hold no articles ({found})", edition)


def make_volumes(config: EditionConfig, articles: Sequence[Article], *,
                 output: str | os.PathLike[str] | None = None, formats: Sequence[str] | None = None,
                 report: readers.ReadReport | None = None) -> list[Volume]:
    """The volumes of the edition ``config`` describes, made of the chosen ``articles``.

    The articles are sorted and grouped once, then cut into volumes; ``output`` (a
    path without suffix, or a folder) and ``formats`` override the ``[output]`` table.
    Stories printed once (``deeplybook.duplicates``) go into ``report.printed_once``.
    """
    base, wanted = _destination(config, output, formats)
    merged: list[duplicates.Merge] = []
    ordered = edition_module.arrange(articles, group_by=config.group.by, order=config.group.order, merged=merged)
    if report is not None:
        report.printed_once.extend((m.dropped.url or m.dropped.source, m.kept.url or m.kept.source, m.reason)
                                   for m in merged)
    sections = edition_module.group(ordered, config.group.by)
    foreword = read_foreword(config)
    made = []
    for part in volumes.split(ordered, sections, config.volumes):
        book = edition_module.assemble(part.articles, part.sections, **_volume_metadata(config, part, foreword))
        logger.info("edition %r: %d articles", book.title, len(book.articles))
        made.append(Volume(part.number, book, book_paths(base, part.number, wanted)))
    return made


def write_volumes(planned: Sequence[Volume], theme: Theme, *, report: readers.ReadReport | None = None,
                  pdf_options: dict | None = None, cache: Cache | bool = False,
                  progress: Progress | None = None, toc_depth: int | None = None) -> list[BuildResult]:
    """Write each planned volume in each of its formats; the book plan is made once a volume, for every format.

    ``toc_depth`` is how many levels the Contents pages list (all when ``None``).
    """
    from . import writers

    report = report or readers.ReadReport()
    total = sum(len(volume.targets) for volume in planned)
    results: list[BuildResult] = []
    done = 0
    for volume in planned:
        book = bookplan.plan(volume.edition, toc_depth=toc_depth, say=theme.words(volume.edition.language))
        result = BuildResult(volume.edition, report=report)
        for fmt, path in volume.targets.items():
            options = {"cache": as_cache(cache), **(pdf_options or {})} if fmt == "pdf" else {}
            writer = writers.get(fmt)
            if writer is writers.EPUB:  # an unchanged edition's book is copied from the cache, not rendered again
                result.outputs[fmt] = bookcache.written(as_cache(cache), volume.edition, fmt, path, theme,
                                                        partial(writer.write, book, path, theme=theme),
                                                        toc_depth=toc_depth)
            else:
                result.outputs[fmt] = writer.write(book, path, theme=theme, **options)
            if fmt == "pdf" and options.get("printing") and options["printing"].cover_spread:
                result.outputs["cover"] = _write_spread(book, theme, result.outputs[fmt], options["printing"])
            done += 1
            if progress:
                progress("write", done, total)
        results.append(result)
    return results


def write(edition: Edition, targets: dict[str, Path], *, theme: str | Theme = "default",
          report: readers.ReadReport | None = None, pdf_options: dict | None = None,
          cache: Cache | bool = False) -> BuildResult:
    """Write an edition to each ``format -> path`` in ``targets``; the PDF reuses cached chunks."""
    [result] = write_volumes([Volume(None, edition, targets)], _theme(theme), report=report, pdf_options=pdf_options,
                             cache=cache)
    return result


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


def read_foreword(config: EditionConfig) -> tuple[Block, ...]:
    """The foreword's Markdown file as blocks: raw HTML stays text; nothing outside the edition's folders is read."""
    path = config.front.foreword
    if path is None:
        return ()
    from .readers.markdown import blocks_from_markdown

    home = [config.path.parent] if config.path is not None else []
    roots = inputs.roots_of([*home, *config.sources.paths])
    limits = config.sources.limits
    try:
        text = inputs.read_bytes(path, roots, limits).decode("utf-8")
    except inputs.Refused as refused:
        warn(refused.code, refused.reason, refused.path)
        return ()
    except (OSError, UnicodeDecodeError) as exc:
        raise DeeplybookError(f"the foreword cannot be read: {exc}", path) from exc
    # The edition maker's own words: HTML written in them is shown as written, not read.
    blocks = blocks_from_markdown(text, base=path.parent, raw_html=False, source=path)
    return readers.contained_blocks(blocks, roots, limits)


def _volume_metadata(config: EditionConfig, part: volumes.Part, foreword: tuple[Block, ...]) -> dict:
    """The ``Edition`` fields of one part: the book's, with the volume's title and place in the series."""
    book = config.book
    title, series, position, identifier = book.title, book.series, book.series_position, book.identifier
    if part.number is not None:
        title = f"{book.title}, {part.label}"
        series = book.series or book.title
        position = part.number
        if identifier:
            identifier = f"urn:uuid:{uuid.uuid5(_VOLUME_NAMESPACE, f'{identifier}#{part.number}')}"
    metadata = dict(
        title=title, subtitle=book.subtitle, language=book.language, identifier=identifier, date=book.date,
        publisher=book.publisher, creators=book.creators, description=book.description, rights=book.rights,
        cover=str(config.front.cover) if config.front.cover else None, series=series, series_position=position,
        foreword=foreword, provenance=provenance(config, len(part.articles)), back_matter=config.back_matter,
    )
    metadata.update(config.extra)
    return metadata


def provenance(config: EditionConfig, count: int) -> tuple[tuple[str, str], ...]:
    """The imprint lines the edition file asks for, for a book of ``count`` articles."""
    imprint = config.front.imprint
    if imprint is None:
        return ()
    lines = []
    if imprint.source:
        lines.append(("Source archive", imprint.source))
    if imprint.mirrored:
        lines.append(("Mirrored", long_date(imprint.mirrored)))
    if imprint.count:
        lines.append(("Articles", f"{count:,}"))
    if imprint.built:
        lines.append(("Built", long_date(build_time())))
    return tuple(lines)


def _theme(theme: str | Theme, css: str | os.PathLike[str] | None = None) -> Theme:
    if isinstance(theme, Theme):
        return replace(theme, user_css=user_stylesheet(css)) if css is not None else theme
    return load_theme(theme, css=css)


def _destination(config: EditionConfig, output: str | os.PathLike[str] | None,
                 formats: Sequence[str] | None) -> tuple[Path, tuple[str, ...]]:
    """The books' path without suffix, and their formats: the command's if given, else the ``[output]`` table's."""
    wanted = tuple(formats or config.output.formats)
    check_formats(wanted)
    return (config.output.stem_path if output is None else stem(output, config.output.stem)), wanted


def _write_spread(book: bookplan.BookPlan, theme: Theme, pdf: Path, printing: PrintOptions) -> Path:
    """The cover spread beside the printed book: ``BOOK-cover.pdf``."""
    from .writers.pdf.printing import write_spread

    return write_spread(book, theme, pdf, pdf.with_name(f"{pdf.stem}-cover.pdf"), printing)


def _pdf_options(table: Output, given: dict | None, printing: PrintOptions | None = None) -> dict:
    """The PDF writer's options: the ``[output]`` and ``[print]`` tables', then those given."""
    options: dict[str, object] = {k: v for k, v in (("jobs", table.jobs), ("chunk_size", table.chunk_size),
                                                    ("tagged", table.pdf_tagged)) if v}
    if printing is not None and printing != PrintOptions():
        options["printing"] = printing
    options.update(given or {})
    return options


def _start_pdf_workers(formats: Sequence[str], pdf_options: dict | None) -> None:
    """When a PDF will be rendered on several cores, let its workers' server import WeasyPrint during the read."""
    options = pdf_options or {}
    printing = options.get("printing")
    one_document = options.get("one_document") or options.get("tagged") or getattr(printing, "variant", "")
    if "pdf" in formats and options.get("jobs") != 1 and not one_document:
        from .writers.pdf import start_workers

        start_workers()


def _read_sources(sources: Sources, report: readers.ReadReport, cache: Cache,
                  progress: Progress | None) -> list[Article]:
    """Every article of the sources, in the order found, reporting progress when asked."""
    if progress is None:
        return list(readers.read(sources.paths, reader=sources.reader, report=report, cache=cache,
                                 limits=sources.limits))
    total = _count_files(sources.paths)
    articles = []
    for article in readers.read(sources.paths, reader=sources.reader, report=report, cache=cache,
                                limits=sources.limits):
        articles.append(article)
        progress("read", min(report.read + len(report.skipped) + len(report.failed), total), total)
    progress("read", total, total)
    return articles


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
