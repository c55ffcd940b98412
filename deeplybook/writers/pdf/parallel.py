"""Rendering the PDF's pieces at once in worker processes, reusing cached ones, then the page-number overlay."""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
import os
import select
import tempfile
import threading
import time
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Iterator

from ... import executors
from ...cache import Cache
from ...cache import key as cache_key
from ...log import logger
from ...model import Article, Figure
from ...output import is_running
from ...themes import Theme
from .anchors import FolioType, Overlay, Placement, Rendered, book_pages, placements, render_folio, render_overlay
from .plan import BackMatter, FrontMatter, Piece, stand_in_digits, weight
from .render import render

#: Names the cached parts' kind and form: a part stored before it held its blank and right-hand pages is not reused.
PART_KEY = "pdf-part-2"
#: Overlay pages rendered together: pieces of a fixed size, not one per worker, so
#: the book's bytes do not depend on the machine's cores.
OVERLAY_PIECE = 32


@dataclass(frozen=True, slots=True)
class RenderedBook:
    """Every rendered piece in book order (the front matter first), where each anchor landed, the overlays."""

    parts: list[Rendered]
    pages: list[tuple[int | None, ...]]
    """Where each page of each part lands in the book (``anchors.book_pages``)."""
    placements: dict[str, Placement]
    overlays: tuple[tuple[Path, tuple[int, ...]], ...]
    """Page-number overlay PDFs, each with the book page each of its pages goes over."""
    folio: FolioType | None
    """How the theme sets its folios; ``None`` when it prints none."""


def render_book(pool: Executor, theme: Theme, header, chunks: list[tuple], front: FrontMatter,
                anchors: frozenset[str], folder: Path, back: BackMatter | None, cache: Cache) -> RenderedBook:
    """Render the front matter, the chunks and the indexes at once; then the numbers the matter prints.

    Every piece can be laid out without waiting for another: the contents and the
    indexes hold stand-ins as wide as the widest page number, and their numbers
    are set in an overlay once every page is known. Each piece comes from the
    cache when it can.
    """
    renderer = CachedRenderer(pool, cache, theme)
    digits = stand_in_digits(front.article_count)

    def matter(digits: int) -> list[Callable[[], Rendered]]:
        made = [renderer.submit(Piece(theme, header, (), front, anchors, False, digits=digits), folder / "front.pdf")]
        if back:
            made.append(renderer.submit(Piece(theme, header, (), None, anchors, False, back=back, digits=digits),
                                        folder / "back.pdf"))
        return made

    # Longest first, so that the last pieces to finish are short and no worker idles
    # long at the end: the front matter and indexes, then the chunks by their length.
    front_part, *back_part = matter(digits)
    folio = renderer.start(render_folio, theme, folder / "folio.pdf", _theme_folders(theme))
    pending: dict[int, Callable[[], Rendered]] = {}
    for n in sorted(range(len(chunks)), key=lambda n: -weight(chunks[n])):
        pending[n] = renderer.submit(Piece(theme, header, chunks[n], None, anchors, False),
                                     folder / f"chunk-{n:05d}.pdf")
    parts = [front_part(), *(pending[n]() for n in range(len(chunks))), *(result() for result in back_part)]
    while True:
        placed = placements(parts)
        numbers = {anchor: str(place.page + 1) for anchor, place in placed.items()}
        too_wide = [len(numbers[slot.anchor]) for part in parts for slot in part.slots
                    if len(numbers.get(slot.anchor, "")) > slot.digits]
        if not too_wide:
            break
        # A book of unusually long articles: lay the matter out again with wider stand-ins.
        digits = max(too_wide)
        logger.info("PDF: page numbers of %d digits, wider than the stand-ins: laying the contents out again", digits)
        front_part, *back_part = matter(digits)
        parts = [front_part(), *parts[1:len(parts) - len(back_part)], *(result() for result in back_part)]
    overlays = _render_overlay(renderer, parts, numbers, folder)
    if cache.enabled:
        logger.info("PDF: %d of %d parts from the cache", renderer.hits, renderer.asked)
    return RenderedBook(parts, book_pages(parts), placed, overlays, folio())


