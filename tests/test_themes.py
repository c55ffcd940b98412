"""Themes: the extends chain, overrides, cycles, and CSS layering."""

import pytest

from deeplybook import edition, themes
from deeplybook.errors import ThemeError
from deeplybook.writers.epub import write_epub
from factories import article


def _theme(root, name, extends=None, templates=None, css=None):
    folder = root / name
    (folder / "templates").mkdir(parents=True)
    (folder / "theme.toml").write_text(f'name = "{name}"\n' + (f'extends = "{extends}"\n' if extends else ""))
    for rel, text in (templates or {}).items():
        (folder / "templates" / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / "templates" / rel).write_text(text)
    if css:
        (folder / "css").mkdir()
        for rel, text in css.items():
            (folder / "css" / rel).write_text(text)
    return folder


def test_builtin_default_is_found():
    theme = themes.load("default")
    assert theme.dirs[0].name == "default"
    assert "article-title" in theme.css("common.css")


def test_child_theme_overrides_one_template_and_extends_the_parent(tmp_path, epubcheck):
    _theme(tmp_path, "plain", extends="default", templates={
        "epub/article.xhtml": '{% extends "!default/epub/article.xhtml" %}'
                              '{% block title %}PLAIN {{ article.title }}{% endblock %}'},
        css={"epub.css": "body { color: #123456; }"})
    theme = themes.load("plain", search=(tmp_path,))
    assert [d.name for d in theme.dirs] == ["plain", "default"]
    css = theme.css("epub.css")
    assert css.index("font-family: serif") < css.index("#123456")  # ancestors first, child wins
    out = write_epub(edition.make([article(1)], title="T"), tmp_path / "t.epub", theme=theme)
    epubcheck(out)
    import zipfile
    with zipfile.ZipFile(out) as z:
        page = z.read("EPUB/story-1.xhtml").decode()
        assert "<title>PLAIN Story number 1</title>" in page
        assert "#123456" in z.read("EPUB/style/book.css").decode()


def test_a_theme_folder_path_works(tmp_path):
    folder = _theme(tmp_path, "byfolder", extends="default")
    assert themes.load(str(folder)).dirs[0] == folder


def test_cycles_unknown_themes_and_bad_manifests_are_errors(tmp_path):
    _theme(tmp_path, "a", extends="b")
    _theme(tmp_path, "b", extends="a")
    with pytest.raises(ThemeError, match="cycle a -> b -> a"):
        themes.load("a", search=(tmp_path,))
    with pytest.raises(ThemeError, match="no theme called 'nowhere'"):
        themes.load("nowhere", search=(tmp_path,))
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "theme.toml").write_text("extends = ")
    with pytest.raises(ThemeError, match="invalid theme.toml"):
        themes.load("bad", search=(tmp_path,))
