"""PDF writer: the book rendered by WeasyPrint in bounded chunks on several cores, then merged.

One WeasyPrint document for a whole archive does not scale: it holds every page
in memory, its time grows faster than the page count, and ``target-counter()``
numbers go wrong once the contents pushes the pages after it. So the book is cut
into chunks of articles (with their section divider pages), each rendered in a
worker process into its own PDF, alongside the title page and contents and the
indexes, whose page numbers are laid out as invisible stand-ins. When every part
is rendered the real numbers are set in an overlay at the stand-ins' places;
pikepdf then concatenates the parts, lays the overlay over them, prints the
folios, points the contents and cross-chunk links at their pages and adds
bookmarks and metadata.

``one_document=True`` renders the whole book as one WeasyPrint document instead
(page numbers by ``target-counter()``, bookmarks by ``bookmark-level``): the
reference the tests hold the chunked book to, and the benchmark's baseline.
"""

from __future__ import annotations

import hashlib
import math
import multiprocessing
import multiprocessing.forkserver
import os
import select
import threading
import time
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from importlib import metadata as package_metadata
from pathlib import Path
from typing import Callable

import pikepdf
import weasyprint

from .. import indices
from .. import toc as toc_module
from ..cache import DISABLED, Cache
from ..cache import key as cache_key
from ..cover import date_span
from ..errors import WriteError
from ..log import logger
from ..model import Article, Edition, Section, TocEntry
from ..output import atomic_path, build_time, is_running, scratch_folder
from ..themes import Theme, load
from .pdf_merge import Metadata, Placement, merge
from .pdf_render import (
    TITLE_ANCHOR,
    Back,
    Divider,
    FolioType,
    Front,
    Overlay,
    Part,
    Placed,
    Rendered,
    render,
    render_folio,
    render_overlay,
)

#: Articles per chunk when the caller does not say: large enough that WeasyPrint's
#: fixed cost per document is small, small enough that memory stays low and that
#: several workers get several chunks each to balance their load.
MAX_CHUNK = 25
MIN_CHUNK = 8
#: Chunks the automatic size aims at: four each for four workers, so none idles at the end.
#: Not a number per worker: each chunk embeds its own font subsets, so the chunks
#: show in the book's bytes, which must not depend on the machine's cores.
CHUNKS_WANTED = 16
#: Overlay pages rendered together: pieces of a fixed size, not one per worker, for the same reason.
OVERLAY_PIECE = 32
#: Pages an article may take at most, for the width of the page-number stand-ins.
MAX_PAGES_PER_ARTICLE = 6
#: How many article authors the PDF metadata lists when the edition names no creator.
MAX_METADATA_AUTHORS = 12


def write_pdf(edition: Edition, path: str | os.PathLike[str], *, theme: str | Theme = "default",
              chunk_size: int | None = None, jobs: int | None = None,
              toc: tuple[TocEntry, ...] | None = None, one_document: bool = False,
              cache: Cache | None = None, tagged: bool = False) -> Path:
    """Write ``edition`` as an A5 PDF book at ``path`` and return the path.

    ``chunk_size`` is the number of articles rendered per WeasyPrint document
    (automatic when ``None``: it depends on the number of articles only), ``jobs``
    the number of worker processes (all cores when ``None``). The file appears
    whole or not at all; a full disk raises ``WriteError`` naming ``path``. With a
    ``cache``, chunks whose articles, theme and book did not change are not
    rendered again.

    The same edition, ``SOURCE_DATE_EPOCH`` and ``chunk_size`` give the same bytes
    whatever ``jobs``, the cache and the order the workers finish in. A different
    ``chunk_size`` gives the same pages but other bytes: each chunk embeds its own
    subsets of the fonts.

    ``tagged=True`` makes a tagged PDF (PDF/UA-1, WeasyPrint's ``pdf/ua-1``): a
    structure tree of headings, paragraphs, lists, figures with their alt text and
    links, the language and the title. It is rendered as one document, like
    ``one_document``: merging chunks keeps their pages but drops their structure
    trees, so a merged book would be untagged.

    Workers start from a fresh interpreter ("forkserver"), which imports the
    calling script again: a script that calls this at its top level must do so
    under ``if __name__ == "__main__":``, as with any process pool.
    """
    theme = theme if isinstance(theme, Theme) else load(theme)
    toc = toc if toc is not None else toc_module.build(edition)
    articles = edition.articles
    if not articles:
        raise WriteError("the edition has no articles: nothing to write", path)
    if chunk_size is not None and chunk_size < 1:
        raise WriteError(f"chunk_size must be at least 1, not {chunk_size}", path)
    if jobs is not None and jobs < 1:
        raise WriteError(f"jobs must be at least 1, not {jobs}", path)

    made = build_time()
    items = book_order(edition)
    matter = ({toc_module.FOREWORD} if edition.foreword else set()) | {indices.page_id(k) for k in edition.back_matter}
    anchors = frozenset(item.anchor if isinstance(item, Divider) else item.article.slug for item in items) | matter
    header = replace(edition, sections=())
    indexes = back_indexes(edition)
    dates = [a.date for a in articles if a.date]
    # The title page prints the day only; keeping the time out lets a rebuild reuse it.
    day = made.replace(hour=0, minute=0, second=0, microsecond=0)
    front = Front(header, toc, len(articles), date_span(min(dates, default=None), max(dates, default=None)), day)
    with atomic_path(path) as temp:
        if one_document or tagged:
            back = Back(indexes) if indexes else None
            render(Part(theme, header, items, front, anchors, True, _meta(edition, made), back, tagged=tagged), temp)
        else:
            size = chunk_size or automatic_chunk_size(len(articles))
            with scratch_folder(path) as folder:
                _write_chunked(theme, header, items, front, anchors, toc, _metadata(edition, made), size=size,
                               jobs=jobs or os.cpu_count() or 1, target=temp, folder=folder, indexes=indexes,
                               cache=cache or DISABLED)
    logger.info("PDF written: %s", path)
    return Path(path)


