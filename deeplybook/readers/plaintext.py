"""Plain text articles, such as a News Deeply page saved from a browser as text.

The text is cut into units: one a line, or one a blank-line separated chunk when
the file is hard-wrapped. The units then go through a few recognisers, in page
order: the archive banner ("Dear Deeply Readers," ... up to the title), the title
and dek, the byline line, the lead photo caption with its credit, the body (its
first paragraph's dateline, interview exchanges, subheads) and the site's footer.
A text without banner or byline is read as: first line title, the rest body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .. import sanitize
from ..errors import ReadError
from ..model import Article, Block, Exchange, Figure, Heading, Kind, Paragraph
from ..slugs import slugify
from . import fields

NAME = "plaintext"

_SUFFIXES = {".txt", ".text"}
_WRAPPED_LINE_LIMIT = 100

_BANNER_START = re.compile(r"^Dear (?:[\w’'.-]+ )*Readers,?$")
_SITE_NAME = re.compile(r"\barchives of ((?:[A-Z][\w’'-]* )+Deeply)\b|\b((?:[A-Z][a-z]+ )+Deeply)\b")
_FOOTER_LINES = {
    "suggest your story or issue.",
    "send",
    "share your story.",
    "learn more",
}
_FOOTER_PREFIXES = ("have a story idea?",)

_NAME_WORD = r"[A-Z][\w’'.-]*"
_NAMES = rf"{_NAME_WORD}(?:(?:\s+|\s*,\s*|\s+and\s+|\s*&\s*){_NAME_WORD})*"
_BYLINE = re.compile(
    rf"^(?:Written by|By)\s+(?P<authors>{_NAMES})"
    r"(?:\s+Published on(?:\s+(?P<date>(?!Read time).*?))?)?"
    r"(?:\s+Read time\s+(?:Approx\.?\s*)?(?P<minutes>\d+)\s+min(?:ute)?s?\.?)?$"
)
_BYLINE_WINDOW = 6
_BYLINE_SEARCH = 12
_BYLINE_LABELS = ("Written by", "Published on", "Read time")

_DATELINE = re.compile(
    r"^(?P<place>[A-Z][A-Z’'.-]+(?: [A-Z][A-Z’'.-]+)*(?:, [A-Z][\w.]+(?: [A-Z][\w.]+)*)?)"
    r"\s+[–—-]{1,2}\s+(?P<rest>\S.*)$"
)
_LABEL = re.compile(r"^(?P<label>[A-Z][\w’'.-]*(?: [A-Z][\w’'.-]*){0,3}):\s+(?P<text>\S.*)$")
_ASKER_HINT = re.compile(r"(?:Deeply|^Q|^Question)$")

_SENTENCE_END = (".", "!", "?", ":", ";", ",", "\"", "”", "’", ")")
_HEADING_LIMIT = 80

_AGENCIES = ("Getty Images", "Reuters", "AFP", "AP Photo", "Associated Press", "EPA", "Anadolu Agency")
_PHOTO_BY = re.compile(
    r"^(?P<caption>.*?[.!?)\d])?\s*\(?(?P<credit>(?:Photo(?:graph)?(?: courtesy of| by|:)|Courtesy of|Credit:)\s+[^()]+?)\)?$"
)
_CREDIT_NAME_WORDS = 2


def sniff(path: Path, head: bytes) -> int:
    """Text files are likely ours; anything else is not."""
    return 60 if Path(path).suffix.lower() in _SUFFIXES else 0


def read(path: Path) -> list[Article]:
    """The one article a text file holds."""
    path = Path(path)
    try:
        text = sanitize.decode(path.read_bytes(), path, markup=False)
    except UnicodeDecodeError as exc:
        raise ReadError(f"not UTF-8 text (byte {exc.start})", path) from exc
    units = _units(text)
    if not units:
        raise ReadError("empty file: no text to read", path)
    return [parse(units, path)]


def parse(units: list[str], source: object = "") -> Article:
    """An article from text units (lines or paragraphs), boilerplate removed."""
    units = _merge_byline(_drop_footer(units))
    banner_at = next((i for i, unit in enumerate(units[:5]) if _BANNER_START.match(unit)), None)
    start = 0 if banner_at is None else banner_at + 1
    byline_at = next(
        (i for i in range(start, min(len(units), start + _BYLINE_WINDOW)) if _BYLINE.match(units[i])),
        None,
    )
    head = _head(units, start, byline_at, banner=banner_at is not None)
    if not head.title:
        raise ReadError("no title found", source)
    site = ""
    if banner_at is not None:
        found = _SITE_NAME.search(" ".join(units[start : head.title_at]))
        site = (found.group(1) or found.group(2)) if found else ""

    authors: tuple[str, ...] = ()
    date = None
    read_time = None
    body_at = head.body_at
    byline = _BYLINE.match(units[byline_at]) if byline_at is not None else None
    if byline is not None:
        authors = fields.split_authors(byline.group("authors"))
        date = fields.parse_date(byline.group("date") or "", source)
        read_time = int(byline.group("minutes")) if byline.group("minutes") else None

    lead = None
    if byline_at is not None and body_at < len(units):
        lead = _lead_figure(units[body_at])
        if lead is not None:
            body_at += 1

    body = _body(units[body_at:])
    return sanitize.article(Article(
        title=head.title,
        dek=head.dek,
        body=body,
        authors=authors,
        date=date,
        read_time=read_time,
        kind=Kind.QA if any(isinstance(b, Exchange) for b in body) else Kind.ARTICLE,
        site=site,
        lead=lead,
        slug=slugify(head.title),
        source=str(source),
    ))


def _units(text: str) -> list[str]:
    """Lines, or blank-separated chunks joined when the text is hard-wrapped."""
    lines = [line.strip() for line in text.splitlines()]
    chunks: list[list[str]] = [[]]
    for line in lines:
        if line:
            chunks[-1].append(line)
        elif chunks[-1]:
            chunks.append([])
    chunks = [chunk for chunk in chunks if chunk]
    longest = max((len(line) for line in lines), default=0)
    multi_line = sum(1 for chunk in chunks if len(chunk) > 1)
    if len(chunks) > 1 and longest <= _WRAPPED_LINE_LIMIT and multi_line * 2 > len(chunks):
        return [sanitize.normalize_space(" ".join(chunk)) for chunk in chunks]
    return [sanitize.normalize_space(line) for line in lines if line]


def _merge_byline(units: list[str]) -> list[str]:
    """Units with a byline table rendered one cell a line joined back into one line.

    Some browsers write "Written by", the names, "Published on", the date and
    "Read time ..." on lines of their own.
    """
    start = next((i for i, unit in enumerate(units[:_BYLINE_SEARCH]) if unit.startswith("Written by")), None)
    if start is None:
        return units
    end = start + 1
    while end < len(units) and (
        units[end - 1].endswith(_BYLINE_LABELS) or units[end].startswith(_BYLINE_LABELS + ("Approx",))
    ):
        end += 1
    return units[:start] + [" ".join(units[start:end])] + units[end:]


def _drop_footer(units: list[str]) -> list[str]:
    """Units without the site's trailing "Suggest your story" and "Share Your Story" lines."""
    end = len(units)
    while end and _is_footer(units[end - 1]):
        end -= 1
    return units[:end]


