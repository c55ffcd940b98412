"""Watch the files a preview depends on (watchfiles) and rebuild it when they change.

watchfiles is an optional dependency, the ``serve`` extra: a book is built without
it, and only the live preview needs to be told of changes.
"""

from __future__ import annotations

import threading
from pathlib import Path

from ..errors import DeeplybookError
from ..log import logger
from .book import Preview

#: What to say when watchfiles is absent.
INSTALL_HINT = "the live preview needs watchfiles: pip install 'deeplybook[serve]' (or pip install watchfiles)"


def require_watchfiles() -> None:
    """Raise ``DeeplybookError`` saying how to install watchfiles when it cannot be imported."""
    try:
        import watchfiles  # noqa: F401
    except ImportError as exc:
        raise DeeplybookError(INSTALL_HINT) from exc


def watch(preview: Preview, stop: threading.Event) -> None:
    """Rebuild ``preview`` whenever a file it depends on changes, until ``stop`` is set.

    The folders watched are asked of the preview again after each rebuild, since an
    edited edition file may name other sources or another theme.
    """
    require_watchfiles()
    import watchfiles

    while not stop.is_set():
        folders = preview.watched()
        if not folders:
            stop.wait(1.0)
            continue
        try:
            for changes in watchfiles.watch(*folders, stop_event=stop, raise_interrupt=False,
                                            watch_filter=_Filter(preview)):
                preview.changed({Path(path) for _, path in changes})
                if preview.watched() != folders:
                    break
        except (OSError, RuntimeError) as exc:  # a watched folder removed or renamed: watch what is there now
            logger.warning("the preview stopped watching for a moment: %s", exc)
            stop.wait(1.0)


def start(preview: Preview) -> tuple[threading.Thread, threading.Event]:
    """Watch in a daemon thread; set the returned event to stop it."""
    stop = threading.Event()
    thread = threading.Thread(target=watch, args=(preview, stop), name="deeplybook-preview-watch", daemon=True)
    thread.start()
    return thread, stop


class _Filter:
    """watchfiles' default filter (no VCS folders, editor swap files), keeping only files the preview depends on."""

    def __init__(self, preview: Preview) -> None:
        import watchfiles

        self.default = watchfiles.DefaultFilter()
        self.preview = preview

    def __call__(self, change, path: str) -> bool:
        return self.default(change, path) and bool(self.preview.touched({Path(path)}))
