"""Edition files: every field read, every problem reported at once with its key and line."""

import datetime as dt
import shutil
import textwrap
from pathlib import Path

import pytest

from deeplybook import config, pipeline
from deeplybook.errors import ConfigError, DeeplybookError
from deeplybook.log import counting_warnings
from deeplybook.model import Creator, Heading, ItemList, Kind, Paragraph

EDITIONS = Path(__file__).parent / "samples" / "editions"


def write(folder: Path, text: str, name: str = "edition.toml") -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text).lstrip(), "utf-8")
    return path


@pytest.fixture
def folder(tmp_path):
    """A folder with two article files and a cover, as an edition file's neighbours."""
    (tmp_path / "pages" / "2017").mkdir(parents=True)
    for name in ("a.txt", "b.txt"):
        (tmp_path / "pages" / "2017" / name).write_text("Title\n\nText.\n", "utf-8")
    (tmp_path / "pages" / "notes.md").write_text("not matched by the glob", "utf-8")
    (tmp_path / "cover.png").write_bytes(b"\x89PNG")
    return tmp_path


def test_sample_edition_file_reads_every_table():
    edition = config.load(EDITIONS / "chronicle.toml")
    book = edition.book
    assert book.title == "A Sample Chronicle"
    assert book.creators == (Creator("Test Editor", "editor"), Creator("Test Compiler", "compiler"))
    assert book.date == dt.datetime(2020, 5, 1, tzinfo=dt.timezone.utc)
    assert book.series == "Sample Chronicles" and book.series_position is None
    assert [p.name for p in edition.sources.paths] == sorted(p.name for p in (EDITIONS / "articles").glob("*.txt"))
    assert all(p.parent == EDITIONS / "articles" for p in edition.sources.paths)
    assert edition.sources.reader == "plaintext"
    assert edition.group.by == ("month",) and edition.group.order == "date"
    assert edition.volumes.by_year and edition.volumes.max_articles is None
    assert edition.front.imprint == config.Imprint("Hand-written test pages", dt.date(2020, 9, 9))
    assert edition.back_matter == ("contributors", "topics", "sources")
    assert edition.output.stem_path == EDITIONS / "build" / "chronicle"
    assert edition.output.formats == ("epub",)


def test_foreword_markdown_becomes_blocks_and_raw_html_stays_text():
    foreword = pipeline.read_foreword(config.load(EDITIONS / "chronicle.toml"))
    assert foreword[0] == Heading("About these pages", 2)
    assert "<strong>tests</strong>" in foreword[1].text and "<em>invented</em>" in foreword[1].text
    assert foreword[2] == ItemList(("Each volume holds one year.", "Undated pieces come last."))
    assert isinstance(foreword[3], Paragraph) and foreword[3].text.startswith("&lt;script&gt;")
    assert not any("<script" in getattr(block, "text", "") for block in foreword)


def test_selection_and_output_fields(folder):
    path = write(folder, """
        [book]
        title = "Deir Ezzor"
        creators = ["Plain Name", {name = "A Translator", role = "translator"}]
        date = "2019-03-04T10:00:00+02:00"

        [sources]
        paths = ["pages/**/*.txt"]

        [select]
        from = 2017-01-01
        until = "2017-12-31"
        topics = "ISIS"
        authors = ["Hashem Osseiran"]
        kinds = ["q&a", "op-ed"]
        include = ["one-slug"]
        exclude = ["https://www.newsdeeply.com/syria/articles/2017/01/01/x"]
        title = "Boukamal"
        text = "Deir Ezzor"

        [group]
        by = "none"

        [volumes]
        max_articles = 2

        [front]
        cover = "cover.png"

        [output]
        formats = "pdf"
        chunk_size = 50
        toc_depth = 2
    """)
    edition = config.load(path)
    assert edition.book.creators == (Creator("Plain Name", "editor"), Creator("A Translator", "translator"))
    assert edition.book.date == dt.datetime(2019, 3, 4, 8, 0, tzinfo=dt.timezone.utc)
    assert [p.relative_to(folder).as_posix() for p in edition.sources.paths] == ["pages/2017/a.txt", "pages/2017/b.txt"]
    rules = edition.select
    assert (rules.date_from, rules.date_until) == (dt.date(2017, 1, 1), dt.date(2017, 12, 31))
    assert rules.topics == ("ISIS",) and rules.kinds == (Kind.QA, Kind.OPED)
    assert rules.include == ("one-slug",) and rules.exclude[0].endswith("/x")
    assert (rules.title, rules.text) == ("Boukamal", "Deir Ezzor")
    assert edition.group.by == ()
    assert edition.volumes.max_articles == 2 and not edition.volumes.by_year
    assert edition.front.cover == folder / "cover.png"
    assert edition.output.stem_path == folder / "build" / "deir-ezzor"
    assert (edition.output.formats, edition.output.chunk_size, edition.output.toc_depth) == (("pdf",), 50, 2)


