"""Pagination discipline of the chunked PDF, read back from poppler's word boxes.

Each block of the model (paragraph, subhead, question, answer, the source line) is
found in the laid-out lines of the book by its text, so its first and last lines
have pages; the rules are then checked on those pages: no heading or question at
a page foot without what follows it, no source line alone, no orphan or widow
under two lines, openers on right-hand pages without running head or folio.
"""

from __future__ import annotations

import bisect
import datetime as dt
import html
import random
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

import deeplybook
from deeplybook.model import Article, Edition, Exchange, Heading, Kind, Paragraph, Section
from deeplybook.writers.pdf import write_pdf
from deeplybook.writers.pdf.anchors import Placement, Rendered, book_pages, placements

#: A5 in points, and the theme's margins: lines above the top one are running heads,
#: below the bottom one folios.
PAGE_HEIGHT = 595.28
TOP_MARGIN = 17 * 72 / 25.4
BOTTOM_MARGIN = 20 * 72 / 25.4
#: Characters of a block's text that find its first and its last line.
PROBE = 24
WORDS = ("the council met again near the river while convoys waited at the border and the "
         "teachers of the town kept the school open through a winter of shelling bread fuel "
         "water prices rose as negotiators argued over a ceasefire that families no longer "
         "trusted clinic harvest market road camp").split()


@dataclass(frozen=True)
class Line:
    page: int
    top: float
    bottom: float
    text: str


@dataclass(frozen=True)
class Block:
    """A block of the model as the book prints it: what it is and its text."""

    kind: str
    text: str
    article: str


def squeezed(text: str) -> str:
    """Letters and digits only, lower case: hyphenation, spacing and quotes do not count."""
    return "".join(ch for ch in html.unescape(re.sub(r"<[^>]+>", "", text)).lower() if ch.isalnum())


def laid_out(pdf: Path) -> tuple[list[Line], int]:
    """Every line poppler finds, in page order then top to bottom, and the page count."""
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing: install poppler-utils")
    xml = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, text=True,
                         check=True).stdout
    found: list[Line] = []
    pages = xml.split("<page ")[1:]
    for index, page in enumerate(pages):
        lines = []
        for y_min, y_max, words in re.findall(r'<line xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" '
                                              r'yMax="([\d.]+)">(.*?)</line>', page, re.S):
            text = " ".join(html.unescape(word) for word in re.findall(r">([^<]*)</word>", words))
            lines.append(Line(index, float(y_min), float(y_max), text))
        found += sorted(lines, key=lambda line: line.top)
    return found, len(pages)


def body_lines(lines: list[Line]) -> list[Line]:
    """The lines of the text area, without the contents and indexes (pages with dotted leaders)."""
    matter = {line.page for line in lines if ". . ." in line.text}
    return [line for line in lines if line.page not in matter
            and line.top > TOP_MARGIN - 2 and line.bottom < PAGE_HEIGHT - BOTTOM_MARGIN + 2]


def blocks_of(article: Article) -> list[Block]:
    """The article's blocks in print order, each the text one paragraph of the page holds."""
    made = [Block("title", article.title, article.slug)]
    for block in article.body:
        if isinstance(block, Paragraph):
            made.append(Block("paragraph", f"{block.dateline or ''} {block.text}", article.slug))
        elif isinstance(block, Heading):
            made.append(Block("heading", block.text, article.slug))
        elif isinstance(block, Exchange):
            made.append(Block("question", f"{block.asker} {block.question}", article.slug))
            made += [Block("answer", f"{block.speaker if n == 0 else ''} {para}", article.slug)
                     for n, para in enumerate(block.answer)]
    if article.url:
        made.append(Block("source", f"Originally published at {article.url}", article.slug))
    return made


