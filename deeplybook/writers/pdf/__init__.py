"""PDF writer: the book plan rendered by WeasyPrint in bounded chunks on several cores, then merged.

One WeasyPrint document for a whole archive does not scale: it holds every page
in memory, its time grows faster than the page count, and ``target-counter()``
numbers go wrong once the contents pushes the pages after it. So the book is cut
into chunks of articles with their section openers (``plan``), each rendered in a
worker process into its own PDF (``parallel``, ``render``), alongside the title page
and contents and the indexes, whose page numbers are laid out as invisible
stand-ins. When every piece is rendered the real numbers are set in an overlay at
the stand-ins' places (``anchors``); pikepdf then concatenates the pieces, lays the
overlay over them, prints the folios, points the contents and cross-chunk links at
their pages and adds bookmarks and metadata (``merge``).

``one_document=True`` renders the whole book as one WeasyPrint document instead
(page numbers by ``target-counter()``, bookmarks by ``bookmark-level``): the
reference the tests hold the chunked book to, and the benchmark's baseline.
"""

from __future__ import annotations

import hashlib
import io
import os
import time
from dataclasses import replace
from importlib import metadata as package_metadata
from pathlib import Path

import pikepdf
import weasyprint
from PIL import Image, UnidentifiedImageError

from ... import executors
from ...bookplan import ARTICLE, COVER, IMPRINT, SECTION, TITLE, BookPlan
from ...bookplan import plan as plan_book
from ...cache import DISABLED, Cache
from ...cover import A5_SIZE, faces_from_css, make_cover
from ...errors import WriteError
from ...log import logger
from ...model import Edition
from ...output import atomic_path, build_time, scratch_folder
from ...press import PrintOptions, is_interior, page_rules
from ...themes import Theme, load
from .merge import Metadata, merge
from .parallel import executor, render_book, start_workers, theme_fingerprint
from .plan import CoverPicture, Piece, automatic_chunk_size, back_matter, bare, body, chunks_of, front_matter
from .render import render

__all__ = ["automatic_chunk_size", "chunks_of", "start_workers", "theme_fingerprint", "write_pdf"]

#: Pages that carry no folio: the cover, the title page and its imprint, the section openers
#: and the page each article opens on (the theme's ``@page :nth(1 of article)`` in one document).
UNNUMBERED = (COVER, TITLE, IMPRINT, SECTION, ARTICLE)


def write_pdf(edition: Edition, path: str | os.PathLike[str], *, theme: str | Theme = "default",
              chunk_size: int | None = None, jobs: int | None = None, plan: BookPlan | None = None,
              one_document: bool = False, cache: Cache | None = None, tagged: bool = False,
              printing: PrintOptions | None = None) -> Path:
    """Write ``edition`` as an A5 PDF book at ``path`` and return the path.

    ``plan`` is the edition's book plan when the caller has made it already.
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

    ``printing`` (``[print]``) sets the pages' trim size, bleed and crop marks after
    the theme's CSS, and may ask for a PDF variant (PDF/A-3b, PDF/X...), rendered as
    one document for the same reason as a tagged one. The cover spread is written
    by ``printing.write_spread`` from the finished book.

    Workers start from a fresh interpreter ("forkserver"), which imports the
    calling script again: a script that calls this at its top level must do so
    under ``if __name__ == "__main__":``, as with any process pool.
    """
    theme = theme if isinstance(theme, Theme) else load(theme)
    printing = printing or PrintOptions()
    if page_rules(printing):
        theme = replace(theme, print_css=page_rules(printing))
    plan = plan if plan is not None else plan_book(edition, say=theme.words(edition.language))
    if not plan.articles:
        raise WriteError("the edition has no articles: nothing to write", path)
    if chunk_size is not None and chunk_size < 1:
        raise WriteError(f"chunk_size must be at least 1, not {chunk_size}", path)
    if jobs is not None and jobs < 1:
        raise WriteError(f"jobs must be at least 1, not {jobs}", path)

    made = build_time()
    anchors = plan.anchors
    with atomic_path(path) as temp, scratch_folder(path) as folder:
        # The imprint prints the day only; keeping the time out lets a rebuild reuse the front matter.
        front = front_matter(plan, made.replace(hour=0, minute=0, second=0, microsecond=0),
                             None if is_interior(printing) else _cover(theme, plan, folder))
        if one_document or tagged or printing.variant:
            render(Piece(theme, bare(edition), body(plan), front, anchors, True, _meta(edition, made),
                         back_matter(plan), tagged=tagged, variant=printing.variant), temp)
        else:
            _write_chunked(theme, plan, front, anchors, _metadata(edition, made),
                           size=chunk_size or automatic_chunk_size(len(plan.articles)),
                           jobs=jobs or os.cpu_count() or 1, target=temp, folder=folder, cache=cache or DISABLED)
    logger.info("PDF written: %s", path)
    return Path(path)


