"""Find a theme, walk its ``extends`` chain and build the sandboxed Jinja2 environment that renders it.

A theme's templates are code from whoever wrote the theme. They render in Jinja's
immutable sandbox: no attribute starting with ``_``, no function internals, no
changing of the objects passed in, so a template cannot reach ``os`` or the
interpreter. A template that tries stops the build with a ``ThemeError`` naming
the template. Every file of a theme (templates, CSS) must resolve inside the
theme's own folders: one that a symlink takes elsewhere is refused.
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
import traceback
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import ModuleType
from typing import Callable, Iterator

import jinja2
from jinja2.loaders import split_template_path
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from . import extensions
from .errors import DeeplybookError, ThemeError
from .inputs import Refused, within
from .log import logger, warn

#: How deep an ``extends`` chain may go before it is taken for a mistake.
MAX_DEPTH = 8

#: Built-in themes registered as entry points: name -> ``module:function`` giving the folder.
BUILTIN = {"default": "deeplybook.themes:default_folder"}


def builtin_root() -> Path:
    """The folder holding the built-in themes, installed or in a source checkout."""
    packaged = Path(str(resources.files("deeplybook"))) / "_themes"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "themes"


@dataclass(frozen=True)
class Theme:
    """A resolved theme: its name and its folders, most specific first."""

    name: str
    dirs: tuple[Path, ...]

    def environment(self) -> jinja2.Environment:
        """A sandboxed Jinja2 environment searching the theme's ``templates/`` folders in order."""
        env = _Sandbox(
            loader=jinja2.ChoiceLoader([
                *(_ThemeLoader(d, self.dirs) for d in self.dirs),
                # "!default/article.html" names one theme's own template, so an
                # override can extend the template it replaces.
                jinja2.PrefixLoader({f"!{_read_manifest(d).get('name', d.name)}": _ThemeLoader(d, self.dirs)
                                     for d in self.dirs}),
            ]),
            autoescape=jinja2.select_autoescape(["html", "xhtml", "xml"]),
            trim_blocks=True,
            lstrip_blocks=True,
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
        )
        # Writers that embed pictures pass their own; by default a local file's URI.
        env.globals["image_src"] = lambda image: Path(image.path).resolve().as_uri()
        # Paged formats print the page an anchor starts on; others print none.
        env.globals["page_number"] = lambda anchor: Markup("")
        env.filters["inline"] = Markup  # model Inline strings are sanitised already
        env.filters["longdate"] = long_date
        env.filters["isodate"] = lambda d: d.strftime("%Y-%m-%d") if d else ""
        env.filters["names"] = join_names
        env.filters["kindname"] = lambda k: str(k.value if hasattr(k, "value") else k)
        # The sandbox hides ``__class__``: templates ask a block's kind by name this way.
        env.filters["typename"] = lambda value: type(value).__name__
        return env

    def css(self, name: str) -> str:
        """The concatenated ``css/NAME`` of the theme and its ancestors, ancestors first."""
        parts = [_read_text(d / "css" / name) for d in reversed(self.dirs) if self._usable(d / "css" / name)]
        if not parts:
            raise ThemeError(f"theme {self.name!r} has no css/{name}")
        return "\n".join(parts)

    def file(self, relative: str) -> Path | None:
        """The first ``relative`` file found along the chain (fonts, images)."""
        for d in self.dirs:
            candidate = d / relative
            if self._usable(candidate):
                return candidate
        return None

    def files(self) -> Iterator[tuple[str, Path]]:
        """(name inside its theme folder, path) of every regular file of the chain, folder by folder, sorted.

        A file that resolves outside the theme's folders is not among them.
        """
        for folder in self.dirs:
            for path in sorted(folder.rglob("*")):
                if self._usable(path):
                    yield path.relative_to(folder).as_posix(), path

    def _usable(self, path: Path) -> bool:
        """Whether ``path`` is a regular file inside the theme's folders (``load`` warned of any other)."""
        return path.is_file() and _contained(path, self.dirs)


