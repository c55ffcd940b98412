"""make-ebook as installed: its version, and shell completion through click's _MAKE_EBOOK_COMPLETE (docs/install.md)."""

import os
import subprocess
import sys
from importlib.metadata import version

import pytest


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
