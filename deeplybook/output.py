"""Writing output: the formats and their file names, the build clock, atomic file replacement, temporaries."""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import io
import os
import re
import shutil
import socket
import tempfile
from collections.abc import Mapping
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Iterator, Sequence

from . import extensions
from .errors import DeeplybookError, WriteError
from .log import logger


class _Formats(Mapping[str, str]):
    """Format -> file suffix of every installed writer, looked up when first asked (writers import slowly)."""

    def _table(self) -> dict[str, str]:
        return {name: writer.suffix for name, writer in extensions.writers().items()}

    def __getitem__(self, name: str) -> str:
        return self._table()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._table())

    def __len__(self) -> int:
        return len(self._table())


#: Output formats and the file suffix each writes (``deeplybook.writers``).
FORMATS: Mapping[str, str] = _Formats()

#: What a user is told for the errors a full or refusing disk gives, by errno.
WRITE_PROBLEMS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EFBIG: "the file is larger than this system allows",
    errno.EROFS: "the disk is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EIO: "the disk failed",
}

#: A temporary's name: ``.NAME.PID-HOST.RANDOM.part`` (a file) or ``.parts`` (a folder).
_TEMPORARY = re.compile(r"^\..+\.(?P<pid>\d+)-(?P<host>[0-9a-f]{8})\.[a-z0-9_]+\.parts?$")


def output_paths(output: str | os.PathLike[str], formats: Sequence[str]) -> dict[str, Path]:
    """Where each format goes: ``book.epub`` as given, else ``OUTPUT`` + the suffix.

    ``OUTPUT`` may be an existing folder (the books are named ``book.*`` inside it).
    """
    check_formats(formats)
    out = Path(output)
    if out.is_dir():
        out = out / "book"
    if out.suffix in FORMATS.values() and len(formats) == 1 and FORMATS[formats[0]] == out.suffix:
        return {formats[0]: out}
    stem = out.with_suffix("") if out.suffix in FORMATS.values() else out
    return {f: stem.with_name(stem.name + FORMATS[f]) for f in formats}


def check_formats(formats: Sequence[str]) -> None:
    """Raise ``DeeplybookError`` naming the first of ``formats`` that is not known."""
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise DeeplybookError(f"unknown format {unknown[0]!r}; choose from {', '.join(FORMATS)}")


def stem(output: str | os.PathLike[str], name: str = "book") -> Path:
    """``output`` without a format's suffix; in an existing folder, the file ``name`` there."""
    path = Path(output)
    if path.is_dir():
        return path / name
    return path.with_suffix("") if path.suffix in FORMATS.values() else path


def book_paths(stem: Path, volume: int | None, formats: Sequence[str]) -> dict[str, Path]:
    """The files of one book: ``STEM.epub``..., or ``STEM-volN.epub``... for volume ``N``."""
    name = stem if volume is None else stem.with_name(f"{stem.name}-vol{volume}")
    return output_paths(name, formats)