def _render_overlay(renderer: CachedRenderer, parts: list[Rendered], numbers: dict[str, str],
                    folder: Path) -> tuple[tuple[Path, tuple[int, ...]], ...]:
    """The numbers the parts' slots stand in for, as overlay PDFs, with the book page of each of their pages.

    The overlay is cut in pieces of ``OVERLAY_PIECE`` pages: it is the one render
    nothing else runs beside, so a long one is shared among the workers.
    """
    by_page: dict[int, list] = {}
    for part, places in zip(parts, book_pages(parts), strict=True):
        for slot in part.slots:
            index = places[slot.page]
            if slot.anchor in numbers and index is not None:
                by_page.setdefault(index, []).append(slot)
    targets = sorted(by_page)
    pieces = [tuple(targets[start:start + OVERLAY_PIECE]) for start in range(0, len(targets), OVERLAY_PIECE)]
    pending = [renderer.submit(Overlay(tuple((by_page[page][0].page_size,
                                              tuple((slot, numbers[slot.anchor]) for slot in by_page[page]))
                                             for page in piece)), folder / f"overlay-{n}.pdf")
               for n, piece in enumerate(pieces)]
    return tuple((result().path, piece) for result, piece in zip(pending, pieces))


class CachedRenderer:
    """Submits pieces to the pool unless the cache holds their PDF already.

    On a cluster (``executors.Engine.distributed``) a worker renders into a
    temporary file of its own and sends the PDF back as bytes, written here at the
    part's place: the book's folder need not be one the workers see.

    A piece is keyed by its whole content (``repr`` of its frozen dataclasses: pickle's
    bytes depend on which equal strings happen to be one object) and by the theme's
    files, so a piece is reused only when it would come out the same.
    """

    def __init__(self, pool: Executor, cache: Cache, theme: Theme, engine: executors.Engine | None = None) -> None:
        self.pool, self.cache = pool, cache
        self.engine = engine or executors.current()
        self.fingerprint = theme_fingerprint(theme) if cache.enabled else ""
        self.hits = self.asked = 0

    def submit(self, piece: Piece | Overlay, out: Path) -> Callable[[], Rendered]:
        """Start rendering ``piece`` into ``out``; call the result to wait for it."""
        self.asked += 1
        entry = cache_key(PART_KEY, self.fingerprint, _content(piece)) if self.cache.enabled else ""
        stored = self.cache.get_object("pdf-parts", entry) if entry else None
        if stored is not None:
            self.hits += 1
            data, *rendered = stored
            out.write_bytes(data)
            return lambda: Rendered(out, *rendered)
        if isinstance(piece, Overlay):
            made = self.start(render_overlay, piece, out, _overlay_needs(piece))
        else:
            made = self.start(render, piece, out, _piece_needs(piece))

        def result() -> Rendered:
            rendered = made()
            if entry:
                self.cache.put_object("pdf-parts", entry, (out.read_bytes(), rendered.page_count, rendered.anchors,
                                                           rendered.slots, rendered.blank, rendered.recto))
            return rendered

        return result


    def start(self, function: Callable[[Any, Path], Any], what: object, out: Path,
              needs: Iterator[str] | tuple[str, ...] = ()) -> Callable[[], Any]:
        """Submit ``function(what, out)``; call the result to wait for what it made (a ``Rendered``, a ``FolioType``
        or ``None``), its file at ``out``.

        ``needs`` are the files the task reads: a cluster's worker checks it sees them.
        """
        if not self.engine.distributed:
            local = self.pool.submit(function, what, out)
            self.engine.follow("render", local)
            return local.result
        remote = self.pool.submit(self.engine.task(render_here, needs), function, what, out.name)
        self.engine.follow("render", remote)

        def arrived() -> Any:
            data, made = remote.result()
            if made is None:
                return None
            out.write_bytes(data)
            return replace(made, path=out)

        return arrived


def render_here(function: Callable[[Any, Path], Any], what: object, name: str) -> tuple[bytes, Any]:
    """On a worker: ``function(what, file)`` into a temporary file of its own; the file's bytes and what it returned."""
    with tempfile.TemporaryDirectory(prefix="deeplybook-part-") as folder:
        made = function(what, Path(folder) / name)
        return (made.path.read_bytes() if made is not None else b""), made


