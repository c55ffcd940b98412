"""A content-addressed cache of read articles and rendered PDF chunks, so rebuilds redo only what changed.

Entries are named by a SHA-256 of everything that determines them: the input's
bytes, the options, and a fingerprint of deeplybook's own code, so a new version
never trusts an old entry. The cache lives in ``$DEEPLYBOOK_CACHE``, else
``$XDG_CACHE_HOME/deeplybook``, else ``~/.cache/deeplybook``.

Every entry is signed: an HMAC-SHA256 of its namespace, its name and its bytes under
a secret key, checked before anything is unpickled. The key is a file of 32 random
bytes made on first use, mode 0600, kept outside the cache folder (``key_path()``:
``$DEEPLYBOOK_CACHE_KEY``, else ``$XDG_CONFIG_HOME/deeplybook/cache-key``, else
``~/.config/deeplybook/cache-key``), so that a cache folder written by someone else,
or restored from elsewhere (a CI cache, a copy), cannot vouch for its own entries.
An entry that fails the check (edited, truncated, moved to another name, or signed
with another key) is a miss: it is rebuilt and the book is what an uncached build
makes. Whoever can read the key can forge entries; that is the user, who can also
edit deeplybook's code. Even a signed entry is unpickled only into the model's own
classes, dates, paths and plain containers.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import os
import pickle
import secrets
import shutil
import stat
import tempfile
from functools import lru_cache
from pathlib import Path

from .log import logger, warn

#: Opens (and versions) a signed entry: the marker, then the 32-byte tag, then the payload.
_MARKER = b"deeplybook-cache-1\n"
_TAG_BYTES = 32
_HEADER = len(_MARKER) + _TAG_BYTES
#: Bytes of a new key.
_KEY_BYTES = 32
#: The only builtins a cache entry may name.
_BUILTINS = frozenset({"set", "frozenset", "bytearray", "complex", "slice"})
#: Modules whose own classes an entry may name (besides deeplybook's).
_MODULES = frozenset({"datetime", "pathlib"})


def default_root() -> Path:
    """Where the cache lives unless told otherwise."""
    if os.environ.get("DEEPLYBOOK_CACHE"):
        return Path(os.environ["DEEPLYBOOK_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "deeplybook"


def key_path() -> Path:
    """Where the key that signs cache entries lives: never inside the cache folder."""
    if os.environ.get("DEEPLYBOOK_CACHE_KEY"):
        return Path(os.environ["DEEPLYBOOK_CACHE_KEY"])
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "deeplybook" / "cache-key"


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
    """A folder of signed entries in namespaces (``articles``, ``pdf-parts``)."""

    def __init__(self, root: str | os.PathLike[str] | None = None, *, enabled: bool = True,
                 key_file: str | os.PathLike[str] | None = None) -> None:
        self.root = Path(root) if root is not None else default_root()
        self.enabled = enabled
        self.key_file = Path(key_file) if key_file is not None else key_path()
        self.hits = 0
        self.misses = 0
        self._key: bytes | None = None
        self._damage_reported = False

    def _path(self, namespace: str, entry: str) -> Path:
        return self.root / namespace / entry[:2] / entry

    def get(self, namespace: str, entry: str) -> bytes | None:
        """The stored bytes if their signature holds, or ``None`` (a miss, or the cache is off)."""
        return self._count(self._verified(namespace, entry))

    def put(self, namespace: str, entry: str, data: bytes) -> None:
        """Store ``data`` signed; a failure to write only costs speed, so it is logged, not raised."""
        key = self._signing_key()
        if key is None:
            return
        target = self._path(namespace, entry)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".part-")
            with os.fdopen(fd, "wb") as handle:
                handle.write(_MARKER)
                handle.write(_sign(key, namespace, entry, data))
                handle.write(data)
            os.replace(temp, target)
        except OSError as exc:
            logger.debug("cache: cannot store %s/%s: %s", namespace, entry, exc)

    def get_object(self, namespace: str, entry: str):
        """A stored Python object, or ``None``."""
        data = self._verified(namespace, entry)
        if data is None:
            return self._count(None)
        try:
            return self._count(_EntryUnpickler(io.BytesIO(data)).load())
        except Exception as exc:  # our own entry, yet unreadable: a miss, never a failed build
            logger.debug("cache: entry %s/%s not loaded: %s", namespace, entry, exc)
            return self._count(None)

    def put_object(self, namespace: str, entry: str, value) -> None:
        """Store a Python object (the model's frozen dataclasses pickle cleanly)."""
        self.put(namespace, entry, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))

    def key_digest(self) -> str | None:
        """A SHA-256 of the signing key (made on first use), to check that other machines sign with it; ``None``: off."""
        key = self._signing_key()
        return hashlib.sha256(key).hexdigest() if key is not None else None

    def __getstate__(self) -> dict:
        # The key never travels with a task (a cluster's connections may be plain TCP):
        # a worker reads it from ``key_file`` itself (docs/cluster.md).
        return {**self.__dict__, "_key": None}

    def clear(self) -> None:
        """Remove every entry (the key, kept elsewhere, stays)."""
        shutil.rmtree(self.root, ignore_errors=True)

    def _verified(self, namespace: str, entry: str) -> bytes | None:
        """The entry's payload if it is there and its signature holds."""
        key = self._signing_key()
        if key is None:
            return None
        path = self._path(namespace, entry)
        data = _read_entry(path)
        if data is None:
            return None
        tag, payload = data[len(_MARKER):_HEADER], memoryview(data)[_HEADER:]
        if not data.startswith(_MARKER) or not hmac.compare_digest(tag, _sign(key, namespace, entry, payload)):
            self._report_damage(path)
            return None
        return data[_HEADER:]

    def _count(self, found):
        if self.enabled:
            if found is None:
                self.misses += 1
            else:
                self.hits += 1
        return found

    def _signing_key(self) -> bytes | None:
        """The key, read or made on first use; ``None`` turns the cache off (it is off, or no safe key)."""
        if self.enabled and self._key is None:
            self._key = _load_key(self.key_file)
            self.enabled = self._key is not None
        return self._key if self.enabled else None

    def _report_damage(self, path: Path) -> None:
        # A cache restored from elsewhere fails everywhere at once: one warning says it all.
        if self._damage_reported:
            logger.debug("cache: %s failed its integrity check; rebuilt", path)
            return
        self._damage_reported = True
        warn("cache-damaged", "failed its integrity check (edited, damaged or signed with another key); "
                              "rebuilt, as is any other entry like it", path)