def _is_footer(unit: str) -> bool:
    lowered = unit.lower()
    return lowered in _FOOTER_LINES or lowered.startswith(_FOOTER_PREFIXES)


@dataclass(frozen=True, slots=True)
class _Head:
    """Where the title is, what it and the dek say, and where the rest begins."""

    title: str
    """The headline, plain text."""
    dek: str
    """The standfirst, plain text; empty when there is none."""
    title_at: int
    """Index of the title unit."""
    body_at: int
    """Index of the first unit after the head (and after the byline)."""


def _head(units: list[str], start: int, byline_at: int | None, *, banner: bool) -> _Head:
    """Title and dek: the units before the byline, after any banner."""
    if byline_at is None:
        title_at = start
        if banner:
            # Banner paragraphs are sentences; the title is the first unit that is not.
            title_at = next((i for i in range(start, len(units)) if _is_title_like(units[i])), start)
        if title_at >= len(units):
            return _Head("", "", title_at, title_at)
        return _Head(units[title_at], "", title_at, title_at + 1)
    candidates = list(range(start, byline_at))
    if not candidates:
        return _Head("", "", start, byline_at + 1)
    if not banner:
        title_at = start
    elif len(candidates) >= 2 and _is_title_like(units[byline_at - 2]):
        title_at = byline_at - 2
    elif _is_title_like(units[byline_at - 1]):
        title_at = byline_at - 1
    else:
        title_at = max(start, byline_at - 2)
    dek = " ".join(units[title_at + 1 : byline_at])
    return _Head(units[title_at], dek, title_at, byline_at + 1)