def _theme_folders(theme: Theme | None) -> tuple[str, ...]:
    return tuple(str(folder) for folder in theme.dirs) if theme is not None else ()


def _piece_needs(piece: Piece) -> Iterator[str]:
    """The files a piece's render reads: the theme's folders, the cover, the pictures of its articles and foreword."""
    yield from _theme_folders(piece.theme)
    if piece.front is not None and piece.front.cover is not None and piece.front.cover.path:
        yield piece.front.cover.path
    blocks = [*piece.edition.foreword]
    for page in piece.pages:
        article: Article | None = page.article
        if article is not None:
            blocks.extend([article.lead, *article.body] if article.lead is not None else article.body)
    for block in blocks:
        if isinstance(block, Figure) and block.image is not None and block.image.path:
            yield block.image.path


def _overlay_needs(overlay: Overlay) -> Iterator[str]:
    """The theme folders whose fonts an overlay's numbers are set in."""
    for _, slots in overlay.pages:
        for slot, _ in slots:
            yield from _theme_folders(slot.theme)


def _content(piece: Piece | Overlay) -> str:
    """What a piece is made of, as text for its cache key: everything but its theme, which the key holds apart."""
    if isinstance(piece, Overlay):
        return repr(piece)
    # The anchor set is sorted: a frozenset's order changes with each process's hash seed.
    return repr([(name, sorted(piece.anchors) if name == "anchors" else getattr(piece, name))
                 for name in piece.__dataclass_fields__ if name != "theme"])


def theme_fingerprint(theme: Theme) -> str:
    """The theme's files as one hash (``Theme.fingerprint``): editing any of them renders again."""
    return theme.fingerprint()


class InlineExecutor(Executor):
    """Runs each task at once in this process: for ``jobs=1``, no worker to start."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        """Run ``fn`` now and return a future that holds its result or its exception."""
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            future.set_exception(exc)
        return future


def executor(jobs: int) -> Executor:
    """A pool of ``jobs`` render workers (none for one job: the tasks then run here)."""
    if jobs == 1:
        return InlineExecutor()
    # Workers are forked from a server process that has imported WeasyPrint once,
    # not from this one: they start at once and do not inherit the caller's memory
    # (the whole edition); "spawn" where there is no fork server (Windows): each
    # worker then imports WeasyPrint itself, slower to start but the same book.
    # Workers are not recycled (max_tasks_per_child): that can hang Python 3.11's
    # pool, and a worker's memory is freed after each chunk.
    return ProcessPoolExecutor(jobs, mp_context=_worker_context(), initializer=_end_with, initargs=(os.getpid(),))


def _end_with(owner: int) -> None:
    """In each render worker: end the worker as soon as the process that started the pool ends.

    A pool's workers wait for work on a pipe they hold open themselves, so when the
    build is killed they would wait for ever, keeping the fork server they came from
    and its resource tracker alive as well.
    """
    threading.Thread(target=_wait_for_end, args=(owner,), name="deeplybook-owner", daemon=True).start()


def _wait_for_end(owner: int) -> None:
    try:
        handle = os.pidfd_open(owner)
    except (AttributeError, OSError):  # not Linux, or the owner has ended already
        while is_running(owner):
            time.sleep(1)
    else:
        select.select([handle], [], [])
    os._exit(1)


def start_workers() -> None:
    """Start the server that render workers are forked from, ahead of ``write_pdf``.

    It imports WeasyPrint (half a second or so) in its own process, so a caller
    that has other work first (reading the archive) need not wait for it later.
    Nothing to start where workers are spawned (``start_method``).
    """
    if _worker_context().get_start_method() == "forkserver":
        multiprocessing.forkserver.ensure_running()


def start_method() -> str:
    """How render workers start: ``forkserver`` where this platform has it, else ``spawn``."""
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


def _worker_context():
    context = multiprocessing.get_context(start_method())
    if start_method() == "forkserver":
        context.set_forkserver_preload([__name__.rpartition(".")[0] + ".render"])
    return context

