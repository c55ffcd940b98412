"""The ``make-ebook`` command: parses arguments, reports errors and warnings, nothing else.

Commands::

    make-ebook PATH... [-o OUT] [--title T] [--format epub,pdf]   a book from files at once
    make-ebook                                                   the bundled sample into ./build/
    make-ebook build EDITION.toml                                the books an edition file describes
    make-ebook list EDITION.toml                                 what would be in them, rendering nothing
    make-ebook new [EDITION.toml]                                a commented starter edition file
    make-ebook serve EDITION|FOLDER                              a live preview in the browser on localhost

The first form is the ``quick`` command: any first argument that is not a command
name goes to it (write ``./build`` for a folder called ``build``).

Exit codes: 0 success; 1 the build failed (the reason is printed, naming the file);
2 the command line is wrong; 3 ``--strict`` and the build gave warnings.
"""

from __future__ import annotations

import dataclasses
import difflib
import logging
import signal
import sys
import threading
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

import click
from click.shell_completion import CompletionItem

from . import config as config_module
from . import pipeline, readers
from . import themes as themes_module
from .cache import Cache
from .errors import ConfigError, DeeplybookError
from .inputs import Limits, parse_size
from .log import counting_warnings, logger
from .model import Section
from .output import FORMATS
from .sample import sample_path

if TYPE_CHECKING:  # rich's progress bars are imported only when a terminal shows them
    from rich.progress import Progress, TaskID

EXIT_FAILED, EXIT_USAGE, EXIT_WARNINGS = 1, 2, 3

_HELP = {"help_option_names": ["-h", "--help"]}
#: The options of ``make-ebook`` itself, before any command.
_OWN_OPTIONS = (*_HELP["help_option_names"], "--version")


