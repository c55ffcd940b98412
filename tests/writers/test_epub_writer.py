"""The EPUB writer: valid EPUB 3, the contents tree, faithful article pages, reproducible bytes."""

import io
import zipfile

import pytest
from factories import article, interview
from lxml import etree
from PIL import Image as PILImage

from deeplybook import edition
from deeplybook.errors import WriteError
from deeplybook.model import Figure, Image
from deeplybook.writers.epub import IMAGE_MAX_SIDE, write_epub

NS = {"x": "http://www.w3.org/1999/xhtml", "opf": "http://www.idpf.org/2007/opf",
      "dc": "http://purl.org/dc/elements/1.1/", "ncx": "http://www.daisy.org/z3986/2005/ncx/"}


def _book(**kwargs):
    items = [article(1, year=2016), interview(2, year=2017, month=3), article(3, year=2017, month=5)]
    return edition.make(items, title="Syria Deeply: Test Edition", subtitle="Three pieces",
                        creators=["Mona Editor"], publisher="Test Press", **kwargs)


def _xml(epub, name):
    with zipfile.ZipFile(epub) as z:
        return etree.fromstring(z.read(name))


def test_grouped_book_is_valid_and_its_nav_follows_the_sections(tmp_path, epubcheck):
    out = write_epub(_book(group_by=["year"]), tmp_path / "book.epub")
    epubcheck(out)
    nav = _xml(out, "EPUB/nav.xhtml")
    top = nav.xpath("//x:nav[@*[local-name()='type']='toc']/x:ol/x:li", namespaces=NS)
    assert [li.xpath("string(x:a)", namespaces=NS) for li in top] == ["2016", "2017"]
    assert [a.text for a in top[1].xpath(".//x:ol/x:li/x:a", namespaces=NS)] == ["Story number 2", "Story number 3"]
    ncx = _xml(out, "EPUB/toc.ncx")
    assert len(ncx.xpath("//ncx:navPoint", namespaces=NS)) == 5


def test_package_metadata(tmp_path):
    out = write_epub(_book(), tmp_path / "book.epub")
    opf = _xml(out, "EPUB/content.opf")
    assert opf.xpath("string(//dc:title[not(@id)])", namespaces=NS) == "Syria Deeply: Test Edition"
    assert opf.xpath("string(//dc:language)", namespaces=NS) == "en"
    assert opf.xpath("string(//dc:creator)", namespaces=NS) == "Mona Editor"
    assert opf.xpath("string(//opf:meta[@property='role'])", namespaces=NS) == "edt"
    assert opf.xpath("string(//dc:identifier)", namespaces=NS).startswith("urn:uuid:")
    # SOURCE_DATE_EPOCH=1700000000 is set for every test
    assert opf.xpath("string(//opf:meta[@property='dcterms:modified'])", namespaces=NS) == "2023-11-14T22:13:20Z"
    assert opf.xpath("//opf:item[@properties='cover-image']/@href", namespaces=NS) == ["images/cover.png"]


def test_article_page_is_faithful(tmp_path):
    out = write_epub(_book(), tmp_path / "book.epub")
    page = _xml(out, "EPUB/story-2.xhtml")

    def text(xp: str) -> str:
        return page.xpath(f"string({xp})", namespaces=NS)

    assert text("//x:h1[@class='article-title']") == "Story number 2"
    assert text("//x:p[@class='dek']") == "The dek of story 2."
    assert text("//x:span[@class='authors']") == "By Rana Haddad"
    assert text("//x:time/@datetime") == "2017-03-03"
    assert "min read" not in text("//x:p[@class='byline']")  # a site's reading time means nothing in a book
    assert "Q&A" in text("//x:p[@class='kicker']")
    assert text("//x:figure[contains(@class,'lead')]//x:span[@class='credit']") == "STRINGER/AFP/Getty Images"
    questions = page.xpath("//x:div[@class='exchange']/x:p[@class='question']", namespaces=NS)
    assert [q.xpath("string()") for q in questions] == ["Syria Deeply: What changed this year?",
                                                         "Syria Deeply: What comes next?"]
    answers = page.xpath("//x:div[@class='exchange'][1]/x:p[@class='answer']", namespaces=NS)
    assert [a.xpath("string()") for a in answers] == ["Lina Saad: Almost everything.", "And more."]
    assert page.xpath("//x:p[contains(@class,'embed')]/x:a/@href", namespaces=NS) == ["https://soundcloud.com/deeply/talk"]
    first = _xml(out, "EPUB/story-1.xhtml")
    assert first.xpath("string(//x:div[@class='article-body']/x:p[1]/x:span[@class='dateline'])", namespaces=NS) == "BEIRUT"