class _ThemeLoader(jinja2.FileSystemLoader):
    """One theme folder's ``templates/``; a template resolving outside the theme's folders is not found."""

    def __init__(self, folder: Path, roots: tuple[Path, ...]) -> None:
        super().__init__(str(folder / "templates"))
        self.roots = roots

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        # Checked before the loader opens it: a symlink may lead anywhere, a FIFO too.
        candidate = Path(self.searchpath[0], *split_template_path(template))
        if candidate.is_file() and not _contained(candidate, self.roots):
            logger.debug("theme: template %s lies outside the theme's folders; not read", candidate)
            raise jinja2.TemplateNotFound(template)
        return super().get_source(environment, template)


class _Template(jinja2.Template):
    """A template whose failures, a sandbox breach above all, are one-line ``ThemeError``s naming it."""

    def render(self, *args, **kwargs) -> str:
        try:
            return super().render(*args, **kwargs)
        except jinja2.TemplateError as exc:  # before OSError: TemplateNotFound is one
            raise _render_error(exc, self.filename or self.name) from exc
        except (DeeplybookError, OSError):  # the writer's own, or the machine's (a full disk)
            raise
        except Exception as exc:  # noqa: BLE001 - anything else comes from the theme's code
            raise _render_error(exc, self.filename or self.name) from exc