class Book:
    """A PDF read back: its lines, and the lines each block of the edition starts and ends on."""

    def __init__(self, pdf: Path, edition: Edition) -> None:
        self.lines, self.page_count = laid_out(pdf)
        self.body = body_lines(self.lines)
        texts = [squeezed(line.text) for line in self.body]
        self.stream = "".join(texts)
        self.starts = []
        offset = 0
        for text in texts:
            self.starts.append(offset)
            offset += len(text)
        self.placed: list[tuple[Block, int, int]] = []
        self.missed: list[Block] = []
        cursor = 0
        for article in edition.articles:
            for block in blocks_of(article):
                cursor = self._place(block, cursor)

    def _place(self, block: Block, cursor: int) -> int:
        text = squeezed(block.text)
        if not text:
            return cursor
        start = self.stream.find(text[:PROBE], cursor)
        end = self.stream.find(text[-PROBE:], start) if start >= 0 else -1
        if start < 0 or end < 0 or end - start > len(text) * 2:
            self.missed.append(block)
            return cursor
        end += min(PROBE, len(text)) - 1
        first = bisect.bisect_right(self.starts, start) - 1
        last = bisect.bisect_right(self.starts, end) - 1
        self.placed.append((block, first, last))
        return end + 1

    def page(self, line: int) -> int:
        return self.body[line].page

    def broken_rules(self) -> list[str]:
        """Every break of the pagination rules, named with its article and pages."""
        broken = []
        for n, (block, first, last) in enumerate(self.placed):
            where = f"{block.article}: {block.kind} {block.text[:40]!r} on page {self.page(last) + 1}"
            following = self.placed[n + 1] if n + 1 < len(self.placed) else None
            same_article = following is not None and following[0].article == block.article
            if block.kind in ("heading", "question", "title") and same_article:
                if self.page(following[1]) != self.page(last):
                    broken.append(f"{where} parted from the {following[0].kind} after it")
                elif following[0].kind != "source" and following[2] > following[1] \
                        and self.page(following[1] + 1) != self.page(last):
                    broken.append(f"{where} keeps only one line of the {following[0].kind} after it")
            if block.kind == "source" and n > 0 and self.page(self.placed[n - 1][2]) != self.page(first):
                broken.append(f"{where} parted from the article's last paragraph")
            if last > first and block.kind not in ("source", "title"):
                if self.page(first) != self.page(first + 1):
                    broken.append(f"{where}: an orphan (one line at the foot of page {self.page(first) + 1})")
                if self.page(last) != self.page(last - 1):
                    broken.append(f"{where}: a widow (one line at the head of page {self.page(last) + 1})")
        return broken

    def opening_pages(self) -> list[int]:
        return sorted({self.page(first) for block, first, _ in self.placed if block.kind == "title"})

    def margin_text(self, page: int) -> list[str]:
        """Running head and folio: what a page prints outside its text area."""
        body = set(self.body)
        return [line.text for line in self.lines if line.page == page and line not in body]


def section_pages(book: Book, titles: list[str]) -> list[int]:
    """The pages the section openers are on: their title alone on a page with its article count."""
    found = []
    for title in titles:
        found.append(next(line.page for n, line in enumerate(book.body)
                          if line.text == title and n + 1 < len(book.body)
                          and re.fullmatch(r"\d+ articles?", book.body[n + 1].text)))
    return found


def assert_disciplined(book: Book, sections: list[str]) -> None:
    assert len(book.missed) <= len(book.placed) // 50, f"blocks not found in the PDF: {book.missed[:5]}"
    problems = book.broken_rules()
    for page in section_pages(book, sections):
        if page % 2:
            problems.append(f"section opener on page {page + 1}, a left-hand page")
    for page in [*section_pages(book, sections), *book.opening_pages()]:
        if book.margin_text(page):
            problems.append(f"opening page {page + 1} prints {book.margin_text(page)} in its margins")
    assert problems == [], f"{len(problems)} broken rules:\n" + "\n".join(problems)


# An invented book that provokes each rule: the filler before each case is cut to a
# length that brings the case to a page foot; some length of each set lands on it.

def filler(rng: random.Random, words: int) -> Paragraph:
    sentence = " ".join(rng.choice(WORDS) for _ in range(words))
    return Paragraph(sentence[0].upper() + sentence[1:] + ".")