def test_same_input_same_bytes_and_the_clock_is_the_only_difference(tmp_path, monkeypatch):
    a = write_epub(_book(), tmp_path / "a.epub").read_bytes()
    b = write_epub(_book(), tmp_path / "b.epub").read_bytes()
    assert a == b
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1600000000")
    c = write_epub(_book(), tmp_path / "c.epub").read_bytes()
    assert c != a


def test_mimetype_is_first_and_stored(tmp_path):
    out = write_epub(_book(), tmp_path / "book.epub")
    with zipfile.ZipFile(out) as z:
        first = z.infolist()[0]
    assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED


def test_local_images_are_embedded_small(tmp_path, epubcheck):
    big = tmp_path / "big.png"
    PILImage.new("RGB", (3000, 2000), (200, 30, 30)).save(big)
    twin = tmp_path / "twin.png"
    twin.write_bytes(big.read_bytes())
    pictured = article(1, lead=Figure("A red field.", "ME", Image("http://x/big.png", path=str(big), alt="red")))
    again = article(2, lead=Figure("The same field.", "ME", Image("http://x/twin.png", path=str(twin), alt="red")))
    out = write_epub(edition.make([pictured, again], title="Pictures"), tmp_path / "p.epub")
    epubcheck(out)
    with zipfile.ZipFile(out) as z:
        names = [n for n in z.namelist() if n.startswith("EPUB/images/") and n.endswith(".jpg")]
        assert len(names) == 1
        picture = PILImage.open(io.BytesIO(z.read(names[0])))
        page = z.read("EPUB/story-1.xhtml").decode()
    assert max(picture.size) == IMAGE_MAX_SIDE
    assert names[0].removeprefix("EPUB/") in page and 'alt="red"' in page


def test_a_given_cover_is_used(tmp_path, epubcheck):
    cover = tmp_path / "cover.jpg"
    PILImage.new("RGB", (600, 900), (10, 120, 10)).save(cover)
    out = write_epub(_book(cover=str(cover)), tmp_path / "c.epub")
    epubcheck(out)
    with zipfile.ZipFile(out) as z:
        assert z.read("EPUB/images/cover.jpg") == cover.read_bytes()
    huge = tmp_path / "huge.png"
    PILImage.new("RGB", (3000, 4500), (10, 120, 10)).save(huge)
    with zipfile.ZipFile(write_epub(_book(cover=str(huge)), tmp_path / "h.epub")) as z:
        assert PILImage.open(io.BytesIO(z.read("EPUB/images/cover.jpg"))).size == (1707, 2560)


def test_failure_leaves_no_half_written_file(tmp_path):
    out = tmp_path / "book.epub"
    out.write_bytes(b"the previous book")
    broken = _book(cover=str(tmp_path / "no-such-cover.png"))
    with pytest.raises(WriteError, match="no-such-cover.png"):
        write_epub(broken, out)
    assert out.read_bytes() == b"the previous book"
    assert [p.name for p in tmp_path.iterdir()] == ["book.epub"]


def test_foreword_imprint_and_indexes(tmp_path, epubcheck):
    from deeplybook.model import Paragraph

    book = _book(foreword=(Paragraph("Why we made this <em>book</em>."),),
                 provenance=(("Source archive", "News Deeply mirror"), ("Articles", "3")),
                 back_matter=("contributors", "topics", "sources"), series="Syria Deeply", series_position=2)
    out = write_epub(book, tmp_path / "b.epub")
    epubcheck(out)
    nav = _xml(out, "EPUB/nav.xhtml")
    labels = [a.text for a in nav.xpath("//x:nav[@*[local-name()='type']='toc']//x:a", namespaces=NS)]
    assert labels[0] == "Foreword" and labels[-3:] == ["Contributors", "Topics", "Sources"]
    opf = _xml(out, "EPUB/content.opf")
    assert opf.xpath("string(//opf:meta[@property='belongs-to-collection'])", namespaces=NS) == "Syria Deeply"
    assert opf.xpath("string(//opf:meta[@property='group-position'])", namespaces=NS) == "2"
    imprint = etree.tostring(_xml(out, "EPUB/imprint.xhtml"), encoding="unicode", method="text")
    assert "News Deeply mirror" in imprint and "Syria Deeply, volume 2" in imprint
    assert "Why we made this book." in etree.tostring(_xml(out, "EPUB/foreword.xhtml"), encoding="unicode", method="text")
    people = _xml(out, "EPUB/index-contributors.xhtml")
    assert [dt.xpath("string()") for dt in people.xpath("//x:dt", namespaces=NS)] == ["Rana Haddad (3)"]
    assert people.xpath("//x:dd/x:a/@href", namespaces=NS) == ["story-1.xhtml", "story-2.xhtml", "story-3.xhtml"]
    sources = _xml(out, "EPUB/index-sources.xhtml")
    assert len(sources.xpath("//x:a[@class='source-url']", namespaces=NS)) == 3
