"""Readers turn input files into ``Article`` objects; this module picks one for each file.

A reader is a module (or any object) with:

* ``NAME``: a short name users can force with ``--reader NAME``;
* ``sniff(path, head) -> int``: how sure it is (0 = not mine, 100 = certainly mine)
  that the file is its kind, given the path and the first 64 KiB of the file;
* ``read(path) -> list[Article]``: the articles in the file. It raises ``Skip`` for a
  file that is fine but holds no article (a listing page, a redirect stub), and
  ``ReadError`` for a file that is broken. A reader of a file of many items (a WARC)
  may return a list that also carries ``skipped`` and ``failed`` lists of
  (item, reason), which go into the ``ReadReport``;
* optionally ``claims_folder(path) -> bool`` and ``read_folder(path, report, *,
  cache, roots, limits)``: a reader that understands a whole folder layout (a site
  mirror) walks it itself, under the same rules (``deeplybook.inputs``).

Which files are read is decided here, not by the readers: a file is read only when
it is a regular file under the paths the build was given and within the size limit,
each page's reading is bounded in time, and a picture an article names is kept only
under the same rules (``file-refused``, ``file-too-large``, ``read-timeout``).

The read report and ``Skip`` live in ``report``; the cache and the checks on an
article's pictures in ``files``; both are re-exported here. A folder a reader walks
itself is read through ``manifest``: taken whole from the cache while ``stat`` finds
nothing under it changed.

Readers register under the entry-point group ``deeplybook.readers`` (docs/extending.md);
the built-in ones too, and are listed in ``BUILTIN`` so that a source checkout works
without installing.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Iterable, Iterator, Protocol, TypedDict, TypeGuard, cast

from .. import cache as cache_module
from .. import extensions, inputs
from ..errors import DeeplybookError, ReadError
from ..inputs import Limits, Refused
from ..log import logger, warn
from ..model import Article
from . import manifest, pool
from .files import contained, contained_blocks, through_cache
from .report import ReadReport, Skip

__all__ = [
    "BUILTIN", "FolderReader", "ReadReport", "Reader", "Skip", "available", "choose", "contained", "contained_blocks",
    "get", "read", "read_file", "read_file_cached", "through_cache",
]

#: Built-in readers: entry-point name -> module. Order breaks sniffing ties.
BUILTIN = {
    "newsdeeply": "deeplybook.readers.newsdeeply",
    "plaintext": "deeplybook.readers.plaintext",
    "generic": "deeplybook.readers.generic",
    "warc": "deeplybook.readers.warc",
    "frontmatter": "deeplybook.readers.frontmatter",
}

_HEAD_BYTES = 64 * 1024


class Reader(Protocol):
    """What a reader provides (see the module docstring)."""

    NAME: str

    def sniff(self, path: Path, head: bytes) -> int:
        """How sure the reader is that ``path`` is its kind, given its first 64 KiB ``head``: 0 not mine, 100 certainly mine."""

    def read(self, path: Path) -> list[Article]:
        """The articles in the file at ``path``; raises ``Skip`` for a file that holds none, ``ReadError`` for a broken one."""


class FolderReader(Reader, Protocol):
    """A reader that also walks a folder layout it understands (a site mirror)."""

    def claims_folder(self, path: Path) -> bool:
        """Whether ``path`` is a folder of a layout this reader walks itself (a site mirror)."""

    def read_folder(self, path: Path, report: ReadReport, *, cache: cache_module.Cache, roots: tuple[str, ...],
                    limits: Limits) -> Iterable[Article]:
        """The articles of the folder ``path``, read under the build's roots and limits; what is passed over goes to ``report``."""


class _Rules(TypedDict):
    """What every file of a build is read under, handed on to the reader of a folder too."""

    cache: cache_module.Cache
    roots: tuple[str, ...]
    limits: Limits


def available() -> dict[str, Reader]:
    """All readers by name: the built-ins, then any registered by other packages, sorted by name."""
    return dict(_registered())


@functools.lru_cache(maxsize=1)
def _registered() -> dict[str, Reader]:
    # Scanning entry points costs milliseconds; readers are looked up once a file.
    found = extensions.registered("deeplybook.readers", BUILTIN)
    return {name: reader for name, reader in found.items() if _usable(reader, name)}


def _usable(reader: object, name: str) -> TypeGuard[Reader]:
    # A registered object without sniff() or read() would fail in the middle of a build.
    if callable(getattr(reader, "sniff", None)) and callable(getattr(reader, "read", None)):
        return True
    warn("extension-broken", f"deeplybook.readers {name!r} has no sniff() or read(); left out")
    return False


def get(name: str) -> Reader:
    """The reader called ``name``; ``DeeplybookError`` listing the choices otherwise."""
    readers = available()
    if name not in readers:
        raise DeeplybookError(f"unknown reader {name!r}; choose from {', '.join(sorted(readers))}")
    return readers[name]


def choose(path: Path) -> Reader | None:
    """The reader most sure it can read ``path``, or ``None``; ``Refused`` for a FIFO or device."""
    return _choice(path)[0]


def _choice(path: Path) -> tuple[Reader | None, str]:
    """The reader most sure it can read ``path``, and why: its sniff score, and the runner-up's."""
    head = inputs.head(path, _HEAD_BYTES)
    scores = sorted(((reader.sniff(path, head), order, name, reader)
                     for order, (name, reader) in enumerate(available().items())),
                    key=lambda entry: (-entry[0], entry[1]))  # ties go to the reader listed first
    scores = [entry for entry in scores if entry[0] > 0]
    if not scores:
        return None, "no reader's sniff score is above 0"
    why = f"sniff score {scores[0][0]}"
    if len(scores) > 1:
        why += f"; next {scores[1][2]} at {scores[1][0]}"
    return scores[0][3], why


