"""A folder's whole read kept in the cache, used again while no file under the folder has changed.

A warm read of a site mirror through the article cache still opens every page,
hashes its bytes for the key and unpickles one entry a page: tens of seconds for
thousands of pages. Here a folder a reader walks itself (``read_folder``) is read
once, and its articles, what its report recorded and the warnings it gave are
stored as one entry (namespace ``folders``), beside the *stat signature* of the
folder: for every entry under it, in sorted order, its path, type, size,
modification and change times (nanoseconds), inode and device, and for a symlink
where it leads. A later read walks the folder with ``stat`` alone, and when the
signature is the stored one it returns the stored read without opening a page.
Any difference (a page edited, added, removed, renamed, touched, swapped for a
symlink) makes a full read, which goes through the per-page cache, so only the
pages that changed are parsed; the new read replaces the entry. When fewer than
``pool.POOL_THRESHOLD`` entries differ, that read is made in this process: taking
the other pages from the per-page cache costs less than a pool of workers sending
every article back.

The trade-off: a page rewritten with other bytes but the same size, modification
time, change time and inode is taken as unchanged. Every write changes a file's
change time (``ctime``), which no user call can set back, so that takes changing
the system clock or writing the disk underneath the file system; ``--no-cache``
reads every page whatever the signature says.

What the read depends on beyond the folder is checked too: the files beside it
named after it (HTTrack's ``syria.html`` beside ``syria/``) are in the signature,
and each picture file an article names must still be the file it was (same real
path, inode, size and times), or the read is made again. Like the per-page cache, a picture outside the
folder that was missing at the first read and appears later is not looked for
again until something under the folder changes.

A read that met a page over its time limit or a worker that stopped is not
stored: those pages are tried again next time. The entry is signed and unpickled
only into the model's classes, like every cache entry (``deeplybook.cache``); its
key holds the code fingerprint, the reader, the folder, the roots and the limits,
so another build's rules never share it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
from pathlib import Path
from typing import Iterable, Protocol, TypeGuard

from .. import cache as cache_module
from ..inputs import Limits
from ..log import counting_warnings, logger
from ..model import Article, Figure
from . import pool
from .report import ReadReport

#: The cache namespace of whole-folder reads.
NAMESPACE = "folders"


class _FolderReader(Protocol):
    NAME: str

    def read_folder(self, path: Path, report: ReadReport, *, cache: cache_module.Cache, roots: tuple[str, ...],
                    limits: Limits) -> Iterable[Article]: ...


def read_folder(reader: _FolderReader, folder: Path, report: ReadReport, *, cache: cache_module.Cache,
                roots: tuple[str, ...], limits: Limits) -> list[Article]:
    """``reader.read_folder``'s articles, from the cache when nothing under ``folder`` changed since it was stored.

    ``report`` and the log receive what the read recorded and warned, whether it was
    made now or taken from the cache.
    """
    if not cache.enabled:
        return list(reader.read_folder(folder, report, cache=cache, roots=roots, limits=limits))
    entry = cache_module.key("folder-read", getattr(reader, "NAME", type(reader).__name__), str(folder),
                             "\0".join(roots), repr(limits))
    # Taken before reading: a page changed while it is read leaves a signature that no longer holds.
    lines = folder_entries(folder, roots)
    signature = _digest(lines)
    stored = cache.get_object(NAMESPACE, entry)
    if _still_valid(stored, signature):
        _, articles, skipped, failed, read, counted, warnings, _, _ = stored
        _replay(report, skipped, failed, read, counted, warnings)
        return list(articles)
    # A few files changed since the stored read: the others' pages are in the per-page
    # cache, and taking them from it here costs a third of what a pool of workers does.
    few = _is_read(stored) and len(set(lines).difference(stored[8])) < pool.POOL_THRESHOLD
    fresh = ReadReport()
    with counting_warnings() as warned, (pool.in_process() if few else contextlib.nullcontext()):
        articles = list(reader.read_folder(folder, fresh, cache=cache, roots=roots, limits=limits))
    _merge(report, fresh)
    if not _transient(warned.records):
        cache.put_object(NAMESPACE, entry, (signature, tuple(articles), tuple(fresh.skipped), tuple(fresh.failed),
                                            fresh.read, fresh.articles, tuple(warned.records),
                                            pictures_signature(articles), tuple(lines)))
    return articles


def _transient(warnings: list[tuple[str, str]]) -> bool:
    """Whether the read met what may not happen again (a page over its time limit, a worker that stopped).

    Such a read is not stored: the next one tries those pages again, as the per-page cache does.
    """
    return any(code == "read-timeout" or "worker process" in message for code, message in warnings)


def _is_read(stored: object) -> TypeGuard[tuple]:
    """Whether ``stored`` is a folder's read as ``read_folder`` stores it."""
    return isinstance(stored, tuple) and len(stored) == 9


def _still_valid(stored: object, signature: str) -> bool:
    """Whether a stored read answers for the folder as it is now: same signature, pictures unchanged."""
    if not _is_read(stored) or stored[0] != signature:
        return False
    return pictures_signature(stored[1]) == stored[7]


