"""Find a theme, walk its ``extends`` chain and build the Jinja2 environment that renders it."""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import jinja2
from markupsafe import Markup

from .errors import ThemeError

#: How deep an ``extends`` chain may go before it is taken for a mistake.
MAX_DEPTH = 8


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
        """A Jinja2 environment searching the theme's ``templates/`` folders in order."""
        env = jinja2.Environment(
            loader=jinja2.ChoiceLoader([
                jinja2.FileSystemLoader([str(d / "templates") for d in self.dirs]),
                # "!default/article.html" names one theme's own template, so an
                # override can extend the template it replaces.
                jinja2.PrefixLoader({f"!{_read_manifest(d).get('name', d.name)}":
                                     jinja2.FileSystemLoader(str(d / "templates")) for d in self.dirs}),
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
        return env

    def css(self, name: str) -> str:
        """The concatenated ``css/NAME`` of the theme and its ancestors, ancestors first."""
        parts = [(d / "css" / name).read_text("utf-8") for d in reversed(self.dirs) if (d / "css" / name).is_file()]
        if not parts:
            raise ThemeError(f"theme {self.name!r} has no css/{name}")
        return "\n".join(parts)

    def file(self, relative: str) -> Path | None:
        """The first ``relative`` file found along the chain (fonts, images)."""
        for d in self.dirs:
            candidate = d / relative
            if candidate.is_file():
                return candidate
        return None


def load(name: str = "default", *, search: tuple[Path, ...] = ()) -> Theme:
    """Resolve theme ``name`` (a built-in name or a folder path) with its ancestors.

    ``search`` lists extra folders that hold themes, tried before the built-ins.
    """
    roots = (*search, builtin_root())
    dirs: list[Path] = []
    seen: list[str] = []
    current: str | None = name
    while current:
        if current in seen:
            raise ThemeError(f"theme {name!r}: extends cycle {' -> '.join([*seen, current])}")
        if len(seen) >= MAX_DEPTH:
            raise ThemeError(f"theme {name!r}: extends chain deeper than {MAX_DEPTH}")
        folder = _find(current, roots)
        seen.append(current)
        dirs.append(folder)
        current = _read_manifest(folder).get("extends")
    return Theme(name, tuple(dirs))


def _find(name: str, roots: tuple[Path, ...]) -> Path:
    as_path = Path(name)
    if as_path.is_dir() and (as_path / "theme.toml").is_file():
        return as_path
    for root in roots:
        candidate = root / name
        if (candidate / "theme.toml").is_file():
            return candidate
    raise ThemeError(f"no theme called {name!r} (looked in {', '.join(str(r) for r in roots)})")


def _read_manifest(folder: Path) -> dict:
    try:
        return tomllib.loads((folder / "theme.toml").read_text("utf-8"))
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
