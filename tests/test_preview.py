"""The live preview (``make-ebook serve``): what it serves, what it refuses, how it rebuilds, and a real browser.

The browser test drives Debian's chromium (``/usr/bin/chromium``, which ``.ci/run``
installs) through Playwright for Python, never a browser Playwright downloads. It is
skipped, saying why, when either is missing, except in CI (``CI=true``), where that
fails it: CI cannot pass by not looking.
"""

from __future__ import annotations

import http.client
import os
import re
import sys
import threading
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree
from PIL import Image as PILImage

from deeplybook import cli, pipeline
from deeplybook.preview import INSTALL_HINT, Preview, serve
from deeplybook.preview.server import start

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
FERRY, MILL = "the-ferry-at-dawn.xhtml", "the-old-mill-reopens.xhtml"

FERRY_TEXT = """\
---
title: The Ferry at Dawn
url: https://example.org/stories/ferry
date: 2021-04-02
author: Ines Varga
tags: [Rivers]
---
The first ferry leaves before the bakers open, and its pilot knows every sandbank by name.

![A red buoy on grey water](pictures/buoy.png)

Upstream, [the old mill](https://example.org/stories/mill) has its wheel turning again.
"""

MILL_TEXT = """\
---
title: The Old Mill Reopens
url: https://example.org/stories/mill
date: 2021-05-09
author: Tomas Ekl
tags: [Work]
---
After thirty years the mill grinds flour again, slowly, for the village and two cafés.
"""


@pytest.fixture
def book(tmp_path: Path) -> Path:
    """An edition file over two articles (one with a picture, linking to the other) and a user theme."""
    return write_book(tmp_path)


def write_book(tmp_path: Path) -> Path:
    """Write the test book's edition file, articles, picture and theme into ``tmp_path``; the edition file."""
    articles = tmp_path / "articles"
    (articles / "pictures").mkdir(parents=True)
    (articles / "ferry.md").write_text(FERRY_TEXT, encoding="utf-8")
    (articles / "mill.md").write_text(MILL_TEXT, encoding="utf-8")
    PILImage.new("RGB", (40, 24), (200, 30, 30)).save(articles / "pictures" / "buoy.png")
    theme = tmp_path / "river-theme"
    (theme / "css").mkdir(parents=True)
    (theme / "theme.toml").write_text('name = "river"\nextends = "default"\n', encoding="utf-8")
    (theme / "css" / "epub.css").write_text(".article-title { color: rgb(1, 2, 3); }\n", encoding="utf-8")
    edition = tmp_path / "edition.toml"
    edition.write_text('[book]\ntitle = "River Towns"\nlanguage = "en"\n\n[sources]\npaths = ["articles"]\n\n'
                       '[output]\nfolder = "out"\nformats = ["epub"]\ntheme = "river-theme"\n', encoding="utf-8")
    return edition


@pytest.fixture
def served(book: Path):
    """The book's preview, built and served on a free port of 127.0.0.1 in a thread, for a test that changes it."""
    yield from _serving(book)


@pytest.fixture(scope="module")
def looked_at(tmp_path_factory):
    """One preview served for the tests that only look at it."""
    yield from _serving(write_book(tmp_path_factory.mktemp("preview")))


def _serving(edition: Path):
    preview = Preview(edition)
    preview.build()
    server = serve(preview, port=0)
    thread = start(server)
    yield preview, server
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


def get(server, path: str, host: str | None = None) -> tuple[int, dict[str, str], bytes]:
    """Ask the server for ``path`` exactly as written (http.client sends it unnormalised)."""
    address, port = server.server_address[:2]
    connection = http.client.HTTPConnection(address, port, timeout=10)
    headers = {"Host": host} if host else {}
    connection.request("GET", path, headers=headers)
    answer = connection.getresponse()
    result = answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read()
    connection.close()
    return result


# --- routes ------------------------------------------------------------------------------------


def test_the_preview_opens_at_its_contents_which_link_to_every_article(looked_at):
    _, server = looked_at
    status, headers, _ = get(server, "/")
    assert status == 303 and headers["location"] == "/nav.xhtml"
    status, headers, body = get(server, "/nav.xhtml")
    assert status == 200 and headers["content-type"].startswith("application/xhtml+xml")
    page = etree.fromstring(body)  # the preview's additions leave the page well-formed
    links = page.xpath("//x:nav[@id='toc']//x:a/@href", namespaces={"x": "http://www.w3.org/1999/xhtml"})
    assert [link for link in links if not link.startswith("index-")] == [FERRY, MILL]