class _Sandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, loading templates that report their failures as ``ThemeError``."""

    template_class = _Template

    def get_template(self, name, parent=None, globals=None):  # noqa: A002 - Jinja's own signature
        try:
            return super().get_template(name, parent, globals)
        except jinja2.TemplateSyntaxError as exc:
            raise ThemeError(f"line {exc.lineno}: invalid template: {exc.message}", exc.filename or name) from exc
        except UnicodeDecodeError as exc:
            raise ThemeError(f"template {name!r} is not UTF-8 text") from exc
        except jinja2.TemplateNotFound as exc:
            if parent is not None:  # an include or import: `ignore missing` may catch it, else render reports it
                raise
            raise ThemeError(f"the theme has no template {name!r}") from exc


def _render_error(exc: Exception, template: str | None) -> ThemeError:
    """The one-line error for a template that failed: where (the innermost template line) and why."""
    where, line = template or "<template>", None
    for frame in traceback.extract_tb(exc.__traceback__):
        # Jinja rewrites tracebacks so that template code shows as frames of the template file.
        if not frame.filename.endswith(".py") and not frame.filename.startswith("<"):
            where, line = frame.filename, frame.lineno
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename:
        where, line = exc.filename, exc.lineno
    if isinstance(exc, jinja2.exceptions.SecurityError):
        why = f"breaks out of Jinja's sandbox: {exc}"
    elif isinstance(exc, jinja2.TemplateNotFound):
        why = f"includes {exc.name!r}, which no folder of the theme holds"
    elif isinstance(exc, jinja2.TemplateError):
        why = f"cannot be rendered: {exc}"
    else:
        why = f"cannot be rendered: {type(exc).__name__}: {exc}"
    at = f"line {line}: " if line else ""
    return ThemeError(" ".join(f"{at}{why}".split()), where)


def _contained(path: Path, roots: tuple[Path, ...]) -> bool:
    try:
        within(path, roots)
    except (Refused, OSError, RuntimeError):  # RuntimeError: a symlink loop
        return False
    return True


def _read_text(path: Path) -> str:
    try:
        return path.read_text("utf-8")
    except UnicodeDecodeError as exc:
        raise ThemeError("is not UTF-8 text", path) from exc


def load(name: str = "default", *, search: tuple[Path, ...] = ()) -> Theme:
    """Resolve theme ``name`` (a folder path or a theme's name) with its ancestors.

    A name is looked for in the ``search`` folders, then among the themes other
    packages register (``deeplybook.themes``), then among the built-ins.
    """
    theme = Theme(name, resolve(name, search=search))
    _warn_untrusted(theme)
    _warn_outside_links(theme)
    return theme


def resolve(name: str, *, search: tuple[Path, ...] = ()) -> tuple[Path, ...]:
    """The folders of theme ``name``, child first; ``ThemeError`` when it or an ancestor is missing or wrong."""
    roots = (*search, builtin_root())
    themes = registered()
    dirs: list[Path] = []
    seen: list[str] = []
    current: str | None = name
    while current:
        if current in seen:
            raise ThemeError(f"theme {name!r}: extends cycle {' -> '.join([*seen, current])}")
        if len(seen) >= MAX_DEPTH:
            raise ThemeError(f"theme {name!r}: extends chain deeper than {MAX_DEPTH}")
        folder = _find(current, roots, themes)
        seen.append(current)
        dirs.append(folder)
        current = _read_manifest(folder).get("extends")
    return tuple(dirs)


def _warn_untrusted(theme: Theme) -> None:
    """Warn (``theme-untrusted``) when the theme's chain holds a folder outside the built-in themes."""
    builtin = builtin_root().resolve()
    outside = [d for d in theme.dirs if not d.resolve().is_relative_to(builtin)]
    if outside:
        others = f" (and {', '.join(str(d) for d in outside[1:])})" if outside[1:] else ""
        warn("theme-untrusted", f"theme {theme.name!r} is not a built-in theme{others}; "
                                "its templates run in Jinja's sandbox", outside[0])


def _warn_outside_links(theme: Theme) -> None:
    """Warn (``file-refused``) of every theme file that resolves outside the theme's folders: it is not read."""
    for folder in theme.dirs:
        for sub in ("templates", "css", "fonts"):
            for path in sorted((folder / sub).rglob("*")):
                if not _contained(path, theme.dirs):
                    warn("file-refused", "lies outside the theme's folders (a symlink?); not read", path)


def _find(name: str, roots: tuple[Path, ...], registered: dict[str, Path]) -> Path:
    as_path = Path(name)
    if as_path.is_dir() and (as_path / "theme.toml").is_file():
        return as_path
    *search, builtin = roots
    for candidate in (*(root / name for root in search), registered.get(name), builtin / name):
        if candidate is not None and (candidate / "theme.toml").is_file():
            return candidate
    places = ", ".join([*(str(r) for r in roots), *(f"{n!r} (registered)" for n in sorted(registered))])
    raise ThemeError(f"no theme called {name!r} (looked in {places})")


def default_folder() -> Path:
    """The built-in ``default`` theme's folder (its ``deeplybook.themes`` entry point)."""
    return builtin_root() / "default"


def registered() -> dict[str, Path]:
    """The themes registered under ``deeplybook.themes``, by name: each entry point names a folder.

    An entry point may be a function returning the folder, a path, or a module whose
    folder is the theme's. One that gives no folder is left out (``extension-broken``).
    """
    folders = {}
    for name, target in extensions.registered("deeplybook.themes", BUILTIN).items():
        try:
            folders[name] = _folder_of(target)
        except Exception as exc:  # noqa: BLE001 - another package's function may fail in any way
            warn("extension-broken", f"deeplybook.themes {name!r} names no folder: {type(exc).__name__}: {exc}; left out")
    return folders


def _folder_of(target: object) -> Path:
    if isinstance(target, ModuleType):
        if target.__file__ is None:  # a namespace package: no folder of its own
            raise TypeError(f"module {target.__name__} has no file")
        return Path(target.__file__).parent
    found = target() if callable(target) else target
    if not isinstance(found, (str, os.PathLike)):
        raise TypeError(f"expected a path, not {type(found).__name__}")
    return Path(found)


def _read_manifest(folder: Path) -> dict:
    manifest = folder / "theme.toml"
    if not _contained(manifest, (folder,)):
        raise ThemeError("lies outside its theme's folder (a symlink?); not read", manifest)
    try:
        return tomllib.loads(_read_text(manifest))
    except tomllib.TOMLDecodeError as exc:
        raise ThemeError(f"invalid theme.toml: {exc}", folder / "theme.toml") from exc


def long_date(value: dt.datetime | dt.date | None) -> str:
    """'10 November 2017', the way the books print dates; empty for ``None``."""
    if value is None:
        return ""
    return f"{value.day} {value.strftime('%B %Y')}"


def join_names(names: tuple[str, ...] | list[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]