def _sign(key: bytes, namespace: str, entry: str, payload: bytes | memoryview) -> bytes:
    """The entry's tag: its name is signed too, so a valid entry copied under another name fails."""
    mac = hmac.new(key, f"{namespace}/{entry}\0".encode(), hashlib.sha256)
    mac.update(payload)
    return mac.digest()


def _read_entry(path: Path) -> bytes | None:
    """The entry's bytes, if it is a regular file: a FIFO or a symlink planted in the cache is not opened."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            logger.debug("cache: %s is not a regular file; ignored", path)
            return None
        return handle.read()


def _load_key(path: Path) -> bytes | None:
    """The signing key in ``path``, made there if missing; ``None`` (cache off) if it is unsafe or unmakeable."""
    try:
        if not path.exists():
            _make_key(path)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(fd)
            key = handle.read()
    except OSError as exc:
        logger.info("cache off: no key at %s (%s)", path, exc.strerror or exc)
        return None
    if os.name == "posix" and (info.st_uid != os.getuid() or info.st_mode & 0o077):
        warn("cache-damaged", "the cache key is not yours alone (owner or mode); the cache is not used", path)
        return None
    if len(key) < 16 or not stat.S_ISREG(info.st_mode):
        warn("cache-damaged", "the cache key is too short to trust; the cache is not used", path)
        return None
    return key


def _make_key(path: Path) -> None:
    """Write a new random key at ``path``, mode 0600, whole or not at all; a key another build made first wins."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".cache-key-")  # mkstemp makes it 0600
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_bytes(_KEY_BYTES))
        try:
            os.link(temp, path)
        except FileExistsError:
            pass
    finally:
        os.unlink(temp)


class _EntryUnpickler(pickle.Unpickler):
    """Unpickles only classes entries hold: deeplybook's own, dates, paths and plain containers.

    A second wall behind the signature: even a forged entry cannot call ``os.system``.
    """

    def find_class(self, module: str, name: str):
        allowed = (module in _MODULES or module == "deeplybook" or module.startswith("deeplybook.")
                   or (module == "builtins" and name in _BUILTINS))
        # Checked before importing: naming a module to import is itself running code.
        if allowed and "." not in name:
            found = super().find_class(module, name)
            # A class the module only imported (subprocess.Popen in a deeplybook module) is not its own.
            if isinstance(found, type) and found.__module__ == module and not issubclass(found, BaseException):
                return found
        raise pickle.UnpicklingError(f"a cache entry may not hold {module}.{name}")


#: A cache that stores nothing, for callers that did not ask for one.
DISABLED = Cache(Path(os.devnull), enabled=False)