def test_every_problem_is_reported_at_once_with_key_and_line(folder):
    path = write(folder, """
        [book]
        subtitle = 12
        creators = [{name = "X", role = "ghost"}]

        [sources]
        paths = ["pages", "missing-folder", "nothing/*.txt"]

        [select]
        from = 2018-02-01
        until = "2017-13-40"
        kinds = ["interview"]

        [group]
        by = ["year", "mnth"]
        order = "random"

        [volumes]
        by = "year"
        max_articles = 0

        [front]
        foreword = "foreword.md"

        [back]
        indexes = ["contributors", "places"]

        [output]
        formats = ["epub", "mobi"]
        theme = "no-such-theme"
        toc_depth = 0
    """)
    with pytest.raises(ConfigError) as caught:
        config.load(path)
    problems = caught.value.problems
    expected = [
        "line 1: book.title: is required",
        "line 2: book.subtitle: must be a string, not a number",
        "line 3: book.creators: 'ghost' is not one of editor, author, compiler, translator, contributor",
        "line 6: sources.paths: 'missing-folder': no such file or folder",
        "line 6: sources.paths: 'nothing/*.txt': matches no file",
        "line 10: select.until: must be a date like 2017-11-10, not '2017-13-40'",
        "line 11: select.kinds: 'interview' is not one of article, op-ed, q&a, briefing",
        "line 14: group.by: 'mnth' is not one of none, year, month, topic, author, kind, site (did you mean 'month'?)",
        "line 15: group.order: 'random' is not one of date, date-desc, title",
        "line 19: volumes.max_articles: must be a whole number from 1, not 0",
        "line 22: front.foreword: 'foreword.md': no such file",
        "line 25: back.indexes: 'places' is not one of contributors, topics, sources",
        "line 28: output.formats: 'mobi' is not one of epub, pdf",
        "line 29: output.theme: no theme called 'no-such-theme'",
        "line 30: output.toc_depth: must be a whole number from 1, not 0",
    ]
    assert len(problems) == len(expected)
    for problem, start in zip(problems, expected):
        assert problem.startswith(start), (problem, start)
    assert str(caught.value).startswith(f"{path}: line 1: book.title: is required; ")


def test_cross_field_problems(folder):
    path = write(folder, """
        [book]
        title = "T"
        [sources]
        paths = "pages"
        [select]
        from = 2018-02-01
        until = 2017-01-01
        [volumes]
        by = "year"
        max_articles = 100
    """)
    with pytest.raises(ConfigError) as caught:
        config.load(path)
    assert caught.value.problems == [
        "line 7: select.until: 2017-01-01 is before select.from (2018-02-01)",
        'line 10: volumes.max_articles: choose one of by = "year" and max_articles, not both',
    ]


def test_missing_sources_table_and_unknown_reader(folder):
    path = write(folder, """
        [book]
        title = "T"
    """)
    with pytest.raises(ConfigError) as caught:
        config.load(path)
    assert caught.value.problems == ["sources.paths: is required"]
    path = write(folder, """
        [book]
        title = "T"
        [sources]
        paths = ["pages"]
        reader = "papyrus"
    """)
    with pytest.raises(ConfigError, match=r"line 5: sources.reader: unknown reader 'papyrus'; choose from "):
        config.load(path)


def test_invalid_toml_names_line_and_column(folder):
    path = write(folder, """
        [book]
        title = "T"
        subtitle = "unclosed
    """)
    with pytest.raises(ConfigError) as caught:
        config.load(path)
    assert len(caught.value.problems) == 1
    assert "invalid TOML" in caught.value.problems[0]
    assert "line 3" in caught.value.problems[0] and "column" in caught.value.problems[0]
    assert str(caught.value).startswith(str(path))


def test_unknown_keys_warn_with_a_suggestion_and_the_file_still_loads(folder):
    path = write(folder, """
        [book]
        title = "T"
        subtilte = "x"

        [sources]
        paths = ["pages"]

        [selct]
        kinds = ["q&a"]

        [output]
        colour = "red"
    """)
    with counting_warnings() as warnings:
        edition = config.load(path)
    assert edition.book.subtitle == ""
    assert warnings.counts == {"config-unknown-key": 3}
    messages = warnings.messages
    assert "line 8: unknown key 'selct' (did you mean 'select'?)" in messages[0]
    assert f"{path}: line 3: unknown key 'book.subtilte' (did you mean 'subtitle'?)" in messages[1]
    assert "line 12: unknown key 'output.colour' (known keys: folder, stem, formats, theme" in messages[2]


def test_key_lines_follow_tables_dotted_keys_and_skip_multiline_strings():
    text = textwrap.dedent('''
        top = 1
        [book]
        title = """
        fake = "inside a string"
        """
        "quoted key" = 2
        [ front . imprint ]  # a comment
        source = "x"
        [[series]]
        a.b = 3
    ''').lstrip()
    lines = config.key_lines(text)
    assert lines == {"top": 1, "book": 2, "book.title": 3, "book.quoted key": 6, "front.imprint": 7,
                     "front.imprint.source": 8, "series": 9, "series.a.b": 10}


def test_starter_file_loads_once_its_sources_exist(tmp_path):
    path = tmp_path / "edition.toml"
    config.write_starter(path, config.starter("My \"Book\"", ("pages",)))
    with pytest.raises(ConfigError, match="'pages': no such file or folder"):
        config.load(path)
    (tmp_path / "pages").mkdir()
    with counting_warnings() as warnings:
        edition = config.load(path)
    assert warnings.counts == {}
    assert edition.book.title == 'My "Book"'
    assert edition.group.by == ("year", "month")
    assert edition.output.formats == ("epub", "pdf")


def test_starter_never_overwrites(tmp_path):
    path = tmp_path / "edition.toml"
    path.write_text("mine", "utf-8")
    with pytest.raises(DeeplybookError, match="already exists"):
        config.write_starter(path, config.starter())
    assert path.read_text("utf-8") == "mine"
    assert [p.name for p in tmp_path.iterdir()] == ["edition.toml"]


def test_paths_are_relative_to_the_edition_file_not_the_working_folder(folder, tmp_path_factory, monkeypatch):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    monkeypatch.chdir(elsewhere)
    shutil.copytree(EDITIONS, folder / "editions")
    edition = config.load(folder / "editions" / "chronicle.toml")
    assert all(p.is_file() and (folder / "editions") in p.parents for p in edition.sources.paths)
