"""A user's stylesheet (--css) changes both formats without a theme, and fetches nothing; `make-ebook themes`."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from factories import article
from pypdf import PdfReader

from deeplybook import cli, pipeline, themes
from deeplybook.errors import ThemeError
from deeplybook.log import counting_warnings

#: A5 is 419.5 points high; this makes the pages A6.
A6 = "@page { size: 105mm 148mm }\n.article-title { color: rgb(200, 10, 10) }\n"


def test_a_user_stylesheet_comes_after_the_theme_in_both_formats(tmp_path, epubcheck):
    sheet = tmp_path / "mine.css"
    sheet.write_text(A6)
    edition = pipeline.edition_module.make([article(1), article(2)], title="Styled")
    result = pipeline.write(edition, {"epub": tmp_path / "b.epub", "pdf": tmp_path / "b.pdf"},
                            theme=themes.load("default", css=sheet), pdf_options={"jobs": 1})
    with zipfile.ZipFile(result.outputs["epub"]) as book:
        css = book.read("EPUB/style/book.css").decode()
    assert css.rstrip().endswith(A6.rstrip()), "the user's rules must come last, so they win"
    epubcheck(result.outputs["epub"])
    width, height = (float(v) for v in PdfReader(result.outputs["pdf"]).pages[-1].mediabox[2:])
    assert (round(width), round(height)) == (298, 420)


def test_a_user_stylesheet_fetches_nothing(tmp_path):
    sheet = tmp_path / "fetching.css"
    sheet.write_text('@import url("https://example.org/x.css");\n'
                     'body { background: url("../../etc/passwd") }\n@import "other.css";\np { color: navy }\n')
    with counting_warnings() as warnings:
        theme = themes.load("default", css=sheet)
    assert warnings.counts == {"css-dropped": 1} and "3 url() or @import" in warnings.messages[0]
    assert "url(" not in theme.css("epub.css") and "@import" not in theme.css("pdf.css")
    assert theme.css("pdf.css").rstrip().endswith("p { color: navy }")


def test_an_unreadable_stylesheet_is_one_error_naming_it(tmp_path):
    sheet = tmp_path / "latin1.css"
    sheet.write_bytes("p::before { content: 'caf\xe9' }".encode("latin-1"))
    with pytest.raises(ThemeError, match="latin1.css"):
        themes.load("default", css=sheet)
    with pytest.raises(ThemeError, match="gone.css"):
        themes.load("default", css=tmp_path / "gone.css")


def test_the_command_line_takes_a_stylesheet(tmp_path):
    sheet = tmp_path / "mine.css"
    sheet.write_text(A6)
    page = tmp_path / "page.md"
    page.write_text("---\ntitle: A page\ndate: 2017-03-01\n---\nSome words.\n")
    run = CliRunner().invoke(cli.cli, ["quick", str(page), "-o", str(tmp_path / "out"), "-f", "pdf", "-j", "1",
                                       "--css", str(sheet), "--no-cache", "-q"])
    assert run.exit_code == 0, run.output
    width, _ = (float(v) for v in PdfReader(tmp_path / "out.pdf").pages[-1].mediabox[2:])
    assert round(width) == 298


def test_themes_lists_every_built_in_theme_with_its_description():
    run = CliRunner().invoke(cli.cli, ["themes"])
    assert run.exit_code == 0, run.output
    lines = dict(line.split(None, 1) for line in run.output.splitlines())
    assert set(themes.catalogue()) == set(lines) and "default" in lines
    assert lines["default"].startswith("A quiet book face")



def test_a_changed_user_stylesheet_renders_the_pdf_again(tmp_path):
    from deeplybook.writers.pdf import theme_fingerprint

    sheet = tmp_path / "mine.css"
    sheet.write_text("p { color: navy }")
    before = theme_fingerprint(themes.load("default", css=sheet))
    sheet.write_text("p { color: teal }")
    assert theme_fingerprint(themes.load("default", css=sheet)) != before
    assert theme_fingerprint(themes.load("default")) != before


def test_an_edition_file_names_its_stylesheet(tmp_path):
    from deeplybook import config

    samples = Path(__file__).parent / "samples" / "editions"
    (tmp_path / "mine.css").write_text(".article-title { letter-spacing: 0.1em }\n")
    source = (samples / "chronicle.toml").read_text()
    edition = tmp_path / "chronicle.toml"
    edition.write_text(source.replace('paths = ["articles/*.txt"]', f'paths = ["{(samples / "articles").as_posix()}/*.txt"]')
                       .replace('foreword = "foreword.md"\n', "").replace('[volumes]\nby = "year"\n', "")
                       + 'css = "mine.css"\n')
    assert config.load(edition).output.css == tmp_path / "mine.css"
    [result] = pipeline.build_edition(edition, output=tmp_path / "out", formats=("epub",), cache=False)
    with zipfile.ZipFile(result.outputs["epub"]) as book:
        assert book.read("EPUB/style/book.css").decode().rstrip().endswith("letter-spacing: 0.1em }")
    outside = tmp_path.parent / f"{tmp_path.name}-outside.css"
    outside.write_text("p { color: red }")
    edition.write_text(edition.read_text().replace('css = "mine.css"', f'css = "../{outside.name}"'))
    with counting_warnings() as warnings:
        assert config.load(edition).output.css is None
    assert warnings.counts["file-refused"] == 1
