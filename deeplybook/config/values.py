"""Checks of single values of an edition file: each returns the value in its checked form or raises ``Wrong``."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from typing import Any, Callable

from .. import inputs
from ..model import Creator, Kind
from .schema import ROLES


class Wrong(Exception):
    """A value of the wrong type or form; the message says what was expected."""


def type_name(value: Any) -> str:
    """The name of ``value``'s type as an edition file writes it ("a string", "a table"...), for messages."""
    return {str: "a string", int: "a number", float: "a number", bool: "true/false", list: "a list",
            dict: "a table", dt.date: "a date", dt.datetime: "a date and time"}.get(type(value), type(value).__name__)


def string(value: Any) -> str:
    """A string, stripped of surrounding space."""
    if not isinstance(value, str):
        raise Wrong(f"must be a string, not {type_name(value)}")
    return value.strip()


def nonempty(value: Any) -> str:
    """A string that is not empty once stripped."""
    text = string(value)
    if not text:
        raise Wrong("must not be empty")
    return text


def strings(value: Any) -> tuple[str, ...]:
    """A string or a list of strings, as a tuple of the non-empty ones, stripped."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Wrong(f"must be a string or a list of strings, not {type_name(value)}")
    return tuple(v.strip() for v in value if v.strip())


def boolean(value: Any) -> bool:
    """``true`` or ``false``."""
    if not isinstance(value, bool):
        raise Wrong(f"must be true or false, not {type_name(value)}")
    return value


def positive(value: Any) -> int:
    """A whole number from 1 (a boolean is not a number here)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise Wrong(f"must be a whole number from 1, not {value!r}")
    return value


def millimetres(low: float, high: float) -> Callable[[Any], float]:
    """A length in millimetres between ``low`` and ``high``, written as a number."""
    def check(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
            raise Wrong(f"must be a number of millimetres from {low:g} to {high:g}, not {value!r}")
        return float(value)

    return check


def size(value: Any) -> int:
    """A size in bytes, written as a number or with a unit ("200MB", "64MiB")."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise Wrong(f'must be a size like "200MB", not {type_name(value)}')
    try:
        return inputs.parse_size(value)
    except ValueError as exc:
        raise Wrong(str(exc)) from None


def date(value: Any) -> dt.date:
    """A date, written as a TOML date or an ISO string like "2017-11-10" (a date and time keeps its day)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise Wrong(f"must be a date like 2017-11-10, not {value!r}")


def datetime(value: Any) -> dt.datetime:
    """A moment, written as a TOML date, date and time, or ISO string; without a zone it is taken as UTC."""
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value.strip())
        except ValueError as exc:
            raise Wrong(f"must be a date like 2017-11-10, not {value!r}") from exc
    else:
        day = date(value)
        moment = dt.datetime(day.year, day.month, day.day)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")


def language(value: Any) -> str:
    """A language tag like ``en`` or ``ar-SY``."""
    text = nonempty(value)
    if not _LANGUAGE.match(text):
        raise Wrong(f"must be a language tag like 'en' or 'ar-SY', not {text!r}")
    return text


def file_stem(value: Any) -> str:
    """A file name without folders and not starting with a dot: the stem of the files written."""
    text = nonempty(value)
    if "/" in text or "\\" in text or text.startswith("."):
        raise Wrong(f"must be a file name without folders, not {text!r} (the folder is output.folder)")
    return text


def choice(allowed: tuple[str, ...]) -> Callable[[Any], str]:
    """A check that the value is one of ``allowed``, suggesting the closest when it is not."""
    def check(value: Any) -> str:
        text = string(value)
        if text not in allowed:
            raise Wrong(f"{text!r} is not one of {', '.join(allowed)}{did_you_mean(text, allowed)}")
        return text

    return check


def choices(allowed: tuple[str, ...]) -> Callable[[Any], tuple[str, ...]]:
    """A check that the value is one or a list of ``allowed``, suggesting the closest to the first wrong one."""
    def check(value: Any) -> tuple[str, ...]:
        items = strings(value)
        wrong = [item for item in items if item not in allowed]
        if wrong:
            raise Wrong(f"{wrong[0]!r} is not one of {', '.join(allowed)}{did_you_mean(wrong[0], allowed)}")
        return items

    return check


def kinds(value: Any) -> tuple[Kind, ...]:
    """One or a list of article kinds, by their names (``article``, ``q&a``...)."""
    return tuple(Kind(name) for name in choices(tuple(k.value for k in Kind))(value))


def creators(value: Any) -> tuple[Creator, ...]:
    """The book's creators: names, or tables ``{name = "...", role = "editor"}`` (the role defaults to editor)."""
    if isinstance(value, (str, dict)):
        value = [value]
    if not isinstance(value, list):
        raise Wrong(f'must be a list like [{{name = "...", role = "editor"}}], not {type_name(value)}')
    creators = []
    for item in value:
        if isinstance(item, str):
            creators.append(Creator(nonempty(item)))
            continue
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"].strip():
            raise Wrong('each creator needs a name: {name = "...", role = "editor"}')
        extra = set(item) - {"name", "role"}
        if extra:
            raise Wrong(f"a creator has only name and role, not {', '.join(sorted(extra))}")
        role = choice(ROLES)(item.get("role", "editor"))
        creators.append(Creator(item["name"].strip(), role))
    return tuple(creators)


def did_you_mean(text: str, allowed: tuple[str, ...]) -> str:
    """A " (did you mean 'x'?)" suffix naming the entry of ``allowed`` closest to ``text``, or nothing."""
    guess = difflib.get_close_matches(text, allowed, n=1)
    return f" (did you mean {guess[0]!r}?)" if guess else ""