def _replay(report: ReadReport, skipped, failed, read: int, counted: int, warnings) -> None:
    """Tell ``report`` and the log what the stored read recorded, as if it had been made now."""
    for path, reason in skipped:
        logger.debug("%s: skipped: %s", path, reason)
    report.skipped.extend(skipped)
    report.failed.extend(failed)
    report.read += read
    report.articles += counted
    for code, message in warnings:
        logger.warning("%s", message, extra={"code": code})


def _merge(report: ReadReport, fresh: ReadReport) -> None:
    report.skipped.extend(fresh.skipped)
    report.failed.extend(fresh.failed)
    report.read += fresh.read
    report.articles += fresh.articles


def folder_signature(folder: Path, roots: tuple[str, ...]) -> str:
    """A hash of what ``stat`` says of every entry under ``folder``: the same while no file changed."""
    return _digest(folder_entries(folder, roots))


def folder_entries(folder: Path, roots: tuple[str, ...]) -> list[str]:
    """One line for each entry under ``folder``: its path and what ``stat`` says of it (of a symlink, where it leads).

    Symlinked folders that stay under ``roots`` are walked where they lead (the
    reader follows them too); each real folder once, so a loop ends.
    """
    top = os.path.realpath(folder)
    lines = [f"{os.fspath(folder)}\0{top}", *_namesakes(Path(folder))]
    _sign_folder(os.fspath(folder), top, tuple(os.path.realpath(root) for root in roots), {top}, lines)
    return lines


def _namesakes(folder: Path) -> list[str]:
    """The files beside ``folder`` named after it (``syria.html`` beside ``syria/``), which a reader may consult.

    HTTrack's page for a site lies beside the site's folder, and the News Deeply
    reader takes pictures from the mirror around a site folder given alone only
    while it is there.
    """
    beside = folder.absolute().parent
    try:
        with os.scandir(beside) as listing:
            found = sorted((entry for entry in listing if entry.name.startswith(f"{folder.name}.")),
                           key=lambda entry: entry.name)
            return [f"{entry.path}\0{_stat_line(entry.stat(follow_symlinks=False))}" for entry in found]
    except OSError as exc:
        return [f"!{beside}\0{exc.errno}"]


def _digest(lines: list[str]) -> str:
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def _sign_folder(path: str, real: str, roots: tuple[str, ...], entered: set[str], lines: list[str]) -> None:
    try:
        with os.scandir(path) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except OSError as exc:  # the reader meets the same error and reports it; the signature only notes it
        lines.append(f"!{path}\0{exc.errno}")
        return
    for entry in entries:
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError as exc:
            lines.append(f"!{entry.path}\0{exc.errno}")
            continue
        if stat.S_ISLNK(info.st_mode):
            _sign_link(entry.path, info, roots, entered, lines)
            continue
        lines.append(f"{entry.path}\0{_stat_line(info)}")
        inner = os.path.join(real, entry.name)
        if stat.S_ISDIR(info.st_mode) and inner not in entered:
            entered.add(inner)
            _sign_folder(entry.path, inner, roots, entered, lines)


def _sign_link(path: str, info: os.stat_result, roots: tuple[str, ...], entered: set[str], lines: list[str]) -> None:
    """A symlink's target as written and as resolved, and what lies there (walked if a folder under ``roots``)."""
    target = os.path.realpath(path)
    written = f"{path}\0{_stat_line(info)}\0{os.readlink(path)}\0{target}"
    try:
        followed = os.stat(path)
    except OSError as exc:
        lines.append(f"{written}\0!{exc.errno}")
        return
    lines.append(f"{written}\0{_stat_line(followed)}")
    inside = any(target == root or target.startswith(root.rstrip(os.sep) + os.sep) for root in roots)
    if stat.S_ISDIR(followed.st_mode) and inside and target not in entered:
        entered.add(target)
        _sign_folder(path, target, roots, entered, lines)


def _stat_line(info: os.stat_result) -> str:
    return (f"{info.st_mode:o}\0{info.st_size}\0{info.st_mtime_ns}\0{info.st_ctime_ns}\0{info.st_ino}\0"
            f"{info.st_dev}")


def pictures_signature(articles: Iterable[Article]) -> tuple[tuple[str, str], ...]:
    """For each picture file the articles name: its path and what ``stat`` says of it, with its real path."""
    signed = []
    for article in articles:
        figures = [article.lead] if article.lead is not None else []
        figures.extend(block for block in article.body if isinstance(block, Figure))
        for figure in figures:
            path = figure.image.path if figure.image is not None else None
            if path:
                signed.append((path, file_signature(path)))
    return tuple(signed)


def file_signature(path: str) -> str:
    """What ``stat`` says of the file at ``path``, with its real path: the same while the file was not changed."""
    try:
        return f"{os.path.realpath(path)}\0{_stat_line(os.stat(path))}"
    except OSError as exc:
        return f"!{exc.errno}"
