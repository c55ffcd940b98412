"""The manual: the site builds in strict mode, its pages name every warning code, table key and exit code, and
the commands of docs/getting-started.md run as written."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from deeplybook import cli, config, log

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"


def _env() -> dict[str, str]:
    """The environment the docs' commands run in: this checkout's package first on the path."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


def test_the_site_builds_in_strict_mode(tmp_path):
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-d", str(tmp_path / "site")],
                         cwd=REPO, env=_env(), capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    api = (tmp_path / "site" / "reference" / "api" / "index.html").read_text("utf-8")
    for name in ("deeplybook.build_edition", "deeplybook.model.Article", "deeplybook.config.load",
                 "deeplybook.readers.Reader", "deeplybook.themes.load", "deeplybook.cache.Cache"):
        assert f'id="{name}"' in api, f"the API page lacks {name}"
    commands = (tmp_path / "site" / "reference" / "cli" / "index.html").read_text("utf-8")
    for name in cli.cli.commands:
        assert f"make-ebook {name}" in commands, f"the command line page lacks make-ebook {name}"


# --- warning codes ----------------------------------------------------------------------------------------------

_WARN = re.compile(r"""\bwarn\(\s*["']([a-z0-9-]+)["']""")
_REFUSED_CODE = re.compile(r"""\bcode\s*=\s*["']([a-z0-9-]+)["']""")


def used_codes() -> set[str]:
    """Every warning code the package's source names: ``warn("code", ...)`` and ``Refused(..., code="code")``."""
    codes = set()
    for path in (REPO / "deeplybook").rglob("*.py"):
        text = path.read_text("utf-8")
        codes |= set(_WARN.findall(text)) | set(_REFUSED_CODE.findall(text))
    return codes


def documented_codes() -> list[str]:
    """The codes docs/reference/warnings.md gives a heading to, in page order."""
    return re.findall(r"(?m)^### `([a-z0-9-]+)`", (DOCS / "reference" / "warnings.md").read_text("utf-8"))


def test_every_warning_code_is_documented_once():
    documented = documented_codes()
    assert len(documented) == len(set(documented)), "a code has two headings"
    missing = (used_codes() | set(log.CODES)) - set(documented)
    assert not missing, f"docs/reference/warnings.md does not explain {sorted(missing)}"
    stale = set(documented) - set(log.CODES)
    assert not stale, f"docs/reference/warnings.md explains codes deeplybook does not have: {sorted(stale)}"


def test_the_source_scan_finds_the_codes_in_use():
    used = used_codes()
    assert {"image-missing", "config-unknown-key", "file-too-large", "read-timeout", "file-refused"} <= used
    assert used <= set(log.CODES), f"codes used but not in log.CODES: {sorted(used - set(log.CODES))}"


# --- the edition file and the exit codes -------------------------------------------------------------------------

def test_every_key_of_the_edition_file_is_documented_under_its_table():
    page = (DOCS / "reference" / "edition-file.md").read_text("utf-8")
    sections = dict(re.findall(r"(?ms)^## `\[([a-z.]+)\]`\n(.*?)(?=^## |\Z)", page))
    assert set(sections) == set(config.SCHEMA), "docs/reference/edition-file.md: one section a table"
    for table, keys in config.SCHEMA.items():
        rows = set(re.findall(r"(?m)^\| `([a-z_]+)` \|", sections[table]))
        named = {key for key in keys if f"{table}.{key}" not in config.SCHEMA}
        assert rows == named, f"[{table}]: documented {sorted(rows)}, the loader knows {sorted(named)}"


def test_the_guides_name_every_key_of_the_edition_file():
    guides = "\n".join((DOCS / "guides" / name).read_text("utf-8") for name in ("editions.md", "selecting.md"))
    unnamed = [f"{table}.{key}" for table, keys in config.SCHEMA.items() for key in keys
               if f"{table}.{key}" not in config.SCHEMA
               and not re.search(rf"(`(\[{table}\] )?{re.escape(key)}( = [^`]*)?`|^#? ?{re.escape(key)} = )", guides,
                                 re.MULTILINE)]
    assert not unnamed, f"docs/guides/editions.md and selecting.md do not name {unnamed}"


def test_the_exit_codes_page_lists_the_command_lines_codes():
    page = (DOCS / "reference" / "exit-codes.md").read_text("utf-8")
    rows = dict(re.findall(r"(?m)^\| `(\d+)` \| (.+) \|$", page))
    assert set(rows) == {"0", str(cli.EXIT_FAILED), str(cli.EXIT_USAGE), str(cli.EXIT_WARNINGS)}


# --- getting started ---------------------------------------------------------------------------------------------

_STEP = re.compile(r"<!-- (run|run: corpus|output|file: [^ ]+) -->\n```[a-z]*\n(.*?)```\n", re.DOTALL)


def steps(page: Path) -> list[tuple[str, str]]:
    """The page's marked blocks in order: (marker, text)."""
    return _STEP.findall(page.read_text("utf-8"))


def run_steps(folder: Path, corpus: bool) -> list[str]:
    """Run the getting-started page's steps in ``folder``; the commands run."""
    shell = f'make-ebook() {{ "{sys.executable}" -m deeplybook.cli "$@"; }}\nset -e\n'
    ran: list[str] = []
    printed: str | None = None
    for marker, text in steps(DOCS / "getting-started.md"):
        if marker.startswith("file: "):
            target = folder / marker.removeprefix("file: ")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, "utf-8")
        elif marker == "output":
            if printed is not None:
                for line in text.splitlines():
                    assert line in printed.splitlines(), f"the page says {line!r} is printed; it printed:\n{printed}"
        elif marker == "run" or (marker == "run: corpus" and corpus):
            run = subprocess.run(["bash", "-c", shell + text], cwd=folder, env=_env(), capture_output=True, text=True)
            assert run.returncode == 0, f"{text}\n{run.stdout}{run.stderr}"
            printed = run.stdout + run.stderr
            ran.extend(line for line in text.splitlines() if line.strip() and not line.startswith("#"))
        else:
            printed = None  # a step not run: its output is not checked
    return ran


def test_the_getting_started_steps_that_need_no_archive_run_as_written(tmp_path, epubcheck):
    ran = run_steps(tmp_path, corpus=False)
    assert ran == [
        "make-ebook",
        "make-ebook themes",
        "make-ebook --theme classic -o build/sample-classic --format epub",
        'make-ebook articles -o build/coast --title "Notes from the Coast" --format epub',
    ]
    assert sorted(p.name for p in (tmp_path / "build").iterdir()) == [
        "coast.epub", "sample-classic.epub", "syria-deeply-sample.epub", "syria-deeply-sample.pdf"]
    # The classic theme's EPUB of the same article is checked by tests/test_builtin_themes.py.
    for book in ("syria-deeply-sample.epub", "coast.epub"):
        epubcheck(tmp_path / "build" / book)


@pytest.mark.corpus
def test_every_getting_started_step_runs_on_the_mirror(tmp_path, mirror_root, epubcheck):
    (tmp_path / "mirror").symlink_to(mirror_root, target_is_directory=True)
    ran = run_steps(tmp_path, corpus=True)
    assert "make-ebook build edition.toml --format epub" in ran
    for book in ("october.epub", "syria-deeply-october-2017.epub"):
        epubcheck(tmp_path / "build" / book)