def provoking(case: str, words: int) -> Article:
    rng = random.Random(f"{case}-{words}")
    # Endings need less before them: their last paragraph is to end at the first page's foot.
    lead = 2 if case in ("ending", "short end") else 4
    body: list = [filler(rng, 90) for _ in range(lead)] + [filler(rng, words)]
    if case == "interview":
        body += [Exchange(f"Question {words}: " + filler(rng, 30).text, (filler(rng, 60).text, filler(rng, 40).text),
                          asker="Invented Deeply", speaker="Nour Haddad") for _ in range(3)]
    elif case == "subhead":
        body += [Heading(f"What comes next {words}"), filler(rng, 80), filler(rng, 80)]
    elif case == "ending":
        body += [filler(rng, 70)]
    elif case == "short end":
        body += [filler(rng, 95), filler(rng, 12)]
    kind = Kind.QA if case == "interview" else Kind.ARTICLE
    slug = f"{case.replace(' ', '-')}-{words}"
    return Article(title=f"The {case} case, {words} words", body=tuple(body), kind=kind, slug=slug,
                   date=dt.datetime(2017, 3, 1, tzinfo=dt.timezone.utc), authors=("Rima Haddad",),
                   url=f"https://news.example/{slug}")


CASES = ("interview", "subhead", "ending", "short end")
PROVOKING = Edition(
    title="Deeply Paginated",
    language="en-GB",
    sections=tuple(Section(case.title(), articles=tuple(provoking(case, words) for words in range(20, 160, 6)))
                   for case in CASES),
)


@pytest.fixture(scope="module")
def provoked(tmp_path_factory) -> Path:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # the test's clock, as in the one-document render
        return write_pdf(PROVOKING, tmp_path_factory.mktemp("paginated") / "provoking.pdf", chunk_size=5, jobs=2)


def test_an_invented_book_keeps_every_rule(provoked):
    assert_disciplined(Book(provoked, PROVOKING), [case.title() for case in CASES])


def test_the_one_document_render_has_the_same_pages(provoked, tmp_path):
    # The chunked book's blank pages are the merge's, the one document's WeasyPrint's.
    single = write_pdf(PROVOKING, tmp_path / "one.pdf", one_document=True)
    chunked_lines, chunked_count = laid_out(provoked)
    single_lines, single_count = laid_out(single)
    assert chunked_count == single_count
    assert body_lines(chunked_lines) == body_lines(single_lines)
    blank = sorted(set(range(chunked_count)) - {line.page for line in chunked_lines})
    assert len(blank) >= 3, "the book should need blank pages before some of its sections"


def parts(*pages: tuple[int, tuple[int, ...], tuple[int, ...]]) -> list[Rendered]:
    return [Rendered(Path("part.pdf"), count, {}, (), blank, recto) for count, blank, recto in pages]


def test_the_merge_drops_a_parts_blank_pages_and_puts_its_own():
    # Four pages of front matter; a chunk whose opener WeasyPrint put on its own page 2,
    # after a blank page 1; a chunk that opens with a section.
    laid = parts((4, (), ()), (3, (1,), (2,)), (2, (), (0,)))
    # In the book the first chunk's blank page goes; its opener would fall on page 5, a
    # left-hand page (0 is a right-hand one), and so would the second chunk's: a blank
    # page before each.
    assert book_pages(laid) == [(0, 1, 2, 3), (4, None, 6), (8, 9)]
    assert placements([Rendered(Path("part.pdf"), 3, {"opener": (2, 1.0, 2.0)}, (), (1,), (2,))]) == {
        "opener": Placement(2, 1.0, 2.0)}


@pytest.fixture(scope="module")
def hundred(syria_mirror) -> Edition:
    """100 real articles, 30 of them interviews, grouped by year."""
    articles = [a for a in deeplybook.read([syria_mirror]) if a.kind is not Kind.BRIEFING]
    interviews = [a for a in articles if a.kind is Kind.QA][:30]
    others = [a for a in articles if a.kind is not Kind.QA]
    chosen = interviews + others[::len(others) // 70][:70]
    return deeplybook.make_edition(chosen, title="Syria Deeply: A Hundred Articles", group_by=["year"])


def test_a_hundred_real_articles_keep_every_rule(hundred, tmp_path):
    assert len(hundred.articles) == 100
    assert sum(a.kind is Kind.QA for a in hundred.articles) == 30
    pdf = write_pdf(hundred, tmp_path / "hundred.pdf", jobs=2)
    assert_disciplined(Book(pdf, hundred), [section.title for section in hundred.sections])
