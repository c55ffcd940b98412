"""Find a theme, walk its ``extends`` chain and build the sandboxed Jinja2 environment that renders it.

A theme's templates are code from whoever wrote the theme. They render in Jinja's
immutable sandbox: no attribute starting with ``_``, no function internals, no
changing of the objects passed in, so a template cannot reach ``os`` or the
interpreter. A template that tries stops the build with a ``ThemeError`` naming
the template. Every file of a theme (templates, CSS, fonts) must resolve inside the
theme's own folders, a font also inside a font package the theme names: one that a
symlink takes elsewhere is refused.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import importlib.util
import os
import re
import tomllib
import traceback
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from types import ModuleType
from typing import Callable, Iterator
from urllib.parse import unquote

import jinja2
from jinja2.loaders import split_template_path
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from . import extensions, inputs
from .errors import DeeplybookError, ThemeError
from .inputs import Refused, within
from .log import logger, warn
from .words import Words, words_for

#: How deep an ``extends`` chain may go before it is taken for a mistake.
MAX_DEPTH = 8

#: Built-in themes registered as entry points: name -> ``module:function`` giving the folder.
BUILTIN = {"default": "deeplybook.themes:default_folder", "classic": "deeplybook.themes:classic_folder",
           "deeply": "deeplybook.themes:deeply_folder", "large-print": "deeplybook.themes:large_print_folder"}
#: Font files a theme may use, by suffix, with the media type an EPUB manifest gives them.
FONT_TYPES = {".ttf": "font/ttf", ".otf": "font/otf", ".woff": "font/woff", ".woff2": "font/woff2"}
#: A ``@font-face`` rule (one holds no nested braces) and a ``url(...)`` in it.
FONT_FACE = re.compile(r"@font-face\s*\{[^{}]*\}", re.IGNORECASE)
_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)""", re.IGNORECASE)
#: How a ``@font-face`` url names a font: ``fonts/NAME``, looked up in the theme's font folders.
FONT_PREFIX = "fonts/"


def builtin_root() -> Path:
    """The folder holding the built-in themes, installed or in a source checkout."""
    packaged = Path(str(resources.files("deeplybook"))) / "_themes"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "themes"


