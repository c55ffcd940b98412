"""Book furniture in the edition's language: catalogues along the theme chain, Babel's dates, lists and plurals."""

from __future__ import annotations

import datetime as dt

import pytest

from deeplybook import themes
from deeplybook.errors import ThemeError
from deeplybook.log import counting_warnings
from deeplybook.words import words_for

DAY = dt.datetime(2017, 11, 3, 9, 30, tzinfo=dt.timezone.utc)


def test_plain_english_keeps_the_books_own_style():
    words = themes.load("default").words("en")
    assert words.date(DAY) == "3 November 2017" == themes.long_date(DAY)
    assert words.names(["Ann Lee", "Bo Chan", "Cy Diaz"]) == "Ann Lee, Bo Chan and Cy Diaz"
    assert words.names(["Ann Lee", "Bo Chan"]) == themes.join_names(["Ann Lee", "Bo Chan"])
    assert words("Contents") == "Contents" and words.date(None) == "" and words.names([]) == ""


def test_other_languages_get_their_own_dates_and_lists():
    assert themes.load("default").words("fr").date(DAY) == "3 novembre 2017"
    assert themes.load("default").words("de").names(["A", "B", "C"]) == "A, B und C"
    assert themes.load("default").words("en-US").date(DAY) == "November 3, 2017"


def _theme(root, name, extends=None, **catalogues):
    folder = root / name
    (folder / "words").mkdir(parents=True)
    (folder / "theme.toml").write_text(f'name = "{name}"\n' + (f'extends = "{extends}"\n' if extends else ""))
    for language, text in catalogues.items():
        (folder / "words" / f"{language.replace('_', '-')}.toml").write_text(text)
    return folder


def test_catalogues_follow_the_chain_child_first_and_the_tag_before_the_language(tmp_path):
    _theme(tmp_path, "base", fr='Contents = "Table des matières"\nBy = "Par"\n'
                                '"{count} articles" = { one = "{count} article", other = "{count} articles" }\n')
    child = _theme(tmp_path, "child", extends=str(tmp_path / "base"), fr='Contents = "Sommaire"\n',
                   fr_CA='By = "De"\n')
    words = words_for(themes.load(str(child)).dirs, "fr-CA")
    assert (words("Contents"), words("By"), words("Foreword")) == ("Sommaire", "De", "Foreword")
    assert words("{count} articles", 1) == "1 article" and words("{count} articles", 12) == "12 articles"
    assert words_for(themes.load(str(child)).dirs, "fr")("By") == "Par"


def test_a_broken_catalogue_is_one_error_naming_it(tmp_path):
    folder = _theme(tmp_path, "broken", fr='Contents = ["a", "list"]\n')
    with pytest.raises(ThemeError, match="fr.toml"):
        themes.load(str(folder)).words("fr")


def test_a_language_babel_does_not_know_is_printed_in_english_with_a_warning():
    with counting_warnings() as warnings:
        words = themes.load("default").words("xx-unknown")
        assert words.date(DAY) == "3 November 2017"
    assert warnings.counts == {"language-unknown": 1}


def test_a_french_edition_prints_its_furniture_in_french_in_both_formats(tmp_path, epubcheck):
    import subprocess
    import zipfile

    from factories import article, interview

    from deeplybook import edition as edition_module
    from deeplybook import pipeline
    from deeplybook.model import Paragraph

    book = edition_module.make([article(1, authors=("Ann Lee", "Bo Chan")), article(2), interview(3)],
                               title="Chronique", group_by=["year"], language="fr",
                               foreword=(Paragraph("Pourquoi ce livre."),), back_matter=("topics",))
    result = pipeline.write(book, {"epub": tmp_path / "b.epub", "pdf": tmp_path / "b.pdf"},
                            pdf_options={"jobs": 1})
    epubcheck(result.outputs["epub"])
    with zipfile.ZipFile(result.outputs["epub"]) as epub:
        nav = epub.read("EPUB/nav.xhtml").decode()
        story = epub.read("EPUB/story-1.xhtml").decode()
        opener = epub.read("EPUB/section-001.xhtml").decode()
    assert "Table des matières" in nav and "Avant-propos" in nav and "Thèmes" in nav and "Début des articles" in nav
    assert "Par Ann Lee et Bo Chan" in story and "2 janvier 2017" in story
    assert "Publié à l’origine sur" in story
    assert "3 articles" in opener
    text = subprocess.run(["pdftotext", str(result.outputs["pdf"]), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Table des matières" in text and "Avant-propos" in text and "Par Ann Lee et Bo Chan" in text


def test_one_article_is_one_article_in_english_and_in_a_language_without_a_catalogue():
    for language in ("en", "en-GB", "de"):
        words = themes.load("default").words(language)
        assert (words("{count} articles", 1), words("{count} articles", 2)) == ("1 article", "2 articles")
