"""A page's body to typed blocks: paragraphs, headings, figures, embeds, quotes, and an interview's exchanges."""

from __future__ import annotations

import copy
import re
from typing import Iterator
from urllib.parse import parse_qs, urlsplit

from lxml import etree

from ... import sanitize
from ...model import Block, Embed, Exchange, Figure, Heading, Image, ItemList, Kind, Paragraph, Quote
from . import credits
from .cleanup import (
    DROPPED_TAGS,
    Tally,
    clean_tree,
    drop_leading,
    drop_spans,
    first_text,
    fully_inside,
    inline_markup,
    remove_element,
    remove_promos,
    repeats,
    strip_reference_definitions,
    text_of,
    unwrap_tag,
    without_tag,
    wrap_loose_inline,
)
from .links import PageLocation

_DATELINE = re.compile(
    r"^\s*(?P<place>[A-Z][A-Z’'.\-–/ ]*[A-Z.]"
    r"(?:,\s*[A-Z][A-Za-z.]*(?:\s+[A-Z][A-Za-z.]*)*)?"
    r"(?:\s*\([A-Z][A-Za-z]*\))?)"
    r"\s*[–—-]+\s*"
)
_DATELINE_LIMIT = 60

# "Syria Deeply: question" or "Fabrice Balanche: answer": a short label and a colon.
_LABEL = re.compile(r"^\s*(?P<label>[^:?!\n]{1,50}?)\s*:\s*(?=\S)")
_ASKER_SUFFIX = re.compile(r"\bDeeply$", re.IGNORECASE)
_QUESTION_LABELS = {"q", "question"}
_MAX_LABEL_WORDS = 6
_NAME_PARTICLES = {"al", "el", "de", "del", "der", "van", "von", "bin", "ibn", "da", "di", "du", "la", "le", "and"}
# Labels of a transcript that are initials ("KL:", "DF:") but name news outlets, not people.
_OUTLET_INITIALS = {"AFP", "AP", "BBC", "CNN", "WSJ", "NPR", "NYT", "UN", "US", "EU", "UK", "SANA", "ISIS", "FSA", "SDF"}
_INITIALS = re.compile(r"^[A-Z]{2,4}$")
# Elements at the top of a body that only wrap others; their classes say nothing.
_WRAPPERS = ("div", "section", "article", "center")
_WRAPPER_CLASS_WORDS = ("caption", "quote", "embed", "tweet", "instagram", "video", "map", "teaser")

_HEADING_LEVELS = {"h1": 2, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}

_AUDIO_HOSTS = ("soundcloud.com", "audioboom.com", "spotify.com", "speakbridge.io")
_VIDEO_HOSTS = ("youtube.com", "youtu.be", "vimeo.com", "newsinc.com", "dailymotion.com", "facebook.com")


def caption_and_credit(caption: etree._Element | None, page: PageLocation,
                       tally: Tally | None = None) -> tuple[str, str]:
    """(credit, caption) of a figure's caption: the credit is its ``<cite>``, taken out of the caption.

    Without a ``<cite>``, a credit written at the end of the caption's text ("(Jane Doe/AFP)",
    "Photo by Jane Doe", "REUTERS/Omar Sanadiki") is split off by ``credits.split_credit``.
    """
    if caption is None:
        return "", ""
    credit = ""
    for cite in caption.xpath(".//cite"):
        credit = credit or text_of(cite)
        remove_element(cite)
    clean_tree(caption, page)
    if not credit:
        text = caption.text_content()
        found = credits.split_credit(text)
        if found is not None:
            start, credit = found
            drop_spans(caption, [(start, len(text))])
            if tally is not None:
                tally.note("credit-split", credit)
    return credit, inline_markup(caption)


def find_image(container: etree._Element, page: PageLocation) -> Image | None:
    """The first picture in ``container`` (or ``container`` itself) with a source that resolves."""
    images = [container] if container.tag == "img" else container.xpath(".//img")
    for img in images:
        source = img.get("src") or img.get("data-original") or img.get("data-orig-file") or ""
        source = source.strip()
        if not source or source.startswith("data:"):
            continue
        url, local = page.resolve_resource(source)
        if url:
            return Image(url=url, path=local, alt=sanitize.normalize_space(img.get("alt") or ""))
    return None


