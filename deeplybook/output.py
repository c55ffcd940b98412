"""Writing output safely and reproducibly: the build clock and atomic file replacement."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from .errors import WriteError


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


@contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path`` at once.

    On any error the temporary file is removed and ``path`` is left as it was, so a
    reader of the output folder never sees a half-written book.
    """
    target = Path(path)
    if target.is_dir():
        raise WriteError("is a folder, not a file name", target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteError(f"cannot create the folder: {exc.strerror}", target.parent) from exc
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    temp_path = Path(temp)
    try:
        yield temp_path
        os.chmod(temp_path, 0o644)
        os.replace(temp_path, target)
    except BaseException:
        temp_path.unlink(missing_ok=True)
        raise
