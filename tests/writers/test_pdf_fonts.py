"""Every font of the chunked PDF is embedded and each number is set in the type it was laid out for."""

from __future__ import annotations

from pathlib import Path

import pytest
import weasyprint
from pdf_checks import assert_sound_pdf, font_rows
from pypdf import PdfReader
from test_pdf import EDITION

from deeplybook.writers.pdf import write_pdf
from deeplybook.writers.pdf.anchors import Overlay, render_overlay, slots_of


@pytest.fixture(scope="module")
def renders(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("fonts")
    return {"chunks": write_pdf(EDITION, folder / "chunks.pdf", chunk_size=2, jobs=2),
            "one": write_pdf(EDITION, folder / "one.pdf", one_document=True)}


def folios(path: Path) -> dict[int, tuple[str, float, float]]:
    """Per page whose last text is its folio: the font it is set in and where (x, y of its baseline, in points)."""
    found = {}
    for index, page in enumerate(PdfReader(str(path)).pages):
        runs = []

        def visit(text, cm, tm, font, size, runs=runs):
            if text.strip():
                x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                runs.append((text.strip(), str(font["/BaseFont"]) if font else "", round(x, 1), round(y, 1)))

        page.extract_text(visitor_text=visit)
        folio = [run for run in runs if run[0] == str(index + 1)]
        if folio and folio[-1][3] < 40:
            found[index] = folio[-1][1:]
    return found


def test_every_font_of_the_chunked_book_is_embedded(renders):
    assert_sound_pdf(renders["chunks"])
    assert all(row["emb"] == "yes" for row in font_rows(renders["one"]))


def test_folios_are_set_in_the_themes_type_where_one_document_sets_them(renders):
    chunked, one = folios(renders["chunks"]), folios(renders["one"])
    assert len(one) > 10 and chunked.keys() == one.keys()
    for page, (font, x, y) in one.items():
        # The subset's tag (ABCDEF+) differs between the two files; the font does not.
        assert chunked[page][0].partition("+")[2] == font.partition("+")[2], f"page {page + 1}"
        assert chunked[page][1:] == pytest.approx((x, y), abs=0.2), f"page {page + 1}"


def test_overlay_numbers_are_set_in_the_font_of_their_stand_ins(tmp_path):
    mono = "font-family: 'DejaVu Sans Mono', monospace"
    laid_out = weasyprint.HTML(string=f"<p>Contents <span data-page-of='story' style=\"{mono}\">888</span></p>").render()
    slot, = slots_of(laid_out)
    rendered = render_overlay(Overlay(((slot.page_size, ((slot, "42"),)),)), tmp_path / "overlay.pdf")
    weasyprint.HTML(string=f"<p style=\"{mono}\">42</p>").write_pdf(tmp_path / "reference.pdf")
    fonts = [[row["name"].partition("+")[2] for row in font_rows(path)]
             for path in (rendered.path, tmp_path / "reference.pdf")]
    assert fonts[0] == fonts[1] and "Serif" not in fonts[0][0]