def read_file(path: Path, reader: Reader | None = None) -> list[Article]:
    """Read one file with ``reader`` or the one chosen for it.

    Raises ``Skip`` when the file holds no article and ``ReadError`` when it is broken.
    """
    path = Path(path)
    try:
        # Choosing is inside: a reader's sniff() that trips on a file fails that file only.
        chosen, why = (reader, "forced by --reader") if reader is not None else _choice(path)
        if chosen is None:
            raise Skip("no reader recognises this file")
        logger.debug("%s: read by the %s reader (%s)", path, getattr(chosen, "NAME", chosen), why)
        return chosen.read(path)
    except (Skip, DeeplybookError):
        raise
    except Exception as exc:  # noqa: BLE001 - whatever a malformed file makes a reader fail with is that file's
        raise ReadError(f"cannot be read: {exc}" if isinstance(exc, (OSError, UnicodeDecodeError, ValueError))
                        else f"cannot be read ({type(exc).__name__}: {exc})", path) from exc


def read_file_cached(path: Path, reader: Reader | None, cache: cache_module.Cache) -> list[Article]:
    """``read_file`` through the cache: an unchanged file is not parsed again."""
    if not cache.enabled:
        return read_file(path, reader)
    parts = (getattr(reader, "NAME", "auto"), str(path), Path(path).read_bytes())
    return through_cache(cache, parts, lambda: read_file(path, reader))


def read(
    paths: Iterable[str | os.PathLike[str]],
    *,
    reader: str | None = None,
    report: ReadReport | None = None,
    cache: cache_module.Cache | None = None,
    limits: Limits | None = None,
) -> Iterator[Article]:
    """Read files and folders into articles, one at a time.

    Folders are walked in sorted order; a folder that a reader claims (a site mirror)
    is walked by that reader. A broken file is reported and warned about and the
    others go on; a missing path is an error at once. With a ``cache``, files that
    did not change since an earlier read are not parsed again.

    Only files under ``paths`` are read (a symlink leading elsewhere is refused), and
    only as much as ``limits`` allows: see ``deeplybook.inputs``.
    """
    report = report if report is not None else ReadReport()
    cache = cache if cache is not None else cache_module.DISABLED
    limits = limits if limits is not None else Limits()
    given = [Path(raw) for raw in paths]
    roots = inputs.roots_of(given)
    forced = get(reader) if reader else None
    files: list[Path] = []
    rules: _Rules = {"cache": cache, "roots": roots, "limits": limits}
    for path in given:
        if not path.exists():
            raise ReadError("no such file or folder", path)
        claimant = _claimant(path, forced) if path.is_dir() else None
        if claimant is not None:
            yield from _read_files(files, reader, report, **rules)
            files = []
            logger.debug("%s: walked by the %s reader (%s)", path, getattr(claimant, "NAME", claimant),
                         "forced by --reader" if forced else "it recognises the folder's layout")
            # Through the folder's manifest: an unchanged mirror is not walked page by page.
            yield from manifest.read_folder(claimant, path, report, **rules)
        elif path.is_dir():
            files.extend(_walk(path, roots, report))
        else:
            files.append(path)
    yield from _read_files(files, reader, report, **rules)


def _claimant(folder: Path, forced: Reader | None) -> FolderReader | None:
    """The reader that walks ``folder`` itself (a site mirror), if any."""
    for candidate in [forced] if forced else available().values():
        claims = getattr(candidate, "claims_folder", None)
        if claims is not None and claims(folder):
            # A reader that claims folders has read_folder() too (the module docstring).
            return cast(FolderReader, candidate)
    return None


def _walk(folder: Path, roots: tuple[str, ...], report: ReadReport) -> Iterator[Path]:
    for dirpath, _, filenames in inputs.walk(folder, roots, report.refuse):
        for name in filenames:
            if not name.startswith("."):
                yield dirpath / name


def _read_files(files: list[Path], reader: str | None, report: ReadReport, *, cache: cache_module.Cache,
                roots: tuple[str, ...], limits: Limits) -> Iterator[Article]:
    # Workers get the reader's name, not the module: modules do not pickle.
    task = functools.partial(_read_one, reader=reader, cache=cache, roots=roots, limits=limits)
    yield from pool.run(task, files, report)


def _read_one(path: Path, report: ReadReport, *, reader: str | None, cache: cache_module.Cache,
              roots: tuple[str, ...], limits: Limits) -> list[Article]:
    try:
        with inputs.reading(path, limits):
            inputs.admit(path, roots, limits)
            found = read_file_cached(path, get(reader) if reader else None, cache)
            articles = [contained(article, roots, limits) for article in found]
    except Refused as refused:
        report.refuse(refused)
        return []
    except Skip as why:
        report.skip(path, str(why))
        return []
    except ReadError as exc:
        report.fail(path, str(exc).removeprefix(f"{path}: "))
        return []
    report.read += 1
    report.articles += len(articles)
    for record, reason in getattr(found, "skipped", ()):  # an archive's records that gave no article
        report.skip(record, reason)
    report.failed.extend(getattr(found, "failed", ()))  # warned about already, by the archive's reader
    return articles
