"""make-ebook as installed: a venv of its own as pipx makes one, its version, shell completion (docs/install.md)."""

import os
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def make_ebook(*args: str, **env: str) -> subprocess.CompletedProcess:
    """``make-ebook ARGS`` in a process of its own, with ``env`` added to the environment."""
    return subprocess.run([sys.executable, "-m", "deeplybook.cli", *args], capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=120)


def complete(words: str) -> list[tuple[str, str]]:
    """What bash completion offers for the command line ``words`` (the last word is being typed)."""
    done = make_ebook(COMP_WORDS=words, COMP_CWORD=str(len(words.split(" ")) - 1),
                      _MAKE_EBOOK_COMPLETE="bash_complete")
    assert done.returncode == 0, done.stderr
    return [tuple(line.split(",", 1)) for line in done.stdout.splitlines()]


def test_version():
    done = make_ebook("--version")
    assert done.returncode == 0
    assert done.stdout == f"make-ebook, version {version('deeplybook')}\n"


@pytest.mark.parametrize("shell, marker", [
    ("bash", "complete -o nosort -F _make_ebook_completion make-ebook"),
    ("zsh", "compdef _make_ebook_completion make-ebook"),
    ("fish", "complete --no-files --command make-ebook"),
])
def test_each_shell_gets_a_completion_script(shell, marker):
    done = make_ebook(_MAKE_EBOOK_COMPLETE=f"{shell}_source")
    assert done.returncode == 0, done.stderr
    assert marker in done.stdout
    assert "_MAKE_EBOOK_COMPLETE=" in done.stdout  # the script calls make-ebook back for each completion


def test_the_first_word_completes_to_a_command_or_a_file():
    assert ("plain", "build") in complete("make-ebook bu")
    first = complete("make-ebook ")
    assert {("plain", name) for name in ("build", "list", "new", "themes")} <= set(first)
    assert ("file", "") in first  # the quick form's paths: the shell offers files too


def test_options_complete_for_the_quick_form_and_for_a_command():
    assert ("plain", "--theme") in complete("make-ebook --th")
    assert ("plain", "--format") in complete("make-ebook build --for")
    assert ("plain", "--version") in complete("make-ebook --vers")


def test_a_misspelt_command_does_not_break_completion():
    assert complete("make-ebook bulid ") == [("file", "")]


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_completes_a_command_name_and_an_option(tmp_path):
    """The script bash_source prints, loaded into bash, as docs/install.md says to load it."""
    program = tmp_path / "bin" / "make-ebook"  # make-ebook on the PATH, whatever installed it
    program.parent.mkdir()
    program.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m deeplybook.cli "$@"\n', "utf-8")
    program.chmod(0o755)
    script = """
        eval "$(_MAKE_EBOOK_COMPLETE=bash_source make-ebook)"
        COMP_WORDS=(make-ebook bu); COMP_CWORD=1; _make_ebook_completion make-ebook; echo "1: ${COMPREPLY[*]}"
        COMPREPLY=(); COMP_WORDS=(make-ebook list --ver); COMP_CWORD=2; _make_ebook_completion make-ebook; echo "2: ${COMPREPLY[*]}"
    """
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PATH": f"{program.parent}{os.pathsep}{os.environ['PATH']}"})
    # compopt complains outside a real completion, and bash empties COMPREPLY before each one itself.
    assert done.stdout.splitlines() == ["1: build", "2: --verbose"], done.stderr


def test_a_venv_of_its_own_gets_a_working_make_ebook(tmp_path, epubcheck):
    """What ``pipx install .`` does, offline: the checkout's wheel in a venv of its own, then its command.

    The dependencies come from this Python's packages (``--system-site-packages``), not from PyPI.
    """
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                    str(tmp_path / "wheel"), str(REPO)], check=True, timeout=300)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)], check=True)
    [wheel] = (tmp_path / "wheel").glob("deeplybook-*.whl")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "-q",
                    "--no-deps", "--no-index", str(wheel)], check=True, timeout=300)
    program = venv / "bin" / "make-ebook"
    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import deeplybook; print(deeplybook.__file__)"],
                           capture_output=True, text=True, cwd=tmp_path, check=True).stdout.strip()
    assert Path(where).is_relative_to(venv), where  # the venv's own copy, not this checkout's
    work = tmp_path / "work"  # far from the checkout: the themes and the sample must come with the wheel
    work.mkdir()
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "DEEPLYBOOK_CACHE": str(tmp_path / "cache"),
           "SOURCE_DATE_EPOCH": "1700000000"}
    done = subprocess.run([str(program), "--version"], capture_output=True, text=True, env=env, cwd=work)
    assert done.stdout == f"make-ebook, version {version('deeplybook')}\n", done.stderr
    done = subprocess.run([str(program), "--format", "epub"], capture_output=True, text=True, env=env, cwd=work,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "wrote build/syria-deeply-sample.epub"
    epubcheck(work / "build" / "syria-deeply-sample.epub")
