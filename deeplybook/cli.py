"""The ``make-ebook`` command: parses arguments, reports errors and warnings, nothing else.

Exit codes: 0 success; 1 the build failed (a one-line reason is printed); 2 the
command line is wrong; 3 ``--strict`` and the build gave warnings.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Sequence

import click

from . import pipeline
from .errors import DeeplybookError
from .log import counting_warnings, logger
from .sample import sample_path

EXIT_FAILED, EXIT_USAGE, EXIT_WARNINGS = 1, 2, 3


def _formats(ctx, param, value: str) -> tuple[str, ...]:
    formats = tuple(f.strip().lower() for f in value.split(",") if f.strip())
    unknown = [f for f in formats if f not in pipeline.FORMATS]
    if unknown or not formats:
        raise click.BadParameter(f"choose from {', '.join(pipeline.FORMATS)} (comma-separated)")
    return formats


def _configure_output(quiet: bool, verbose: int) -> None:
    level = logging.ERROR if quiet else logging.DEBUG if verbose > 1 else logging.INFO if verbose else logging.WARNING
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s" if verbose else "%(message)s"))
    logger.handlers[:] = [logging.NullHandler(), handler]
    logger.setLevel(level)
    logger.propagate = False


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Output file or stem: BOOK writes BOOK.epub and BOOK.pdf. Default: build/<title>.")
@click.option("-t", "--title", default=None, help="The book's title (default: the first article's site, or the sample's).")
@click.option("--subtitle", default="", help="A line under the title.")
@click.option("-f", "--format", "formats", default="epub,pdf", callback=_formats, show_default=True,
              help="Formats to write, comma-separated.")
@click.option("--language", default="en", show_default=True, help="The book's language (BCP 47).")
@click.option("--editor", "editors", multiple=True, help="An editor credited on the book (repeatable).")
@click.option("--publisher", default="", help="The publisher named in the book.")
@click.option("--group-by", default="", help="Sections by year, month, topic, author, kind or site; nest with commas.")
@click.option("--order", default="date", type=click.Choice(["date", "date-desc", "title"]), show_default=True)
@click.option("--reader", default=None, help="Force a reader (newsdeeply, plaintext, ...) instead of choosing by content.")
@click.option("--theme", default="default", show_default=True, help="A built-in theme name or a theme folder.")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=None, help="Processes rendering the PDF (default: all cores).")
@click.option("--chunk-size", type=click.IntRange(1, 10_000), default=None, help="Articles per PDF render chunk.")
@click.option("--strict", is_flag=True, help="Fail (exit 3) when the build gave warnings.")
@click.option("-q", "--quiet", is_flag=True, help="Print errors only.")
@click.option("-v", "--verbose", count=True, help="More detail; twice for every file.")
def main_command(paths, output, title, subtitle, formats, language, editors, publisher, group_by, order, reader,
                 theme, jobs, chunk_size, strict, quiet, verbose):
    """Make EPUB and PDF books from news articles.

    PATHS are article files or folders (a News Deeply mirror, or one site of it).
    With no PATHS, builds the bundled sample into ./build/.
    """
    _configure_output(quiet, verbose)
    if not paths:
        paths = (sample_path(),)
        title = title or "Syria Deeply: A Sample Edition"
        subtitle = subtitle or "One interview from the News Deeply archive"
        output = output or Path("build") / "syria-deeply-sample"
    title = title or "Collected Articles"
    output = output or Path("build") / pipeline.edition_module.slugify(title)
    pdf_options = {k: v for k, v in (("jobs", jobs), ("chunk_size", chunk_size)) if v is not None}
    with counting_warnings() as warnings:
        try:
            result = pipeline.build(
                paths, output, title=title, subtitle=subtitle, formats=formats, reader=reader, theme=theme,
                group_by=[g.strip() for g in group_by.split(",") if g.strip()], order=order,
                language=language, creators=list(editors), publisher=publisher, pdf_options=pdf_options,
            )
        except DeeplybookError as exc:
            click.echo(f"make-ebook: error: {exc}", err=True)
            sys.exit(EXIT_FAILED)
    report = result.report
    if not quiet:
        click.echo(f"{len(result.edition.articles)} articles from {report.read} files "
                   f"({len(report.skipped)} skipped, {len(report.failed)} failed)")
        for fmt, path in result.outputs.items():
            click.echo(f"wrote {path}")
    total = sum(warnings.counts.values())
    if total and not quiet:
        summary = ", ".join(f"{code} x{n}" for code, n in sorted(warnings.counts.items()))
        click.echo(f"{total} warnings: {summary}", err=True)
    if strict and total:
        click.echo("make-ebook: error: --strict and the build gave warnings", err=True)
        sys.exit(EXIT_WARNINGS)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of ``make-ebook``."""
    main_command.main(args=list(argv) if argv is not None else None, prog_name="make-ebook")


if __name__ == "__main__":
    main()