def test_an_article_is_the_epub_page_with_the_preview_bar_and_script(served, book, tmp_path):
    _, server = served
    status, _, body = get(server, "/" + FERRY)
    assert status == 200
    page = etree.fromstring(body)
    ns = {"x": "http://www.w3.org/1999/xhtml"}
    assert page.xpath("string(//x:h1[@class='article-title'])", namespaces=ns) == "The Ferry at Dawn"
    # The link to the other article in the book points at its page.
    assert MILL in page.xpath("//x:div[@class='article-body']//x:a/@href", namespaces=ns)
    assert page.xpath("//x:script/@src", namespaces=ns) == ["/_preview/live.js"]
    assert page.xpath("//x:nav[@class='deeplybook-preview']//x:a[@rel='next']/@href", namespaces=ns) == [MILL]
    # Without the preview's additions, the page is the EPUB's, byte for byte.
    [result] = pipeline.build_edition(book, output=tmp_path / "out" / "river")
    with zipfile.ZipFile(result.outputs["epub"]) as epub:
        for name in (MILL, "nav.xhtml", "cover.xhtml", "title.xhtml"):
            assert _without_additions(get(server, "/" + name)[2]) == epub.read(f"EPUB/{name}"), name
        cover = epub.read("EPUB/images/cover.png")
    assert get(server, "/images/cover.png")[2] == cover


def _without_additions(page: bytes) -> bytes:
    text = page.decode("utf-8")
    text = re.sub(r'<link rel="stylesheet" type="text/css" href="/_preview/preview.css"/>', "", text)
    text = re.sub(r'<p class="deeplybook-preview-error".*?</p>', "", text, flags=re.DOTALL)
    text = re.sub(r'<nav class="deeplybook-preview".*?</script>', "", text, flags=re.DOTALL)
    return text.encode("utf-8")


def test_the_stylesheet_fonts_and_pictures_of_the_book_are_served(looked_at):
    _, server = looked_at
    status, headers, css = get(server, "/style/book.css")
    assert status == 200 and headers["content-type"].startswith("text/css")
    assert b"rgb(1, 2, 3)" in css  # the user theme's, after the default's
    font = re.search(rb'url\("\.\./(fonts/[^"]+)"\)', css)
    assert font, "the default theme's stylesheet names its fonts"
    status, headers, data = get(server, "/" + font.group(1).decode())
    assert status == 200 and headers["content-type"].startswith("font/") and len(data) > 1000
    body = get(server, "/" + FERRY)[2]
    src = re.search(rb'<img src="(images/[0-9a-f]+\.jpg)"', body)
    assert src, "the article shows its picture"
    status, headers, data = get(server, "/" + src.group(1).decode())
    assert status == 200 and headers["content-type"] == "image/jpeg" and data.startswith(b"\xff\xd8")


@pytest.mark.parametrize("path", [
    "/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2f..%2fetc%2fpasswd", "//etc/passwd",
    "/style/../../../etc/passwd", "/fonts/..%2f..%2f..%2fetc%2fpasswd", "/images/../edition.toml",
    "/edition.toml", "/articles/ferry.md", "/articles/pictures/buoy.png", "/river-theme/css/epub.css",
    "/images/0000000000000000.jpg", "/nav.xhtml/..", "/_preview/", "/_preview/../edition.toml",
])
def test_nothing_outside_the_book_is_served(looked_at, path):
    _, server = looked_at
    status, _, body = get(server, path)
    assert status == 404
    assert b"root:" not in body and b"[book]" not in body


def test_a_request_for_another_host_name_is_refused(looked_at):
    """A DNS name rebound to 127.0.0.1 does not reach the book."""
    _, server = looked_at
    assert get(server, "/nav.xhtml", host="attacker.example")[0] == 403
    assert get(server, "/nav.xhtml", host=f"localhost:{server.server_address[1]}")[0] == 200


def test_the_server_binds_to_the_loopback_by_default(book):
    preview = Preview(book)
    server = serve(preview, port=0)
    try:
        assert server.server_address[0] == "127.0.0.1" and server.loopback
    finally:
        server.server_close()
    host = next(p for p in cli.serve_command.params if p.name == "host")
    assert host.default == "127.0.0.1"


def test_a_picture_that_now_leads_outside_the_edition_is_not_served(served, book, tmp_path):
    """The containment the readers checked is checked again when a picture is asked for."""
    _, server = served
    src = re.search(rb'<img src="(images/[0-9a-f]+\.jpg)"', get(server, "/" + FERRY)[2]).group(1).decode()
    outside = tmp_path.parent / f"{tmp_path.name}-outside.png"
    PILImage.new("RGB", (8, 8), (0, 0, 0)).save(outside)
    picture = book.parent / "articles" / "pictures" / "buoy.png"
    picture.unlink()
    picture.symlink_to(outside)
    try:
        assert get(server, "/" + src)[0] == 404
    finally:
        outside.unlink()


# --- rebuilds ----------------------------------------------------------------------------------


