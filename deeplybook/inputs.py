"""Which input files a build may read, and how much of them: folders, special files, size and time limits.

Archived files are other people's: a symlink may point anywhere, a FIFO never ends,
a page may be a gigabyte. Every file a build reads (pages, pictures, stylesheets,
fonts, theme files) is resolved, symlinks included, and read only when it lies
under one of the folders the build was given and is a regular file.

The roots and the ``Limits`` travel as arguments, down to worker processes: they
are plain, picklable values, so a worker reads under the same rules as the build.
"""

from __future__ import annotations

import faulthandler
import functools
import os
import re
import signal
import stat
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

from .errors import DeeplybookError
from .log import logger

#: Files larger than this are not read unless the limit is raised.
DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024
#: A page whose reading takes longer than this many seconds is left out.
DEFAULT_PAGE_SECONDS = 120.0


class Refused(DeeplybookError):
    """A file that may not be read: outside the allowed folders, special, or too large.

    ``code`` is the warning code the refusal is reported under; ``reason`` is the
    message without the file's name.
    """

    def __init__(self, message: str, path: object | None = None, *, code: str = "file-refused") -> None:
        self.code = code
        self.reason = message
        super().__init__(message, path)


@dataclass(frozen=True, slots=True)
class Limits:
    """How much a build reads: the limits every reader honours. Picklable, for worker processes."""

    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    """A file larger than this is refused (``file-too-large``)."""
    page_seconds: float = DEFAULT_PAGE_SECONDS
    """Reading one file may take this long before it is abandoned (``read-timeout``)."""
    allow_remote: bool = False
    """Whether anything may be fetched over http(s); off unless the user asks."""


# --- sizes ------------------------------------------------------------------------------

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?)(b?)\s*$", re.IGNORECASE)
_POWERS = {"": 0, "k": 1, "m": 2, "g": 3, "t": 4}


def parse_size(text: str | int) -> int:
    """Bytes in ``200MB`` (powers of 1000), ``64MiB`` (powers of 1024) or a bare number; ``ValueError`` otherwise."""
    if isinstance(text, int) and not isinstance(text, bool):
        count = text
    else:
        match = _SIZE.match(str(text)) if isinstance(text, str) else None
        if match is None:
            raise ValueError(f"{text!r} is not a size like 200MB, 64MiB or 1000000")
        number, prefix, binary, _ = match.groups()
        if binary and not prefix:
            raise ValueError(f"{text!r} is not a size like 200MB, 64MiB or 1000000")
        count = int(float(number) * (1024 if binary else 1000) ** _POWERS[prefix.lower()])
    if count < 1:
        raise ValueError(f"{text!r}: a size must be at least one byte")
    return count


def format_size(count: int) -> str:
    """``count`` bytes for people: ``512 bytes``, ``3.2 KiB``, ``80.0 MiB``."""
    if count < 1024:
        return f"{count} bytes"
    size = float(count)
    for unit in ("KiB", "MiB", "GiB"):
        size /= 1024
        if size < 1024 or unit == "GiB":
            return f"{size:.1f} {unit}"
    raise AssertionError("unreachable: the last unit always returns")


# --- where a file lies --------------------------------------------------------------------


def roots_of(paths: Iterable[str | os.PathLike[str]]) -> tuple[str, ...]:
    """The files and folders a build was given, resolved: under them is what it may read."""
    return tuple(dict.fromkeys(str(Path(path).resolve()) for path in paths))


def within(path: str | os.PathLike[str], roots: Iterable[str | os.PathLike[str]]) -> Path:
    """``path`` resolved (symlinks followed), if it lies under one of ``roots``; ``Refused`` otherwise.

    Each root is resolved too, so a root reached through a symlink is still its own
    folder. A root may be a file: then only that file is allowed.
    """
    resolved = Path(path).resolve()
    allowed = _resolved_roots(roots if isinstance(roots, tuple) else tuple(roots))
    # The path's own folders looked up among the roots: a build given thousands of
    # files one by one checks each in a few steps, not against every root.
    if str(resolved) in allowed or any(str(folder) in allowed for folder in resolved.parents):
        return resolved
    raise Refused(f"lies outside the files and folders given to the build ({resolved}); not read", path)


@functools.lru_cache(maxsize=16)
def _resolved_roots(roots: tuple[str | os.PathLike[str], ...]) -> frozenset[str]:
    """The roots resolved, once for a build rather than once for every file it reads."""
    return frozenset(str(Path(root).resolve()) for root in roots)


