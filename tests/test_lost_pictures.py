"""A picture the archive lacks is said once, well: its caption under a label, or nothing; never an empty figure."""

from __future__ import annotations

import re
import shutil
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import pdf_text
from factories import article

from deeplybook import cli, edition
from deeplybook.model import Figure, Image, Paragraph
from deeplybook.writers.epub import write_epub
from deeplybook.writers.pdf import write_pdf

SAMPLE = Path(__file__).parent / "samples" / "lost-pictures"
PICTURE = (Path(__file__).parent / "samples" / "generic" / "images" / "lanterns.jpg").read_bytes()
THEMES = ("default", "classic", "deeply", "large-print")
LABEL = "Photograph not preserved"


def _edition(**metadata):
    """Three articles: a lead picture lost with its caption, one lost with nothing, inline pictures of both kinds."""
    lost = Figure("Apricot trees in bloom.", "Salma Idris", Image("https://img.example/apricots.jpg"))
    bare = Figure("", "", Image("https://img.example/nothing.jpg"))
    body = (Paragraph("The families came back in the spring."),
            Figure("The well the orchard shares with the school.", "", Image("https://img.example/well.jpg")),
            Paragraph("The channels ran again by the summer."),
            Figure("", "", Image("https://img.example/blank.jpg")),
            Figure("", "Omar Haddad", None),
            Paragraph("The first fruit went to market."))
    return edition.make([article(1, lead=lost, body=body), article(2, lead=bare), article(3, lead=None)],
                        title="Lost Pictures", **metadata)


def _pages(epub: Path) -> dict[str, str]:
    with zipfile.ZipFile(epub) as book:
        return {n: book.read(n).decode("utf-8") for n in book.namelist() if re.search(r"story-\d\.xhtml$", n)}


@pytest.mark.parametrize("theme", THEMES)
def test_a_lost_picture_prints_its_caption_under_a_label_and_an_empty_one_nothing(theme, tmp_path, epubcheck):
    book = write_epub(_edition(), tmp_path / f"{theme}.epub", theme=theme)
    pages = _pages(book)
    first = pages["EPUB/story-1.xhtml"]
    # The lead and the inline figures whose pictures are lost: the caption and credit, under the label.
    lost = re.findall(r'<figure class="([^"]*picture-lost[^"]*)">(.*?)</figure>', first, re.S)
    assert [cls for cls, _ in lost] == ["figure lead picture-lost", "figure picture-lost", "figure picture-lost"]
    assert all(f'<span class="lost-label">{LABEL}</span>' in inner for _, inner in lost)
    assert "Apricot trees in bloom." in lost[0][1] and "Salma Idris" in lost[0][1]
    assert "Omar Haddad" in lost[2][1]
    # No picture, no empty figure: a figure is written only with something in it.
    for page in pages.values():
        assert "<img" not in page
        for inner in re.findall(r"<figure[^>]*>(.*?)</figure>", page, re.S):
            assert "<figcaption>" in inner
    assert "<figure" not in pages["EPUB/story-2.xhtml"]
    assert first.count("<figure") == 3
    # The theme styles the label (each built-in theme in its own way, the default's rules first).
    with zipfile.ZipFile(book) as archive:
        assert ".lost-label" in archive.read("EPUB/style/book.css").decode("utf-8")
    epubcheck(book)


def test_the_label_is_in_the_editions_language(tmp_path, epubcheck):
    book = write_epub(_edition(language="fr"), tmp_path / "fr.epub")
    page = _pages(book)["EPUB/story-1.xhtml"]
    assert page.count("Photographie non conservée") == 3 and LABEL not in page
    epubcheck(book)


def test_the_pdf_prints_the_label_with_each_lost_caption_and_no_empty_figure(tmp_path):
    pdf = write_pdf(_edition(), tmp_path / "book.pdf", jobs=1, one_document=True)
    text = "\n".join(pdf_text(pdf))
    assert text.upper().count(LABEL.upper()) == 3
    assert "Apricot trees in bloom." in text and "The well the orchard shares with the school." in text


class _Pictures(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.server.asked.append(self.path)
        if self.path != "/pictures/good.jpg":
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "image/jpeg")
        self.send_header("Content-Length", str(len(PICTURE)))
        self.end_headers()
        self.wfile.write(PICTURE)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def mirror(tmp_path, monkeypatch):
    """The sample News Deeply page, its pictures at a web server on 127.0.0.1 (only good.jpg is there)."""
    monkeypatch.setenv("DEEPLYBOOK_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("DEEPLYBOOK_CACHE_KEY", str(tmp_path / "cache-key"))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Pictures)
    httpd.asked = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    folder = tmp_path / "in"
    shutil.copytree(SAMPLE, folder)
    for page in folder.rglob("*.html"):
        page.write_text(page.read_text("utf-8").replace("{server}", f"http://127.0.0.1:{httpd.server_port}"), "utf-8")
    yield folder, httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def _logger_restored():
    """The command line configures the package logger; later tests expect it as it was."""
    from deeplybook.log import logger

    saved = (logger.handlers[:], logger.propagate, logger.level)
    yield
    logger.handlers[:], logger.propagate, logger.level = saved[0], saved[1], saved[2]


def _article_page(epub: Path) -> str:
    with zipfile.ZipFile(epub) as book:
        [name] = [n for n in book.namelist() if n.endswith("the-orchard-at-the-edge-of-town.xhtml")]
        return book.read(name).decode("utf-8")


def test_a_lead_picture_known_only_by_its_address_is_fetched_with_allow_remote(mirror, tmp_path, epubcheck):
    folder, server = mirror
    result = CliRunner().invoke(cli.cli, [str(folder), "-o", str(tmp_path / "book"), "-f", "epub", "--allow-remote"])
    assert result.exit_code == 0, result.output
    assert sorted(server.asked) == ["/pictures/good.jpg", "/pictures/missing-too.jpg", "/pictures/missing.jpg"]
    page = _article_page(tmp_path / "book.epub")
    lead, *rest = re.findall(r'<figure class="([^"]*)">(.*?)</figure>', page, re.S)
    assert lead[0] == "figure lead" and "<img" in lead[1] and "Apricot trees in bloom" in lead[1]
    # The inline picture that could not be had keeps its caption under the label; the bare one is gone.
    assert [cls for cls, _ in rest] == ["figure picture-lost"] and LABEL in rest[0][1]
    epubcheck(tmp_path / "book.epub")


def test_without_allow_remote_the_lead_is_a_lost_picture_and_nothing_is_asked(mirror, tmp_path, epubcheck):
    folder, server = mirror
    result = CliRunner().invoke(cli.cli, [str(folder), "-o", str(tmp_path / "book"), "-f", "epub"])
    assert result.exit_code == 0, result.output
    assert server.asked == []
    page = _article_page(tmp_path / "book.epub")
    assert re.findall(r'<figure class="([^"]*)">', page) == ["figure lead picture-lost", "figure picture-lost"]
    assert "<img" not in page
    epubcheck(tmp_path / "book.epub")
