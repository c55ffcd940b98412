"""Front matter like a published book: cover, title page, imprint and a contents of the asked depth, in both formats."""

from __future__ import annotations

import io
import subprocess
import zipfile

import pikepdf
import pytest
from factories import article, interview
from lxml import etree
from PIL import Image
from writers.pdf_checks import assert_sound_pdf

from deeplybook import edition
from deeplybook.bookplan import plan
from deeplybook.cover import A5_SIZE, Faces, faces_from_css, make_cover
from deeplybook.model import Creator
from deeplybook.themes import load
from deeplybook.writers.epub import write_epub
from deeplybook.writers.pdf import write_pdf

NS = {"x": "http://www.w3.org/1999/xhtml", "opf": "http://www.idpf.org/2007/opf",
      "dc": "http://purl.org/dc/elements/1.1/"}
PROVENANCE = (("Source archive", "News Deeply mirror"), ("Mirrored", "9 September 2020"))


def _edition(**fields):
    items = [article(1, year=2016, authors=("Rana Haddad",)), interview(2, year=2017, month=3),
             article(3, year=2017, month=5, authors=("Omar Byline",))]
    fields = {"creators": [Creator("Mona Editor", "editor")], **fields}
    return edition.make(items, title="Syria Deeply: Test Edition", subtitle="Three pieces", publisher="Test Press",
                        rights="Articles © News Deeply.", identifier="urn:uuid:0b9f6a51-2c3d-4e5f-8a7b-9c0d1e2f3a4b",
                        provenance=PROVENANCE, group_by=["year"], **fields)


def _xml(epub, name):
    with zipfile.ZipFile(epub) as z:
        return etree.fromstring(z.read(name))


def _text(tree) -> str:
    return " ".join(etree.tostring(tree, encoding="unicode", method="text").split())


def _page_text(pdf, number: int) -> str:
    out = subprocess.run(["pdftotext", "-layout", "-f", str(number), "-l", str(number), str(pdf), "-"],
                         check=True, capture_output=True, text=True).stdout
    return " ".join(out.split())


@pytest.fixture(scope="module")
def pdf_book(tmp_path_factory):
    """The test edition as a chunked PDF whose contents lists the top level only."""
    folder = tmp_path_factory.mktemp("front")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1700000000")
        book = _edition(creators=())
        return write_pdf(book, folder / "book.pdf", plan=plan(book, toc_depth=1), jobs=1)


def test_the_epub_has_an_imprint_page_behind_the_title_page(tmp_path, epubcheck):
    out = write_epub(_edition(), tmp_path / "book.epub")
    epubcheck(out)
    spine = _xml(out, "EPUB/content.opf").xpath("//opf:itemref/@idref", namespaces=NS)
    assert spine[:4] == ["cover", "title-page", "imprint-page", "nav"]
    imprint = _text(_xml(out, "EPUB/imprint.xhtml"))
    for words in ("Articles © News Deeply.", "Published by Test Press", "urn:uuid:0b9f6a51-2c3d-4e5f-8a7b-9c0d1e2f3a4b",
                  "Source archive", "News Deeply mirror", "Made with deeplybook."):
        assert words in imprint, words
    title_page = _text(_xml(out, "EPUB/title.xhtml"))
    assert "Three pieces" in title_page and "Mona Editor" in title_page and "Made with" not in title_page


def test_the_epub_contents_follow_the_depth_and_read_as_a_book_s_contents(tmp_path, epubcheck):
    out = write_epub(_edition(), tmp_path / "top.epub", plan=plan(_edition(), toc_depth=1))
    epubcheck(out)
    nav = _xml(out, "EPUB/nav.xhtml")
    toc = nav.xpath("//x:nav[@id='toc']", namespaces=NS)
    assert len(toc) == 1  # the id the theme's nav#toc rules select
    assert [a.text for a in toc[0].xpath(".//x:a", namespaces=NS)] == ["2016", "2017"]
    assert toc[0].xpath("x:ol/x:li/@class", namespaces=NS) == ["toc-entry toc-section"] * 2
    assert nav.xpath("//x:nav[@*[local-name()='type']='landmarks']", namespaces=NS)
    ncx = _xml(out, "EPUB/toc.ncx")
    assert len(ncx.xpath("//*[local-name()='navPoint']")) == 2
    whole = _xml(write_epub(_edition(), tmp_path / "all.epub"), "EPUB/nav.xhtml")
    assert len(whole.xpath("//x:nav[@id='toc']//x:a", namespaces=NS)) == 5
    css = load("default").css("epub.css")
    assert "nav#toc ol { list-style: none" in css and "nav#toc a { text-decoration: none" in css