def regular(path: str | os.PathLike[str]) -> os.stat_result:
    """The ``stat`` of ``path`` if it is a regular file; ``Refused`` for FIFOs, devices, sockets, folders."""
    try:
        info = os.stat(path)
    except FileNotFoundError as exc:
        raise Refused("is a broken link or has gone; not read", path) from exc
    except OSError as exc:
        raise Refused(f"cannot be opened: {exc.strerror}", path) from exc
    if not stat.S_ISREG(info.st_mode):
        raise Refused(f"is not a regular file ({_kind(info.st_mode)}); not read", path)
    return info


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a device"


def admit(path: str | os.PathLike[str], roots: Iterable[str | os.PathLike[str]], limits: Limits) -> Path:
    """``path`` resolved, if a build may read it: a regular file under ``roots`` within the size limit.

    Raises ``Refused`` (``file-refused`` or ``file-too-large``) naming ``path`` otherwise.
    Nothing is opened: special files are told by their ``stat``.
    """
    info = regular(path)
    resolved = within(path, roots)
    if info.st_size > limits.max_file_bytes:
        raise _too_large(path, info.st_size, limits)
    return resolved


def _too_large(path: object, size: int, limits: Limits) -> Refused:
    return Refused(f"is {format_size(size)}, over the {format_size(limits.max_file_bytes)} limit "
                   "(raise it with --max-file-size); not read", path, code="file-too-large")


def read_bytes(path: str | os.PathLike[str], roots: Iterable[str | os.PathLike[str]], limits: Limits) -> bytes:
    """The bytes of ``path`` if ``admit`` lets it be read; never more than the size limit."""
    resolved = admit(path, roots, limits)
    with _open_regular(resolved, path, follow=False) as handle:
        data = handle.read(limits.max_file_bytes + 1)
    if len(data) > limits.max_file_bytes:  # it grew since it was looked at
        raise _too_large(path, len(data), limits)
    return data


def head(path: str | os.PathLike[str], size: int) -> bytes:
    """The first ``size`` bytes of ``path``, opened so that a FIFO or device cannot block: ``Refused`` for those."""
    with _open_regular(path, path, follow=True) as handle:
        return handle.read(size)


def _open_regular(path: str | os.PathLike[str], named: object, *, follow: bool):
    # O_NONBLOCK: opening a FIFO would otherwise wait for a writer forever; the file
    # is then checked on its descriptor, so a swap after a stat cannot slip through.
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | (0 if follow else getattr(os, "O_NOFOLLOW", 0))
    try:
        descriptor = os.open(path, flags)
    except FileNotFoundError as exc:
        raise Refused("is a broken link or has gone; not read", named) from exc
    except OSError as exc:
        raise Refused(f"cannot be opened: {exc.strerror}", named) from exc
    mode = os.fstat(descriptor).st_mode
    if not stat.S_ISREG(mode):
        os.close(descriptor)
        raise Refused(f"is not a regular file ({_kind(mode)}); not read", named)
    os.set_blocking(descriptor, True)
    return os.fdopen(descriptor, "rb")


def walk(folder: str | os.PathLike[str], roots: Iterable[str | os.PathLike[str]],
         refused: Callable[[Refused], None]) -> Iterator[tuple[Path, list[str], list[str]]]:
    """``os.walk`` of ``folder`` in sorted order, safe on hostile trees.

    Symlinked folders are followed while they stay under ``roots`` (``refused`` is
    told of those that leave), and each real folder is entered once, so a link
    back up the tree ends instead of looping. A file reached through several links
    is listed once. The caller may prune the folder names it is given, as with
    ``os.walk``; files are listed, not checked: reading them checks them.
    """
    roots = tuple(roots)
    try:
        top = within(folder, roots)
    except Refused as exc:
        refused(exc)
        return
    real_of = {str(folder): top}
    entered = {top}
    files: set[Path] = set()
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=True):
        here = real_of.pop(dirpath)
        kept = []
        for name in sorted(dirnames):
            real = _real_child(Path(dirpath, name), here, roots, refused)
            if real is None or real in entered:
                continue
            entered.add(real)
            real_of[os.path.join(dirpath, name)] = real
            kept.append(name)
        dirnames[:] = kept
        listed = []
        for name in sorted(filenames):
            real = _real_file(Path(dirpath, name), here)
            if real not in files:
                files.add(real)
                listed.append(name)
        yield Path(dirpath), dirnames, listed


def _real_child(path: Path, parent: Path, roots: tuple, refused: Callable[[Refused], None]) -> Path | None:
    if not path.is_symlink():
        return parent / path.name
    try:
        return within(path, roots)
    except Refused as exc:
        refused(exc)
        return None


def _real_file(path: Path, parent: Path) -> Path:
    return path.resolve() if path.is_symlink() else parent / path.name


# --- how long a page may take --------------------------------------------------------------


class _Expired(BaseException):
    """Raised by the alarm in the reading code.

    Not an ``Exception``: a reader's or library's ``except Exception`` must not
    swallow it, and it is raised again every half second until it gets out.
    """


_AGAIN = 0.5


