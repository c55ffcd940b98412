"""Inputs the fuzzers found that once broke a reader, each kept as a plain test."""

from __future__ import annotations

import io

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from deeplybook.readers import read_file

from fuzzing import FORBIDDEN, SAMPLES, strings_of


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