def test_the_epub_creator_is_the_edition_s_creators_else_its_publisher_never_an_article_author(tmp_path):
    def creators(book, name):
        opf = _xml(write_epub(book, tmp_path / name), "EPUB/content.opf")
        return opf.xpath("//dc:creator/text()", namespaces=NS)

    assert creators(_edition(), "a.epub") == ["Mona Editor"]
    assert creators(_edition(creators=()), "b.epub") == ["Test Press"]


def test_no_byline_says_min_read(tmp_path):
    out = write_epub(_edition(), tmp_path / "book.epub")
    page = _text(_xml(out, "EPUB/story-1.xhtml"))
    assert "By Rana Haddad" in page and "min read" not in page


def test_the_pdf_opens_with_a_full_page_cover_then_title_page_imprint_and_contents(pdf_book):
    assert_sound_pdf(pdf_book)
    with pikepdf.open(pdf_book) as pdf:
        first = pdf.pages[0]
        box = [float(v) for v in first.mediabox]
        pictures = [x for x in first.Resources.XObject.values() if x.Subtype == pikepdf.Name.Image]
        assert len(pictures) == 1
        picture = pikepdf.PdfImage(pictures[0])
        assert (picture.width, picture.height) == A5_SIZE
        # The picture is drawn over the whole page: its matrix scales it to the page's size.
        scales = [[float(v) for v in op.operands] for op in pikepdf.parse_content_stream(first)
                  if op.operator == pikepdf.Operator("cm") and float(op.operands[0]) > 100]
        assert any(abs(a) >= box[2] - 1 and abs(d) >= box[3] - 1 for a, _, _, d, _, _ in scales), scales
        author = str(pdf.docinfo["/Author"])
    assert _page_text(pdf_book, 1) == ""  # no folio, no running head on the cover
    assert _page_text(pdf_book, 2).startswith("Syria Deeply: Test Edition Three pieces")
    imprint = _page_text(pdf_book, 3)
    for words in ("Articles © News Deeply.", "Source archive: News Deeply mirror", "Published by Test Press",
                  "urn:uuid:0b9f6a51", "Made with deeplybook."):
        assert words in imprint, words
    assert not imprint.endswith("3")  # the imprint carries no folio
    contents = _page_text(pdf_book, 4)
    assert contents.startswith("Contents 2016") and "Story number" not in contents and contents.endswith("4")
    # The publisher, not the articles' authors, when the edition names no creator.
    assert author == "Test Press"


def test_the_pdf_bookmarks_keep_every_level_whatever_the_contents_depth(pdf_book):
    with pikepdf.open(pdf_book) as pdf, pdf.open_outline() as outline:
        assert [item.title for item in outline.root] == ["2016", "2017"]
        assert [item.title for item in outline.root[1].children] == ["Story number 2", "Story number 3"]


def test_the_pdf_author_is_the_creators(tmp_path):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1700000000")
        out = write_pdf(_edition(), tmp_path / "one.pdf", one_document=True)
    with pikepdf.open(out) as pdf:
        assert str(pdf.docinfo["/Author"]) == "Mona Editor"
    assert _page_text(out, 1) == "" and "Made with deeplybook." in _page_text(out, 3)


def test_the_generated_cover_wraps_by_measured_width():
    # Wide capitals: a wrap by character count would run them off the cover.
    cover = make_cover("WWWWWWWWWW MMMMMMMMMM WWWWWWWWWW MMMMMMMMMM", "A subtitle", "2013–2018", "A Publisher")
    with Image.open(io.BytesIO(cover)) as picture:
        ink = picture.convert("L").point(lambda v: 255 if v > 200 else 0)
        left, _, right, _ = ink.getbbox()
    assert left > 0.05 * picture.width and right < 0.95 * picture.width


def test_the_cover_is_set_in_the_theme_s_fonts_when_it_has_them():
    theme = load("default")
    faces = faces_from_css(theme.css("common.css"), theme.font)
    assert faces.title and faces.title.endswith("SourceSerifPro-Bold.ttf")
    assert faces.text and faces.text.endswith("SourceSerifPro-Regular.ttf")
    assert faces.label and faces.label.endswith("SourceSansPro-Regular.ttf")
    assert faces_from_css("p { color: red }", theme.font) == Faces()
    words = ("Syria Deeply", "The interviews", "2013–2018", "Test Press")
    assert make_cover(*words, faces=faces) != make_cover(*words)