class Body:
    """Turns div.body into typed blocks: paragraphs, figures, interview exchanges..."""

    def __init__(self, page: PageLocation, kind: Kind, site: str = "", tally: Tally | None = None) -> None:
        self.page = page
        self.kind = kind
        self.tally = tally if tally is not None else Tally(page.file)
        """What the cleanup changed in this body, counted."""
        self.askers = {"ND"} | ({_initials(site)} if site else set())
        """Labels that ask in an interview besides "X Deeply" and "Q": the site's initials ("SD")."""
        self._text = ""

    def blocks(self, body: etree._Element) -> tuple[Block, ...]:
        """The typed blocks of the page's div.body (a copy: the tree given is left as it is)."""
        body = copy.deepcopy(body)
        clean_tree(body, self.page)
        strip_reference_definitions(body, self.tally)
        remove_promos(body, self.tally)
        wrap_loose_inline(body)
        self._text = text_of(_without_asides(body))
        children = _unwrapped(body)
        if self.kind is not Kind.BRIEFING:
            _mark_dateline(children)
        blocks = tuple(_Interview(self, children, self.kind is Kind.QA).blocks())
        if len(children) != len([c for c in body if isinstance(c.tag, str)]) and any(
                isinstance(block, Exchange) for block in blocks):
            self.tally.note("interview-unwrapped", "exchanges found inside a wrapper div")
        return blocks

    def block(self, element: etree._Element) -> list[Block]:
        """The blocks one element of the body makes."""
        tag = element.tag
        classes = set((element.get("class") or "").split())
        if tag in _HEADING_LEVELS:
            text = inline_markup(element)
            return [Heading(text, _HEADING_LEVELS[tag])] if text else []
        if tag == "p" and self.kind is Kind.BRIEFING and fully_inside(element, ("strong", "b")):
            text = unwrap_tag(inline_markup(element), "strong")
            return [Heading(text, 2)] if text else []  # older briefings set their items in bold
        if tag == "p":
            return self._paragraph(element)
        if tag == "div" and "wp-caption" in classes:
            return self._figure(element)
        if tag == "div" and "left-side-quote-block" in classes:
            return self._pull_quote(element)
        if tag == "figure":
            return self._figure(element)
        if tag == "aside":
            return self._aside(element)
        if tag == "blockquote":
            return self._blockquote(element)
        if tag in ("ul", "ol"):
            return self._list(element)
        if tag == "iframe":
            return self._embeds(element)
        if tag == "img":
            return self._figure(element)
        if tag == "dl":
            return [Paragraph(text) for text in map(inline_markup, element.xpath("./dt|./dd")) if text]
        if tag == "table":
            rows = (" – ".join(filter(None, map(inline_markup, row.xpath("./td|./th")))) for row in element.iter("tr"))
            return [Paragraph(row) for row in rows if row]
        if tag == "pre":
            text = inline_markup(element)
            return [Paragraph(text)] if text else []
        if tag in DROPPED_TAGS:
            return []
        if element.xpath(".//iframe") and not element.xpath(".//p"):
            return self._embeds(element)
        wrap_loose_inline(element)
        blocks: list[Block] = []
        for child in element:
            if isinstance(child.tag, str):
                blocks.extend(self.block(child))
        return blocks

    def _paragraph(self, element: etree._Element) -> list[Block]:
        if element.xpath(".//iframe"):
            return self._embeds(element) + self._paragraph(without_tag(element, "iframe"))
        if element.xpath(".//img") and not text_of(element):
            return self._figure(element)
        if "wp-caption-text" in (element.get("class") or ""):
            text = inline_markup(element)
            return [Figure(caption=text)] if text else []
        text = inline_markup(element)
        if not text:
            return []
        return [Paragraph(text, dateline=element.get("data-dateline"))]

    def _figure(self, element: etree._Element) -> list[Block]:
        if element.xpath(".//iframe"):
            title = first_text(element.xpath(".//figcaption|.//p[contains(@class, 'wp-caption-text')]"))
            return self._embeds(element, title)
        image = find_image(element, self.page)
        captions = element.xpath(".//figcaption|.//*[contains(concat(' ', normalize-space(@class), ' '), ' wp-caption-text ')]")
        credit, caption = caption_and_credit(captions[0], self.page, self.tally) if captions else ("", "")
        if image is None and not caption and not credit:
            return []
        return [Figure(caption=caption, credit=credit, image=image)]

    def _aside(self, element: etree._Element) -> list[Block]:
        if element.xpath(".//iframe"):
            return self._figure(element)
        if element.xpath(".//img|.//figure"):
            return self._figure(element)
        return self._pull_quote(element)

    def _pull_quote(self, element: etree._Element) -> list[Block]:
        """An aside without a picture: dropped when the body says it already, else kept as a quote."""
        text = text_of(element)
        if not text:
            return []
        if repeats(text, self._text):
            self.tally.note("aside-dropped", text)
            return []
        quoted = element.xpath(".//blockquote")
        blocks = self._blockquote(quoted[0]) if quoted else self._blockquote(element)
        if blocks:
            self.tally.note("aside-kept", text)
        return blocks

    def _blockquote(self, element: etree._Element) -> list[Block]:
        classes = (element.get("class") or "").split()
        if any(c.startswith("twitter-") for c in classes):
            return self._tweet(element)
        if "instagram-media" in classes:
            links = [a.get("href") for a in element.iter("a") if a.get("href")]
            url = self.page.link(links[0]) if links else None
            return [Embed("media", url, "Instagram post")] if url else []
        paragraphs = [text for text in map(inline_markup, element.xpath(".//p")) if text]
        if not paragraphs:
            text = inline_markup(element)
            paragraphs = [text] if text else []
        cite = first_text(element.xpath(".//cite"))
        return [Quote(tuple(paragraphs), cite)] if paragraphs else []

    def _tweet(self, element: etree._Element) -> list[Block]:
        links = [a.get("href") for a in element.iter("a") if a.get("href")]
        statuses = [link for link in links if "/status/" in link]
        chosen = statuses[-1] if statuses else (links[-1] if links else None)
        url = self.page.link(chosen) if chosen else None
        if not url:
            return []
        return [Embed("tweet", url, first_text(element.xpath(".//p")[:1]))]

    def _list(self, element: etree._Element) -> list[Block]:
        items = element.xpath("./li")
        exchanges = _numbered_exchanges(items)
        if exchanges:
            return exchanges
        texts = tuple(text for text in map(inline_markup, items) if text)
        return [ItemList(texts, ordered=element.tag == "ol")] if texts else []

    def _embeds(self, element: etree._Element, title: str = "") -> list[Block]:
        frames = [element] if element.tag == "iframe" else element.xpath(".//iframe")
        embeds: list[Block] = []
        for frame in frames:
            source = frame.get("src") or frame.get("data-src") or ""
            url = self.page.link(source) if source.strip() else None
            if url:
                url = _watchable(url)
                embeds.append(Embed(_media_kind(url), url, title or sanitize.normalize_space(frame.get("title") or "")))
        return embeds


