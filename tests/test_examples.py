"""The examples work as the README says: the script builds the sample, the editions read the mirror where it is put."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from deeplybook import cli

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "examples" / "build_sample.py"


def test_build_sample_script(tmp_path, epubcheck):
    done = subprocess.run([sys.executable, str(SCRIPT), str(tmp_path / "out")], capture_output=True, text=True,
                          cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    epubcheck(tmp_path / "out" / "sample.epub")
    reader = PdfReader(tmp_path / "out" / "sample.pdf")
    assert reader.metadata.title == "Syria Deeply: A Sample Edition"
    text = "".join(page.extract_text() or "" for page in reader.pages)
    assert "What an ISIS Retreat in Boukamal" in text and "Hashem Osseiran" in text


def _readme_mirror_commands() -> tuple[str, list[str]]:
    """Where the README says to clone the mirror, and the make-ebook command it gives after."""
    readme = (REPO / "README.md").read_text("utf-8")
    block = re.search(r"```sh\n(git clone https://github.com/thenewhumanitarian/newsdeeply .*?)```", readme, re.S)
    assert block, "the README no longer says where the mirror goes"
    clone, command = block[1].strip().splitlines()
    return clone.split()[-1], command.split()[1:]


@pytest.mark.corpus
def test_an_example_edition_reads_the_mirror_where_the_readme_puts_it(tmp_path, mirror_root, monkeypatch):
    """Following the README in a copy of the project: the mirror cloned where it says, then its command."""
    destination, command = _readme_mirror_commands()
    shutil.copytree(REPO / "examples" / "editions", tmp_path / "examples" / "editions")
    # A few months of the real mirror keep the test short; the layout is the clone's.
    for month in ("10", "11"):
        shutil.copytree(mirror_root / "syria" / "articles" / "2017" / month,
                        tmp_path / destination / "syria" / "articles" / "2017" / month)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DEEPLYBOOK_CACHE", str(tmp_path / "cache"))
    assert command[0] == "list" and Path(command[1]).is_file()
    result = CliRunner().invoke(cli.cli, command)
    assert result.exit_code == 0, result.stderr
    listed = [line.split() for line in result.stdout.splitlines() if re.match(r"\s+\d{4}-\d\d-\d\d ", line)]
    assert listed and all(line[0].startswith("2017-1") for line in listed)
    assert result.stdout.startswith("Deir Ezzor, 2017  [")
