"""Inputs the fuzzers found that once broke a reader, each kept as a plain test."""

from __future__ import annotations

import io

from fuzzing import FORBIDDEN, SAMPLES, strings_of
from lxml import etree
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

import deeplybook
from deeplybook import sanitize
from deeplybook.readers import read_file


def test_a_warc_address_holding_a_control_character_does_not_reach_the_article(tmp_path):
    """The record's address becomes the article's link when the page names none; ESC in it made the EPUB invalid."""
    archive = tmp_path / "escape.warc"
    with open(archive, "wb") as out:
        writer = WARCWriter(out, gzip=False)
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        page = (SAMPLES / "generic" / "blog-article.html").read_bytes().replace(b'rel="canonical"', b'rel="x"')
        writer.write_record(writer.create_warc_record("https://fuzz.example/\x1b", "response",
                                                      payload=io.BytesIO(page), http_headers=headers))
    [article] = read_file(archive)
    assert article.url == "https://fuzz.example/"
    assert not [text for text in strings_of(article) if FORBIDDEN.search(text)]


def _warc_page(archive, uri):
    with open(archive, "wb") as out:
        writer = WARCWriter(out, gzip=False)
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        page = (SAMPLES / "generic" / "blog-article.html").read_bytes().replace(b'rel="canonical"', b'rel="x"')
        writer.write_record(writer.create_warc_record(uri, "response", payload=io.BytesIO(page), http_headers=headers))
    return archive


def test_a_warc_address_a_url_may_not_hold_is_encoded_before_it_becomes_a_link(tmp_path, epubcheck):
    """A C1 control and a private-use character in the record's address made EPUBCheck reject the link (RSC-020)."""
    [article] = read_file(_warc_page(tmp_path / "c1.warc", "https://fuzz.example/0\x8b\U00109d13 0"))
    assert article.url == "https://fuzz.example/0%C2%8B%F4%89%B4%93%200"
    epubcheck(deeplybook.write_epub(deeplybook.make_edition([article], title="T"), tmp_path / "book.epub"))


def test_a_front_matter_url_that_is_not_a_web_address_is_no_link(tmp_path):
    """``url: javascript:...`` in a header became the book's "Originally published at" link."""
    page = tmp_path / "post.md"
    for given, kept in [("javascript:alert(1)", ""), ("data:text/html,<b>x</b>", ""), ("/relative/page", ""),
                        ("HTTPS://ledger.example/a b", "HTTPS://ledger.example/a%20b"),
                        ("https://ledger.example/100%25/50%", "https://ledger.example/100%25/50%25")]:
        page.write_text(f'---\ntitle: A Post\nurl: "{given}"\n---\nSome text of the post.\n', "utf-8")
        [article] = read_file(page)
        assert article.url == kept, given


def test_bold_and_italic_with_attributes_become_well_formed_xhtml():
    """``<b title="x">`` kept its attribute (the sanitiser allowed title and lang on any element), so the
    rename to ``<strong>`` missed its start tag and the chapter was not well-formed XML."""
    for fragment in ['<b title="x">bold</b>', '<i lang="fr" title="y">italic</i>', '<b title="t"></b> after']:
        cleaned = sanitize.inline(fragment)
        etree.fromstring(f"<p>{cleaned}</p>")  # raises on a mismatched tag
        assert "title=" not in cleaned and "lang=" not in cleaned
    assert sanitize.inline('<abbr title="United Nations">UN</abbr>') == '<abbr title="United Nations">UN</abbr>'