def test_a_theme_edit_renders_again_without_reading_the_sources(served, book, monkeypatch):
    preview, server = served
    reads = []
    real = pipeline.plan_edition
    monkeypatch.setattr(pipeline, "plan_edition", lambda *a, **k: reads.append(1) or real(*a, **k))
    css = book.parent / "river-theme" / "css" / "epub.css"
    css.write_text(".article-title { color: rgb(9, 8, 7); }\n", encoding="utf-8")
    generation = preview.snapshot()[2]
    assert preview.changed({css})
    assert preview.snapshot()[2] == generation + 1
    assert b"rgb(9, 8, 7)" in get(server, "/style/book.css")[2]
    assert reads == []


def test_a_source_edit_reads_and_plans_again(served, book):
    preview, server = served
    ferry = book.parent / "articles" / "ferry.md"
    ferry.write_text(FERRY_TEXT.replace("The Ferry at Dawn", "The Ferry at Dusk"), encoding="utf-8")
    assert preview.changed({ferry})
    assert b"The Ferry at Dusk" in get(server, "/nav.xhtml")[2]
    assert get(server, "/" + FERRY)[0] == 404  # the article's page has a new name


def test_a_file_the_book_does_not_use_changes_nothing(served, book):
    preview, _ = served
    notes = book.parent / "notes.txt"
    notes.write_text("to do", encoding="utf-8")
    generation = preview.snapshot()[2]
    assert not preview.changed({notes})
    assert preview.snapshot()[2] == generation


def test_a_failed_rebuild_keeps_the_last_good_book_and_shows_its_error(served, book):
    preview, server = served
    site = preview.snapshot()[0]
    good = book.read_text(encoding="utf-8")
    book.write_text(good.replace('theme = "river-theme"', 'theme = "no-such-theme"'), encoding="utf-8")
    assert preview.changed({book})
    current, error, _ = preview.snapshot()
    assert current is site
    assert "no-such-theme" in error and "\n" not in error
    body = get(server, "/" + FERRY)[2]
    assert b"The Ferry at Dawn" in body
    page = etree.fromstring(body)  # the error is escaped into well-formed XHTML
    first = page.find("{http://www.w3.org/1999/xhtml}body")[0]
    assert first.get("class") == "deeplybook-preview-error" and "no-such-theme" in first.text
    book.write_text(good, encoding="utf-8")
    assert preview.changed({book})
    assert preview.snapshot()[1] == ""
    assert b"deeplybook-preview-error" not in get(server, "/" + FERRY)[2]


def test_open_pages_are_told_to_reload_when_the_book_is_rebuilt(served, book):
    preview, server = served
    generation = preview.snapshot()[2]
    address, port = server.server_address[:2]
    connection = http.client.HTTPConnection(address, port, timeout=20)
    connection.request("GET", f"/_preview/events?generation={generation}")
    answer = connection.getresponse()
    assert answer.status == 200 and answer.getheader("Content-Type") == "text/event-stream"
    assert answer.readline() == b"retry: 1000\n"
    css = book.parent / "river-theme" / "css" / "epub.css"
    threading.Thread(target=preview.changed, args=({css},)).start()
    lines = [answer.readline() for _ in range(3)]
    connection.close()
    assert b"event: reload\n" in lines and f"data: {generation + 1}\n".encode() in lines


def test_a_page_opened_before_a_rebuild_reloads_at_once(served, book):
    preview, server = served
    old = preview.snapshot()[2]
    preview.changed({book.parent / "river-theme" / "css" / "epub.css"})
    address, port = server.server_address[:2]
    connection = http.client.HTTPConnection(address, port, timeout=20)
    connection.request("GET", f"/_preview/events?generation={old}")
    answer = connection.getresponse()
    assert answer.read().endswith(f"event: reload\ndata: {old + 1}\n\n".encode())
    connection.close()


def test_the_watcher_rebuilds_when_a_watched_file_changes(book):
    pytest.importorskip("watchfiles", reason="watchfiles (the serve extra) is not installed")
    from deeplybook.preview import watch

    preview = Preview(book)
    preview.build()
    assert book.parent in preview.watched()
    thread, stop = watch.start(preview)
    try:
        generation = preview.snapshot()[2]
        css = book.parent / "river-theme" / "css" / "epub.css"
        for _ in range(10):  # the watcher may start after the first write: write until it is seen
            css.write_text(".article-title { color: rgb(4, 5, 6); }\n", encoding="utf-8")
            if preview.wait(generation, 3.0) != generation:
                break
        assert preview.snapshot()[2] > generation
        assert b"rgb(4, 5, 6)" in preview.snapshot()[0].stylesheet
    finally:
        stop.set()
        thread.join(timeout=10)


# --- the command -------------------------------------------------------------------------------