def _raise_expired(signum, frame) -> None:
    raise _Expired


@contextmanager
def reading(path: object, limits: Limits) -> Iterator[None]:
    """Bound the reading of one page: past ``limits.page_seconds`` it stops with ``Refused`` (``read-timeout``).

    An alarm interrupts the reading Python code (in the main thread of the process
    doing the read: the build's, or a worker's). Code stuck in C never sees the
    alarm; in a worker process, a watchdog that needs no Python then ends the
    worker a while later and says which page it was on (see ``watch_worker``).
    """
    watch = _WATCH
    if watch is not None and str(path) in watch.abandoned:
        code, message = watch.abandoned[str(path)]
        raise Refused(message, path, code=code)
    seconds = limits.page_seconds
    try:
        with _alarm_after(seconds), _watched(watch, path, seconds):
            yield
    except _Expired:
        raise Refused(f"reading took longer than {seconds:g} s; left out", path, code="read-timeout") from None


def next_page() -> None:
    """Give the page about to be read the whole time limit again, for a reader of a file of many pages (WARC).

    Does nothing outside ``reading``. A page that then runs over stops the whole
    file's reading, as one page would.
    """
    if not _running:
        return
    seconds = _running[-1]
    signal.setitimer(signal.ITIMER_REAL, seconds, _AGAIN)
    if _WATCH is not None:
        faulthandler.dump_traceback_later(_hard_seconds(seconds), exit=True, file=_WATCH.descriptor)


#: The time limits of the ``reading`` blocks running in this process, innermost last.
_running: list[float] = []


@contextmanager
def _alarm_after(seconds: float) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        logger.debug("no time limit on reading outside the main thread")
        yield
        return
    previous = signal.signal(signal.SIGALRM, _raise_expired)
    earlier, _ = signal.setitimer(signal.ITIMER_REAL, seconds, _AGAIN)
    started = time.monotonic()
    _running.append(seconds)
    try:
        yield
    finally:
        _running.pop()
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous if previous is not None else signal.SIG_DFL)
        if earlier:  # someone else's alarm was running: give it back what is left
            signal.setitimer(signal.ITIMER_REAL, max(earlier - (time.monotonic() - started), 0.001))


# --- worker processes: the watchdog for code stuck in C --------------------------------------


@dataclass(slots=True)
class _Watch:
    """A worker's note: the page it is reading, then what stopped it (faulthandler writes that)."""

    descriptor: int
    """The note file, one per worker process."""
    abandoned: dict[str, tuple[str, str]]
    """Pages an earlier worker was stopped on: path -> (warning code, message)."""


_WATCH: _Watch | None = None


def watch_worker(folder: str, abandoned: dict[str, tuple[str, str]]) -> None:
    """Make this process a watched reading worker, noting its work in ``folder``.

    Run by each worker process as it starts. ``abandoned`` lists pages that stopped
    an earlier worker: they are refused at once instead of being tried again.
    """
    global _WATCH
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0)
    descriptor = os.open(os.path.join(folder, f"{os.getpid()}.note"), flags, 0o600)
    faulthandler.enable(file=descriptor)  # a crash then says so in the note
    _WATCH = _Watch(descriptor, dict(abandoned))


def _hard_seconds(seconds: float) -> float:
    """How long a worker may stay past its alarm before the watchdog ends it."""
    return seconds + min(seconds, 30.0) + 1.0


@contextmanager
def _watched(watch: _Watch | None, path: object, seconds: float) -> Iterator[None]:
    if watch is None:
        yield
        return
    _note(watch.descriptor, f"{path}\n")
    faulthandler.dump_traceback_later(_hard_seconds(seconds), exit=True, file=watch.descriptor)
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()
        _note(watch.descriptor, "")


def _note(descriptor: int, text: str) -> None:
    os.lseek(descriptor, 0, os.SEEK_SET)
    os.ftruncate(descriptor, 0)
    if text:
        os.write(descriptor, text.encode("utf-8", "surrogateescape"))


@dataclass(frozen=True, slots=True)
class Stopped:
    """A page a worker was on when it stopped."""

    path: str
    """The page, as the reader named it."""
    how: str
    """``"timeout"`` (the watchdog ended it), ``"crash"`` (a fatal signal) or ``"unknown"``."""


def stopped_pages(folder: str) -> list[Stopped]:
    """What the workers' notes in ``folder`` say after the pool broke; the notes are removed."""
    found = []
    for note in sorted(Path(folder).glob("*.note")):
        text = note.read_bytes().decode("utf-8", "surrogateescape")
        note.unlink()
        path, _, after = text.partition("\n")
        if not path:
            continue
        how = "timeout" if "Timeout (" in after else "crash" if "Fatal Python error" in after else "unknown"
        found.append(Stopped(path, how))
    return found
