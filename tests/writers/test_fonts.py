"""The theme's fonts travel with the book: packaged in the EPUB, embedded (subset) in the PDF, folios included."""

from __future__ import annotations

import logging
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from pdf_checks import assert_sound_pdf, font_rows
from pypdf import PdfReader
from test_pdf import story
from test_pdf_fonts import folios

from deeplybook import edition, themes
from deeplybook.writers.epub import write_epub
from deeplybook.writers.pdf import write_pdf

OPF = {"opf": "http://www.idpf.org/2007/opf"}
SERIF = "Source-Serif-Pro"


def _edition():
    # Stories of a few pages each: most pages carry a folio.
    items = [story(f"story-{n}", f"Story number {n}", n, paragraphs=12) for n in range(1, 4)]
    return edition.make(items, title="Deeply Set", creators=["Mona Editor"], publisher="Test Press")


def _manifest_fonts(epub: Path) -> dict[str, str]:
    with zipfile.ZipFile(epub) as z:
        opf = etree.fromstring(z.read("EPUB/content.opf"))
    return {item.get("href"): item.get("media-type")
            for item in opf.xpath("//opf:item[starts-with(@href, 'fonts/')]", namespaces=OPF)}


def _text_fonts(pdf: Path, words: str) -> set[str]:
    """The fonts that set the text runs holding ``words`` (subset tags dropped)."""
    found: set[str] = set()
    for page in PdfReader(str(pdf)).pages:
        def visit(text, cm, tm, font, size):
            if words in text and font:
                found.add(str(font["/BaseFont"]).partition("+")[2])

        page.extract_text(visitor_text=visit)
    return found


def _system_font(family: str) -> Path:
    found = subprocess.run(["fc-match", "-f", "%{file}", family], capture_output=True, text=True).stdout
    if not found.endswith(".ttf"):
        pytest.skip(f"no TrueType file for {family}")
    return Path(found)


def _theme(folder: Path, css: str, fonts: dict[str, Path] | None = None) -> Path:
    """A theme extending the default one, with ``css`` after its common.css and copies of ``fonts`` in fonts/."""
    (folder / "css").mkdir(parents=True)
    (folder / "fonts").mkdir()
    (folder / "theme.toml").write_text(f'name = "{folder.name}"\nextends = "default"\n')
    (folder / "css" / "common.css").write_text(css)
    for name, source in (fonts or {}).items():
        (folder / "fonts" / name).write_bytes(source.read_bytes())
    return folder


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("fonts")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1700000000")
        book = _edition()
        return {"epub": write_epub(book, folder / "book.epub"),
                "chunks": write_pdf(book, folder / "chunks.pdf", chunk_size=1, jobs=2),
                "one": write_pdf(book, folder / "one.pdf", one_document=True)}


def test_the_epub_carries_the_default_themes_fonts_in_its_manifest(books, epubcheck):
    epubcheck(books["epub"])
    fonts = _manifest_fonts(books["epub"])
    assert {"fonts/SourceSerifPro-Regular.ttf", "fonts/SourceSerifPro-It.ttf", "fonts/SourceSerifPro-Bold.ttf",
            "fonts/SourceSansPro-Regular.ttf"} <= fonts.keys()
    assert set(fonts.values()) == {"font/ttf"}
    with zipfile.ZipFile(books["epub"]) as z:
        css = z.read("EPUB/style/book.css").decode()
    assert 'url("../fonts/SourceSerifPro-Regular.ttf")' in css and "font_source" not in css


@pytest.mark.parametrize("kind", ["chunks", "one"])
def test_every_pdf_font_is_embedded_and_the_text_and_folios_are_source_serif(books, kind):
    assert_sound_pdf(books[kind])
    names = {row["name"].partition("+")[2] for row in font_rows(books[kind])}
    assert SERIF in names and "Source-Sans-Pro" in names
    assert _text_fonts(books[kind], "Story number 2") >= {SERIF}
    stamped = folios(books[kind])
    assert len(stamped) > 3
    assert {font.partition("+")[2] for font, _, _ in stamped.values()} == {SERIF}


def test_the_same_input_gives_the_same_bytes(books, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    book = _edition()
    assert write_epub(book, tmp_path / "again.epub").read_bytes() == books["epub"].read_bytes()
    assert write_pdf(book, tmp_path / "again.pdf", chunk_size=1, jobs=2).read_bytes() == books["chunks"].read_bytes()


def test_a_user_themes_own_font_is_used_in_both_formats(tmp_path, epubcheck):
    mono = _system_font("DejaVu Sans Mono")
    css = '@font-face { font-family: "House Face"; src: url("fonts/House.ttf"); }\nhtml, body { font-family: "House Face"; }\n'
    theme = themes.load(str(_theme(tmp_path / "house", css, {"House.ttf": mono})))
    epub = write_epub(_edition(), tmp_path / "house.epub", theme=theme)
    epubcheck(epub)
    assert _manifest_fonts(epub)["fonts/House.ttf"] == "font/ttf"
    for kind, options in (("chunks", {"chunk_size": 1, "jobs": 2}), ("one", {"one_document": True})):
        pdf = write_pdf(_edition(), tmp_path / f"house-{kind}.pdf", theme=theme, **options)
        assert_sound_pdf(pdf)
        # WeasyPrint names a @font-face font after its family.
        assert "House-Face" in _text_fonts(pdf, "Story number 2"), kind


@pytest.mark.parametrize("where", ["../../etc/outside.ttf", "fonts/escape.ttf", "fonts/../../../outside.ttf"])
def test_a_font_outside_the_theme_is_refused_and_the_book_falls_back(tmp_path, epubcheck, caplog, where):
    outside = tmp_path / "outside.ttf"
    outside.write_bytes(_system_font("DejaVu Sans Mono").read_bytes())
    css = f'@font-face {{ font-family: "Stolen"; src: url("{where}"); }}\nhtml, body {{ font-family: "Stolen", serif; }}\n'
    folder = _theme(tmp_path / "themes" / "thief", css)
    (folder / "fonts" / "escape.ttf").symlink_to(outside)
    caplog.set_level(logging.WARNING, logger="deeplybook")
    theme = themes.load(str(folder))
    epub = write_epub(_edition(), tmp_path / "thief.epub", theme=theme)
    epubcheck(epub)
    assert not any("outside" in name or "escape" in name for name in _manifest_fonts(epub))
    pdf = write_pdf(_edition(), tmp_path / "thief.pdf", one_document=True, theme=theme)
    assert_sound_pdf(pdf)
    assert not any(row["name"].partition("+")[2].startswith("Stolen") for row in font_rows(pdf))
    refused = [r.getMessage() for r in caplog.records if getattr(r, "code", "") == "file-refused"]
    assert refused and all("Traceback" not in message for message in refused)


def test_a_theme_naming_a_font_package_that_is_not_installed_is_a_theme_error(tmp_path):
    folder = _theme(tmp_path / "ghost", "")
    (folder / "theme.toml").write_text('name = "ghost"\nextends = "default"\nfont_packages = ["no_such_fonts_pkg"]\n')
    theme = themes.load(str(folder))
    with pytest.raises(themes.ThemeError, match="no_such_fonts_pkg"):
        theme.font("fonts/Any.ttf")
