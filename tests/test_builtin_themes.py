"""The built-in themes (classic, deeply, large-print): each makes a sound book in both formats, and shows."""

from __future__ import annotations

import re
import statistics
import subprocess
import zipfile
from functools import cache
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner
from factories import article, interview
from writers.pdf_checks import assert_sound_pdf, font_rows

from deeplybook import cli, edition, themes
from deeplybook.writers.epub import write_epub
from deeplybook.writers.pdf import write_pdf

THEMES = ("classic", "deeply", "large-print")
#: A rule of each theme's own CSS that must reach its EPUB's stylesheet.
OWN_RULE = {
    "classic": "font-variant-numeric: oldstyle-nums",
    "deeply": "background: #393e40",
    "large-print": "hyphens: manual; line-height: 1.55",
}


def _edition():
    return edition.make([article(1, year=2016), interview(2, year=2017, month=3), article(3, year=2017, month=4)],
                        title="Syria Deeply: Test Edition", subtitle="Three pieces", creators=["Mona Editor"],
                        publisher="Test Press", group_by=["year"], back_matter=("contributors",))


@cache
def _books(theme: str, folder: Path) -> tuple[Path, Path]:
    made = _edition()
    return (write_epub(made, folder / f"{theme}.epub", theme=theme),
            write_pdf(made, folder / f"{theme}.pdf", theme=theme, jobs=1))


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    """The small book in a built-in theme, as (EPUB, PDF), made once a theme."""
    folder = tmp_path_factory.mktemp("themes")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # conftest's clock comes after module fixtures
        yield lambda theme: _books(theme, folder)


def _stylesheet(epub: Path) -> str:
    with zipfile.ZipFile(epub) as archive:
        return archive.read("EPUB/style/book.css").decode("utf-8")


def _word_heights(pdf: Path, page: int) -> list[float]:
    """The heights of the words poppler finds on ``page`` (from 1): about 1.2 times their type size."""
    html = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
                          check=True, capture_output=True, text=True).stdout
    return [float(y1) - float(y0) for y0, y1 in re.findall(r'yMin="([\d.]+)"[^>]*yMax="([\d.]+)"', html)]


def _article_page(pdf: Path) -> int:
    """The page (from 1) holding the interview's first answer."""
    for number in range(1, 40):
        text = subprocess.run(["pdftotext", "-f", str(number), "-l", str(number), str(pdf), "-"],
                              check=True, capture_output=True, text=True).stdout
        if "Almost everything." in text:
            return number
    raise AssertionError(f"no page of {pdf.name} holds the interview")


@pytest.mark.parametrize("theme", THEMES)
def test_a_built_in_theme_makes_a_sound_book_in_both_formats(books, theme, epubcheck):
    epub, pdf = books(theme)
    epubcheck(epub)
    assert assert_sound_pdf(pdf) > 4  # qpdf clean and every font embedded
    assert OWN_RULE[theme] in _stylesheet(epub)
    # The theme's fonts travel in the EPUB, as the default's do.
    with zipfile.ZipFile(epub) as archive:
        assert any(name.startswith("EPUB/fonts/SourceSerifPro") for name in archive.namelist())


@pytest.mark.parametrize("theme", THEMES)
def test_a_built_in_theme_extends_the_default_and_describes_itself(theme):
    loaded = themes.load(theme)
    assert [folder.name for folder in loaded.dirs] == [theme, "default"]
    assert themes.catalogue()[theme]
    assert not any((folder / "templates").exists() for folder in loaded.dirs[:1])  # CSS only


def test_classic_sets_every_word_in_the_serif(books):
    # A traditional book has no sans labels: the kicker, byline and speakers are serif.
    names = {row["name"].split("+")[-1] for row in font_rows(books("classic")[1])}
    assert names and all("Serif" in name for name in names), names


def test_deeply_sets_its_titles_in_the_sans_and_its_slate(books):
    pdf = books("deeply")[1]
    names = {row["name"].split("+")[-1] for row in font_rows(pdf)}
    assert "Source-Sans-Pro-Bold" in names
    with pikepdf.open(pdf) as document:
        streams = b"".join(page.Contents.read_bytes() if not isinstance(page.Contents, pikepdf.Array)
                           else b"".join(part.read_bytes() for part in page.Contents) for page in document.pages)
    # #393e40, the sites' slate, as WeasyPrint writes a fill colour.
    assert re.search(rb"0\.2235\d* 0\.2431\d* 0\.2509\d* rg", streams)


def test_large_print_sets_the_text_at_sixteen_points_or_more(books):
    pdf = books("large-print")[1]
    default = write_pdf(_edition(), pdf.with_name("default.pdf"), jobs=1)
    large = statistics.median(_word_heights(pdf, _article_page(pdf)))
    normal = statistics.median(_word_heights(default, _article_page(default)))
    # The default's text is 9.5 pt: 16 pt is 1.68 times as large.
    assert large / normal > 1.6, (large, normal)
    assert large > 16


def test_an_edition_file_and_the_command_line_choose_a_built_in_theme(tmp_path):
    listed = CliRunner().invoke(cli.cli, ["themes"])
    assert listed.exit_code == 0
    for theme in THEMES:
        assert re.search(rf"^{theme}\s+\S", listed.output, re.MULTILINE), listed.output
    source = tmp_path / "story.md"
    source.write_text("---\ntitle: A Story\ndate: 2017-03-01\n---\n\nSome text.\n", "utf-8")
    edition_file = tmp_path / "edition.toml"
    edition_file.write_text(f'[book]\ntitle = "T"\n[sources]\npaths = ["{source.name}"]\n'
                            '[output]\nformats = ["epub"]\ntheme = "deeply"\n', "utf-8")
    built = CliRunner().invoke(cli.cli, ["build", str(edition_file), "-o", str(tmp_path / "file")])
    assert built.exit_code == 0, built.output
    assert OWN_RULE["deeply"] in _stylesheet(tmp_path / "file.epub")
    quick = CliRunner().invoke(cli.cli, ["quick", str(source), "--theme", "classic", "-f", "epub",
                                          "-o", str(tmp_path / "quick"), "--title", "T"])
    assert quick.exit_code == 0, quick.output
    assert OWN_RULE["classic"] in _stylesheet(tmp_path / "quick.epub")