@dataclass(frozen=True)
class Theme:
    """A resolved theme: its name and its folders, most specific first, and a user's stylesheet if any."""

    name: str
    dirs: tuple[Path, ...]
    user_css: str = ""
    """CSS the user adds without writing a theme (``--css``): after the theme's own, so it wins."""
    print_css: str = ""
    """The ``[print]`` page rules (trim, bleed, marks): after everything else in ``pdf.css``."""

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
        # Furniture in the edition's language (deeplybook.words): _("Contents"), dates, lists of names.
        env.globals["_"] = jinja2.pass_context(lambda context, text, count=None, **values:
                                               self._words(context)(text, count, **values))
        env.filters["longdate"] = jinja2.pass_context(lambda context, value: self._words(context).date(value))
        env.filters["isodate"] = lambda d: d.strftime("%Y-%m-%d") if d else ""
        env.filters["names"] = jinja2.pass_context(lambda context, names: self._words(context).names(names))
        env.filters["kindname"] = lambda k: str(k.value if hasattr(k, "value") else k)
        # The sandbox hides ``__class__``: templates ask a block's kind by name this way.
        env.filters["typename"] = lambda value: type(value).__name__
        return env

    def words(self, language: str) -> Words:
        """What this theme prints in ``language``: its word catalogues, Babel's dates and lists."""
        return words_for(self.dirs, language)

    def _words(self, context: jinja2.runtime.Context) -> Words:
        edition = context.get("edition")
        return self.words(getattr(edition, "language", "en") if edition is not None else "en")

    def css(self, name: str) -> str:
        """The concatenated ``css/NAME`` of the theme and its ancestors, ancestors first.

        A format's stylesheet (``epub.css``, ``pdf.css``) ends with the user's, which
        each writer puts after ``common.css``: the user's rules come last in both formats.
        """
        parts = [_read_text(d / "css" / name) for d in reversed(self.dirs) if self._usable(d / "css" / name)]
        if not parts:
            raise ThemeError(f"theme {self.name!r} has no css/{name}")
        if self.user_css and name != "common.css":
            parts.append(self.user_css)
        if self.print_css and name == "pdf.css":
            parts.append(self.print_css)
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

    def fingerprint(self) -> str:
        """A hash of every file of the theme and its ancestors, the user's stylesheet and the font packages it names.

        Editing any of them, or installing another version of a font package, makes
        new cache keys for what the theme renders (PDF parts, EPUB books).
        """
        digest = hashlib.sha256()
        for name, file in self.files():
            digest.update(name.encode())
            digest.update(file.read_bytes())
        digest.update(self.user_css.encode())
        digest.update(self.print_css.encode())
        for folder, roots in self.font_folders():
            for file in sorted(folder.glob("*")) if folder.is_dir() else ():
                # Only what the theme may use: a link out of its font folders is not read.
                if file.is_file() and _contained(file, roots):
                    digest.update(file.name.encode())
                    digest.update(file.read_bytes())
        return digest.hexdigest()

    def font_folders(self) -> tuple[tuple[Path, tuple[Path, ...]], ...]:
        """Where ``fonts/NAME`` is looked for, in order, each with the folders its fonts must resolve in.

        Each theme folder's ``fonts/`` (child first), then the files folder of each
        font package the chain's ``theme.toml`` files name in ``font_packages``.
        """
        return _font_folders(self.dirs)

    def font(self, url: str) -> Path | None:
        """The font file a ``@font-face`` url names, or ``None`` (warned ``file-refused``) when the theme has none.

        ``url`` is ``fonts/NAME``; the first font folder holding ``NAME`` gives it. A
        file there that resolves elsewhere (a symlink, ``..``) or is no font is refused.
        """
        name = unquote(url)
        if not name.startswith(FONT_PREFIX) or "\\" in name:
            warn("file-refused", f"a @font-face url must be {FONT_PREFIX}NAME, a font of the theme; "
                                 f"{url!r} is left out", self.dirs[0])
            return None
        for folder, roots in self.font_folders():
            candidate = folder / name.removeprefix(FONT_PREFIX)
            if not (candidate.exists() or candidate.is_symlink()):
                continue
            if candidate.is_file() and _contained(candidate, roots) and candidate.suffix.lower() in FONT_TYPES:
                return candidate
            warn("file-refused", "is no font file inside the theme's or its font packages' folders; not read",
                 candidate)
            return None
        warn("file-refused", f"no font folder of theme {self.name!r} holds {url!r}; the text falls back "
                             "to the next font of its stack", self.dirs[0])
        return None

    def placed_fonts(self, css: str, place: Callable[[Path], str]) -> str:
        """``css`` with each ``@font-face`` url replaced by ``place(font file)``.

        A rule naming a font the theme cannot give is left out whole: its text is
        set in the next font of the family stack instead.
        """
        def rule(match: re.Match) -> str:
            fonts = [self.font(next(g for g in url.groups() if g is not None)) for url in _URL.finditer(match[0])]
            if not fonts or None in fonts:
                return ""
            places = iter(place(font) for font in fonts if font is not None)
            return _URL.sub(lambda _: f'url("{next(places)}")', match[0])

        return FONT_FACE.sub(rule, css)


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


def load(name: str = "default", *, search: tuple[Path, ...] = (), css: str | os.PathLike[str] | None = None) -> Theme:
    """Resolve theme ``name`` (a folder path or a theme's name) with its ancestors.

    A name is looked for in the ``search`` folders, then among the themes other
    packages register (``deeplybook.themes``), then among the built-ins. ``css`` is
    a user's stylesheet added after the theme's (see ``user_stylesheet``).
    """
    theme = Theme(name, resolve(name, search=search), user_stylesheet(css) if css is not None else "")
    _warn_untrusted(theme)
    _warn_outside_links(theme)
    return theme