class _Interview:
    """Finds the exchanges of an interview among the body's top-level elements.

    A question is a paragraph or subhead that opens with the asker's label
    ("Syria Deeply: ...", "Q: ..."); in a page of the Q&A category a wholly bold
    paragraph or subhead with a label also counts. Once an interview has begun, bold
    paragraphs and subheads that ask something ("...?") are questions too. The answer
    runs until the next question; its first paragraph may name the speaker.
    """

    def __init__(self, body: Body, children: list[etree._Element], qa_page: bool) -> None:
        self.body = body
        self.children = children
        self.qa_page = qa_page

    def blocks(self) -> Iterator[Block]:
        questions = self._questions()
        if not questions:
            for child in self.children:
                yield from self.body.block(child)
            return
        first = min(questions)
        for child in self.children[:first]:
            yield from self.body.block(child)
        index = first
        while index < len(self.children):
            asker, question = questions[index]
            end = index + 1
            while end < len(self.children) and end not in questions:
                end += 1
            yield from self._exchange(asker, question, self.children[index + 1 : end])
            index = end

    def _questions(self) -> dict[int, tuple[str, str]]:
        found: dict[int, tuple[str, str]] = {}
        started = False
        for index, child in enumerate(self.children):
            if child.tag not in ("p", "h2", "h3", "h4"):
                continue
            emphatic = child.tag != "p" or fully_inside(child, ("strong", "b"))
            label = _label(child)
            if label and self._is_asker(label, emphatic):
                if label[0] in self.body.askers and not started:
                    self.body.tally.note("interview-initials", label[0])
                drop_leading(child, label[1])
                found[index] = (label[0], unwrap_tag(inline_markup(child), "strong"))
                started = True
            elif emphatic and (started or self.qa_page) and "?" in text_of(child) and self._answered(index):
                found[index] = ("", unwrap_tag(inline_markup(child), "strong"))
                started = True
        if not found:
            found = self._transcript()
        return {index: value for index, value in found.items() if value[1]}

    def _transcript(self) -> dict[int, tuple[str, str]]:
        """Questions of a transcript: "<b>LS:</b> ..." and "<b>GS:</b> ..." taking turns.

        Early interviews name neither side as an asker; the one who speaks first asks.
        It takes two bold labels (or two plain initials, "KL:" and "DF:", outside a
        briefing) alternating at least twice each, and nothing else labelled, so that
        an article quoting several people is left alone.
        """
        plain = self.body.kind is not Kind.BRIEFING
        labels = [(index, _bold_label(child) or (_initials_label(child) if plain else None))
                  for index, child in enumerate(self.children) if child.tag == "p"]
        turns = [(index, label) for index, label in labels if label]
        names = {label[0] for _, label in turns}
        if len(names) != 2 or len(turns) < 4 or not all(_looks_like_name(name) for name in names):
            return {}
        asker = turns[0][1][0]
        switches = sum(1 for a, b in zip(turns, turns[1:]) if a[1][0] != b[1][0])
        if switches < 3:
            return {}
        if not all(_bold_label(self.children[index]) for index, _ in turns):
            self.body.tally.note("interview-initials", " and ".join(sorted(names)))
        found = {}
        for index, label in self._named_turns(names, {index for index, _ in turns}) + turns:
            if label[0] == asker or (_initials(label[0]) == asker and label[0] not in names):
                child = self.children[index]
                drop_leading(child, label[1])
                found[index] = (label[0], inline_markup(child))
        return found

    def _named_turns(self, initials: set[str], taken: set[int]) -> list[tuple[int, tuple[str, int]]]:
        """Turns labelled with the full names behind a transcript's initials ("Karen Leigh:" for "KL:")."""
        named = []
        for index, child in enumerate(self.children):
            label = _label(child) if child.tag == "p" and index not in taken else None
            if label and " " in label[0] and _looks_like_name(label[0]) and _initials(label[0]) in initials:
                named.append((index, label))
        return named

    def _is_asker(self, label: tuple[str, int], emphatic: bool) -> bool:
        name = label[0]
        if _ASKER_SUFFIX.search(name) or name.lower() in _QUESTION_LABELS or name in self.body.askers:
            return True
        return self.qa_page and emphatic and _looks_like_name(name)

    def _answered(self, index: int) -> bool:
        """An unlabelled question is only one when plain text follows it."""
        following = self.children[index + 1 : index + 2]
        return bool(following) and following[0].tag == "p" and not fully_inside(following[0], ("strong", "b"))

    def _exchange(self, asker: str, question: str, elements: list[etree._Element]) -> Iterator[Block]:
        answer: list[str] = []
        speaker = ""
        before: list[Block] = []
        after: list[Block] = []
        for element in elements:
            if after or (element.tag == "p" and fully_inside(element, ("em", "i")) and answer):
                after.extend(self.body.block(element))
                continue
            if not answer and element.tag == "p" and not speaker:
                label = _label(element)
                if label and _looks_like_name(label[0]):
                    speaker = label[0]
                    drop_leading(element, label[1])
            blocks = self.body.block(element)
            paragraphs = [block for block in blocks if isinstance(block, Paragraph)]
            if len(paragraphs) == len(blocks):
                answer.extend(paragraph.text for paragraph in paragraphs)
            elif not answer:
                # A picture set between the question and its answer: it goes before
                # the exchange, which keeps the answer with its question.
                before.extend(blocks)
            else:
                after.extend(blocks)
        yield from before
        yield Exchange(question, tuple(answer), asker, speaker)
        yield from after