def back_indexes(edition: Edition) -> tuple[tuple[str, str, tuple], ...]:
    """The indexes the edition asks for, holding light copies of its articles (small to send)."""
    light = {a.slug: Article(title=a.title, body=(), slug=a.slug, date=a.date, url=a.url) for a in edition.articles}
    made = []
    for kind in edition.back_matter:
        entries = getattr(indices, kind)(edition)
        if kind == "sources":
            entries = tuple(light[a.slug] for a in entries)
        else:
            entries = tuple(replace(e, articles=tuple(light[a.slug] for a in e.articles)) for e in entries)
        made.append((kind, indices.TITLES[kind], entries))
    return tuple(made)


def book_order(edition: Edition) -> tuple[Divider | Placed, ...]:
    """Divider pages and articles in reading order, each at its depth in the contents tree."""
    ids = toc_module.section_ids(edition)
    items: list[Divider | Placed] = []

    def visit(sections: tuple[Section, ...], level: int) -> None:
        for section in sections:
            inner = level
            if section.title:
                items.append(Divider(ids[id(section)], section.title, level, sum(1 for _ in section.walk())))
                inner = level + 1
            items.extend(Placed(article, inner) for article in section.articles)
            visit(section.sections, inner)

    visit(edition.sections, 1)
    return tuple(items)


def automatic_chunk_size(article_count: int) -> int:
    """Articles per chunk: ``CHUNKS_WANTED`` chunks, within ``MIN_CHUNK``..``MAX_CHUNK`` articles each."""
    return max(MIN_CHUNK, min(MAX_CHUNK, math.ceil(article_count / CHUNKS_WANTED)))


def chunks_of(items: tuple[Divider | Placed, ...], size: int) -> list[tuple[Divider | Placed, ...]]:
    """Cut the book into runs of ``size`` articles; a divider goes with the article after it."""
    chunks: list[tuple[Divider | Placed, ...]] = []
    current: list[Divider | Placed] = []
    count = 0
    for item in items:
        if count == size:
            chunks.append(tuple(current))
            current, count = [], 0
        current.append(item)
        count += isinstance(item, Placed)
    if current:
        chunks.append(tuple(current))
    return chunks


