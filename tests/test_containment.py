"""Which files a build reads: broken links, symlinks out of the input, folder loops, special files."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import textwrap
import zipfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner
from reading import read_all

from deeplybook import cli, config
from deeplybook.log import counting_warnings
from deeplybook.model import Figure

SAMPLES = Path(__file__).parent / "samples"
ARTICLES = SAMPLES / "editions" / "articles"
HOSTILE = SAMPLES / "hostile" / "symlinks"
PICTURE = SAMPLES / "generic" / "images" / "lanterns.jpg"
OUTSIDE_TEXT = "Lighthouse Keepers Strike\nBy Someone Else\n\n" + "Words that must never reach a book. " * 12

_opened: list[str] | None = None


def _audit(event: str, args: tuple) -> None:
    if event == "open" and _opened is not None and isinstance(args[0], (str, bytes, os.PathLike)):
        _opened.append(os.fsdecode(args[0]))


sys.addaudithook(_audit)


@contextmanager
def opened_files():
    """Every file this process opens inside the block (Python's audit hook sees each open)."""
    global _opened
    _opened = []
    try:
        yield _opened
    finally:
        _opened = None


def input_folder(tmp_path: Path, count: int = 2) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for source in sorted(ARTICLES.glob("*.txt"))[:count]:
        shutil.copy(source, folder / source.name)
    return folder


def named(records, code: str) -> list[str]:
    """The messages warned under ``code``."""
    return [message for got, message in records if got == code]


def run(*args):
    return CliRunner().invoke(cli.cli, [str(a) for a in args])


# --- dangling symlinks ---------------------------------------------------------------


def test_a_dangling_symlink_is_refused_and_the_other_files_are_read(tmp_path):
    folder = input_folder(tmp_path)
    (folder / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    articles, report, warned = read_all([folder])
    assert len(articles) == 2 and report.read == 2
    (message,) = named(warned, "file-refused")
    assert message.startswith(f"{folder / 'gone.txt'}: ") and "broken link" in message


def test_make_ebook_goes_on_past_a_dangling_symlink(tmp_path, epubcheck):
    folder = input_folder(tmp_path)
    (folder / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    result = run(folder, "-o", tmp_path / "book", "-f", "epub", "--no-cache")
    assert result.exit_code == 0, result.output
    assert "2 articles from 2 files" in result.stdout
    assert f"{folder / 'gone.txt'}: " in result.stderr and "[file-refused]" in result.stderr
    epubcheck(tmp_path / "book.epub")


# --- symlinks out of the input ----------------------------------------------------------


def test_symlinks_to_files_outside_the_input_are_refused_unopened(tmp_path):
    folder = input_folder(tmp_path)
    outside = tmp_path / "elsewhere" / "strike.txt"
    outside.parent.mkdir()
    outside.write_text(OUTSIDE_TEXT, "utf-8")
    (folder / "strike.txt").symlink_to(outside)
    (folder / "passwd.txt").symlink_to("/etc/passwd")
    with opened_files() as opened:
        articles, _, warned = read_all([folder])
    assert not any("Lighthouse" in a.title for a in articles) and len(articles) == 2
    assert sorted(m.split(": ")[0] for m in named(warned, "file-refused")) == [
        str(folder / "passwd.txt"), str(folder / "strike.txt")]
    assert not {str(outside), "/etc/passwd"} & {os.path.realpath(p) for p in opened}


def test_a_file_named_on_the_command_line_is_read_wherever_its_symlink_points(tmp_path):
    outside = tmp_path / "elsewhere" / "strike.txt"
    outside.parent.mkdir()
    outside.write_text(OUTSIDE_TEXT, "utf-8")
    link = tmp_path / "strike.txt"
    link.symlink_to(outside)
    articles, _, warned = read_all([link])
    assert [a.title for a in articles] == ["Lighthouse Keepers Strike"] and not warned


def hostile_page(tmp_path: Path) -> Path:
    """The symlinks sample in ``tmp_path/in``: one picture linked inside the folder, one outside."""
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(HOSTILE / "harbour-lights.html", folder)
    (folder / "pictures").mkdir()
    shutil.copy(PICTURE, folder / "pictures" / "inside.jpg")
    shutil.copy(PICTURE, tmp_path / "outside.jpg")
    (folder / "images").mkdir()
    (folder / "images" / "inside.jpg").symlink_to(Path("..") / "pictures" / "inside.jpg")
    (folder / "images" / "outside.jpg").symlink_to(tmp_path / "outside.jpg")
    return folder


def test_a_picture_linked_outside_the_input_is_not_embedded_one_linked_inside_is(tmp_path):
    folder = hostile_page(tmp_path)
    (article,), _, warned = read_all([folder])
    inside, outside = [b.image for b in article.body if isinstance(b, Figure)]
    assert Path(inside.path) == (folder / "pictures" / "inside.jpg").resolve()
    assert outside.path is None and outside.url == "images/outside.jpg"
    # Walked as a file and named by the page: refused both times, never read.
    assert {m.split(": ")[0] for m in named(warned, "file-refused")} == {str(folder / "images" / "outside.jpg")}


def test_the_book_holds_the_inside_picture_only(tmp_path, epubcheck):
    folder = hostile_page(tmp_path)
    result = run(folder, "-o", tmp_path / "book", "-f", "epub", "--no-cache")
    assert result.exit_code == 0, result.output
    assert "[file-refused]" in result.stderr
    with zipfile.ZipFile(tmp_path / "book.epub") as book:
        pictures = [n for n in book.namelist() if n.endswith(".jpg") and "cover" not in n]
    assert len(pictures) == 1
    epubcheck(tmp_path / "book.epub")


def test_a_page_named_alone_brings_no_picture_from_beside_it(tmp_path):
    folder = hostile_page(tmp_path)
    (article,), _, warned = read_all([folder / "harbour-lights.html"])
    assert [b.image.path for b in article.body if isinstance(b, Figure)] == [None, None]
    assert len(named(warned, "file-refused")) == 2


def test_folder_symlinks_are_followed_inside_and_a_loop_ends(tmp_path):
    folder = input_folder(tmp_path, count=0)
    (folder / "a").mkdir()
    for source in sorted(ARTICLES.glob("*.txt"))[:2]:
        shutil.copy(source, folder / "a" / source.name)
    outside = tmp_path / "outside"
    outside.mkdir()
    outside.joinpath("strike.txt").write_text(OUTSIDE_TEXT, "utf-8")
    (folder / "a" / "again.txt").symlink_to(sorted((folder / "a").glob("*.txt"))[0])
    (folder / "b").symlink_to("a", target_is_directory=True)
    (folder / "a" / "loop").symlink_to("..", target_is_directory=True)
    (folder / "out").symlink_to(outside, target_is_directory=True)
    articles, report, warned = read_all([folder])
    assert len(articles) == 2 and report.read == 2
    (message,) = named(warned, "file-refused")
    assert message.startswith(f"{folder / 'out'}: ")


def test_the_edition_files_foreword_and_cover_must_lie_in_its_folders(tmp_path):
    folder = input_folder(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "foreword.md").write_text("Secret words from outside.\n", "utf-8")
    shutil.copy(PICTURE, outside / "cover.jpg")
    edition = tmp_path / "edition"
    edition.mkdir()
    (edition / "foreword.md").symlink_to(outside / "foreword.md")
    (edition / "cover.jpg").symlink_to(outside / "cover.jpg")
    (edition / "book.toml").write_text(textwrap.dedent(f"""
        [book]
        title = "Contained"
        [sources]
        paths = ["{folder.as_posix()}"]
        [front]
        cover = "cover.jpg"
        foreword = "foreword.md"
    """), "utf-8")
    with counting_warnings() as warned, opened_files() as opened:
        loaded = config.load(edition / "book.toml")
    assert loaded.front.cover is None and loaded.front.foreword is None
    assert sorted(m.split(": ")[0] for m in named(warned.records, "file-refused")) == [
        str(edition / "cover.jpg"), str(edition / "foreword.md")]
    assert not {os.path.realpath(p) for p in opened} & {str(outside / "foreword.md"), str(outside / "cover.jpg")}


def test_the_edition_files_own_files_inside_its_folder_are_used(tmp_path):
    folder = input_folder(tmp_path)
    (tmp_path / "foreword.md").write_text("A few words first.\n", "utf-8")
    (tmp_path / "book.toml").write_text(textwrap.dedent(f"""
        [book]
        title = "Contained"
        [sources]
        paths = ["{folder.as_posix()}"]
        [front]
        foreword = "foreword.md"
    """), "utf-8")
    assert config.load(tmp_path / "book.toml").front.foreword


# --- special files -----------------------------------------------------------------------


def make_ebook(*args, cwd: Path) -> subprocess.CompletedProcess:
    """make-ebook in a child process: a build that hangs fails the test instead of hanging it."""
    command = [sys.executable, "-c", "from deeplybook.cli import main; main()", *map(str, args)]
    try:
        return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        pytest.fail(f"make-ebook {' '.join(map(str, args))} hung")


def test_a_fifo_named_like_a_page_is_skipped_not_waited_on(tmp_path):
    folder = input_folder(tmp_path)
    os.mkfifo(folder / "story.html")
    done = make_ebook(folder, "-o", tmp_path / "book", "-f", "epub", "--no-cache", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert f"{folder / 'story.html'}: " in done.stderr and "[file-refused]" in done.stderr
    assert "2 articles from 2 files" in done.stdout


def test_a_fifo_named_on_the_command_line_is_refused(tmp_path):
    os.mkfifo(tmp_path / "story.html")
    done = make_ebook(tmp_path / "story.html", "-o", tmp_path / "book", "-f", "epub", "--no-cache", cwd=tmp_path)
    assert done.returncode == 1
    assert "[file-refused]" in done.stderr and "holds no articles" in done.stderr


def test_a_socket_and_a_fifo_picture_are_refused(tmp_path):
    folder = hostile_page(tmp_path)
    (folder / "images" / "inside.jpg").unlink()
    os.mkfifo(folder / "images" / "inside.jpg")
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(folder / "listening.html"))
        done = make_ebook(folder, "-o", tmp_path / "book", "-f", "epub", "--no-cache", cwd=tmp_path)
    finally:
        server.close()
    assert done.returncode == 0, done.stderr
    assert f"{folder / 'listening.html'}: " in done.stderr
    assert "1 articles from 1 files" in done.stdout
