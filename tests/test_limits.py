"""How much a build reads: the size limit a file and the time limit a page, inline and in worker processes."""

from __future__ import annotations

import io
import os
import shutil
import signal
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from reading import read_all

from deeplybook import cli, config, readers
from deeplybook.errors import ConfigError
from deeplybook.inputs import Limits, parse_size
from deeplybook.model import Article, Paragraph
from deeplybook.readers import pool, warc

ARTICLES = Path(__file__).parent / "samples" / "editions" / "articles"


def input_folder(tmp_path: Path, count: int = 3) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for source in sorted(ARTICLES.glob("*.txt"))[:count]:
        shutil.copy(source, folder / source.name)
    return folder


def long_article(folder: Path) -> Path:
    """An ordinary article of about 30 kB."""
    path = folder / "long-report.txt"
    paragraphs = [f"Paragraph {n} of the long report on the harbour, told at length for the record." for n in range(400)]
    path.write_text("The Long Report\nBy Ines Marlow\n\n" + "\n\n".join(paragraphs) + "\n", "utf-8")
    return path


def messages(records, code: str) -> list[str]:
    return [message.removesuffix(f" [{code}]") for got, message in records if got == code]


def run(*args):
    return CliRunner().invoke(cli.cli, [str(a) for a in args])


# --- size -------------------------------------------------------------------------------


def test_sizes_read_as_people_write_them():
    assert parse_size("200MB") == 200_000_000
    assert parse_size("64MiB") == 64 * 1024 * 1024
    assert parse_size("1.5 kb") == 1500
    assert parse_size("1000") == parse_size(1000) == 1000
    for wrong in ("lots", "-5MB", "0", "12 parsecs", "5i"):
        with pytest.raises(ValueError):
            parse_size(wrong)


def test_a_file_over_the_size_limit_is_refused_naming_it_and_its_size(tmp_path):
    folder = input_folder(tmp_path)
    big = long_article(folder)
    articles, report, warned = read_all([folder], limits=Limits(max_file_bytes=10_000))
    assert len(articles) == 3 and "The Long Report" not in {a.title for a in articles}
    (message,) = messages(warned, "file-too-large")
    assert message.startswith(f"{big}: is {big.stat().st_size / 1024:.1f} KiB, over the 9.8 KiB limit")
    assert str(big) in dict(report.skipped)


def test_max_file_size_on_the_quick_form(tmp_path, epubcheck):
    folder = input_folder(tmp_path)
    big = long_article(folder)
    result = run(folder, "-o", tmp_path / "book", "-f", "epub", "--no-cache", "--max-file-size", "10KB")
    assert result.exit_code == 0, result.output
    assert "3 articles from 3 files" in result.stdout
    assert f"{big}: is " in result.stderr and "[file-too-large]" in result.stderr
    epubcheck(tmp_path / "book.epub")
    assert run(folder, "-o", tmp_path / "book", "--max-file-size", "lots").exit_code == 2


def edition_file(tmp_path: Path, folder: Path, extra: str = "") -> Path:
    path = tmp_path / "edition.toml"
    path.write_text(textwrap.dedent(f"""
        [book]
        title = "Limited"
        [sources]
        paths = ["{folder.as_posix()}"]
        {extra}
        [output]
        folder = "books"
        formats = ["epub"]
    """), "utf-8")
    return path


def test_max_file_size_in_the_edition_file_and_on_the_build_command(tmp_path):
    folder = input_folder(tmp_path)
    long_article(folder)
    edition = edition_file(tmp_path, folder, 'max_file_size = "10KB"')
    assert config.load(edition).sources.limits.max_file_bytes == 10_000
    result = run("build", edition, "--no-cache")
    assert result.exit_code == 0, result.output
    assert "3 articles from 3 files" in result.stdout and "[file-too-large]" in result.stderr
    result = run("build", edition, "--no-cache", "--max-file-size", "1MB")
    assert result.exit_code == 0, result.output
    assert "4 articles from 4 files" in result.stdout and "[file-too-large]" not in result.stderr


def test_a_wrong_max_file_size_is_one_of_every_problem_reported(tmp_path):
    folder = input_folder(tmp_path)
    edition = edition_file(tmp_path, folder, 'max_file_size = "lots"\nreader = "nonsense"\nallow_remote = "yes"')
    with pytest.raises(ConfigError) as failed:
        config.load(edition)
    assert [p.split(":")[1].strip() for p in failed.value.problems] == [
        "sources.reader", "sources.max_file_size", "sources.allow_remote"]