def _write_chunked(theme: Theme, header: Edition, items, front: Front, anchors: frozenset[str],
                   toc: tuple[TocEntry, ...], metadata: Metadata, *, size: int, jobs: int, target: Path,
                   folder: Path, indexes: tuple, cache: Cache) -> None:
    """Render every part in parallel, then the page-number overlay, then merge.

    Folios are printed after merging rather than by WeasyPrint: a chunk's first
    folio depends on the length of every chunk before it, so WeasyPrint could
    only print them in a second full layout of each chunk, doubling the work. The
    pages' layout does not depend on their numbers, so stamping them is exact.
    """
    chunks = chunks_of(items, size)
    started = time.perf_counter()
    with _executor(jobs) as pool:
        try:
            book = _render_parts(pool, theme, header, chunks, front, anchors, folder, indexes, cache)
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    logger.info("PDF: %d chunks of up to %d articles and %d front pages rendered by %d workers in %.1f s",
                len(chunks), size, book.parts[0].page_count, jobs, time.perf_counter() - started)
    # The workers are gone before merging: the merge is the one step whose
    # memory grows with the book, so it runs alone.
    bare = {book.placements[TITLE_ANCHOR].page} | {book.placements[item.anchor].page
                                                   for item in items if isinstance(item, Divider)}
    started = time.perf_counter()
    merge([part.path for part in book.parts], target, bare=bare, anchors=book.placements, toc=toc,
          metadata=metadata, overlays=book.overlays, folio=book.folio)
    logger.info("PDF: %d pages merged in %.1f s", sum(p.page_count for p in book.parts),
                time.perf_counter() - started)


@dataclass(frozen=True, slots=True)
class _Book:
    """Every rendered part in book order (the front matter first), where each anchor landed, the overlays."""

    parts: list[Rendered]
    placements: dict[str, Placement]
    overlays: tuple[tuple[Path, tuple[int, ...]], ...]
    """Page-number overlay PDFs, each with the book page each of its pages goes over."""
    folio: FolioType | None
    """How the theme sets its folios; ``None`` when it prints none."""


def _render_parts(pool: Executor, theme: Theme, header: Edition, chunks, front: Front, anchors: frozenset[str],
                  folder: Path, indexes: tuple, cache: Cache) -> _Book:
    """Render the front matter, the chunks and the indexes at once; then the numbers the matter prints.

    Every part can be laid out without waiting for another: the contents and the
    indexes hold stand-ins as wide as the widest page number, and their numbers
    are set in an overlay once every page is known. Each part comes from the
    cache when it can.
    """
    renderer = _CachedRenderer(pool, cache, theme)
    digits = stand_in_digits(front.article_count)

    def matter(digits: int) -> list[Callable[[], Rendered]]:
        made = [renderer.submit(Part(theme, header, (), front, anchors, False, digits=digits), folder / "front.pdf")]
        if indexes:
            made.append(renderer.submit(Part(theme, header, (), None, anchors, False, back=Back(indexes),
                                             digits=digits), folder / "back.pdf"))
        return made

    # Longest first, so that the last parts to finish are short and no worker idles
    # long at the end: the front matter and indexes, then the chunks by their length.
    front_part, *back_part = matter(digits)
    folio = pool.submit(render_folio, theme, folder / "folio.pdf")
    pending: dict[int, Callable[[], Rendered]] = {}
    for n in sorted(range(len(chunks)), key=lambda n: -_weight(chunks[n])):
        pending[n] = renderer.submit(Part(theme, header, chunks[n], None, anchors, False),
                                     folder / f"chunk-{n:05d}.pdf")
    parts = [front_part(), *(pending[n]() for n in range(len(chunks))), *(result() for result in back_part)]
    while True:
        placements = _placements(parts)
        numbers = {anchor: str(place.page + 1) for anchor, place in placements.items()}
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
    return _Book(parts, placements, overlays, folio.result())


def _weight(chunk: tuple[Divider | Placed, ...]) -> int:
    """Roughly how long a chunk takes to lay out: the length of its articles' bodies."""
    return sum(len(repr(item.article.body)) for item in chunk if isinstance(item, Placed))


def stand_in_digits(article_count: int) -> int:
    """How many digits the page-number stand-ins hold: enough for a book of long articles."""
    return len(str(MAX_PAGES_PER_ARTICLE * article_count + 20))


def _render_overlay(renderer: _CachedRenderer, parts: list[Rendered], numbers: dict[str, str],
                    folder: Path) -> tuple[tuple[Path, tuple[int, ...]], ...]:
    """The numbers the parts' slots stand in for, as overlay PDFs, with the book page of each of their pages.

    The overlay is cut in pieces of ``OVERLAY_PIECE`` pages: it is the one render
    nothing else runs beside, so a long one is shared among the workers.
    """
    by_page: dict[int, list] = {}
    first = 0
    for part in parts:
        for slot in part.slots:
            if slot.anchor in numbers:
                by_page.setdefault(first + slot.page, []).append(slot)
        first += part.page_count
    targets = sorted(by_page)
    pieces = [tuple(targets[start:start + OVERLAY_PIECE]) for start in range(0, len(targets), OVERLAY_PIECE)]
    pending = [renderer.submit(Overlay(tuple((by_page[page][0].page_size,
                                              tuple((slot, numbers[slot.anchor]) for slot in by_page[page]))
                                             for page in piece)), folder / f"overlay-{n}.pdf")
               for n, piece in enumerate(pieces)]
    return tuple((result().path, piece) for result, piece in zip(pending, pieces))