class _Commands(click.Group):
    """A group whose default command is ``quick``: ``make-ebook PATH...`` keeps working.

    A first argument that is no existing path but is close to a command's name is
    taken for a misspelt command (``bulid``), not for a file that is missing.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if ctx.resilient_parsing and not args:  # completing the first word: see shell_complete
            return super().parse_args(ctx, args)
        if not args or (args[0] not in self.commands and args[0] not in _OWN_OPTIONS):
            if args and not ctx.resilient_parsing:
                _refuse_misspelt_command(ctx, args[0], sorted(self.commands))
            args = ["quick", *args]
        return super().parse_args(ctx, args)

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[CompletionItem]:
        """The first word may begin either form: a command's name, or the quick form's paths and options."""
        offered = super().shell_complete(ctx, incomplete)
        quick = self.commands["quick"]
        if incomplete.startswith("-"):
            known = {item.value for item in offered}
            return [*offered, *(item for item in quick.shell_complete(ctx, incomplete) if item.value not in known)]
        paths = next(param for param in quick.params if param.name == "paths")
        # Files first: bash's script forgets the words offered before a file item.
        return [*paths.shell_complete(ctx, incomplete), *offered]


def _refuse_misspelt_command(ctx: click.Context, word: str, commands: list[str]) -> None:
    # A word with a dot or a slash is a file name: a missing one is reported as such.
    if word.startswith("-") or "." in word or "/" in word or "\\" in word or Path(word).exists():
        return
    close = difflib.get_close_matches(word, commands, n=1, cutoff=0.7)
    if close:
        ctx.fail(f"No such command {word!r}. Did you mean {close[0]!r}?")


@click.group(cls=_Commands, context_settings=_HELP)
@click.version_option(package_name="deeplybook", prog_name="make-ebook", message="%(prog)s, version %(version)s")
def cli() -> None:
    """Make EPUB and PDF books from news articles.

    `make-ebook PATH...` makes one book from article files and folders at once;
    an edition file (`make-ebook new` writes one) describes a collected edition:
    which articles, in which order and sections, in how many volumes.
    """


def _formats(ctx, param, value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    formats = tuple(f.strip().lower() for f in value.split(",") if f.strip())
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise click.BadParameter(f"choose from {', '.join(FORMATS)} (comma-separated)")
    return formats


def _cache_options(command: Callable) -> Callable:
    """--no-cache and --clear-cache, shared by the commands that build."""
    command = click.option("--clear-cache", is_flag=True,
                           help="Empty the cache first (it lives in $DEEPLYBOOK_CACHE or ~/.cache/deeplybook).")(command)
    return click.option("--no-cache", is_flag=True,
                        help="Read and render everything again; store nothing.")(command)


def _size(ctx, param, value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return parse_size(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _input_options(command: Callable) -> Callable:
    """--max-file-size and --allow-remote, shared by the commands that build."""
    command = click.option("--allow-remote", is_flag=True, default=None,
                           help="Fetch over http(s) the pictures the archive lacks (nothing is fetched otherwise)."
                           )(command)
    return click.option("--max-file-size", "max_file_size", metavar="SIZE", callback=_size, default=None,
                        help="Leave out input files larger than SIZE (200MB, 1GiB; default 64MiB).")(command)


def _cache(no_cache: bool, clear_cache: bool) -> Cache:
    cache = Cache(enabled=not no_cache)
    if clear_cache:
        cache.clear()
    return cache


def _talk_options(command: Callable) -> Callable:
    """--strict, --quiet and --verbose, shared by the commands that build."""
    command = click.option("-v", "--verbose", count=True, help="More detail; twice for every file.")(command)
    command = click.option("-q", "--quiet", is_flag=True, help="Print errors only.")(command)
    return click.option("--strict", is_flag=True, help="Fail (exit 3) when the build gave warnings.")(command)


class _EchoHandler(logging.Handler):
    """Log lines to stderr through click, so they appear above any progress bar."""

    def emit(self, record: logging.LogRecord) -> None:
        click.echo(self.format(record), err=True)


def _configure_output(quiet: bool, verbose: int) -> None:
    # --quiet silences the printing, not the logger: --strict counts the warnings it hides.
    level = logging.DEBUG if verbose > 1 else logging.INFO if verbose else logging.WARNING
    handler = _EchoHandler(logging.ERROR if quiet else logging.NOTSET)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s" if verbose else "%(message)s"))
    logger.handlers[:] = [logging.NullHandler(), handler]
    logger.setLevel(level)
    logger.propagate = False


def _fail(exc: DeeplybookError) -> None:
    """Print why the build failed and exit 1; an edition file's problems one a line."""
    if isinstance(exc, ConfigError) and len(exc.problems) > 1:
        click.echo(f"make-ebook: error: {exc.path}: {len(exc.problems)} problems:", err=True)
        for problem in exc.problems:
            click.echo(f"  {problem}", err=True)
    else:
        click.echo(f"make-ebook: error: {exc}", err=True)
    sys.exit(EXIT_FAILED)


def _summarise_warnings(counts: Counter, quiet: bool, strict: bool) -> None:
    total = sum(counts.values())
    if total and not quiet:
        summary = ", ".join(f"{code} x{n}" for code, n in sorted(counts.items()))
        click.echo(f"{total} warnings: {summary}", err=True)
    if strict and total:
        click.echo("make-ebook: error: --strict and the build gave warnings", err=True)
        sys.exit(EXIT_WARNINGS)


class ProgressBars:
    """Progress bars for reading and writing on stderr, drawn with rich.

    ``callback`` is handed to the library as its ``progress`` argument; it is ``None``
    when the bars are off (``--quiet``, or stderr is not a terminal).
    """

    LABELS = {"read": "Reading", "render": "Rendering", "write": "Writing"}

    def __init__(self, enabled: bool, console=None) -> None:
        self.enabled = enabled
        self.console = console
        self.bars: Progress | None = None
        self.tasks: dict[str, TaskID] = {}

    def __enter__(self) -> "ProgressBars":
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            console = self.console or Console(stderr=True)
            self.bars = Progress(TextColumn("{task.description:<8}"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), console=console, transient=False)
            self.bars.start()
        return self

    def __exit__(self, *exc_info) -> None:
        if self.bars is not None:
            self.bars.stop()

    @property
    def callback(self) -> pipeline.Progress | None:
        """What to hand the library as ``progress``: ``None`` when the bars are off."""
        return self.update if self.bars is not None else None

    def update(self, stage: str, done: int, total: int) -> None:
        """Move the bar of ``stage``, making it on its first report."""
        if self.bars is None:  # handed out only while the bars are on (``callback``)
            return
        if stage not in self.tasks:
            self.tasks[stage] = self.bars.add_task(self.LABELS.get(stage, stage), total=total)
        self.bars.update(self.tasks[stage], completed=done, total=total)


