"""The pipeline's one road and the output's file names: the quick form is an edition file made in memory."""

import textwrap
from pathlib import Path

import pytest

import deeplybook
from deeplybook import output, pipeline, toc
from deeplybook.errors import DeeplybookError

ARTICLES = Path(__file__).parent / "samples" / "editions" / "articles"


def test_one_format_with_its_suffix_is_written_as_named(tmp_path):
    assert output.output_paths(tmp_path / "x" / "mine.epub", ["epub"]) == {"epub": tmp_path / "x" / "mine.epub"}


def test_several_formats_share_the_stem_whatever_suffix_was_given(tmp_path):
    expected = {"epub": tmp_path / "mine.epub", "pdf": tmp_path / "mine.pdf"}
    assert output.output_paths(tmp_path / "mine.pdf", ["epub", "pdf"]) == expected
    assert output.output_paths(tmp_path / "mine", ["epub", "pdf"]) == expected
    assert output.output_paths(tmp_path / "mine.epub", ["pdf"]) == {"pdf": tmp_path / "mine.pdf"}
    assert output.output_paths(tmp_path / "my.book", ["epub"]) == {"epub": tmp_path / "my.book.epub"}


def test_an_existing_folder_holds_book_files(tmp_path):
    assert output.output_paths(tmp_path, ["pdf", "epub"]) == {"pdf": tmp_path / "book.pdf", "epub": tmp_path / "book.epub"}
    assert output.stem(tmp_path, "chronicle") == tmp_path / "chronicle"
    assert output.stem(tmp_path / "chronicle.pdf") == tmp_path / "chronicle"


def test_volumes_add_their_number_to_the_stem(tmp_path):
    assert output.book_paths(tmp_path / "c", 2, ["epub", "pdf"]) == {
        "epub": tmp_path / "c-vol2.epub", "pdf": tmp_path / "c-vol2.pdf"}
    assert output.book_paths(tmp_path / "c", None, ["epub"]) == {"epub": tmp_path / "c.epub"}


def test_an_unknown_format_fails_before_anything_is_read(tmp_path, monkeypatch):
    with pytest.raises(DeeplybookError, match="unknown format 'mobi'; choose from epub, pdf"):
        output.output_paths(tmp_path / "x", ["epub", "mobi"])
    monkeypatch.setattr(pipeline.readers, "read", lambda *a, **k: pytest.fail("read before the formats were checked"))
    with pytest.raises(DeeplybookError, match="unknown format 'mobi'"):
        deeplybook.build([ARTICLES], tmp_path / "x", title="T", formats=["mobi"], cache=False)


def test_the_quick_form_is_an_edition_file_made_in_memory(tmp_path):
    made = pipeline.quick_edition([ARTICLES], tmp_path / "out" / "mine.epub", title="T", formats=["epub"],
                                  reader="plaintext", group_by=["year"], creators=["An Editor"], subtitle="S",
                                  provenance=(("Source", "here"),))
    assert made.path is None and made.book.title == "T" and made.book.subtitle == "S"
    assert [c.name for c in made.book.creators] == ["An Editor"]
    assert made.sources.paths == (ARTICLES,) and made.sources.reader == "plaintext"
    assert (made.group.by, made.group.order, made.volumes.split, made.back_matter) == (("year",), "date", False, ())
    assert made.output.stem_path == tmp_path / "out" / "mine"
    assert made.extra == {"provenance": (("Source", "here"),)}


def test_quick_form_and_edition_file_give_the_same_bytes(tmp_path, epubcheck):
    quick = deeplybook.build([ARTICLES], tmp_path / "quick", title="Same Book", reader="plaintext",
                             group_by=["year", "month"], order="date-desc", creators=["An Editor"],
                             publisher="P", pdf_options={"jobs": 1}, cache=False)
    edition = tmp_path / "same.toml"
    edition.write_text(textwrap.dedent(f"""
        [book]
        title = "Same Book"
        creators = ["An Editor"]
        publisher = "P"
        [sources]
        paths = ["{ARTICLES.as_posix()}"]
        reader = "plaintext"
        [group]
        by = ["year", "month"]
        order = "date-desc"
        [back]
        indexes = []
        [output]
        folder = "books"
        stem = "same"
        jobs = 1
    """), "utf-8")
    [made] = deeplybook.build_edition(edition, cache=False)
    assert made.outputs == {"epub": tmp_path / "books" / "same.epub", "pdf": tmp_path / "books" / "same.pdf"}
    for fmt in ("epub", "pdf"):
        assert quick.outputs[fmt].read_bytes() == made.outputs[fmt].read_bytes(), fmt
    epubcheck(made.outputs["epub"])


