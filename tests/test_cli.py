"""The make-ebook command: the quick form, build, list and new, exit codes and progress."""

import io
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console

from deeplybook import cli, config
from deeplybook.sample import sample_path

EDITIONS = Path(__file__).parent / "samples" / "editions"
ARTICLES = EDITIONS / "articles"


def run(*args):
    return CliRunner().invoke(cli.cli, [str(a) for a in args])


def interviews_edition(folder: Path, select: str = "") -> Path:
    """An edition file of the sample interviews, in one book, EPUB only; ``select`` adds rules."""
    path = folder / "interviews.toml"
    path.write_text(textwrap.dedent(f"""
        [book]
        title = "Two Interviews"
        [sources]
        paths = ["{ARTICLES.as_posix()}"]
        [select]
        kinds = ["q&a"]
        {select}
        [group]
        by = "year"
        [output]
        folder = "books"
        formats = ["epub"]
    """), "utf-8")
    return path


def test_quick_form_through_main(tmp_path, capsys, epubcheck):
    out = tmp_path / "one"
    with pytest.raises(SystemExit) as exited:
        cli.main([str(sample_path()), "-o", str(out), "--title", "One Interview", "--format", "epub"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.splitlines() == [
        "1 articles from 1 files (0 skipped, 0 failed)", f"wrote {out}.epub"]
    epubcheck(out.with_suffix(".epub"))


def test_bare_command_builds_the_sample_into_build(tmp_path, epubcheck):
    runner = CliRunner()
    with runner.isolated_filesystem(temp_dir=tmp_path):
        result = runner.invoke(cli.cli, [])
        assert result.exit_code == 0, result.stderr
        assert "wrote build/syria-deeply-sample.epub" in result.stdout
        assert "wrote build/syria-deeply-sample.pdf" in result.stdout
        assert Path("build/syria-deeply-sample.pdf").read_bytes().startswith(b"%PDF-")
        epubcheck(Path("build/syria-deeply-sample.epub"))


def test_quick_form_keeps_its_usage_errors():
    result = run(sample_path(), "--format", "mobi")
    assert result.exit_code == 2
    assert "choose from epub, pdf" in result.stderr
    assert run("no/such/file.txt").exit_code == 2


def test_build_an_edition_file(tmp_path, epubcheck):
    path = interviews_edition(tmp_path)
    result = run("build", path)
    assert result.exit_code == 0, result.stderr
    book = tmp_path / "books" / "two-interviews.epub"
    assert result.stdout.splitlines() == [
        "2 articles from 6 files (0 skipped, 0 failed)", f"wrote {book}"]
    epubcheck(book)


def test_build_with_volumes_and_overrides(tmp_path):
    result = run("build", EDITIONS / "chronicle.toml", "-o", tmp_path / "c", "--format", "epub", "--quiet")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "" and result.stderr == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"c-vol{n}.epub" for n in range(1, 5)]


def test_strict_turns_warnings_into_exit_3(tmp_path):
    path = interviews_edition(tmp_path, select='exclude = ["no-such-article"]')
    result = run("build", path, "--strict")
    assert result.exit_code == 3
    assert "exclude 'no-such-article' names no article in the sources [select-unmatched]" in result.stderr
    assert "1 warnings: select-unmatched x1" in result.stderr
    assert "--strict and the build gave warnings" in result.stderr
    assert run("build", path).exit_code == 0


def test_edition_file_problems_are_printed_one_a_line_with_exit_1(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('[book]\nsubtitle = 3\n\n[group]\nby = "decade"\n', "utf-8")
    result = run("build", path)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"make-ebook: error: {path}: 4 problems:",
        "  line 1: book.title: is required",
        "  line 2: book.subtitle: must be a string, not a number",
        "  sources.paths: is required",
        "  line 5: group.by: 'decade' is not one of none, year, month, topic, author, kind, site",
    ]
    syntax = tmp_path / "syntax.toml"
    syntax.write_text('[book]\ntitle = "T\n', "utf-8")
    result = run("list", syntax)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"make-ebook: error: {syntax}: invalid TOML: ")
    assert "line 2" in result.stderr


def test_list_shows_volumes_sections_and_articles_without_writing(tmp_path):
    result = run("list", EDITIONS / "chronicle.toml")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    build = EDITIONS / "build"
    assert lines[0] == f"A Sample Chronicle, 2016  [2 articles -> {build / 'chronicle-vol1.epub'}]"
    assert lines[1] == "  March 2016 (1)"
    assert lines[2].split() == "2016-03-14 article Bakers of the Old Market Keep Their Ovens Lit Lina Haddad".split()
    assert lines[3] == "  September 2016 (1)"
    assert lines[4].startswith("    2016-09-02  q&a       A Water Engineer on Keeping the Pumps Running")
    assert lines[4].endswith("  Omar Nassar")
    assert f"A Sample Chronicle, Undated  [1 article -> {build / 'chronicle-vol4.epub'}]" in lines
    assert "    undated     article   A Letter from the Coast  Yusuf Darwish" in lines
    assert "Lina Haddad, Sami Karam" in result.stdout
    assert lines[-1] == "6 articles in 4 volumes (article 4, q&a 2); 6 read from 6 files, 0 skipped, 0 failed"
    assert not build.exists()


def test_new_writes_a_starter_that_loads_and_never_overwrites(tmp_path):
    runner = CliRunner()
    with runner.isolated_filesystem(temp_dir=tmp_path) as here:
        result = runner.invoke(cli.cli, ["new", "--title", "Harbour Notes", "--source", "pages"])
        assert result.exit_code == 0, result.stderr
        assert result.stdout.startswith("wrote edition.toml")
        Path("pages").mkdir()
        loaded = config.load(Path(here) / "edition.toml")
        assert loaded.book.title == "Harbour Notes"
        assert loaded.sources.paths == (Path(here) / "pages",)
        before = Path("edition.toml").read_text("utf-8")
        again = runner.invoke(cli.cli, ["new"])
        assert again.exit_code == 1
        assert again.stderr == "make-ebook: error: edition.toml: already exists; not overwritten\n"
        assert Path("edition.toml").read_text("utf-8") == before
        other = runner.invoke(cli.cli, ["new", "other/winter.toml"])
        assert other.exit_code == 0
        assert 'paths = ["articles"]' in Path("other/winter.toml").read_text("utf-8")


def test_usage_errors_exit_2():
    assert run("build").exit_code == 2
    assert run("list", "missing.toml").exit_code == 2
    assert run("build", EDITIONS / "chronicle.toml", "--colour").exit_code == 2


def test_help_names_every_command():
    result = run("--help")
    assert result.exit_code == 0
    for command in ("build", "list", "new", "quick"):
        assert f"  {command} " in result.stdout


def test_progress_bars_draw_on_a_terminal_and_stay_off_otherwise():
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=80)
    with cli.ProgressBars(True, console) as bars:
        bars.callback("read", 3, 6)
        bars.callback("write", 1, 2)
    drawn = screen.getvalue()
    assert "Reading" in drawn and "3/6" in drawn and "Writing" in drawn and "1/2" in drawn
    with cli.ProgressBars(False, console) as bars:
        assert bars.callback is None
    assert not cli._bars_wanted(quiet=True)