def _numbered_exchanges(items: list[etree._Element]) -> list[Block]:
    """Exchanges from ``<li><p><strong>question</strong></p><p>answer</p></li>`` items."""
    if len(items) < 2:
        return []
    exchanges: list[Block] = []
    for item in items:
        paragraphs = item.xpath("./p")
        if len(paragraphs) < 2 or not fully_inside(paragraphs[0], ("strong", "b")):
            return []
        asker = ""
        label = _label(paragraphs[0])
        if label and (_ASKER_SUFFIX.search(label[0]) or label[0].lower() in _QUESTION_LABELS):
            asker = label[0]
            drop_leading(paragraphs[0], label[1])
        question = unwrap_tag(inline_markup(paragraphs[0]), "strong")
        speaker = ""
        label = _label(paragraphs[1])
        if label and _looks_like_name(label[0]):
            speaker = label[0]
            drop_leading(paragraphs[1], label[1])
        answer = tuple(text for text in map(inline_markup, paragraphs[1:]) if text)
        if not question or not answer:
            return []
        exchanges.append(Exchange(question, answer, asker, speaker))
    return exchanges


def _label(element: etree._Element) -> tuple[str, int] | None:
    """(label, characters to drop) when the element's text opens with "Label: "."""
    match = _LABEL.match(element.text_content())
    if not match:
        return None
    name = sanitize.normalize_space(match.group("label"))
    return (name, match.end()) if name else None


