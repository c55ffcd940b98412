"""Book furniture in the edition's language: the theme's words, and Babel's dates, name lists and plurals.

A theme carries a catalogue per language, ``words/<language>.toml``, whose keys are
the English words the templates and writers print ("Contents", "By", "{count}
articles") and whose values are the translation; a key whose words change with a
number holds a table by CLDR plural category (``{ one = "...", other = "..." }``).
Catalogues are looked up along the theme's ``extends`` chain, child first, for the
edition's language tag ("pt-BR"), then its language alone ("pt"), then English
(``en.toml`` holds the English plurals); a word no catalogue has is printed as written. Dates and lists of names follow the language
through Babel; plain ``en`` keeps the books' own style ("10 November 2017",
"A, B and C"), ``en-US`` gets American dates.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Mapping

from babel import Locale, UnknownLocaleError
from babel import dates as babel_dates
from babel import lists as babel_lists

from .errors import ThemeError
from .log import warn

#: The locale whose conventions plain ``en`` (and an unknown language) is printed in.
HOUSE_LOCALE = "en_GB"


@dataclass(frozen=True)
class Words:
    """What a theme prints in one language: ``words("Contents")``, ``words.date(d)``, ``words.names([...])``."""

    language: str
    """The BCP 47 tag asked for ("fr", "pt-BR")."""
    catalogue: Mapping[str, str | Mapping[str, str]] = field(default_factory=dict)
    """English words -> their translation (or a table of plural forms)."""

    def __call__(self, text: str, count: int | None = None, **values: object) -> str:
        """``text`` in this language, with ``{count}`` and the other ``values`` filled in."""
        found = self.catalogue.get(text, text)
        if isinstance(found, Mapping):
            category = _locale(self.language).plural_form(count if count is not None else 0)
            found = found.get(category) or found.get("other") or text
        if count is not None:
            values = {"count": count, **values}
        return found.format(**values) if values else found

    def date(self, value: dt.date | None) -> str:
        """The long date ('10 November 2017', '10 novembre 2017'); empty for ``None``."""
        if value is None:
            return ""
        day = value.date() if isinstance(value, dt.datetime) else value
        return babel_dates.format_date(day, "long", locale=_locale(self.language))

    def names(self, names: Iterable[str]) -> str:
        """'A', 'A and B', 'A, B and C' in this language ('A, B et C')."""
        names = list(names)
        return babel_lists.format_list(names, locale=_locale(self.language)) if names else ""


def words_for(folders: tuple[Path, ...], language: str) -> Words:
    """The words of the theme whose folders (child first) are ``folders``, in ``language``."""
    return _words(folders, language or "en")


@lru_cache(maxsize=32)
def _words(folders: tuple[Path, ...], language: str) -> Words:
    catalogue: dict[str, str | Mapping[str, str]] = {}
    # English first (the forms a word takes with a number, for a language no catalogue
    # covers), then parents before children, the bare language before the tag.
    names = dict.fromkeys(["en", language.split("-")[0], language])
    for name in names:
        for folder in reversed(folders):
            catalogue.update(_catalogue(folder / "words" / f"{name}.toml"))
    return Words(language, catalogue)


def _catalogue(path: Path) -> dict[str, str | Mapping[str, str]]:
    """One catalogue file's entries; none when the theme has no file for that language."""
    if not path.is_file():
        return {}
    try:
        entries = tomllib.loads(path.read_text("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ThemeError(f"the word catalogue cannot be read: {exc}", path) from exc
    for key, value in entries.items():
        if not (isinstance(value, str) or isinstance(value, dict) and all(isinstance(v, str) for v in value.values())):
            raise ThemeError(f"{key!r} must be text or a table of plural forms", path)
    return entries


@lru_cache(maxsize=32)
def _locale(language: str) -> Locale:
    """Babel's locale for a BCP 47 tag; the house style for plain English and for a tag Babel does not know."""
    if language in ("", "en"):
        return Locale.parse(HOUSE_LOCALE)
    try:
        return Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        warn("language-unknown", f"no dates or lists known for language {language!r}; printed in English")
        return Locale.parse(HOUSE_LOCALE)