def _write_chunked(theme: Theme, plan: BookPlan, front, anchors: frozenset[str], metadata: Metadata, *,
                   size: int, jobs: int, target: Path, folder: Path, cache: Cache) -> None:
    """Render every piece in parallel, then the page-number overlay, then merge.

    Folios are printed after merging rather than by WeasyPrint: a chunk's first
    folio depends on the length of every chunk before it, so WeasyPrint could
    only print them in a second full layout of each chunk, doubling the work. The
    pages' layout does not depend on their numbers, so stamping them is exact.
    """
    chunks = chunks_of(body(plan), size)
    started = time.perf_counter()
    engine = executors.current()
    with engine.pool(lambda: executor(jobs)) as pool:
        try:
            book = render_book(pool, theme, front.edition, chunks, front, anchors, folder, back_matter(plan), cache)
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    logger.info("PDF: %d chunks of up to %d articles and %d front pages rendered by %d workers in %.1f s",
                len(chunks), size, book.parts[0].page_count, engine.workers if engine.distributed else jobs,
                time.perf_counter() - started)
    # The workers are gone before merging: the merge is the one step whose
    # memory grows with the book, so it runs alone.
    unnumbered = {book.placements[p.anchor].page for p in plan.having(*UNNUMBERED) if p.anchor in book.placements}
    started = time.perf_counter()
    merge([part.path for part in book.parts], target, bare=unnumbered, anchors=book.placements, toc=plan.toc,
          metadata=metadata, overlays=book.overlays, folio=book.folio, places=book.pages)
    logger.info("PDF: %d pages merged in %.1f s", sum(p.page_count for p in book.parts),
                time.perf_counter() - started)


def _cover(theme: Theme, plan: BookPlan, folder: Path) -> CoverPicture:
    """The cover page's picture: the edition's own, or one made in the theme's fonts to the page's A5 shape."""
    edition = plan.edition
    if edition.cover:
        try:
            data = Path(edition.cover).read_bytes()
            with Image.open(io.BytesIO(data)) as picture:
                picture.verify()
        except (OSError, UnidentifiedImageError) as exc:
            raise WriteError(f"the cover image cannot be read: {exc}", edition.cover) from exc
        return CoverPicture(hashlib.sha256(data).hexdigest(), False, str(Path(edition.cover).resolve()))
    faces = faces_from_css(theme.css("common.css") + "\n" + theme.css("pdf.css"), theme.font)
    data = make_cover(edition.title, edition.subtitle, plan.span, edition.publisher, faces=faces, size=A5_SIZE)
    digest = hashlib.sha256(data).hexdigest()
    return CoverPicture(digest, True, str(_cover_file(data, digest, folder)))


def _cover_file(data: bytes, digest: str, scratch: Path) -> Path:
    """A file holding the generated cover, in the build's scratch folder.

    Its place does not reach the book: the pages name a picture by its content
    (``render.picture_address``).
    """
    made = scratch / f"cover-{digest[:16]}.png"
    made.write_bytes(data)
    return made


def _authors(edition: Edition) -> list[str]:
    """Who the PDF names as its author: the edition's creators, else its publisher.

    Never the articles' authors: a book of many hands is its editors' or its
    publisher's, and the first dozen bylines credit a dozen people out of hundreds.
    """
    if edition.creators:
        return [creator.name for creator in edition.creators]
    return [edition.publisher] if edition.publisher else []


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