def test_each_stage_runs_once_a_build(tmp_path, monkeypatch):
    """The theme is loaded once a build and the book planned once a volume, the plan handed to both writers."""
    calls = {"theme": 0, "arrange": 0, "group": 0}
    handed: list[tuple[str, str, object]] = []

    def counted(name, real):
        def call(*args, **kwargs):
            calls[name] += 1
            return real(*args, **kwargs)
        return call

    def writer(fmt):
        def write(edition, path, *, plan, **options):
            handed.append((fmt, edition.title, plan))
            return path
        return write

    monkeypatch.setattr(pipeline, "load_theme", counted("theme", pipeline.load_theme))
    monkeypatch.setattr(pipeline.edition_module, "arrange", counted("arrange", pipeline.edition_module.arrange))
    monkeypatch.setattr(pipeline.edition_module, "group", counted("group", pipeline.edition_module.group))
    monkeypatch.setattr(deeplybook.extensions, "writers", lambda: {
        fmt: deeplybook.writers.FunctionWriter(fmt, f".{fmt}", writer(fmt)) for fmt in ("epub", "pdf")})
    results = deeplybook.build_edition(Path(__file__).parent / "samples" / "editions" / "chronicle.toml",
                                       output=tmp_path / "c", formats=("epub", "pdf"), cache=False)
    assert len(results) == 4 and calls == {"theme": 1, "arrange": 1, "group": 1}
    assert len(handed) == 8
    for epub, pdf in zip(handed[::2], handed[1::2]):
        assert (epub[0], pdf[0]) == ("epub", "pdf") and epub[1] == pdf[1]
        assert epub[2] is pdf[2] and epub[2].edition is results[handed.index(epub) // 2].edition
        assert epub[2].toc == toc.build(epub[2].edition)


def test_quick_form_fields_without_an_edition_file_key_reach_the_book(tmp_path):
    """Cover, provenance and a foreword of blocks are passed as given (they once clashed with the file's keys)."""
    from factories import article

    from deeplybook.model import Paragraph

    made = pipeline.quick_edition([], tmp_path / "b", title="T", cover="c.jpg", provenance=(("Source", "here"),),
                                  foreword=(Paragraph("First words."),), back_matter=["topics"])
    [volume] = pipeline.make_volumes(made, [article(2), article(1)])
    book = volume.edition
    assert (book.cover, book.provenance, book.back_matter) == ("c.jpg", (("Source", "here"),), ("topics",))
    assert book.foreword == (Paragraph("First words."),)
    assert [a.slug for a in book.articles] == ["story-1", "story-2"]
    assert volume.targets == {"epub": tmp_path / "b.epub", "pdf": tmp_path / "b.pdf"}


def test_an_edition_files_own_theme_is_warned_about_once(tmp_path):
    """config.load only checks the theme; the build loads it, once (it was loaded, and warned about, twice)."""
    from deeplybook.log import counting_warnings

    theme = tmp_path / "mine"
    (theme / "templates").mkdir(parents=True)
    (theme / "theme.toml").write_text('name = "mine"\nextends = "default"\n', "utf-8")
    edition = tmp_path / "mine.toml"
    edition.write_text(textwrap.dedent(f"""
        [book]
        title = "Themed"
        [sources]
        paths = ["{ARTICLES.as_posix()}"]
        reader = "plaintext"
        [output]
        formats = ["epub"]
        theme = "mine"
    """), "utf-8")
    with counting_warnings() as warnings:
        [made] = deeplybook.build_edition(edition, cache=False)
    assert warnings.counts["theme-untrusted"] == 1
    assert made.outputs == {"epub": tmp_path / "build" / "themed.epub"}


def test_the_edition_files_contents_depth_reaches_the_books_contents_page(tmp_path):
    import re
    import zipfile

    source = (Path(__file__).parent / "samples" / "editions" / "chronicle.toml").read_text()
    edition = tmp_path / "chronicle.toml"
    edition.write_text(source.replace('paths = ["articles/*.txt"]', f'paths = ["{ARTICLES.as_posix()}/*.txt"]')
                       .replace('foreword = "foreword.md"\n', "").replace('[volumes]\nby = "year"\n', "")
                       + "toc_depth = 1\n")
    [result] = deeplybook.build_edition(edition, output=tmp_path / "out", formats=("epub",), cache=False)
    with zipfile.ZipFile(result.outputs["epub"]) as book:
        nav = book.read("EPUB/nav.xhtml").decode()
    contents = nav[nav.index('id="toc"'):nav.index("</nav>")]
    assert len(re.findall("<ol", contents)) == 1, "depth 1 lists the sections only"
    assert result.edition.sections[0].title in contents
