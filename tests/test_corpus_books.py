"""Books of real Syria Deeply articles: EPUBCheck-clean, and PDF contents numbers that are true.

The contents numbers are checked against the text of the finished PDF (poppler's
pdftotext), not against the writer's own bookkeeping.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

import deeplybook
from deeplybook.model import Kind

pytestmark = pytest.mark.corpus

_ENTRY = re.compile(r"^\s*(\S.*?)\s*(?:\.\s?){3,}\s*(\d+)\s*$")


def page_texts(pdf: Path) -> list[str]:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing: install poppler-utils")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    return text.split("\f")


def words(text: str) -> str:
    # The book face draws a hyphen-minus with its hyphen glyph, which poppler reads back as U+2010.
    return " ".join(text.replace("’", "'").replace("\u2010", "-").replace("\u2011", "-").split())


def squeezed(text: str) -> str:
    """Without any white space: a title broken after a dash has a space there in the page text."""
    return "".join(words(text).split())


def check_contents(pdf: Path, titles: list[str]) -> int:
    """Every contents (and index) entry's number is the page where that title stands.

    A title that wraps is put back together from the lines before its number.
    Returns how many distinct titles were checked.
    """
    pages = page_texts(pdf)
    start = next(i for i, page in enumerate(pages) if page.lstrip().startswith("Contents"))
    checked: set[str] = set()
    known = {words(t) for t in titles}
    for page in pages[start:start + 200]:
        before: list[str] = []
        for line in page.splitlines():
            match = _ENTRY.match(line)
            if not match:
                before = [*before[-2:], line]
                continue
            candidates = [words(" ".join([*before[-n:], match.group(1)]) if n else match.group(1)) for n in (0, 1, 2)]
            before = []
            title = next((c for c in candidates if c in known), None)
            if title is None:
                continue  # a section or index heading
            number = int(match.group(2))
            head = squeezed(pages[number - 1])[:600]
            assert squeezed(title)[:50] in head, f"contents says {title!r} is on page {number}"
            checked.add(title)
    return len(checked)


@pytest.fixture(scope="module")
def fifty(syria_mirror):
    articles = [a for a in deeplybook.read([syria_mirror]) if a.kind is not Kind.BRIEFING]
    chosen = articles[::len(articles) // 50][:50]
    return deeplybook.make_edition(chosen, title="Syria Deeply: Fifty Articles", group_by=["year"],
                                   back_matter=("contributors", "topics", "sources"))


def test_fifty_real_articles_make_a_valid_epub(fifty, tmp_path, epubcheck):
    assert len(fifty.articles) == 50
    epubcheck(deeplybook.write_epub(fifty, tmp_path / "fifty.epub"))


def test_fifty_real_articles_make_a_pdf_whose_contents_is_true(fifty, tmp_path):
    pdf = deeplybook.write_pdf(fifty, tmp_path / "fifty.pdf", chunk_size=7)
    checked = check_contents(pdf, [a.title for a in fifty.articles])
    assert checked == 50


def test_complete_edition_volume_pdf_contents_is_true(syria_mirror, tmp_path):
    """The largest year of the complete archive, as its volume is built, as one PDF."""
    articles = deeplybook.read([syria_mirror])
    year = [a for a in articles if a.date and a.date.year == 2014 and a.kind is not Kind.BRIEFING]
    volume = deeplybook.make_edition(year, title="Syria Deeply, 2014", group_by=["month"],
                                     back_matter=("contributors", "topics", "sources"))
    pdf = deeplybook.write_pdf(volume, tmp_path / "2014.pdf")
    checked = check_contents(pdf, [a.title for a in volume.articles])
    assert checked >= 0.85 * len(volume.articles)  # a few titles wrap over three lines