def _bars_wanted(quiet: bool) -> bool:
    return not quiet and sys.stderr.isatty()


_CSS = click.option("--css", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
                    help="A stylesheet added after the theme's, in both formats (no url() or @import).")


@cli.command("quick", context_settings=_HELP)
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Output file or stem: BOOK writes BOOK.epub and BOOK.pdf. Default: build/<title>.")
@click.option("-t", "--title", default=None,
              help="The book's title (default: the articles' site when they all come from one, else "
                   "'Collected Articles'; the sample's own with no PATHS).")
@click.option("--subtitle", default="", help="A line under the title.")
@click.option("-f", "--format", "formats", default="epub,pdf", callback=_formats, show_default=True,
              help="Formats to write, comma-separated.")
@click.option("--language", default="en", show_default=True, help="The book's language (BCP 47).")
@click.option("--editor", "editors", multiple=True, help="An editor credited on the book (repeatable).")
@click.option("--publisher", default="", help="The publisher named in the book.")
@click.option("--group-by", default="", help="Sections by year, month, topic, author, kind or site; nest with commas.")
@click.option("--order", default="date", type=click.Choice(["date", "date-desc", "title"]), show_default=True)
@click.option("--reader", default=None, help="Force a reader (newsdeeply, plaintext, ...) instead of choosing by content.")
@click.option("--theme", default="default", show_default=True,
              help="A theme's name (`make-ebook themes` lists them) or a theme folder.")
@_CSS
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=None, help="Processes rendering the PDF (default: all cores).")
@click.option("--chunk-size", type=click.IntRange(1, 10_000), default=None, help="Articles per PDF render chunk.")
@click.option("--pdf-tagged", is_flag=True, help="A tagged PDF (PDF/UA-1) for screen readers; rendered as one document.")
@_input_options
@_cache_options
@_talk_options
def quick(paths, output, title, subtitle, formats, language, editors, publisher, group_by, order, reader,
          theme, css, jobs, chunk_size, pdf_tagged, max_file_size, allow_remote, no_cache, clear_cache, strict, quiet,
          verbose):
    """Make a book from PATHS at once (the default command: `make-ebook PATH...`).

    PATHS are article files or folders (a News Deeply mirror, or one site of it).
    With no PATHS, builds the bundled sample into ./build/.
    """
    _configure_output(quiet, verbose)
    if not paths:
        paths = (sample_path(),)
        title = title or "Syria Deeply: A Sample Edition"
        subtitle = subtitle or "One interview from the News Deeply archive"
        output = output or Path("build") / "syria-deeply-sample"
    pdf_options = {k: v for k, v in (("jobs", jobs), ("chunk_size", chunk_size), ("tagged", pdf_tagged or None))
                   if v is not None}
    with counting_warnings() as warnings, ProgressBars(_bars_wanted(quiet)) as bars:
        try:
            result = pipeline.build(
                paths, output, title=title or "", subtitle=subtitle, formats=formats, reader=reader, theme=theme,
                group_by=[g.strip() for g in group_by.split(",") if g.strip()], order=order,
                language=language, creators=list(editors), publisher=publisher, pdf_options=pdf_options,
                cache=_cache(no_cache, clear_cache), limits=_limits(Limits(), max_file_size, allow_remote),
                css=css, progress=bars.callback,
            )
        except DeeplybookError as exc:
            _fail(exc)
    report = result.report
    if not quiet:
        click.echo(f"{len(result.edition.articles)} articles from {report.read} files "
                   f"({len(report.skipped)} skipped, {len(report.failed)} failed)")
        for line in report.reasons():
            click.echo(f"  {line}")
        for path in result.outputs.values():
            click.echo(f"wrote {path}")
    _summarise_warnings(warnings.counts, quiet, strict)


_EDITION = click.argument("edition_file", metavar="EDITION", type=click.Path(exists=True, dir_okay=False, path_type=Path))


