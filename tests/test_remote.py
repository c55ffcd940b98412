"""Nothing is fetched from the network unless asked (--allow-remote); then pictures only, within limits."""

from __future__ import annotations

import textwrap
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner

from deeplybook import cli

SAMPLE = Path(__file__).parent / "samples" / "hostile" / "remote" / "tide-tables.html"
PICTURE = (Path(__file__).parent / "samples" / "generic" / "images" / "lanterns.jpg").read_bytes()
PICTURES = ["/pictures/good.jpg", "/pictures/huge.jpg", "/pictures/missing.jpg"]


@pytest.fixture(autouse=True)
def _logger_restored():
    """The command line configures the package logger; later tests expect it as it was."""
    from deeplybook.log import logger

    saved = (logger.handlers[:], logger.propagate, logger.level)
    yield
    logger.handlers[:], logger.propagate, logger.level = saved[0], saved[1], saved[2]


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.server.asked.append(self.path)
        if self.path == "/pictures/good.jpg":
            body = PICTURE
        elif self.path == "/pictures/huge.jpg":
            body = PICTURE + bytes(300_000)
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "image/jpeg")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def server():
    """A web server on 127.0.0.1 that records every path asked of it."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.asked = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def page(tmp_path, server) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    address = f"http://127.0.0.1:{server.server_port}"
    (folder / SAMPLE.name).write_text(SAMPLE.read_text("utf-8").replace("{server}", address), "utf-8")
    return folder


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("DEEPLYBOOK_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("DEEPLYBOOK_CACHE_KEY", str(tmp_path / "cache-key"))


def run(*args):
    return CliRunner().invoke(cli.cli, [str(a) for a in args])


def pictures_in(epub: Path) -> list[str]:
    with zipfile.ZipFile(epub) as book:
        return [name for name in book.namelist() if name.startswith("EPUB/images/") and "cover" not in name]


def test_without_allow_remote_no_request_reaches_the_server(page, server, tmp_path, epubcheck):
    result = run(page, "-o", tmp_path / "book", "-f", "epub,pdf", "-j", "1")
    assert result.exit_code == 0, result.output
    assert server.asked == []
    assert pictures_in(tmp_path / "book.epub") == []
    epubcheck(tmp_path / "book.epub")
    with pikepdf.open(tmp_path / "book.pdf") as pdf:
        assert [str(problem) for problem in pdf.check_pdf_syntax()] == []


def test_with_allow_remote_the_pictures_are_fetched_and_nothing_else(page, server, tmp_path, epubcheck):
    result = run(page, "-o", tmp_path / "book", "-f", "epub", "--allow-remote", "--max-file-size", "100KB")
    assert result.exit_code == 0, result.output
    assert sorted(server.asked) == PICTURES
    assert len(pictures_in(tmp_path / "book.epub")) == 1
    failed = [line for line in result.stderr.splitlines() if line.endswith("[remote-failed]")]
    assert len(failed) == 2
    assert "/pictures/missing.jpg: could not be fetched: HTTP 404" in failed[1]
    assert "/pictures/huge.jpg: is 293.6 KiB, over the 97.7 KiB limit" in failed[0]
    epubcheck(tmp_path / "book.epub")


def test_allow_remote_in_the_edition_file_and_a_rebuild_asks_again_only_for_what_failed(page, server, tmp_path):
    edition = tmp_path / "edition.toml"
    edition.write_text(textwrap.dedent(f"""
        [book]
        title = "Tides"
        [sources]
        paths = ["{page.as_posix()}"]
        allow_remote = true
        max_file_size = "100KB"
        [output]
        folder = "books"
        formats = ["epub"]
    """), "utf-8")
    result = run("build", edition)
    assert result.exit_code == 0, result.output
    assert sorted(server.asked) == PICTURES
    assert len(pictures_in(tmp_path / "books" / "tides.epub")) == 1
    server.asked.clear()
    assert run("build", edition).exit_code == 0
    assert sorted(server.asked) == ["/pictures/huge.jpg", "/pictures/missing.jpg"]
