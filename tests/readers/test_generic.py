"""The generic HTML reader: main content and metadata of any article page."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from deeplybook.errors import ReadError
from deeplybook.model import Figure, Heading, ItemList, Paragraph, Quote
from deeplybook.readers import Skip, generic

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "generic"

BOILERPLATE = ("Home", "Most read", "Flood warning", "All rights reserved", "Privacy", "City Notes |", "Terms")


def read_one(path: Path):
    articles = generic.read(path)
    assert len(articles) == 1
    return articles[0]


def all_markup(article) -> str:
    parts = [article.title, article.dek]
    for block in article.body:
        if isinstance(block, Paragraph | Heading):
            parts.append(block.text)
        elif isinstance(block, ItemList):
            parts += block.items
        elif isinstance(block, Quote):
            parts += block.paragraphs
        elif isinstance(block, Figure):
            parts.append(block.caption)
    return "\n".join(parts)


@pytest.fixture(scope="module")
def blog():
    return read_one(SAMPLES / "blog-article.html")


def test_blog_metadata_prefers_json_ld_and_meta(blog):
    assert blog.title == "Lantern Makers of the Old Quarter"
    assert blog.dek == "Three families still make paper lanterns by hand."
    assert blog.authors == ("Nadia Ferreira", "Jonas Berg")
    assert blog.date == dt.datetime(2019, 4, 3, 6, 30, tzinfo=dt.timezone.utc)
    assert blog.topics == ("Arts & Crafts", "Old Quarter")
    assert blog.url == "https://ledger.example/2019/04/lantern-makers"
    assert blog.site == "The Riverside Ledger"
    assert blog.slug == "lantern-makers-of-the-old-quarter"


def test_blog_body_keeps_structure_in_order(blog):
    kinds = [type(block).__name__ for block in blog.body]
    assert kinds == [
        "Paragraph", "Paragraph", "Heading", "Paragraph", "ItemList", "Quote", "Figure", "Paragraph", "Paragraph",
    ]
    assert blog.body[0].text.startswith("In a narrow street behind the fish market")
    assert "<em>bamboo frames</em>" in blog.body[1].text
    assert '<a href="https://example.org/paint">painting</a>' in blog.body[1].text
    assert blog.body[2] == Heading("A craft that almost vanished", 2)
    assert blog.body[4] == ItemList(
        ("Bamboo from the hills north of town", "Mulberry paper from two village mills", "Paint mixed on site every morning")
    )
    assert blog.body[5].paragraphs == (
        "We never thought our children would want to learn it. Now they queue at the door.",
    )


def test_blog_figure_has_caption_and_local_image(blog):
    figure = blog.body[6]
    assert figure.caption == "Lanterns drying in the workshop courtyard."
    assert figure.image.url == "images/lanterns.jpg"
    assert figure.image.alt == "Red lanterns drying on a rack"
    assert Path(figure.image.path) == SAMPLES / "images" / "lanterns.jpg"


def test_no_script_or_boilerplate_reaches_the_article(blog):
    markup = all_markup(blog)
    assert "alert" not in markup and "tracking" not in markup and "<script" not in markup
    assert "By Nadia Ferreira" not in markup
    for phrase in BOILERPLATE:
        assert phrase not in markup
    assert not any(b.text == blog.title for b in blog.body if isinstance(b, Heading))


def test_page_with_meta_tags_only():
    article = read_one(SAMPLES / "meta-only.html")
    assert article.title == "Night Buses Get a Second Life"
    assert article.dek == "Retired buses are becoming mobile libraries."
    assert article.authors == ("Priya Natarajan",)
    assert article.date == dt.datetime(2021, 9, 14, tzinfo=dt.timezone.utc)
    assert article.topics == ("Transport", "Libraries")
    assert Heading("Who drives them", 3) in article.body
    assert ItemList(
        ("Monday: the river quarter", "Wednesday: the northern estates", "Friday: the old docks"), ordered=True
    ) in article.body
    markup = all_markup(article)
    assert "onclick" not in markup and "steal" not in markup and "iframe" not in markup
    assert "Copyright" not in markup and "About" not in markup
    assert markup.count("Borrowers need no card") == 1


def test_spaces_between_adjacent_inline_elements_survive(tmp_path):
    page = (SAMPLES / "blog-article.html").read_text(encoding="utf-8").replace(
        "<p>The city council now",
        '<p>See <a href="https://a.example/">one</a> <a href="https://b.example/">two</a> and <b><i>bold</i></b> <i>italic</i>. The city council now',
    )
    source = tmp_path / "spaces.html"
    source.write_text(page, encoding="utf-8")
    article = read_one(source)
    paragraph = next(b.text for b in article.body if isinstance(b, Paragraph) and b.text.startswith("See"))
    assert "one </a><a" in paragraph and "bold </em><em>italic" in paragraph


def test_image_outside_the_page_folder_is_not_read(tmp_path):
    folder = tmp_path / "site"
    folder.mkdir()
    shutil.copy(SAMPLES / "images" / "lanterns.jpg", tmp_path / "secret.jpg")
    page = (SAMPLES / "blog-article.html").read_text(encoding="utf-8").replace("images/lanterns.jpg", "../secret.jpg")
    (folder / "page.html").write_text(page, encoding="utf-8")
    figure = next(b for b in read_one(folder / "page.html").body if isinstance(b, Figure))
    assert figure.image.url == "../secret.jpg"
    assert figure.image.path is None


def test_page_without_article_text_is_skipped():
    with pytest.raises(Skip, match="too little text"):
        generic.read(SAMPLES / "no-article.html")


def test_empty_file_is_a_read_error(tmp_path):
    source = tmp_path / "empty.html"
    source.write_bytes(b"  \n")
    with pytest.raises(ReadError, match=r"empty\.html: empty file"):
        generic.read(source)


def test_latin1_page_is_decoded_by_its_declared_charset(tmp_path):
    page = (SAMPLES / "meta-only.html").read_text(encoding="utf-8")
    page = page.replace('charset="utf-8"', 'charset="iso-8859-1"').replace("Five buses", "Cinq bus à étage et five buses")
    source = tmp_path / "latin.html"
    source.write_bytes(page.encode("iso-8859-1"))
    article = read_one(source)
    assert article.body[0].text.startswith("Cinq bus à étage")


def test_sniff_scores_any_html_low():
    assert generic.sniff(Path("page.html"), b"") == 30
    assert generic.sniff(Path("noext"), b"<!DOCTYPE html><html>") == 30
    assert generic.sniff(Path("notes.txt"), b"plain words") == 0


def test_xhtml_page_with_xml_declaration(tmp_path):
    page = (SAMPLES / "meta-only.html").read_text(encoding="utf-8")
    source = tmp_path / "page.xhtml"
    source.write_text('<?xml version="1.0" encoding="utf-8"?>\n' + page.replace("<!DOCTYPE html>", ""), encoding="utf-8")
    article = read_one(source)
    assert article.title == "Night Buses Get a Second Life"
    assert article.body[0].text.startswith("Five buses")
