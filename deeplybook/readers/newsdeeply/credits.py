"""Picture credits written into a caption's text: found at its end by pattern, so they can go to ``Figure.credit``.

Used only when the page gives no separate credit (``<cite>``). A credit is taken
from the very end of the caption in one of three forms: a closing parenthesis that
holds a credit ("(Rich Pedroncelli, Associated Press)", "(Cem Genco/Anadolu Agency)",
"(Syria Deeply)"), a "Photo by ..." or "Courtesy of ..." phrase, or an agency line
("AFP/Getty Images", "REUTERS/Omar Sanadiki", "AP Photo/Hassan Ammar"). A closing
parenthesis that is not a credit ("(SDF)", "(left)", "(2016)", "(in red)") stays.
"""

from __future__ import annotations

import re

#: Photo agencies and picture desks as captions name them.
AGENCIES = (
    "AFP", "AP", "AP Photo", "Associated Press", "Agence France-Presse", "Reuters", "REUTERS", "Getty Images",
    "Getty", "EPA", "EPA-EFE", "EFE", "Anadolu Agency", "Anadolu", "SANA", "Xinhua", "NurPhoto", "Sipa",
    "SIPA", "Corbis", "Shutterstock", "Polaris", "Redux", "Magnum", "Magnum Photos", "ZUMA", "ZUMA Press",
    "Pacific Press", "LightRocket", "Barcroft", "Barcroft Media", "UNHCR", "UNICEF", "UNRWA", "WFP", "MSF",
    "ICRC", "IRIN", "Landov", "Alamy", "AAP", "Kyodo", "TASS", "Sputnik", "DPA", "dpa", "Abaca",
)
_AGENCY = "|".join(sorted((re.escape(name) for name in AGENCIES), key=len, reverse=True))
_AGENCY_WORD = re.compile(rf"(?<![\w-])(?:{_AGENCY})(?![\w-])")
#: "Photo by Jane Doe", "Photograph by ...", "Photo courtesy of ...", "Courtesy of ...", "Photo: ..."
_PHRASE = re.compile(
    r"(?:^|(?<=[.!?”\"’)])\s+|\s+[/|–—-]\s+|\s+)"
    r"(?P<credit>(?:(?:photo(?:graph)?s?|images?|pictures?|video)\s+(?:by|courtesy(?:\s+of)?|credit:?)|"
    r"(?:photo|credit|image)s?\s*:|courtesy(?:\s+of)?|all\s+photos\s+by)\s+[^.;()]{2,80}?)\W*$",
    re.IGNORECASE,
)
#: "AFP/Getty Images", "REUTERS/Omar Sanadiki", "Jane Doe/AFP", "AP Photo/Hassan Ammar" at the very end.
_AGENCY_LINE = re.compile(
    r"(?:^|(?<=[.!?”\"’])\s+|\s+[/|–—-]\s+)"
    r"(?P<credit>[^.;()/\n]{0,60}/\s?[^.;()\n]{1,60}|(?:" + _AGENCY + r")(?:\s+Photo)?)\W*$"
)
_PARENTHESIS = re.compile(r"\s*\((?P<credit>[^()]{2,90})\)\W*$")
_NAME_WORD = re.compile(r"^(?:[A-Z][\w’'.-]*|(?:al|el|de|di|da|du|van|von|der|bin|ibn|la|le|for|of|the)(?:-\w+)?|@\w+|&)$")
_ACRONYM = re.compile(r"^[A-Z0-9&.-]{1,8}$")
_NOT_CREDIT = re.compile(r"\b(?:left|right|center|centre|top|bottom|pictured|file|above|below|inset|front|rear)\b",
                         re.IGNORECASE)


def split_credit(text: str) -> tuple[int, str] | None:
    """(where the credit starts in ``text``, the credit) when the caption ends with one, else ``None``."""
    stripped = text.rstrip()
    for pattern in (_PARENTHESIS, _PHRASE, _AGENCY_LINE):
        match = pattern.search(stripped)
        if match is None:
            continue
        credit = _clean(match.group("credit"))
        if pattern is _PARENTHESIS and not _is_credit(credit):
            continue
        if pattern is _AGENCY_LINE and not _AGENCY_WORD.search(credit):
            continue
        if credit:
            return match.start(), credit
    return None


def _clean(credit: str) -> str:
    credit = " ".join(credit.split()).strip(" .,;:–—-")
    return re.sub(r"^(?:photo(?:graph)?s?|images?|pictures?)\s+by\s+|^(?:photo|credit|image)s?\s*:\s*", "", credit,
                  flags=re.IGNORECASE)


def _is_credit(inside: str) -> bool:
    """Whether what a closing parenthesis holds names a photographer, an outlet or an agency."""
    if _AGENCY_WORD.search(inside) or re.match(r"(?i)(?:photo|courtesy|credit)", inside):
        return True  # "(AP Photo/Manu Brabo, File)": an agency's own "File" is part of its credit
    if _NOT_CREDIT.search(inside) or any(ch.isdigit() for ch in inside):
        return False
    # "Rich Pedroncelli, Associated Press", "Bill Swersey/HIAS.org", "Agathocle de Syracuse – @deSyracuse"
    parts = [part.strip() for part in re.split(r"[,/–—]| for | via ", inside) if part.strip()]
    if not parts:
        return False
    words = [word for part in parts for word in part.split()]
    if len(words) < 2 or len(words) > 9:
        return False  # one word in brackets is an acronym, a language or a nickname, not a credit
    if all(_ACRONYM.match(word) for word in words):
        return False
    return all(_NAME_WORD.match(word) for word in words)