def _initials_label(element: etree._Element) -> tuple[str, int] | None:
    """The element's opening label when it is a person's initials ("KL: ..."), bold or not."""
    label = _label(element)
    if label is None or not _INITIALS.match(label[0]) or label[0] in _OUTLET_INITIALS:
        return None
    return label


def _initials(site: str) -> str:
    """"SD" for "Syria Deeply", "WGD" for "Women & Girls Deeply": how an interview labels the site asking."""
    return "".join(word[0] for word in re.findall(r"[A-Za-z]+", site)).upper()


def _without_asides(body: etree._Element) -> etree._Element:
    """A copy of the body without its asides and pull quotes: the text they may repeat."""
    trimmed = copy.deepcopy(body)
    for found in trimmed.xpath(".//aside|.//div[contains(@class, 'left-side-quote-block')]"):
        remove_element(found)
    return trimmed


def _unwrapped(container: etree._Element) -> list[etree._Element]:
    """The container's children, with plain wrapper divs replaced by what they hold.

    A Q&A whose paragraphs sit in one more ``div`` is then seen as an interview; a
    wrapper's blocks come out the same either way.
    """
    children: list[etree._Element] = []
    for child in container:
        if not isinstance(child.tag, str):
            continue
        classes = (child.get("class") or "").lower()
        if (child.tag in _WRAPPERS and not any(word in classes for word in _WRAPPER_CLASS_WORDS)
                and child.xpath("./p|./h2|./h3|./h4")):
            wrap_loose_inline(child)
            children.extend(_unwrapped(child))
        else:
            children.append(child)
    return children


def _bold_label(element: etree._Element) -> tuple[str, int] | None:
    """The element's opening label when it is set in bold ("<strong>LS:</strong> ...")."""
    if (element.text or "").strip() or not len(element) or element[0].tag not in ("strong", "b"):
        return None
    label = _label(element)
    if label is None or len(element[0].text_content().strip()) < len(label[0]):
        return None
    return label


def _looks_like_name(label: str) -> bool:
    """"Fabrice Balanche", "Dr. Anna Neistat", "Haian al-Dukhan", "MEE"; not "The report says"."""
    words = label.split()
    if not 0 < len(words) <= _MAX_LABEL_WORDS or any(ch.isdigit() for ch in label):
        return False
    if not words[0][0].isupper():
        return False
    return all(word[0].isupper() or word.lower() in _NAME_PARTICLES or word.startswith(("al-", "el-")) for word in words)


def _mark_dateline(children: list[etree._Element]) -> None:
    """Take "BEIRUT –" off the start of the first paragraph, remembering the place."""
    for child in children:
        if child.tag != "p" or not text_of(child):
            if child.tag in ("p", "div", "figure", "aside"):
                continue
            return
        match = _DATELINE.match(child.text_content())
        place = sanitize.normalize_space(match.group("place")) if match else ""
        if match and 3 <= len(place) <= _DATELINE_LIMIT and sum(ch.isalpha() for ch in place) >= 3:
            drop_leading(child, match.end())
            child.set("data-dateline", place)
        return


def _media_kind(url: str) -> str:
    host = urlsplit(url).netloc.lower()
    if any(host.endswith(name) for name in _AUDIO_HOSTS):
        return "audio"
    if any(host.endswith(name) for name in _VIDEO_HOSTS):
        return "video"
    return "media"


def _watchable(url: str) -> str:
    """A YouTube player address as the page a reader can open; others as they are."""
    parts = urlsplit(url)
    if parts.netloc.endswith("youtube.com") and parts.path.startswith("/embed/"):
        video = parts.path.removeprefix("/embed/").strip("/")
        if video:
            return f"https://www.youtube.com/watch?v={video}"
    if parts.netloc.endswith("soundcloud.com") and parts.path.startswith("/player"):
        tracks = parse_qs(parts.query).get("url")
        if tracks:
            return tracks[0]
    return url
