"""Every built-in theme makes the same real book in both formats: EPUBCheck clean, fonts embedded, pages disciplined."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import deeplybook
from deeplybook import pipeline, themes
from deeplybook.model import Kind

sys.path.insert(0, str(Path(__file__).parent / "writers"))
import test_pagination  # noqa: E402
from pdf_checks import assert_sound_pdf, font_rows  # noqa: E402
from test_pagination import Book  # noqa: E402

pytestmark = pytest.mark.corpus


@pytest.fixture(scope="module")
def sixty(syria_mirror):
    """Sixty real articles, fifteen of them interviews, grouped by year."""
    articles = [a for a in deeplybook.read([syria_mirror]) if a.kind is not Kind.BRIEFING]
    interviews = [a for a in articles if a.kind is Kind.QA][:15]
    others = [a for a in articles if a.kind is not Kind.QA]
    return deeplybook.make_edition(interviews + others[::len(others) // 45][:45], title="Syria Deeply: Sixty",
                                   group_by=["year"])


def text_area(theme: str) -> tuple[float, float]:
    """The theme's top and bottom page margins in points, as WeasyPrint lays a page out."""
    import weasyprint

    from deeplybook.writers.pdf.engine import font_config, stylesheets

    page = weasyprint.HTML(string="<p>x</p>").render(stylesheets=stylesheets(themes.load(theme), stamped=False),
                                                      font_config=font_config()).pages[0]._page_box
    return page.margin_top * 0.75, page.margin_bottom * 0.75


@pytest.mark.parametrize("theme", sorted(themes.BUILTIN))
def test_each_builtin_theme_makes_a_sound_real_book(sixty, theme, tmp_path, epubcheck, monkeypatch):
    result = pipeline.write(sixty, {"epub": tmp_path / "book.epub", "pdf": tmp_path / "book.pdf"}, theme=theme,
                            pdf_options={"jobs": 2})
    epubcheck(result.outputs["epub"])
    assert_sound_pdf(result.outputs["pdf"])
    assert all(row["emb"] == "yes" for row in font_rows(result.outputs["pdf"]))
    top, bottom = text_area(theme)  # the read-back keeps the lines of the text area only
    monkeypatch.setattr(test_pagination, "TOP_MARGIN", top)
    monkeypatch.setattr(test_pagination, "BOTTOM_MARGIN", bottom)
    book = Book(result.outputs["pdf"], sixty)
    assert len(book.missed) <= len(book.placed) // 50, f"blocks not found in the PDF: {book.missed[:5]}"
    problems = book.broken_rules()
    problems += [f"opening page {page + 1} prints {book.margin_text(page)}" for page in book.opening_pages()
                 if book.margin_text(page)]
    assert problems == [], f"{theme}: {len(problems)} broken rules:\n" + "\n".join(problems)