def test_the_starter_edition_file_mentions_the_size_limit():
    assert '# max_file_size = "200MB"' in config.starter() and '# allow_remote = true' in config.starter()


# --- time ---------------------------------------------------------------------------------


class SlowReader:
    """A test-only reader that never finishes a ``*.slow`` file, in Python code: the alarm reaches it."""

    NAME = "slow"

    @staticmethod
    def sniff(path, head) -> int:
        return 100 if str(path).endswith(".slow") else 0

    @staticmethod
    def read(path):
        while True:
            time.sleep(0.05)


class StuckReader(SlowReader):
    """Stuck where the alarm cannot reach, as C code is: only the worker's watchdog ends it."""

    @staticmethod
    def read(path):
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        time.sleep(120)
        return []


@pytest.fixture
def slow_readers(monkeypatch):
    registered = dict(readers._registered())
    monkeypatch.setattr(readers, "_registered", lambda: {**registered, "slow": SlowReader})
    return lambda reader: monkeypatch.setattr(readers, "_registered", lambda: {**registered, "slow": reader})


def test_a_page_over_the_time_limit_is_left_out_and_the_others_go_on(tmp_path, slow_readers):
    folder = input_folder(tmp_path)
    (folder / "forever.slow").write_text("never done", "utf-8")
    articles, report, warned = read_all([folder], limits=Limits(page_seconds=1))
    assert len(articles) == 3
    (message,) = messages(warned, "read-timeout")
    assert message == f"{folder / 'forever.slow'}: reading took longer than 1 s; left out"
    assert [path for path, _ in report.failed] == [str(folder / "forever.slow")]


@pytest.fixture
def workers(monkeypatch):
    """Read in a pool of two worker processes, however few the files and the cores."""
    monkeypatch.setattr(pool, "POOL_THRESHOLD", 2)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)


def test_the_time_limit_holds_in_worker_processes(tmp_path, slow_readers, workers):
    folder = input_folder(tmp_path)
    (folder / "forever.slow").write_text("never done", "utf-8")
    articles, report, warned = read_all([folder], limits=Limits(page_seconds=1))
    assert len(articles) == 3
    assert messages(warned, "read-timeout") == [f"{folder / 'forever.slow'}: reading took longer than 1 s; left out"]


def test_a_worker_stuck_beyond_the_alarm_is_ended_and_the_others_go_on(tmp_path, slow_readers, workers):
    slow_readers(StuckReader)
    folder = input_folder(tmp_path, count=6)
    (folder / "c-stuck.slow").write_text("stuck", "utf-8")
    articles, report, warned = read_all([folder], limits=Limits(page_seconds=1))
    assert sorted(a.title for a in articles) == sorted(a.title for a in read_all([ARTICLES])[0])
    (message,) = messages(warned, "read-timeout")
    assert message.startswith(f"{folder / 'c-stuck.slow'}: reading neither finished nor stopped")
    assert [path for path, _ in report.failed] == [str(folder / "c-stuck.slow")]


class PacedReader:
    """A test-only reader that takes most of the time limit over each page of an archive."""

    NAME = "paced"

    @staticmethod
    def sniff(path, head) -> int:
        return 100

    @staticmethod
    def read(path):
        time.sleep(0.6)
        return [Article(title=f"Page {Path(path).stem}", body=(Paragraph("A page read slowly."),))]


def test_each_page_of_a_warc_has_the_whole_time_limit(tmp_path, monkeypatch):
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    path = tmp_path / "slow.warc"
    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=False)
        for number in range(3):
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
            body = io.BytesIO(f"<html><body><p>page {number}</p></body></html>".encode())
            writer.write_record(writer.create_warc_record(f"https://site.example/p{number}", "response",
                                                          payload=body, http_headers=headers))
    monkeypatch.setattr(warc, "available", lambda: {"paced": PacedReader, "warc": warc})
    articles, report, warned = read_all([path], limits=Limits(page_seconds=1), reader="warc")
    assert [a.title for a in articles] == ["Page p0", "Page p1", "Page p2"]
    assert not messages(warned, "read-timeout")
