"""Find readers, writers and themes registered under the ``deeplybook.*`` entry-point groups.

The built-in ones are registered the same way (pyproject.toml); a third-party
package adds one by installing it. A source checkout that was never installed has
no entry points, so each group also names its built-ins, loaded directly then.
"""

from __future__ import annotations

import functools
import importlib
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol, TypeGuard

from .log import logger, warn


def registered(group: str, builtin: dict[str, str]) -> dict[str, object]:
    """Everything registered in ``group``: the built-ins in ``builtin``'s order, then others by name.

    ``builtin`` maps a name to ``module`` or ``module:attribute``. A built-in whose
    optional dependency is missing is left out quietly; another package's entry point
    that cannot be loaded is left out with an ``extension-broken`` warning.
    """
    points = {ep.name: ep for ep in metadata.entry_points(group=group)}
    found: dict[str, object] = {}
    for name, target in builtin.items():
        try:
            found[name] = _load(target)
        except ImportError:
            logger.debug("%s %s unavailable", group, name, exc_info=True)
    for name in sorted(set(points) - set(builtin)):  # sorted: sniffing ties break the same way everywhere
        try:
            found[name] = points[name].load()
        except Exception as exc:  # noqa: BLE001 - another package's import may fail in any way
            warn("extension-broken", f"{group} {name!r} ({points[name].value}) cannot be loaded: "
                                     f"{type(exc).__name__}: {exc}; left out")
    return found


#: Built-in writers: format -> ``module:attribute`` (here, not in ``writers``, so that
#: ``output.FORMATS`` can list the formats without ``output`` importing the writers).
WRITERS = {
    "epub": "deeplybook.writers:EPUB",
    "pdf": "deeplybook.writers:PDF",
}


class Writer(Protocol):
    """What ``writers()`` makes sure each writer has; ``deeplybook.writers.Writer`` is the whole of it."""

    @property
    def suffix(self) -> str:
        """The file suffix the writer writes, with its dot (".epub")."""

    def write(self, *args: Any, **kwargs: Any) -> Path:
        """Write a book and return the path written."""


@functools.lru_cache(maxsize=1)
def writers() -> dict[str, Writer]:
    """Every usable writer by format: the built-ins, then those of other packages by name."""
    found = registered("deeplybook.writers", WRITERS)
    return {name: writer for name, writer in found.items() if _writes(writer, name)}


def _writes(writer: object, name: str) -> TypeGuard[Writer]:
    # A registered object without a suffix or write() would fail only at the end of a build.
    if isinstance(getattr(writer, "suffix", None), str) and callable(getattr(writer, "write", None)):
        return True
    warn("extension-broken", f"deeplybook.writers {name!r} has no suffix or write(); left out")
    return False


def _load(target: str) -> object:
    # Built-ins load from our own modules, whatever the installed metadata says:
    # another package cannot take a built-in's name.
    module, _, attribute = target.partition(":")
    loaded = importlib.import_module(module)
    return getattr(loaded, attribute) if attribute else loaded
