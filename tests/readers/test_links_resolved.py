"""Links in books made from other archives: absolute, in-book, or unwrapped; never a file the book lacks."""

from __future__ import annotations

import re
import zipfile
from io import BytesIO
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

import deeplybook
from deeplybook.model import inline_texts
from deeplybook.readers import generic

SITE = "https://code.example"
FIRST = f"{SITE}/code/2013/first-steps.html"
SECOND = f"{SITE}/code/2013/second-steps.html"
ELSEWHERE = f"{SITE}/code/2013/not-archived.html"


def _page(title: str, links: str) -> bytes:
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title} | Code Notes</title></head>
<body><nav><a href="/">Home</a> <a href="/code/">All notes</a></nav>
<article><h1>{title}</h1>
<p>Writing a small parser by hand teaches more about a format than any library ever will, and it takes an evening.</p>
<p>{links}</p>
<p>The notes are short on purpose: each one answers a single question and stops when the question is answered.</p>
</article><footer><a href="/about">About these notes</a></footer></body></html>""".encode()


def _archive(path: Path) -> Path:
    """Two pages that link to each other by site-relative links, and to a third page the archive lacks."""
    pages = {
        FIRST: _page("First steps", 'Read on in <a href="/code/2013/second-steps.html">the second note</a>, or see '
                                    '<a href="/code/2013/not-archived.html">a note this archive lacks</a>.'),
        SECOND: _page("Second steps", 'This follows <a href="first-steps.html">the first note</a> and '
                                      '<a href="#top">goes back up</a>.'),
    }
    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=True)
        for number, (uri, body) in enumerate(pages.items()):
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            fixed = {"WARC-Record-ID": f"<urn:uuid:00000000-0000-4000-8000-{number:012d}>",
                     "WARC-Date": "2024-01-01T00:00:00Z"}
            writer.write_record(writer.create_warc_record(uri, "response", payload=BytesIO(body), http_headers=headers,
                                                          warc_headers_dict=fixed))
    return path


def _hrefs(book: Path) -> dict[str, list[str]]:
    """Each chapter's link targets, by file name."""
    with zipfile.ZipFile(book) as archive:
        return {name: re.findall(r'href="([^"]+)"', archive.read(name).decode("utf-8"))
                for name in archive.namelist() if name.endswith(".xhtml")}


def test_a_warc_book_links_inside_itself_and_to_the_web_and_passes_epubcheck(tmp_path, epubcheck):
    warc = _archive(tmp_path / "notes.warc.gz")
    result = deeplybook.build([warc], tmp_path / "notes", title="Code notes", formats=("epub",), cache=False)
    epubcheck(result.outputs["epub"])
    hrefs = _hrefs(result.outputs["epub"])
    first = next(links for name, links in hrefs.items() if name.endswith("first-steps.xhtml"))
    second = next(links for name, links in hrefs.items() if name.endswith("second-steps.xhtml"))
    assert "second-steps.xhtml" in first  # in the book: a link inside it
    assert ELSEWHERE in first  # not in the book: its web address
    assert "first-steps.xhtml" in second  # a page-relative link, resolved against the archived address
    assert not [href for href in first + second if href.startswith(("/", "#")) or "not-archived" in href
                and not href.startswith("https://")]


def test_warc_articles_carry_the_address_they_were_archived_under(tmp_path):
    articles = deeplybook.read([_archive(tmp_path / "notes.warc.gz")])
    assert [a.url for a in articles] == [FIRST, SECOND]
    second = " ".join(inline_texts(articles[1].body))
    assert f'<a href="{FIRST}">the first note</a>' in second
    assert "goes back up" in second and 'href="#top"' not in second  # a place in the page the book does not keep


def _links(article) -> list[str]:
    return re.findall(r'href="([^"]+)"', " ".join(inline_texts(article.body)))


def _local_page(tmp_path: Path, head: str) -> Path:
    page = tmp_path / "page.html"
    body = _page("Local steps", 'See <a href="/code/2013/second-steps.html">the second note</a> and '
                                '<a href="https://other.example/x">another site</a>.').decode()
    page.write_text(body.replace("<head>", f"<head>{head}"), encoding="utf-8")
    return page


def test_a_page_resolves_its_links_against_base_canonical_or_og_url(tmp_path):
    for head, expected in (
        ('<base href="https://base.example/notes/">', "https://base.example/code/2013/second-steps.html"),
        ('<link rel="canonical" href="https://canon.example/code/2014/x.html">',
         "https://canon.example/code/2013/second-steps.html"),
        ('<meta property="og:url" content="https://og.example/a/b.html">', "https://og.example/code/2013/second-steps.html"),
    ):
        (article,) = generic.read(_local_page(tmp_path, head))
        assert _links(article) == [expected, "https://other.example/x"], head


def test_a_link_with_no_address_to_resolve_against_is_unwrapped_to_its_text(tmp_path):
    (article,) = generic.read(_local_page(tmp_path, ""))
    assert _links(article) == ["https://other.example/x"]
    assert "the second note" in " ".join(inline_texts(article.body))
    assert article.url == ""


def test_front_matter_links_resolve_against_the_file_url_or_are_unwrapped(tmp_path):
    from deeplybook.readers import frontmatter

    text = ("---\ntitle: Third steps\n{url}---\nSee [the second note](/code/2013/second-steps.html), "
            "[a section](#later) and [elsewhere](https://other.example/x).\n")
    with_url = tmp_path / "with-url.md"
    with_url.write_text(text.format(url=f"url: {SITE}/code/2013/third-steps.html\n"), encoding="utf-8")
    without = tmp_path / "without.md"
    without.write_text(text.format(url=""), encoding="utf-8")
    assert _links(frontmatter.read(with_url)[0]) == [SECOND, "https://other.example/x"]
    assert _links(frontmatter.read(without)[0]) == ["https://other.example/x"]