@cli.command("build", context_settings=_HELP)
@_EDITION
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Output stem or folder instead of the file's [output]: OUT writes OUT.epub (OUT-vol1.epub...).")
@click.option("-f", "--format", "formats", default=None, callback=_formats,
              help="Formats to write instead of the file's, comma-separated (epub, pdf).")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=None, help="Processes rendering the PDF (default: all cores).")
@click.option("--pdf-tagged", is_flag=True, help="A tagged PDF (PDF/UA-1), as the file's [output] pdf_tagged = true.")
@click.option("--scheduler", metavar="ADDRESS", default=None,
              help="Read and render on a Dask cluster: tcp://HOST:8786, or local:N for N processes here "
                   "(as [run] scheduler, $DEEPLYBOOK_SCHEDULER; needs deeplybook[cluster]).")
@_CSS
@_input_options
@_cache_options
@_talk_options
def build_command(edition_file, output, formats, jobs, pdf_tagged, scheduler, css, max_file_size, allow_remote,
                  no_cache, clear_cache, strict, quiet, verbose):
    """Make the books EDITION (an edition file) describes."""
    _configure_output(quiet, verbose)
    pdf_options = {k: v for k, v in (("jobs", jobs), ("tagged", pdf_tagged)) if v} or None
    with counting_warnings() as warnings, ProgressBars(_bars_wanted(quiet)) as bars:
        try:
            edition = config_module.load(edition_file)
            limits = _limits(edition.sources.limits, max_file_size, allow_remote)
            edition = dataclasses.replace(edition, sources=dataclasses.replace(edition.sources, limits=limits))
            results = pipeline.build_edition(edition, output=output, formats=formats, pdf_options=pdf_options,
                                             cache=_cache(no_cache, clear_cache), progress=bars.callback, css=css,
                                             scheduler=scheduler)
        except DeeplybookError as exc:
            _fail(exc)
    if not quiet:
        report = results[0].report
        count = sum(len(r.edition.articles) for r in results)
        books = f" in {len(results)} volumes" if len(results) > 1 else ""
        click.echo(f"{count} articles{books} from {report.read} files "
                   f"({len(report.skipped)} skipped, {len(report.failed)} failed)")
        for line in report.reasons():
            click.echo(f"  {line}")
        for result in results:
            for path in result.outputs.values():
                click.echo(f"wrote {path}")
    _summarise_warnings(warnings.counts, quiet, strict)


@cli.command("themes", context_settings=_HELP)
def themes_command():
    """List the themes a book can be made with: built-in, or installed by other packages."""
    try:
        found = themes_module.catalogue()
    except DeeplybookError as exc:
        _fail(exc)
    width = max(map(len, found), default=0)
    for name, description in found.items():
        click.echo(f"{name:<{width}}  {description}".rstrip())


@cli.command("list", context_settings=_HELP)
@_EDITION
@_talk_options
def list_command(edition_file, strict, quiet, verbose):
    """Show what EDITION would hold, volume by volume and section by section, rendering nothing."""
    _configure_output(quiet, verbose)
    with counting_warnings() as warnings, ProgressBars(_bars_wanted(quiet)) as bars:
        try:
            config = config_module.load(edition_file)
            report = readers.ReadReport()
            volumes = pipeline.plan_edition(config, report=report, progress=bars.callback)
        except DeeplybookError as exc:
            _fail(exc)
    for volume in volumes:
        click.echo(contents_listing(volume))
    kinds = Counter(a.kind.value for v in volumes for a in v.edition.articles)
    total = sum(kinds.values())
    in_volumes = f" in {len(volumes)} volumes" if len(volumes) > 1 else ""
    click.echo(f"{total:,} articles{in_volumes} ({', '.join(f'{k} {n:,}' for k, n in sorted(kinds.items()))}); "
               f"{report.articles:,} read from {report.read:,} files, "
               f"{len(report.skipped):,} skipped, {len(report.failed):,} failed")
    _summarise_warnings(warnings.counts, quiet, strict)


def _limits(limits: Limits, max_file_size: int | None, allow_remote: bool | None) -> Limits:
    """``limits`` with what the command line says instead."""
    if max_file_size is not None:
        limits = dataclasses.replace(limits, max_file_bytes=max_file_size)
    if allow_remote:
        limits = dataclasses.replace(limits, allow_remote=True)
    return limits


