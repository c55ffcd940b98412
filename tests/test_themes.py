"""Themes: the extends chain, overrides, cycles, and CSS layering."""

import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from factories import article

from deeplybook import cli, edition, pipeline, themes
from deeplybook.errors import ThemeError
from deeplybook.log import counting_warnings
from deeplybook.writers.epub import write_epub


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


HOSTILE = Path(__file__).parent / "samples" / "hostile" / "theme-escape"
PLAIN = Path(__file__).parent / "samples" / "plaintext" / "plain-report.txt"


def _build(theme, out, fmt):
    return pipeline.build([PLAIN], out, title="Hostile", formats=[fmt], theme=str(theme),
                          pdf_options={"jobs": 1}, cache=False)


@pytest.mark.parametrize("fmt", ["epub", "pdf"])
@pytest.mark.parametrize("case", ["os-globals", "subclasses"])
def test_a_template_reaching_for_os_stops_the_build_and_runs_nothing(tmp_path, monkeypatch, case, fmt):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ThemeError) as raised:
        _build(HOSTILE / case, tmp_path / "book", fmt)
    message = str(raised.value)
    assert "\n" not in message and "article.html" in message and "unsafe" in message
    assert not (tmp_path / "theme-ran").exists()
    assert not (tmp_path / f"book.{fmt}").exists()


def test_the_command_line_reports_a_breakout_in_one_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli.cli, ["-o", "book", "-f", "epub", "--theme", str(HOSTILE / "os-globals"),
                                          "--no-cache", str(PLAIN)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    warning, error = result.stderr.splitlines()
    assert "theme-untrusted" in warning
    assert error.startswith("make-ebook: error: ") and "article.html: line 4: breaks out of Jinja's sandbox" in error
    assert not (tmp_path / "theme-ran").exists()


def _copy_with_link(tmp_path, case, link, target_text):
    theme = shutil.copytree(HOSTILE / case, tmp_path / case)
    outside = tmp_path / "outside.txt"
    outside.write_text(target_text)
    (theme / link).parent.mkdir(parents=True, exist_ok=True)
    (theme / link).unlink(missing_ok=True)
    (theme / link).symlink_to(outside)
    return theme


def test_a_template_linked_from_outside_the_theme_is_refused(tmp_path):
    theme = _copy_with_link(tmp_path, "outside-file", "templates/stolen.html", "SECRET-TEXT")
    with counting_warnings() as warnings, pytest.raises(ThemeError, match="stolen.html") as raised:
        _build(theme, tmp_path / "book", "epub")
    assert "\n" not in str(raised.value)
    assert warnings.counts["file-refused"] == 1
    assert "stolen.html" in "".join(m for c, m in warnings.records if c == "file-refused")
    assert not (tmp_path / "book.epub").exists()


def test_an_override_linked_from_outside_falls_back_to_the_parent(tmp_path, epubcheck):
    theme = _copy_with_link(tmp_path, "outside-file", "templates/article.html", "<p>SECRET-TEXT</p>")
    with counting_warnings() as warnings:
        out = _build(theme, tmp_path / "book", "epub").outputs["epub"]
    assert warnings.counts["file-refused"] == 1
    epubcheck(out)
    with zipfile.ZipFile(out) as z:
        assert not any(b"SECRET-TEXT" in z.read(name) for name in z.namelist())


def test_a_stylesheet_linked_from_outside_the_theme_is_left_out(tmp_path, epubcheck):
    theme = _copy_with_link(tmp_path, "outside-css", "css/common.css", "p { color: #badbad; } /* SECRET-TEXT */")
    with counting_warnings() as warnings:
        out = _build(theme, tmp_path / "book", "epub").outputs["epub"]
    assert warnings.counts["file-refused"] == 1
    epubcheck(out)
    with zipfile.ZipFile(out) as z:
        assert b"SECRET-TEXT" not in z.read("EPUB/style/book.css")
        assert b"article-title" in z.read("EPUB/style/book.css")  # the parent's stylesheet is still there


def test_a_theme_from_outside_the_builtins_is_warned_about_once_per_build(tmp_path):
    folder = _theme(tmp_path, "mine", extends="default")
    with counting_warnings() as warnings:
        pipeline.build([PLAIN], tmp_path / "book", title="T", formats=["epub", "pdf"], theme=str(folder),
                       pdf_options={"jobs": 1}, cache=False)
    assert warnings.counts["theme-untrusted"] == 1
    assert str(folder) in warnings.messages[0]
    with counting_warnings() as warnings:
        _build("default", tmp_path / "builtin", "epub")
    assert warnings.counts["theme-untrusted"] == 0


def test_the_pdf_cache_fingerprint_reads_no_file_outside_the_theme(tmp_path):
    from deeplybook.writers.pdf import theme_fingerprint

    theme = _copy_with_link(tmp_path, "outside-css", "css/extra.css", "p { color: red; }")
    before = theme_fingerprint(themes.load(str(theme)))
    (tmp_path / "outside.txt").write_text("p { color: blue; }")  # what the link leads to changes
    assert theme_fingerprint(themes.load(str(theme))) == before
    assert [name for name, _ in themes.load(str(theme)).files() if name.endswith("extra.css")] == []


def test_the_pdf_cache_fingerprint_follows_the_font_packages_a_theme_names(tmp_path, monkeypatch):
    from deeplybook.writers.pdf import theme_fingerprint

    package = tmp_path / "site" / "fakefonts"
    (package / "files").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "files" / "Face-Regular.ttf").write_bytes(b"version one")
    (tmp_path / "outside.ttf").write_bytes(b"outside")
    (package / "files" / "Linked.ttf").symlink_to(tmp_path / "outside.ttf")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    theme = tmp_path / "fonted"
    theme.mkdir()
    (theme / "theme.toml").write_text('name = "fonted"\nextends = "default"\nfont_packages = ["fakefonts"]\n')
    before = theme_fingerprint(themes.load(str(theme)))
    (tmp_path / "outside.ttf").write_bytes(b"changed outside")  # a link out of the package is not read
    assert theme_fingerprint(themes.load(str(theme))) == before
    (package / "files" / "Face-Regular.ttf").write_bytes(b"version two")  # another version installed
    assert theme_fingerprint(themes.load(str(theme))) != before