#: What a user's stylesheet may not do: fetch a file or address (``url()``), pull in another (``@import``).
_FETCHING = re.compile(r"@import[^;]*;?|url\([^)]*\)", re.IGNORECASE)
#: The largest user stylesheet read: a stylesheet, not a book.
MAX_USER_CSS = 1024 * 1024


def user_stylesheet(path: str | os.PathLike[str]) -> str:
    """The text of a user's stylesheet (``--css``), without the rules that would fetch anything.

    A stylesheet names no file the book would have to carry: ``url()`` and
    ``@import`` are dropped (one ``css-dropped`` warning), so it can change type,
    colour, spacing and layout, and nothing reaches outside the book or the network.
    ``ThemeError`` naming the file when it cannot be read.
    """
    try:
        data = inputs.read_bytes(path, inputs.roots_of([path]), inputs.Limits(max_file_bytes=MAX_USER_CSS))
        text = data.decode("utf-8")
    except Refused as refused:
        raise ThemeError(f"the stylesheet {refused.reason}", path) from refused
    except (OSError, UnicodeDecodeError) as exc:
        raise ThemeError(f"the stylesheet cannot be read: {exc}", path) from exc
    text, dropped = _FETCHING.subn("", text)
    if dropped:
        warn("css-dropped", f"{dropped} url() or @import left out: a stylesheet given with --css fetches nothing",
             path)
    return text


def catalogue() -> dict[str, str]:
    """Every theme a build can name, built-in or registered by another package, with its description."""
    folders = {d.name: d for d in sorted(builtin_root().iterdir()) if (d / "theme.toml").is_file()}
    folders.update(registered())
    return {name: str(_read_manifest(folder).get("description", "")) for name, folder in sorted(folders.items())}


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


@lru_cache(maxsize=8)
def _font_folders(dirs: tuple[Path, ...]) -> tuple[tuple[Path, tuple[Path, ...]], ...]:
    own = [(folder / "fonts", dirs) for folder in dirs]
    names = dict.fromkeys(name for folder in dirs for name in _font_packages(folder))
    packages = [_package_fonts(name) for name in names]
    return (*own, *((folder, (folder,)) for folder in packages))


def _font_packages(folder: Path) -> list[str]:
    """The font packages a theme folder's ``theme.toml`` names; ``ThemeError`` when it is no list of names."""
    names = _read_manifest(folder).get("font_packages", [])
    if not isinstance(names, list) or not all(isinstance(n, str) and n.isidentifier() for n in names):
        raise ThemeError("font_packages must be a list of package names", folder / "theme.toml")
    return names


def _package_fonts(name: str) -> Path:
    """The folder of an installed font package's files: its ``files/`` (the fonts-python layout) or itself.

    The package is found, not imported: a theme's manifest makes no code run.
    """
    spec = importlib.util.find_spec(name)
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    if not locations:
        raise ThemeError(f"the theme names font package {name!r}, which is not installed (pip install "
                         f"{name.replace('_', '-')})")
    folder = Path(locations[0])
    return folder / "files" if (folder / "files").is_dir() else folder


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
    known = sorted({*registered, *(d.name for root in roots if root.is_dir() for d in root.iterdir()
                                   if (d / "theme.toml").is_file())})
    close = difflib.get_close_matches(name, known, n=1)
    meant = f" (did you mean {close[0]!r}?)" if close else ""
    raise ThemeError(f"no theme called {name!r}{meant}; the themes: {', '.join(known)}; "
                     f"looked in {', '.join(str(r) for r in roots)}")


def default_folder() -> Path:
    """The built-in ``default`` theme's folder (its ``deeplybook.themes`` entry point)."""
    return builtin_root() / "default"


def classic_folder() -> Path:
    """The built-in ``classic`` theme's folder (its entry point): a traditional book."""
    return builtin_root() / "classic"


def deeply_folder() -> Path:
    """The built-in ``deeply`` theme's folder (its entry point): after the News Deeply sites."""
    return builtin_root() / "deeply"


def large_print_folder() -> Path:
    """The built-in ``large-print`` theme's folder (its entry point): large type, strong contrast."""
    return builtin_root() / "large-print"


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