def _is_title_like(unit: str) -> bool:
    return not unit.endswith(".") and len(unit) < 200


def _lead_figure(unit: str) -> Figure | None:
    """The photo caption line under the byline, when it ends with a photo credit."""
    split = split_credit(unit)
    if split is None:
        return None
    caption, credit = split
    return Figure(caption=sanitize.text(caption), credit=credit)


def split_credit(line: str) -> tuple[str, str] | None:
    """(caption, credit) when ``line`` ends with a photo credit, else ``None``.

    Credits look like "STRINGER/AFP/Getty Images", "AP Photo/Hassan Ammar",
    "Omar Sanadiki/Reuters", "Photo by Jane Doe" or a bare agency name.
    """
    by = _PHOTO_BY.match(line)
    if by and by.group("caption"):
        return by.group("caption").strip(), by.group("credit").strip()
    words = line.split(" ")
    # The credit is a run of capitalised words at the end of the line.
    run_start = len(words)
    while run_start > 0 and _is_credit_word(words[run_start - 1]):
        run_start -= 1
    slashed = next((i for i in range(run_start, len(words)) if "/" in words[i]), None)
    if slashed is not None:
        credit_start = max(run_start, slashed - _CREDIT_NAME_WORDS)
        if credit_start == 0:
            return None
        return " ".join(words[:credit_start]), " ".join(words[credit_start:])
    for agency in _AGENCIES:
        if line.endswith(" " + agency):
            caption = line.removesuffix(agency).rstrip()
            # Only after a sentence or a date: "... in Aleppo Reuters" is ambiguous.
            if caption.endswith((".", ")")) or caption[-1:].isdigit():
                return caption, agency
    return None


def _is_credit_word(word: str) -> bool:
    if "/" in word:
        return all(part[:1].isupper() for part in word.split("/"))
    return word[:1].isupper() and not word.endswith((".", ",", ";", ":"))


def _body(units: list[str]) -> tuple[Block, ...]:
    """Body blocks: the dateline, interview exchanges, subheads and paragraphs."""
    asker = _asker(units)
    blocks: list[Block] = []
    question: str | None = None
    speaker = ""
    answer: list[str] = []

    def close_exchange() -> None:
        if question is not None:
            blocks.append(Exchange(question=question, answer=tuple(answer), asker=asker, speaker=speaker))

    for index, unit in enumerate(units):
        labelled = _LABEL.match(unit) if asker else None
        if labelled and labelled.group("label") == asker:
            close_exchange()
            question, speaker, answer = sanitize.text(labelled.group("text")), "", []
        elif question is not None and labelled and not answer:
            speaker = labelled.group("label")
            answer.append(sanitize.text(labelled.group("text")))
        elif question is not None:
            answer.append(sanitize.text(unit))
        elif index == 0 and (dated := _DATELINE.match(unit)):
            blocks.append(Paragraph(sanitize.text(dated.group("rest")), dateline=dated.group("place")))
        elif _is_subhead(unit, last=index == len(units) - 1):
            blocks.append(Heading(sanitize.text(unit)))
        else:
            blocks.append(Paragraph(sanitize.text(unit)))
    close_exchange()
    return tuple(blocks)


def _asker(units: list[str]) -> str:
    """The interviewer's label ("Syria Deeply", "Q") when the text is an interview.

    It is the label of a labelled question; a text is an interview only when some
    other label answers it.
    """
    labels = [(m.group("label"), m.group("text")) for m in map(_LABEL.match, units) if m]
    askers = [label for label, text in labels if text.endswith("?")]
    if not askers:
        return ""
    hinted = [label for label in askers if _ASKER_HINT.search(label)]
    asker = hinted[0] if hinted else askers[0]
    if not any(label != asker for label, _ in labels):
        return ""
    return asker


def _is_subhead(unit: str, *, last: bool) -> bool:
    """A short line without closing punctuation inside the body is a subhead."""
    return (
        not last
        and len(unit) <= _HEADING_LIMIT
        and unit[:1].isupper()
        and not unit.endswith(_SENTENCE_END)
    )
