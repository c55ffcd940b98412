"""Fuzzing the writers: books made of fuzzed articles are valid EPUB (EPUBCheck) and sound PDF (qpdf's check)."""

from __future__ import annotations

import re
import zipfile
from urllib.parse import urlsplit

import pikepdf
from fuzzing import ANY_INPUT, FORBIDDEN, SEEDS, fuzz_settings, workspace
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

import deeplybook
from deeplybook.errors import DeeplybookError
from deeplybook.readers import Skip, read_file

#: One whole sample page goes into every book, so that none is empty whatever the fuzzed pages give.
ANCHOR = next((name, data) for name, data in SEEDS if name == "blog-article.html")
#: What a URL may hold (RFC 3986): anything else in a link is an error for EPUBCheck.
URL = re.compile(r"[A-Za-z0-9._~:/?#\[\]@!$&'()*+,;=%-]*")
#: A line of /etc/passwd: no book may hold a file from outside its input.
OUTSIDE = b"root:x:0:0"
_BOOKS = st.lists(ANY_INPUT, min_size=2, max_size=7)


def edition_of(folder, samples):
    """The edition of every article the samples give (each written into ``folder`` and read on its own)."""
    articles = []
    for number, (name, data) in enumerate([*samples, ANCHOR]):
        path = folder / f"{number}-{name}"
        path.write_bytes(data)
        try:
            articles.extend(read_file(path))
        except (Skip, DeeplybookError):
            pass
    return deeplybook.make_edition(articles, title="Fuzzed Pages", group_by=["year"])


def assert_clean_epub(path) -> None:
    """Every XHTML page well-formed, with no script, handler or javascript: link, and nothing from outside."""
    with zipfile.ZipFile(path) as book:
        for name in book.namelist():
            data = book.read(name)
            assert OUTSIDE not in data, f"{name} holds a file from outside the input"
            if name.endswith(".xhtml"):
                page = etree.fromstring(data)  # raises on anything not well-formed
                assert not page.xpath("//*[local-name()='script']"), f"a script in {name}"
                assert not page.xpath("//@*[starts-with(name(), 'on')]"), f"an event handler in {name}"
                assert not page.xpath("//@*[contains(translate(., 'JAVSCRIPT', 'javscript'), 'javascript:')]"), \
                    f"a javascript: address in {name}"
                assert not FORBIDDEN.search(data.decode("utf-8")), f"a character XML forbids in {name}"
                for href in page.xpath("//*[local-name()='a']/@href"):
                    assert URL.fullmatch(href), f"{href!r} in {name} is no URL"
                    assert urlsplit(href).scheme in ("", "http", "https", "mailto"), f"{href!r} in {name}"


@fuzz_settings(25, share=0.05)
@given(samples=_BOOKS)
def test_epubs_of_fuzzed_pages_are_well_formed_and_script_free(tmp_path_factory, samples):
    folder = workspace(tmp_path_factory.mktemp("fuzz-epub"))
    path = deeplybook.write_epub(edition_of(folder, samples), folder / "book.epub")
    assert_clean_epub(path)


@settings(fuzz_settings(2, share=0.01), suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                               HealthCheck.too_slow, HealthCheck.data_too_large])
@given(samples=_BOOKS)
def test_sampled_epubs_pass_epubcheck(tmp_path_factory, epubcheck, samples):
    folder = workspace(tmp_path_factory.mktemp("fuzz-epubcheck"))
    path = deeplybook.write_epub(edition_of(folder, samples), folder / "book.epub")
    epubcheck(path)


@fuzz_settings(4, share=0.01)
@given(samples=_BOOKS)
def test_sampled_pdfs_pass_qpdf_check(tmp_path_factory, samples):
    folder = workspace(tmp_path_factory.mktemp("fuzz-pdf"))
    path = deeplybook.write_pdf(edition_of(folder, samples), folder / "book.pdf", jobs=1)
    with pikepdf.open(path) as pdf:
        assert [str(problem) for problem in pdf.check_pdf_syntax()] == []
    assert OUTSIDE not in path.read_bytes()