def test_serve_says_how_to_install_watchfiles_when_it_is_missing(book, monkeypatch):
    monkeypatch.setitem(sys.modules, "watchfiles", None)  # import fails
    result = CliRunner().invoke(cli.cli, ["serve", str(book)])
    assert result.exit_code == 1
    assert INSTALL_HINT in result.output


def test_serve_prints_the_address_it_serves_the_book_at(book, monkeypatch):
    pytest.importorskip("watchfiles", reason="watchfiles (the serve extra) is not installed")
    from deeplybook import preview

    served = []
    monkeypatch.setattr(preview, "run", lambda server: served.append(server) or server.server_close())
    result = CliRunner().invoke(cli.cli, ["serve", str(book), "--port", "0"])
    assert result.exit_code == 0, result.output
    [server] = served
    assert server.server_address[0] == "127.0.0.1"
    assert f"previewing 'River Towns' at {server.url} (Ctrl-C stops)" in result.output


def test_a_rebuild_that_fails_unexpectedly_keeps_the_book_too(served, book, monkeypatch):
    """A file caught half-written may fail in ways no check foresaw: the server goes on."""
    preview, server = served
    from deeplybook.preview import book as book_module

    def torn(*args, **kwargs):
        raise UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte")

    monkeypatch.setattr(book_module, "render", torn)
    assert preview.changed({book.parent / "river-theme" / "css" / "epub.css"})
    assert preview.snapshot()[1].startswith("UnicodeDecodeError: ")
    assert get(server, "/" + FERRY)[0] == 200


def test_serve_names_the_file_of_a_broken_edition(tmp_path):
    broken = tmp_path / "edition.toml"
    broken.write_text("[book]\ntitle = 3\n", encoding="utf-8")
    pytest.importorskip("watchfiles", reason="watchfiles (the serve extra) is not installed")
    result = CliRunner().invoke(cli.cli, ["serve", str(broken)])
    assert result.exit_code == 1
    assert "edition.toml" in result.output


def test_a_folder_is_previewed_as_the_quick_form_makes_it(book):
    preview = Preview(book.parent / "articles", title="Two Stories")
    site = preview.build()
    assert site.plan.edition.title == "Two Stories"
    assert {FERRY, MILL} <= set(site.pages)


# --- a real browser ----------------------------------------------------------------------------


def _browser_or_skip():
    """Playwright's sync API and its timeout error, or a skip (a failure in CI) saying what is missing."""
    missing = ""
    try:
        from playwright.sync_api import TimeoutError as PlaywrightTimeout
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = PlaywrightTimeout = None
        missing = "Playwright for Python is not installed (pip install playwright)"
    if not missing and not CHROMIUM.is_file():
        missing = f"no chromium at {CHROMIUM} (apt-get install chromium)"
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{missing}; CI must run the browser test")
        pytest.skip(missing)
    return sync_playwright, PlaywrightTimeout


def test_in_a_browser_an_article_shows_and_a_theme_edit_appears_without_a_restart(book, tmp_path):
    sync_playwright, PlaywrightTimeout = _browser_or_skip()
    pytest.importorskip("watchfiles", reason="watchfiles (the serve extra) is not installed")
    from deeplybook.preview import watch

    preview = Preview(book)
    preview.build()
    server = serve(preview, port=0)
    serving = start(server)
    watching, stop = watch.start(preview)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(server.url)
            assert page.url.endswith("/nav.xhtml")
            assert page.locator("nav#toc h1").inner_text() == "Contents"
            page.click(f"a.toc-line[href='{FERRY}']")
            page.wait_for_url(f"**/{FERRY}")
            title = page.locator("h1.article-title")
            assert title.inner_text() == "The Ferry at Dawn"
            assert title.evaluate("e => getComputedStyle(e).color") == "rgb(1, 2, 3)"
            assert page.locator("figure img").evaluate("img => img.complete && img.naturalWidth") == 40
            css = book.parent / "river-theme" / "css" / "epub.css"
            green = "() => getComputedStyle(document.querySelector('h1.article-title')).color === 'rgb(0, 128, 0)'"
            # The watcher sees the edit, the page is told and reloads itself. Written
            # again if unseen: nothing says when the watcher has begun to watch.
            for _ in range(10):
                css.write_text(".article-title { color: rgb(0, 128, 0); }\n", encoding="utf-8")
                try:
                    page.wait_for_function(green, timeout=3_000)
                    break
                except PlaywrightTimeout:
                    continue
            assert page.evaluate(green)
            assert page.url.endswith(f"/{FERRY}")
            page.click("a[rel='next']")
            page.wait_for_url(f"**/{MILL}")
            assert page.locator("h1.article-title").inner_text() == "The Old Mill Reopens"
            page.screenshot(path=str(tmp_path / "preview.png"))
            browser.close()
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
        serving.join(timeout=10)
        watching.join(timeout=10)
