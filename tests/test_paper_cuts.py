"""What a new user meets first: --version, a misspelt command, --strict with -q, the quick form's title and progress, clear errors."""

import textwrap
from importlib.metadata import version
from pathlib import Path

import pytest
from click.testing import CliRunner

from deeplybook import cli
from deeplybook.sample import sample_path

SAMPLES = Path(__file__).parent / "samples"
ARTICLES = SAMPLES / "editions" / "articles"
WATER = SAMPLES / "newsdeeply" / "site" / "water"
DEFAULT_THEME = Path(__file__).resolve().parent.parent / "themes" / "default"


def run(*args, **kwargs):
    return CliRunner().invoke(cli.cli, [str(a) for a in args], **kwargs)


def edition_file(folder: Path, sources: Path, select: str = "") -> Path:
    """An EPUB-only edition file of ``sources``; ``select`` is the body of its [select] table."""
    path = folder / "edition.toml"
    path.write_text(textwrap.dedent(f"""
        [book]
        title = "Paper Cuts"
        [sources]
        paths = ["{sources.as_posix()}"]
        [select]
        {select}
        [output]
        folder = "books"
        formats = ["epub"]
    """), "utf-8")
    return path


def test_strict_fails_on_warnings_even_when_quiet(tmp_path):
    path = edition_file(tmp_path, ARTICLES, 'exclude = ["no-such-article"]')
    result = run("build", path, "--strict", "-q")
    assert result.exit_code == 3
    # -q hides the warnings themselves, not the error that ends the build.
    assert result.stderr == "make-ebook: error: --strict and the build gave warnings\n"
    assert run("build", path, "-q").exit_code == 0


def test_version_comes_from_the_package_metadata():
    result = run("--version")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"make-ebook, version {version('deeplybook')}\n"


@pytest.mark.parametrize("typed, meant", [("bulid", "build"), ("lsit", "list"), ("theme", "themes")])
def test_a_misspelt_command_is_named_with_the_one_meant(tmp_path, typed, meant):
    result = run(typed, tmp_path / "x.toml")
    assert result.exit_code == 2
    assert f"No such command '{typed}'. Did you mean '{meant}'?" in result.stderr


def test_a_missing_file_named_like_a_command_is_still_a_missing_path(tmp_path):
    runner = CliRunner()
    with runner.isolated_filesystem(temp_dir=tmp_path):
        missing = runner.invoke(cli.cli, ["notes.txt"])
        assert missing.exit_code == 2 and "'notes.txt' does not exist" in missing.stderr
        Path("bulid").mkdir()  # an existing folder is a path to read, however it is spelt
        result = runner.invoke(cli.cli, ["bulid", "--format", "epub"])
        assert "No such command" not in result.stderr
        assert "holds no articles" in result.stderr


def test_the_quick_form_draws_progress_bars_on_a_terminal(tmp_path, monkeypatch):
    book = ["--format", "epub", "-o", tmp_path / "b", "--no-cache", sample_path()]
    assert "Reading" not in run(*book).stderr  # not a terminal: no bars
    monkeypatch.setattr(cli, "_bars_wanted", lambda quiet: not quiet)
    result = run(*book)
    assert result.exit_code == 0, result.stderr
    assert "Reading" in result.stderr and "Writing" in result.stderr and "1/1" in result.stderr


def test_the_quick_form_titles_a_book_after_its_one_site(tmp_path):
    runner = CliRunner()
    with runner.isolated_filesystem(temp_dir=tmp_path):
        result = runner.invoke(cli.cli, [str(sample_path()), "--format", "epub", "--no-cache"])
        assert result.exit_code == 0, result.stderr
        assert "wrote build/syria-deeply.epub" in result.stdout
        # Two sites: no one name fits them, so the general title.
        result = runner.invoke(cli.cli, [str(sample_path()), str(WATER), "--format", "epub", "--no-cache"])
        assert result.exit_code == 0, result.stderr
        assert "wrote build/collected-articles.epub" in result.stdout


def test_the_quick_form_help_says_what_the_default_title_is():
    assert "the articles' site" in " ".join(run("quick", "--help").stdout.split())


@pytest.mark.parametrize("fmt", ["epub", "pdf"])
@pytest.mark.parametrize("broken, why", [
    ("{% if %}\n", "line 1: invalid template: Expected an expression"),
    ("{{ nothing_by_this_name.title }}\n", "line 1: cannot be rendered: 'nothing_by_this_name' is undefined"),
])
def test_a_broken_template_is_one_line_naming_it_in_both_formats(tmp_path, fmt, broken, why):
    theme = tmp_path / "broken"
    (theme / "templates").mkdir(parents=True)
    (theme / "theme.toml").write_text('name = "broken"\nextends = "default"\n', "utf-8")
    byline = (DEFAULT_THEME / "templates" / "byline.html").read_text("utf-8")
    (theme / "templates" / "byline.html").write_text(broken + byline, "utf-8")
    result = run(sample_path(), "-o", tmp_path / "b", "--format", fmt, "--theme", theme, "--no-cache", "-j", "1")
    assert result.exit_code == 1
    [error] = [line for line in result.stderr.splitlines() if "[theme-untrusted]" not in line]
    assert error.startswith(f"make-ebook: error: {theme / 'templates' / 'byline.html'}: {why}")


def test_an_unknown_theme_lists_the_themes_there_are(tmp_path):
    result = run(sample_path(), "-o", tmp_path / "b", "--format", "epub", "--theme", "clasic")
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert line.startswith("make-ebook: error: no theme called 'clasic' (did you mean 'classic'?)")
    assert "themes: classic, deeply, default, large-print" in line


def test_an_empty_source_folder_is_named_as_empty(tmp_path):
    empty = tmp_path / "pages"
    empty.mkdir()
    quick = run(empty, "-o", tmp_path / "b", "--format", "epub")
    assert quick.exit_code == 1
    assert quick.stderr == f"make-ebook: error: {empty}: holds no articles (no files in it)\n"
    (empty / "notes.bin").write_bytes(b"\x00\x01")
    for command in ("build", "list"):
        result = run(command, edition_file(tmp_path, empty))
        assert result.exit_code == 1
        assert result.stderr.startswith(f"make-ebook: error: {empty}: holds no articles (1 file, none of them an "
                                        "article"), result.stderr
        assert "[select]" not in result.stderr


def test_nothing_matching_select_is_told_apart_from_an_empty_source(tmp_path):
    path = edition_file(tmp_path, ARTICLES, 'text = "no article says this"')
    result = run("list", path)
    assert result.exit_code == 1
    assert result.stderr == f"make-ebook: error: {path}: none of the 6 articles read matches [select]\n"


def test_the_bare_command_still_builds_the_sample(tmp_path):
    """The README's first command: the sample keeps its own title, whatever the quick form's default."""
    runner = CliRunner()
    with runner.isolated_filesystem(temp_dir=tmp_path):
        result = runner.invoke(cli.cli, ["--format", "epub"])
        assert result.exit_code == 0, result.stderr
        assert "wrote build/syria-deeply-sample.epub" in result.stdout
