"""People named in a byline: several names in one string, a surname two people share, and organisations.

"Connie and Peter Roop" is two people who share a surname, "Connie Roop" and
"Peter Roop"; "Nadia Farouk and Tom Reyes" is two people with their own; "Syria
Deeply and Ahmad Khalil" is an organisation and a person; "Human Rights Watch" is
one organisation whatever its words look like. nameparser tells a given name from a
surname ("Mohammad Wael al-Dighli" has the surname "al-Dighli").
"""

from __future__ import annotations

import re

from nameparser import HumanName

from .fields import split_authors

#: Words that make a byline an organisation, a desk or a group rather than a person.
ORGANISATION_WORDS = frozenset({
    "deeply", "staff", "team", "editors", "editorial", "desk", "contributor", "contributors", "news", "press",
    "agency", "agencies", "media", "group", "council", "foundation", "institute", "institution", "watch",
    "center", "centre", "committee", "coalition", "observatory", "network", "alliance", "association",
    "union", "organization", "organisation", "international", "reuters", "times", "post", "journal",
    "magazine", "radio", "television", "tv", "project", "campaign", "office", "ministry", "commission",
    "society", "university", "college", "school", "programme", "program", "fund", "bank", "forum",
    "initiative", "partners", "unit", "board", "service", "services", "company", "ngo", "ngos", "un",
    "unhcr", "unicef", "msf", "icrc", "hrw", "amnesty", "crisis", "relief", "aid", "rights", "human",
    "syrian", "comment", "untold", "voice", "voices",
})

#: "and" or "&" between names.
_JOINED = re.compile(r"\s(?:and|&)\s", re.IGNORECASE)
_SINGLE_GIVEN = re.compile(r"^[A-Z][a-z’'-]+$")


def is_organisation(name: str) -> bool:
    """True when a byline name reads as an organisation ("Syria Deeply", "MSF Staff", "HRW")."""
    words = re.findall(r"[\w’'-]+", name)
    if not words:
        return False
    if len(words) == 1 and words[0].isupper() and len(words[0]) >= 2:
        return True  # "MSF", "HRW": acronyms
    return any(word.casefold() in ORGANISATION_WORDS for word in words)


def split_byline(text: str) -> tuple[tuple[str, ...], bool]:
    """(the people and organisations a byline names, whether a surname was shared between two of them).

    "A and B C", with A one given name alone, gives "A C" and "B C": the only form in
    which a surname is shared. Any other form is split on "and", "&" and commas as it
    stands. Organisations ("Syria Deeply and Ahmad Khalil"), a second name with a title,
    an initial or a middle name, and two single names ("Marah and Rami") are never
    completed. A page alone cannot tell "Connie and Peter Roop" from "Wessam and Karen
    Leigh" (a source with one name and an editor): the News Deeply mirror walk undoes
    the shared surname when the second person signs other articles alone.
    """
    names = split_authors(text)
    if len(names) != 2 or len(_JOINED.split(text.strip())) != 2 or "," in text:
        return names, False
    first, second = names
    if not _SINGLE_GIVEN.match(first) or is_organisation(first) or is_organisation(second):
        return names, False
    parsed = HumanName(second)
    if not parsed.first or not parsed.last or parsed.middle or parsed.title or parsed.suffix:
        return names, False  # "Peter Roop" only: "Dr. Peter Roop" or "Peter J. Roop" is left alone
    if len(second.split()) != 2:
        return names, False
    return (f"{first} {parsed.last}", second), True
