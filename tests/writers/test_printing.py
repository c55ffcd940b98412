"""Print-on-demand: trim sizes, bleed and marks as CSS, and the cover spread whose spine follows the page count."""

from __future__ import annotations

import subprocess

import pikepdf
import pytest
import weasyprint
from factories import article
from pdf_checks import font_rows

from deeplybook import bookplan, themes
from deeplybook import edition as edition_module
from deeplybook.errors import WriteError
from deeplybook.press import PrintOptions, page_rules, spine_mm
from deeplybook.writers.pdf.printing import PT_PER_MM, write_spread


def test_the_options_become_page_rules():
    assert page_rules(PrintOptions()) == ""
    assert page_rules(PrintOptions(trim="6x9")) == "@page { size: 6in 9in }"
    assert page_rules(PrintOptions(trim="a4", bleed_mm=3, crop_marks=True)) == \
        "@page { size: 210mm 297mm; bleed: 3mm; marks: crop }"


def test_the_spine_is_one_leaf_of_paper_for_every_two_pages():
    assert spine_mm(300, 0.1) == pytest.approx(15.0)
    assert spine_mm(301, 0.1) == pytest.approx(15.1)
    assert spine_mm(2, 0.07) == pytest.approx(0.07)


@pytest.fixture(scope="module")
def edition():
    return edition_module.make([article(1), article(2)], title="The Interviews", publisher="The deeplybook team",
                               description="Every interview, oldest first.")


def book_of(tmp_path, pages: int):
    path = tmp_path / f"book-{pages}.pdf"
    weasyprint.HTML(string="<style>@page { size: 6in 9in }</style>" + "<p style='break-after: page'>x</p>" * pages
                    ).write_pdf(path)
    return path


def box_mm(page, name):
    box = page.obj.get(name, page.mediabox)
    return [round(float(v) / PT_PER_MM, 1) for v in box]


def test_the_spread_is_back_spine_and_front_at_the_books_trim_with_bleed(tmp_path, edition, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1600000000")
    book = book_of(tmp_path, 240)
    options = PrintOptions(bleed_mm=3, crop_marks=True, paper_mm=0.1)
    spread = write_spread(bookplan.plan(edition), themes.load("default"), book, tmp_path / "cover.pdf", options)
    with pikepdf.open(spread) as pdf:
        [page] = pdf.pages
        trim = box_mm(page, "/TrimBox")
        assert trim[2] - trim[0] == pytest.approx(2 * 152.4 + 12.0, abs=0.2)  # two 6 in panels and 120 leaves
        assert trim[3] - trim[1] == pytest.approx(228.6, abs=0.2)
        bleed = box_mm(page, "/BleedBox")
        assert trim[0] - bleed[0] == pytest.approx(3, abs=0.1)
    text = subprocess.run(["pdftotext", str(spread), "-"], capture_output=True, text=True, check=True).stdout
    assert text.count("The Interviews") >= 2 and "Every interview, oldest first." in text  # back and spine
    assert font_rows(spread) and all(row["emb"] == "yes" for row in font_rows(spread))
    again = write_spread(bookplan.plan(edition), themes.load("default"), book, tmp_path / "again.pdf", options)
    assert again.read_bytes() == spread.read_bytes()


def test_a_thin_spine_carries_no_title(tmp_path, edition):
    spread = write_spread(bookplan.plan(edition), themes.load("default"), book_of(tmp_path, 40),
                          tmp_path / "cover.pdf", PrintOptions(paper_mm=0.1))
    text = subprocess.run(["pdftotext", str(spread), "-"], capture_output=True, text=True, check=True).stdout
    assert text.count("The Interviews") == 1  # the back cover's only


def test_a_book_that_cannot_be_read_is_one_error_naming_it(tmp_path, edition):
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"not a pdf")
    with pytest.raises(WriteError, match="broken.pdf"):
        write_spread(bookplan.plan(edition), themes.load("default"), broken, tmp_path / "cover.pdf", PrintOptions())
    assert not (tmp_path / "cover.pdf").exists()
