"""Readers, writers and themes another package registers (entry points) are found and used; broken ones are left out."""

import sys
import textwrap
import tomllib
import zipfile
from pathlib import Path

import pytest

from deeplybook import extensions, output, pipeline, readers, themes, writers
from deeplybook.errors import DeeplybookError
from deeplybook.log import counting_warnings

PLUGIN = '''
"""A third-party package: a reader of .shout files, a plain-text writer and a theme."""
from pathlib import Path

from deeplybook.model import Article, Paragraph
from deeplybook.output import atomic_path

NAME = "shout"


def sniff(path, head):
    return 90 if path.suffix == ".shout" else 0


def read(path):
    title, _, body = path.read_text("utf-8").partition("\\n")
    return [Article(title=title.upper(), body=(Paragraph(body.strip().upper()),))]


class TextWriter:
    name = "txt"
    suffix = ".txt"

    def write(self, plan, path, *, theme, **options):
        with atomic_path(path) as part:
            part.write_text("\\n".join([plan.edition.title, *(a.title for a in plan.articles)]) + "\\n", "utf-8")
        return Path(path)


TXT = TextWriter()


def theme_folder():
    return Path(__file__).parent / "plain_theme"
'''

ENTRY_POINTS = """
[deeplybook.readers]
shout = fakeplug
generic = fakeplug
broken = fakeplug_missing
hollow = fakeplug:TXT

[deeplybook.writers]
txt = fakeplug:TXT

[deeplybook.themes]
plain = fakeplug:theme_folder
default = fakeplug:theme_folder
"""


@pytest.fixture
def plugin(tmp_path, monkeypatch):
    """A distribution ``fakeplug`` installed into a folder on ``sys.path`` for this test."""
    site = tmp_path / "site"
    (site / "fakeplug-1.0.dist-info").mkdir(parents=True)
    (site / "fakeplug-1.0.dist-info" / "METADATA").write_text("Metadata-Version: 2.1\nName: fakeplug\nVersion: 1.0\n")
    (site / "fakeplug-1.0.dist-info" / "entry_points.txt").write_text(textwrap.dedent(ENTRY_POINTS))
    (site / "fakeplug.py").write_text(PLUGIN)
    theme = site / "plain_theme"
    (theme / "css").mkdir(parents=True)
    (theme / "theme.toml").write_text('name = "plain"\nextends = "default"\n')
    (theme / "css" / "common.css").write_text("body { font-family: sans-serif; }\n")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.delitem(sys.modules, "fakeplug", raising=False)
    _forget()
    yield site
    monkeypatch.undo()
    sys.modules.pop("fakeplug", None)
    _forget()


def _forget():
    readers._registered.cache_clear()
    extensions.writers.cache_clear()


def test_the_builtins_come_first_in_a_fixed_order_then_the_others_by_name(plugin):
    with counting_warnings() as seen:
        names = list(readers.available())
    assert names == [*readers.BUILTIN, "shout"]
    assert readers.get("generic").__name__ == "deeplybook.readers.generic"  # a built-in's name stays the built-in's
    assert list(writers.available()) == ["epub", "pdf", "txt"]
    assert dict(output.FORMATS) == {"epub": ".epub", "pdf": ".pdf", "txt": ".txt"}
    broken, hollow = seen.records  # one line each, no traceback
    assert broken[0] == "extension-broken" and "'broken'" in broken[1] and "fakeplug_missing" in broken[1]
    assert hollow == ("extension-broken", "deeplybook.readers 'hollow' has no sniff() or read(); left out [extension-broken]")


def test_a_build_reads_writes_and_themes_with_the_registered_ones(plugin, tmp_path, epubcheck):
    source = tmp_path / "in" / "news.shout"
    source.parent.mkdir()
    source.write_text("Water returns\nThe pumps run again.\n")
    with counting_warnings() as seen:
        result = pipeline.build([source], tmp_path / "out" / "book", title="Loud", formats=("txt", "epub"),
                                theme="plain", cache=False)
    assert (tmp_path / "out" / "book.txt").read_text() == "Loud\nWATER RETURNS\n"
    assert result.outputs["txt"] == tmp_path / "out" / "book.txt"
    epub = tmp_path / "out" / "book.epub"
    epubcheck(epub)
    book = zipfile.ZipFile(epub)
    css = "".join(book.read(n).decode() for n in book.namelist() if n.endswith(".css"))
    assert "font-family: sans-serif" in css  # the registered theme's own CSS
    assert seen.counts["theme-untrusted"] == 1  # another package's theme is not built in


def test_a_registered_theme_cannot_take_a_builtin_name_and_search_folders_come_first(plugin, tmp_path):
    assert themes.registered()["default"] == themes.builtin_root() / "default"
    assert themes.registered()["plain"] == plugin / "plain_theme"
    mine = tmp_path / "mine" / "plain"
    mine.mkdir(parents=True)
    (mine / "theme.toml").write_text('name = "plain"\n')
    assert themes.resolve("plain", search=(tmp_path / "mine",))[0] == mine
    assert themes.resolve("plain")[0] == plugin / "plain_theme"


def test_an_unknown_format_names_the_installed_writers(plugin):
    with pytest.raises(DeeplybookError, match="unknown format 'odt'; choose from epub, pdf, txt"):
        writers.get("odt")
    with pytest.raises(DeeplybookError, match="unknown format 'odt'"):
        output.output_paths("book", ["odt"])


def test_a_checkout_without_entry_points_still_has_the_builtins(monkeypatch):
    monkeypatch.setattr(extensions.metadata, "entry_points", lambda group: [])
    _forget()
    try:
        assert list(readers.available()) == list(readers.BUILTIN)
        assert list(writers.available()) == ["epub", "pdf"]
        assert list(themes.registered()) == list(themes.BUILTIN)
    finally:
        monkeypatch.undo()
        _forget()


def test_the_builtins_are_registered_as_entry_points():
    project = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())["project"]["entry-points"]
    assert project["deeplybook.readers"] == readers.BUILTIN
    assert project["deeplybook.writers"] == writers.BUILTIN
    assert project["deeplybook.themes"] == themes.BUILTIN


def test_a_reader_whose_sniff_fails_costs_only_that_file(tmp_path, monkeypatch):
    """A sniff() that raises (a third-party reader's bug) is that file's read-failed, not a traceback."""
    from deeplybook import readers
    from deeplybook.log import counting_warnings

    class Clumsy:
        NAME = "clumsy"

        @staticmethod
        def sniff(path, head):
            if b"trips" in head:
                raise TypeError("clumsy tripped")
            return 0

        @staticmethod
        def read(path):
            return []

    registered = dict(readers._registered())
    monkeypatch.setattr(readers, "_registered", lambda: {**registered, "clumsy": Clumsy})
    (tmp_path / "trips.md").write_text("---\ntitle: It trips\n---\n\nThis page trips the clumsy reader.\n")
    (tmp_path / "fine.md").write_text("---\ntitle: Fine\n---\n\n" + "A page that reads as it should. " * 10 + "\n")
    report = readers.ReadReport()
    with counting_warnings() as warned:
        articles = list(readers.read([tmp_path], report=report))
    assert [article.title for article in articles] == ["Fine"]
    assert [path.rpartition("/")[2] for path, _ in report.failed] == ["trips.md"]
    assert "clumsy tripped" in report.failed[0][1]
    assert warned.counts["read-failed"] == 1