def build_time() -> dt.datetime:
    """The time a build says it was made: ``SOURCE_DATE_EPOCH`` when set, else now (UTC).

    Only this clock may reach an output file, so the same input and the same
    ``SOURCE_DATE_EPOCH`` give byte-identical books.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
        except ValueError as exc:
            raise WriteError(f"SOURCE_DATE_EPOCH must be whole seconds, not {epoch!r}") from exc
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def write_error(exc: OSError, target: str | os.PathLike[str]) -> WriteError:
    """The one-line error for ``exc``, met while writing ``target``: it names the target, not a temporary."""
    reason = exc.strerror or str(exc)
    problem = WRITE_PROBLEMS.get(exc.errno or 0)
    if problem:
        return WriteError(f"{problem} ({reason})", target)
    where = f": {exc.filename}" if exc.filename and not _TEMPORARY.match(Path(exc.filename).name) else ""
    return WriteError(f"cannot be written ({reason}{where})", target)


@contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path`` at once.

    On any error the temporary file is removed and ``path`` is left as it was, so a
    reader of the output folder never sees a half-written book; an ``OSError`` (a
    full disk) becomes a ``WriteError`` naming ``path``. Temporaries that killed
    builds left in the folder are removed first.
    """
    target = Path(path)
    if target.is_dir():
        raise WriteError("is a folder, not a file name", target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteError(f"cannot create the folder: {exc.strerror}", target.parent) from exc
    remove_stale(target.parent)
    try:
        fd, temp = tempfile.mkstemp(prefix=_prefix(target), suffix=".part", dir=target.parent)
    except OSError as exc:
        raise write_error(exc, target) from exc
    os.close(fd)
    temp_path = Path(temp)
    try:
        yield temp_path
        os.chmod(temp_path, 0o644)
        # A disk that accepts writes lazily (NFS, a quota) reports a full disk here at the latest.
        _sync(temp_path)
        os.replace(temp_path, target)
    except OSError as exc:
        raise write_error(exc, target) from exc
    finally:
        temp_path.unlink(missing_ok=True)


@contextmanager
def scratch_folder(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a hidden folder beside ``path`` for a writer's intermediate files; it is removed on exit.

    Beside the book, not in the system's temporary folder: the book's own disk is
    the one that must hold it, and a later build finds the folder a killed build left.
    """
    target = Path(path)
    try:
        folder = Path(tempfile.mkdtemp(prefix=_prefix(target), suffix=".parts", dir=target.parent))
    except OSError as exc:
        raise write_error(exc, target) from exc
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def remove_stale(folder: str | os.PathLike[str]) -> list[Path]:
    """Remove the temporaries in ``folder`` whose build has ended without removing them (it was killed).

    A temporary's name holds its build's process id and machine, so those of a
    build still running, here or on another machine sharing the folder, are kept.
    """
    removed: list[Path] = []
    try:
        entries = list(Path(folder).iterdir())
    except OSError:
        return removed
    for entry in entries:
        match = _TEMPORARY.match(entry.name)
        if not match or match["host"] != _host() or is_running(int(match["pid"])):
            continue
        try:
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
        except OSError:
            continue  # another build removed it first, or it is not ours to remove
        logger.info("removed %s, left by a build that was stopped", entry)
        removed.append(entry)
    return removed


class GuardedFile(io.RawIOBase):
    """A file that C++ code (qpdf, through pikepdf) writes to: it never raises, it keeps the error.

    When a Python ``write`` or ``flush`` raises while pikepdf saves (a full disk),
    the exception crosses a C++ destructor and the process aborts (exit 134)
    instead of raising. So the first error is kept, later writes are dropped, and
    ``check`` raises the error once the C++ code has returned.
    """

    def __init__(self, file: io.BufferedIOBase) -> None:
        super().__init__()
        self.file = file
        self.error: OSError | None = None

    def writable(self) -> bool:
        """Always true: the stream takes writes even after an error (see the class docstring)."""
        return True

    def write(self, data) -> int:
        """Write ``data`` unless an error came before; keep the first error instead of raising it."""
        if self.error is None:
            try:
                self.file.write(data)
            except OSError as exc:
                self.error = exc
        return len(data)

    def flush(self) -> None:
        """Flush the file unless an error came before or it is closed; keep the error instead of raising it."""
        if self.error is None and not self.file.closed:
            try:
                self.file.flush()
            except OSError as exc:
                self.error = exc

    def check(self) -> None:
        """Raise the first error a write met, if any."""
        self.flush()
        if self.error is not None:
            raise self.error


def _prefix(target: Path) -> str:
    return f".{target.name}.{os.getpid()}-{_host()}."


@lru_cache(maxsize=1)
def _host() -> str:
    """This machine, short: temporaries of builds on other machines sharing a folder are not ours."""
    return hashlib.sha256(socket.gethostname().encode()).hexdigest()[:8]


def is_running(pid: int) -> bool:
    """Whether process ``pid`` runs on this machine (a zombie counts: its files may still be in use)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def _sync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