class _CachedRenderer:
    """Submits parts to the pool unless the cache holds their PDF already.

    A part is keyed by its whole content (``repr`` of its frozen dataclasses: pickle's
    bytes depend on which equal strings happen to be one object) and by the theme's
    files, so a part is reused only when it would come out the same.
    """

    def __init__(self, pool: Executor, cache: Cache, theme: Theme) -> None:
        self.pool, self.cache = pool, cache
        self.fingerprint = theme_fingerprint(theme) if cache.enabled else ""
        self.hits = self.asked = 0

    def submit(self, part: Part | Overlay, out: Path) -> Callable[[], Rendered]:
        """Start rendering ``part`` into ``out``; call the result to wait for it."""
        self.asked += 1
        if isinstance(part, Overlay):
            content, task = repr(part), render_overlay
        else:
            # The anchor set is sorted: a frozenset's order changes with each process's hash seed.
            content, task = repr((replace(part, theme=None, anchors=frozenset()), sorted(part.anchors))), render
        entry = cache_key("pdf-part", self.fingerprint, content) if self.cache.enabled else ""
        stored = self.cache.get_object("pdf-parts", entry) if entry else None
        if stored is not None:
            self.hits += 1
            data, page_count, placed, slots = stored
            out.write_bytes(data)
            return lambda: Rendered(out, page_count, placed, slots)
        future = self.pool.submit(task, part, out)

        def result() -> Rendered:
            rendered = future.result()
            if entry:
                self.cache.put_object("pdf-parts", entry,
                                      (out.read_bytes(), rendered.page_count, rendered.anchors, rendered.slots))
            return rendered

        return result


def theme_fingerprint(theme: Theme) -> str:
    """A hash of every file of the theme and its ancestors: editing any of them renders again."""
    digest = hashlib.sha256()
    for name, file in theme.files():
        digest.update(name.encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()


def _placements(parts: list[Rendered]) -> dict[str, Placement]:
    """Where every anchor of ``parts``, the whole book in order, lands in it."""
    placements = {}
    first = 0
    for part in parts:
        for anchor, (page, x, y) in part.anchors.items():
            placements.setdefault(anchor, Placement(first + page, x, y))
        first += part.page_count
    return placements


class _InlineExecutor(Executor):
    """Runs each task at once in this process: for ``jobs=1``, no worker to start."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            future.set_exception(exc)
        return future


def _executor(jobs: int) -> Executor:
    if jobs == 1:
        return _InlineExecutor()
    # Workers are forked from a server process that has imported WeasyPrint once,
    # not from this one: they start at once and do not inherit the caller's memory
    # (the whole edition). Workers are not recycled (max_tasks_per_child): that
    # can hang Python 3.11's pool, and a worker's memory is freed after each chunk.
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
    """
    _worker_context()
    multiprocessing.forkserver.ensure_running()


def _worker_context():
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__.rpartition(".")[0] + ".pdf_render"])
    return context



def _authors(edition: Edition) -> list[str]:
    """The edition's creators, else its articles' authors in order of first appearance."""
    if edition.creators:
        return [creator.name for creator in edition.creators]
    seen = dict.fromkeys(name for article in edition.articles for name in article.authors)
    return list(seen)[:MAX_METADATA_AUTHORS]


def _metadata(edition: Edition, made) -> Metadata:
    version = package_metadata.version("deeplybook")
    return Metadata(
        title=edition.title,
        author=", ".join(_authors(edition)),
        subject=edition.description,
        language=edition.language,
        date=made.strftime("D:%Y%m%d%H%M%SZ"),
        producer=f"deeplybook {version} (WeasyPrint {weasyprint.__version__}, pikepdf {pikepdf.__version__})",
    )


def _meta(edition: Edition, made) -> tuple[tuple[str, str], ...]:
    """``<meta>`` pairs from which WeasyPrint writes the one-document PDF's metadata."""
    stamp = made.strftime("%Y-%m-%dT%H:%M:%SZ")
    pairs = [("author", name) for name in _authors(edition)]
    if edition.description:
        pairs.append(("description", edition.description))
    pairs += [("generator", "deeplybook"), ("dcterms.created", stamp), ("dcterms.modified", stamp)]
    return tuple(pairs)
