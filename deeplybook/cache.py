"""A content-addressed cache of read articles and rendered PDF chunks, so rebuilds redo only what changed.

Entries are named by a SHA-256 of everything that determines them: the input's
bytes, the options, and a fingerprint of deeplybook's own code, so a new version
never trusts an old entry. The cache lives in ``$DEEPLYBOOK_CACHE``, else
``$XDG_CACHE_HOME/deeplybook``, else ``~/.cache/deeplybook``.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

from .log import logger


def default_root() -> Path:
    """Where the cache lives unless told otherwise."""
    if os.environ.get("DEEPLYBOOK_CACHE"):
        return Path(os.environ["DEEPLYBOOK_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "deeplybook"


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A hash of deeplybook's source: any change to the code makes new cache keys."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for source in sorted(package.rglob("*.py")):
        digest.update(str(source.relative_to(package)).encode())
        digest.update(source.read_bytes())
    return digest.hexdigest()


def key(*parts: bytes | str) -> str:
    """The cache key of ``parts`` (with the code fingerprint mixed in)."""
    digest = hashlib.sha256(code_fingerprint().encode())
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


class Cache:
    """A folder of entries in namespaces (``articles``, ``pdf-chunks``)."""

    def __init__(self, root: str | os.PathLike[str] | None = None, *, enabled: bool = True) -> None:
        self.root = Path(root) if root is not None else default_root()
        self.enabled = enabled
        self.hits = 0
        self.misses = 0

    def _path(self, namespace: str, entry: str) -> Path:
        return self.root / namespace / entry[:2] / entry

    def get(self, namespace: str, entry: str) -> bytes | None:
        """The stored bytes, or ``None`` (a miss, or the cache is off)."""
        if not self.enabled:
            return None
        try:
            data = self._path(namespace, entry).read_bytes()
        except OSError:
            self.misses += 1
            return None
        self.hits += 1
        return data

    def put(self, namespace: str, entry: str, data: bytes) -> None:
        """Store ``data``; a failure to write only costs speed, so it is logged, not raised."""
        if not self.enabled:
            return
        target = self._path(namespace, entry)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".part-")
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(temp, target)
        except OSError as exc:
            logger.debug("cache: cannot store %s/%s: %s", namespace, entry, exc)

    def get_object(self, namespace: str, entry: str):
        """A stored Python object, or ``None``."""
        data = self.get(namespace, entry)
        if data is None:
            return None
        try:
            return pickle.loads(data)
        except Exception:  # a damaged entry is a miss, never a failed build
            logger.debug("cache: damaged entry %s/%s ignored", namespace, entry)
            return None

    def put_object(self, namespace: str, entry: str, value) -> None:
        """Store a Python object (the model's frozen dataclasses pickle cleanly)."""
        self.put(namespace, entry, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))

    def clear(self) -> None:
        """Remove every entry."""
        shutil.rmtree(self.root, ignore_errors=True)


#: A cache that stores nothing, for callers that did not ask for one.
DISABLED = Cache(Path(os.devnull), enabled=False)