def contents_listing(volume) -> str:
    """A volume as text: its title, files and count, then its sections with one line an article."""
    book = volume.edition
    articles = book.articles
    files = ", ".join(str(path) for path in volume.targets.values())
    count = f"{len(articles):,} article{'s' if len(articles) != 1 else ''}"
    lines = [f"{book.title}  [{count} -> {files}]"]
    width = max(len(a.title) for a in articles)

    def add(section: Section, depth: int) -> None:
        indent = "  " * depth
        if section.title:
            lines.append(f"{indent}{section.title} ({sum(1 for _ in section.walk()):,})")
            indent += "  "
        for article in section.articles:
            day = article.date.strftime("%Y-%m-%d") if article.date else "undated   "
            authors = ", ".join(article.authors)
            lines.append(f"{indent}{day}  {article.kind.value:<8}  {article.title:<{width}}  {authors}".rstrip())
        for sub in section.sections:
            add(sub, depth + 1 if section.title else depth)

    for section in book.sections:
        add(section, 1)
    return "\n".join(lines) + "\n"


@cli.command("serve", context_settings=_HELP)
@click.argument("source", metavar="EDITION|FOLDER", type=click.Path(exists=True, path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on; anything but a loopback address shows the book to the network.")
@click.option("-p", "--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="The port to listen on (0: any free one).")
@click.option("--theme", default=None, help="A theme's name or folder instead of the edition's (default: default).")
@_CSS
@click.option("-t", "--title", default=None, help="The book's title, for a folder (default: Collected Articles).")
@click.option("--volume", type=click.IntRange(1), default=1, show_default=True,
              help="Which volume of an edition cut into several to show.")
@_cache_options
@click.option("-q", "--quiet", is_flag=True, help="Print errors only.")
@click.option("-v", "--verbose", count=True, help="More detail; twice for every file.")
def serve_command(source, host, port, theme, css, title, volume, no_cache, clear_cache, quiet, verbose):
    """Show EDITION (an edition file) or FOLDER as a book in the browser, rebuilt as its files change.

    The pages are the EPUB's, through the theme's templates and stylesheet; an open
    page reloads when the edition file, the theme or a source changes. Ctrl-C stops.
    """
    from . import preview

    _configure_output(quiet, verbose)
    try:
        preview.require_watchfiles()
        shown = preview.Preview(source, theme=theme, css=css, title=title, volume=volume,
                                cache=_cache(no_cache, clear_cache))
        site = shown.build()
        server = preview.serve(shown, host, port)
    except DeeplybookError as exc:
        _fail(exc)
    if not server.loopback:
        click.echo(f"make-ebook: warning: listening on {host}: anyone who can reach it can read the book", err=True)
    click.echo(f"previewing {site.plan.edition.title!r} at {server.url} (Ctrl-C stops)")
    preview.run(server)


@cli.command("new", context_settings=_HELP)
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path), default=Path("edition.toml"), required=False)
@click.option("-t", "--title", default="Collected Articles", show_default=True, help="The book's title.")
@click.option("-s", "--source", "sources", multiple=True,
              help="A source file, folder or glob, relative to the new file (repeatable; default: articles).")
def new_command(path, title, sources):
    """Write a commented starter edition file at PATH (default: edition.toml); never overwrites."""
    text = config_module.starter(title, tuple(sources) or ("articles",))
    try:
        config_module.write_starter(path, text)
    except DeeplybookError as exc:
        _fail(exc)
    click.echo(f"wrote {path}: edit it, then `make-ebook list {path}` and `make-ebook build {path}`")


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of ``make-ebook``."""
    _exit_cleanly_on_sigterm()
    cli.main(args=list(argv) if argv is not None else None, prog_name="make-ebook")


def _exit_cleanly_on_sigterm() -> None:
    # SIGTERM's default action ends the process where it stands, leaving the book's
    # temporaries behind; as SystemExit it unwinds like Ctrl-C, through the cleanup.
    def terminate(signum, frame) -> None:
        raise SystemExit(128 + signum)

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, terminate)


if __name__ == "__main__":
    main()
