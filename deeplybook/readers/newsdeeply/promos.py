"""The sites' own promotions inside article bodies: newsletter sign-up lines and "Related Reads" link lists.

Every pattern the News Deeply reader removes as a promotion is in this module and
nowhere else; ``docs/cleanup.md`` lists what they catch. A sign-up line is cut one
sentence at a time, so that "This article originally appeared on X." survives the
"For weekly updates, sign up for X's email list." that follows it.
"""

from __future__ import annotations

import re

#: A sentence that asks the reader to sign up or subscribe to something sent out:
#: both a verb of signing up and a thing that is mailed must be in it ("people rush
#: to sign up to fight" and "the page has 16,000 subscribers" are news, not promos).
SIGN_UP = re.compile(r"\b(?:sign(?:ed|ing)?[ -]?up|subscribe|subscribing|register)\b", re.IGNORECASE)
MAILED = re.compile(
    r"\b(?:newsletters?|e-?mail (?:list|updates|alerts|digest)|mailing list|weekly (?:updates|digest|briefing|email)"
    r"|daily (?:digest|briefing|email)|weekend reads|inbox|our list)\b",
    re.IGNORECASE,
)
#: The opening words that go with a sign-up sentence ("Never miss an update.").
TEASER = re.compile(
    r"^\W*(?:never|don[’']t|do not) miss (?:an?|the|another|any|our)\b[^.!?]{0,40}[.!?]?\W*$"
    r"|^\W*(?:stay|keep) (?:informed|up to date|updated|in the loop)\b[^.!?]{0,40}[.!?]?\W*$"
    r"|^\W*(?:want|like) (?:more|the latest)\b[^.!?]{0,60}\?\W*$",
    re.IGNORECASE,
)
#: The heading of an end-of-article list of the site's own stories. "Recommended
#: Reads" alone is a briefing's section of outside news and stays.
RELATED_HEADING = re.compile(
    r"^\W*(?:related|more|further|recommended|suggested)\s+(?:reads?|reading|stories|coverage|articles|from)\b"
    r".{0,40}\bdeeply\W*$"
    r"|^\W*(?:related|suggested)\s+(?:reads?|reading|stories|coverage|articles)\W*$"
    r"|^\W*(?:read more|more) (?:on|from) [\w ]{1,30} deeply\W*$",
    re.IGNORECASE,
)

_SENTENCE = re.compile(r"[^.!?]*(?:[.!?]+[\"”’)]*|$)\s*")


def sign_up_spans(text: str) -> list[tuple[int, int]]:
    """The character spans of ``text`` that are sign-up sentences, with a teaser just before one.

    Spans are in order and apart; an empty list when the text asks nobody to sign up.
    """
    if not SIGN_UP.search(text) or not MAILED.search(text):
        return []
    sentences = [(m.start(), m.end()) for m in _SENTENCE.finditer(text) if m.end() > m.start()]
    promos = [i for i, (start, end) in enumerate(sentences)
              if SIGN_UP.search(text[start:end]) and MAILED.search(text[start:end])]
    chosen = set(promos)
    for index in promos:
        if index > 0 and TEASER.match(text[slice(*sentences[index - 1])]):
            chosen.add(index - 1)
    spans: list[tuple[int, int]] = []
    for index in sorted(chosen):
        start, end = sentences[index]
        while end == len(text) and start > 0 and text[start - 1].isspace():
            start -= 1  # a line cut from the end takes the space before it along
        if spans and spans[-1][1] >= start:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def is_related_heading(text: str) -> bool:
    """True for "Related Reads on Syria Deeply" and its kin, the title of a list of the site's stories."""
    return bool(RELATED_HEADING.match(text)) and len(text) <= 80
