"""The book a preview shows: its edition, theme and last good build, rebuilt in the part a changed file touches.

A change is one of three kinds, each redoing only what it must:

* the theme (its templates, CSS, fonts, ``theme.toml``) or the ``--css`` stylesheet:
  the same book plan is rendered again; nothing is read;
* a source file: the sources are read again through the cache, so only the files
  that changed are parsed, and the book is planned and rendered again;
* the edition file or its foreword: the edition file is loaded again, then as a
  source change (its theme too, which the file may name).

A rebuild that fails leaves the last good build in place; its one-line error is
kept for the pages to show until a rebuild succeeds.
"""

from __future__ import annotations

import dataclasses
import os
import threading
from pathlib import Path

from .. import bookplan, inputs, pipeline, readers
from ..cache import Cache
from ..config import EditionConfig, load
from ..errors import DeeplybookError
from ..log import logger
from ..model import Edition
from ..themes import Theme, user_stylesheet
from ..themes import load as load_theme
from .site import Pictures, Site, render

#: What a change touches, in the order a rebuild must redo them.
EDITION, SOURCES, THEME = "edition", "sources", "theme"


class Preview:
    """What ``make-ebook serve`` shows: one volume of an edition file, or a folder made into a book as the quick form does.

    ``build()`` makes the first build (its failure is the caller's to report);
    ``changed(paths)`` rebuilds what those files touch. The current build, its
    error and its generation (a number that grows with every rebuild, good or
    not) are read with ``snapshot()``; ``wait()`` blocks until the generation moves.
    """

    def __init__(self, source: str | os.PathLike[str], *, theme: str | None = None,
                 css: str | os.PathLike[str] | None = None, title: str | None = None, volume: int = 1,
                 cache: Cache | None = None) -> None:
        self.source = Path(source).resolve()
        self.theme_name = theme
        self.css = Path(css).resolve() if css is not None else None
        self.title = title
        self.volume = volume
        self.cache = cache if cache is not None else Cache(enabled=False)
        self.config: EditionConfig | None = None
        self.theme: Theme | None = None
        self.edition: Edition | None = None
        self.site: Site | None = None
        self.error = ""
        self.generation = 0
        self.closed = False
        self._shelf = Pictures()
        self._changed = threading.Condition()

    # --- what is built -------------------------------------------------------------------

    def build(self) -> Site:
        """Load, read, plan and render everything; raise ``DeeplybookError`` when that fails."""
        return self._rebuild({EDITION, SOURCES, THEME})

    def changed(self, paths: set[Path]) -> bool:
        """Rebuild what the changed ``paths`` touch; whether they touched anything.

        A failure is kept as the preview's error and the last good build stays.
        """
        kinds = self.touched(paths)
        if not kinds:
            return False
        try:
            self._rebuild(kinds)
            error = ""
        except DeeplybookError as exc:
            error = str(exc)
        except Exception as exc:  # noqa: BLE001 - the server outlives a bad rebuild (a file caught mid-save)
            error = f"{type(exc).__name__}: {exc}"
        if error:
            logger.warning("the preview keeps its last good build: %s", error)
        with self._changed:
            self.error = error
            self.generation += 1
            self._changed.notify_all()
        return True

    def _rebuild(self, kinds: set[str]) -> Site:
        config, theme, edition = self.config, self.theme, self.edition
        if EDITION in kinds or config is None:
            config = self._load()
        if EDITION in kinds or theme is None:
            theme = load_theme(self.theme_name or config.output.theme, css=self._css(config))
        elif THEME in kinds:
            # A theme's files are read at each render: only its user stylesheet is held in memory.
            css = self._css(config)
            theme = dataclasses.replace(theme, user_css=user_stylesheet(css) if css is not None else "")
        if EDITION in kinds or SOURCES in kinds or edition is None:
            edition = self._edition(config)
        plan = bookplan.plan(edition, toc_depth=config.output.toc_depth, say=theme.words(edition.language))
        site = render(plan, theme, roots=self.roots(config), limits=config.sources.limits, shelf=self._shelf)
        with self._changed:
            self.config, self.theme, self.edition, self.site = config, theme, edition, site
        logger.info("preview: %d pages of %r rendered", len(site.pages), edition.title)
        return site

    def _load(self) -> EditionConfig:
        """The edition file, or the quick form's edition of a folder or file."""
        if self.source.is_dir() or self.source.suffix.lower() != ".toml":
            return pipeline.quick_edition([self.source], self.source.parent / "preview", formats=("epub",),
                                          title=self.title or "Collected Articles", theme=self.theme_name or "default")
        return load(self.source)

    def _css(self, config: EditionConfig) -> Path | None:
        return self.css if self.css is not None else config.output.css

    def _edition(self, config: EditionConfig) -> Edition:
        """The volume shown, read through the cache (only changed files are parsed again)."""
        volumes = pipeline.plan_edition(config, formats=("epub",), report=readers.ReadReport(), cache=self.cache)
        if self.volume > len(volumes):
            raise DeeplybookError(f"the edition has {len(volumes)} volume{'s' if len(volumes) != 1 else ''}, "
                                  f"not {self.volume}", config.path)
        return volumes[self.volume - 1].edition

    @staticmethod
    def roots(config: EditionConfig) -> tuple[str, ...]:
        """Where the book's pictures may be read from: the edition file's folder and the sources (as the build)."""
        home = [config.path.parent] if config.path is not None else []
        return inputs.roots_of([*home, *config.sources.paths])

    # --- what is watched -----------------------------------------------------------------

    def watched(self) -> tuple[Path, ...]:
        """The folders to watch: the edition file's, the sources, the theme's folders, the stylesheet's.

        A single file is watched through its folder, since editors often save by
        replacing a file. A folder inside another watched folder is left to it.
        """
        config = self.config
        wanted: list[Path] = []
        if config is not None:
            if config.path is not None:
                wanted.append(Path(config.path).resolve().parent)
            if config.front.foreword is not None:
                wanted.append(Path(config.front.foreword).resolve().parent)
            wanted += [Path(p).resolve() for p in config.sources.paths]
            css = self._css(config)
            if css is not None:
                wanted.append(Path(css).resolve().parent)
        if self.theme is not None:
            wanted += [d.resolve() for d in self.theme.dirs]
        folders = {p if p.is_dir() else p.parent for p in wanted if p.exists()}
        return tuple(sorted(f for f in folders if not any(o != f and o in f.parents for o in folders)))

    def touched(self, paths: set[Path]) -> set[str]:
        """What the changed ``paths`` touch: the edition, the sources, the theme; empty for files of none."""
        config = self.config
        if config is None:
            return {EDITION}
        kinds = set()
        edition_files = {Path(p).resolve() for p in (config.path, config.front.foreword) if p is not None}
        css = self._css(config)
        theme_dirs = [d.resolve() for d in self.theme.dirs] if self.theme is not None else []
        sources = [Path(p).resolve() for p in config.sources.paths]
        for raw in paths:
            path = Path(raw).resolve()
            if path in edition_files:
                kinds.add(EDITION)
            elif (css is not None and path == Path(css).resolve()) or _under(path, theme_dirs):
                kinds.add(THEME)
            if _under(path, sources):
                kinds.add(SOURCES)
        return kinds

    # --- what the server reads -----------------------------------------------------------

    def snapshot(self) -> tuple[Site | None, str, int]:
        """The current build, the last rebuild's error (empty when it succeeded) and the generation."""
        with self._changed:
            return self.site, self.error, self.generation

    def wait(self, generation: int, timeout: float) -> int:
        """The generation once it differs from ``generation``, or after ``timeout`` seconds or ``close()``."""
        with self._changed:
            self._changed.wait_for(lambda: self.generation != generation or self.closed, timeout)
            return self.generation

    def close(self) -> None:
        """Release everyone waiting for a rebuild: the server is stopping."""
        with self._changed:
            self.closed = True
            self._changed.notify_all()


def _under(path: Path, places: list[Path]) -> bool:
    """Whether ``path`` is one of ``places`` or inside one of them."""
    return any(path == place or place in path.parents for place in places)
